"""Issue 18: the lists agree and the small truths hold — Ё sorts with Е on F2, ИС-01, ИС-02
and the entry stack alike; «25:99» is refused at its own Enter in ИС-02; a roster search typed
in the Latin layout finds the surname with a hint; distribution counts each reason; the main
menu shows every section at 80×25."""
from __future__ import annotations

from pypdf import PdfReader

from support.pilot import open_from_menu, settle, text_of, wait_until
from support.workspaces import clear_results
from tui_app.app import ShtabApp
from tui_app.domain.models import Participant, Room
from tui_app.screens.entry import EntryScreen
from tui_app.screens.registry import MENU
from tui_app.screens.room_log import RoomLogScreen
from tui_app.services import distribute as dist
from tui_app.services.entry import room_list
from tui_app.services.forms import build_form

NAMES = ["Егоров", "Ёлкин", "Ершова", "Жуков", "Ефимов", "Еськова"]  # folded: е…, ё = е


def _room_of_names(store) -> list[Participant]:
    """Room 301 with people whose surnames start with Е and Ё, without list numbers."""
    store.put(Room(number="301", capacity=10, accessible=True))
    people = [Participant(surname=s, name="Иван", grade="9А", room="301", code=f"77{i:04d}")
              for i, s in enumerate(NAMES)]
    store.put_many(people)
    return people


async def test_yo_sorts_with_ye_on_every_list(demo_ws, tmp_path):
    store = demo_ws.store
    _room_of_names(store)
    expected = ["Егоров", "Ёлкин", "Ершова", "Еськова", "Ефимов", "Жуков"]
    # the entry stack and ИС-02 (the room's list)
    assert [p.surname for p in room_list(store, "301")] == expected
    # ИС-01 of the room
    [pdf] = build_form(store, "ИС-01", room="301", out_dir=tmp_path)
    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    positions = [text.index(s) for s in expected]
    assert positions == sorted(positions)
    app = ShtabApp(demo_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        # F2, searched by «е»: the Ё surnames sit among the Е ones
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("е")
        await settle(pilot, 3)
        shown = [p.surname for p in app.screen._shown if p.room == "301"]
        assert shown == expected[:-1]
        await pilot.press("escape", "escape")
        await settle(pilot)
        # ИС-02 rows
        await open_from_menu(pilot, app, "room_log")
        assert isinstance(app.screen, RoomLogScreen)
        app.screen.room = "301"
        app.screen.refill(0)
        await settle(pilot)
        assert [r.participant.surname for r in app.screen.rows] == expected


async def test_room_log_refuses_25_99_at_the_first_enter(demo_results_ws):
    """Today «25:99» is accepted until the end time is typed."""
    clear_results(demo_results_ws.store)
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await open_from_menu(pilot, app, "room_log")
        screen = app.screen
        while screen.rows[screen.query_one("#log-table").cursor_row].participant.absent:
            await pilot.press("down")
        await pilot.press(*"2599", "enter")
        await settle(pilot)
        assert screen.edit == "start"  # still on «начало»
        assert "часы 00–23, минуты 00–59" in text_of(app, "#log-msg")
        await pilot.press(*"0960", "enter")
        await settle(pilot)
        assert screen.edit == "start"
        await pilot.press(*"0905", "enter")
        await settle(pilot)
        assert screen.edit == "end"
        await pilot.press(*"0900", "enter")  # end before start: refused at its Enter too
        await settle(pilot)
        assert "позже начала" in text_of(app, "#log-msg")


async def test_latin_layout_search_on_f2(demo_ws):
    store = demo_ws.store
    target = next(p for p in store.participants() if p.surname == "Пономарёва")
    app = ShtabApp(demo_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press(*"gjyjv")  # «поном» typed with the Latin layout on
        await wait_until(pilot, lambda: app.screen.flt.text == "gjyjv")
        await settle(pilot, 3)
        assert target in app.screen._shown and all(p.surname.startswith("Поном") for p in app.screen._shown)
        assert "латинская раскладка" in text_of(app, "#roster-status")


def test_distribution_counts_each_reason(demo_ws):
    """25 without seats and 2 with ОВЗ without an accessible room are not all «ОВЗ»."""
    store = demo_ws.store
    with store.transaction():
        for r in store.rooms():
            store.put(r.model_copy(update={"capacity": 24 if r.number == "101" else 25,
                                           "accessible": False}))
    res = dist.auto_distribute(store)
    ovz = sum(1 for p in store.participants() if p.is_ovz)
    lack = len(store.participants()) - ovz - (24 + 25 * 3)
    text = res.message()
    assert f"не хватает мест: {lack}" in text
    assert f"ОВЗ без доступной аудитории: {ovz}" in text


async def test_main_menu_shows_every_section_at_80x25(demo_results_ws):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.pause()
        menu = app.screen.query_one("#menu")
        assert menu.option_count == len(MENU)
        # every section in view, or (18 sections since the listening station and the
        # readiness check) the menu scrolls visibly: its scrollbar is drawn
        assert (menu.size.height >= len(MENU) and menu.max_scroll_y == 0) or \
            (menu.show_vertical_scrollbar and menu.scrollbar_size_vertical > 0)
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, EntryScreen))


async def test_a_form_with_changed_fields_asks_before_closing(demo_ws):
    from tui_app.screens.dialogs import UnsavedDialog
    from tui_app.screens.organizer_modals import ParticipantModal

    store = demo_ws.store
    app = ShtabApp(demo_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f2")
        await settle(pilot)
        p = app.screen.current()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ParticipantModal))
        await settle(pilot)
        await pilot.press("end", *"ов")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("escape")  # «вернуться»: the typing is still there
        await settle(pilot)
        assert isinstance(app.screen, ParticipantModal)
        assert app.screen.query_one("#f-surname").value == p.surname + "ов"
        await pilot.press("escape", "f3")  # «не сохранять»
        await settle(pilot)
        assert not isinstance(app.screen, (ParticipantModal, UnsavedDialog))
        assert store.participant(p.guid).surname == p.surname

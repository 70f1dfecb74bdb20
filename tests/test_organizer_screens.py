"""The organizer's screens driven by key presses only, at 80×25 and at 120×40."""
from __future__ import annotations

import pytest

from support.pilot import open_from_menu, settle, wait_until
from tui_app.app import ShtabApp
from tui_app.domain.models import Attendance, Participant, Role, Room, StaffMember
from tui_app.screens.dialogs import Confirm
from tui_app.screens.organizer_modals import MoveModal, ParticipantModal
from tui_app.screens.rooms import RoomsScreen, TimetableTable
from tui_app.screens.roster import RosterScreen
from tui_app.screens.staff import StaffScreen


SIZES = [pytest.param((80, 25), id="80x25"),
         pytest.param((120, 40), id="120x40", marks=pytest.mark.slow)]


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
async def test_roster_search_absent_edit_add_review(demo_ws, size):
    store = demo_ws.store
    app = ShtabApp(demo_ws)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RosterScreen)
        assert len(screen._shown) == 120
        # type to search, letter by letter (Russian layout)
        await pilot.press(*"пономар")
        await settle(pilot, 3)
        assert screen.flt.text == "пономар"
        assert {p.surname for p in screen._shown} == {"Пономарёва-Соловьёва", "Пономарёва"} or \
            all(p.surname.startswith("Пономар") for p in screen._shown)
        await pilot.press("backspace", "backspace")
        await settle(pilot, 3)
        assert screen.flt.text == "поном"
        await pilot.press("escape")  # clears the search, stays on the screen
        await settle(pilot)
        assert app.screen is screen and len(screen._shown) == 120
        # F8 marks «Н» and takes it back
        target = screen.current()
        await pilot.press("f8")
        await settle(pilot)
        assert store.participant(target.guid).attendance is Attendance.ABSENT
        await pilot.press("f8")
        await settle(pilot)
        assert store.participant(target.guid).attendance is not Attendance.ABSENT
        # Enter opens the participant; set the ОВЗ category with the keyboard
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ParticipantModal)
        await pilot.press(*["tab"] * 8)  # surname … document number → category
        assert app.focused.id == "f-category"
        await pilot.press("enter", "down", "enter")  # first ОВЗ category
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is screen
        p = store.participant(target.guid)
        assert p.category != "general" and p.reserve == "22"
        # Insert adds a participant missing from the file
        await pilot.press("insert")
        await settle(pilot)
        await pilot.press(*"Новиков", "tab", *"Олег", "tab", *"Петрович", "tab", *"9А", "enter")
        await settle(pilot, 3)
        added = [p for p in store.participants() if p.added_locally]
        assert [(p.fio, p.grade) for p in added] == [("Новиков Олег Петрович", "9А")]
        # F9: the organizer confirms the roster was reviewed
        assert not store.settings().roster_reviewed
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("enter")
        await settle(pilot)
        assert store.settings().roster_reviewed is True
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "MainScreen"


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES[:1])
async def test_roster_filter_select_and_move(demo_ws, size):
    store = demo_ws.store
    app = ShtabApp(demo_ws)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        # F4: only participants with ОВЗ
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("tab", "tab", "enter", "down", "enter")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert len(screen._shown) == 8 and all(p.is_ovz for p in screen._shown)
        # select two with Space, F6, pick the first room (101, accessible)
        await pilot.press("space", "space")
        await settle(pilot)
        chosen = set(screen.selected)
        assert len(chosen) == 2
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, MoveModal)
        await pilot.press("enter")
        await settle(pilot, 3)
        assert {store.participant(g).room for g in chosen} == {"101"}
        assert sorted(store.participant(g).order for g in chosen) == [1, 2]
        # an ОВЗ participant cannot go to an inaccessible room: the option is disabled
        await pilot.press("f6")
        await settle(pilot)
        options = app.screen.query_one("#move-rooms")
        disabled = [options.get_option_at_index(i).id for i in range(options.option_count)
                    if options.get_option_at_index(i).disabled]
        assert set(disabled) == {"102", "201", "202"}
        await pilot.press("escape")
        await settle(pilot)
        # F5 resets the filter (Ctrl+R is only a spare)
        await pilot.press("f5")
        await settle(pilot)
        assert len(screen._shown) == 120


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
async def test_rooms_distribute_timetable_absent_move(demo_ws, size):
    store = demo_ws.store
    app = ShtabApp(demo_ws)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RoomsScreen)
        # Enter on room 101: capacity 40
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused.id == "r-capacity", app.focused
        await pilot.press(*"40", "f2")
        await settle(pilot)
        assert store.get(Room, "101") is not None, store.rooms()
        assert store.get(Room, "101").capacity == 40
        # F5: distribute automatically (confirm with Enter)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, 3)
        ps = store.participants()
        assert all(p.room for p in ps)
        assert all(p.room == "101" for p in ps if p.is_ovz)
        assert screen.current_room == "101"
        assert screen.query_one(TimetableTable).row_count == sum(p.room == "101" for p in ps)
        # Down moves to room 102 and its timetable
        await pilot.press("down")
        await settle(pilot)
        assert screen.current_room == "102"
        tt = screen.query_one(TimetableTable)
        assert tt.get_cell_at((0, 3)) == "09:00"
        # Tab to the timetable, F8 marks the first participant absent
        await pilot.press("tab")
        first = screen.current_person()
        await pilot.press("f8")
        await settle(pilot)
        assert store.participant(first.guid).absent
        # F6 moves the second one to another room (101 has free seats), as on F2
        await pilot.press("down")
        second = screen.current_person()
        assert second.guid != first.guid
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, MoveModal)
        await pilot.press("enter")
        await settle(pilot, 3)
        assert store.participant(second.guid).room == "101"
        # F7: a limit of 15:00 flags the rooms that end later
        await pilot.press("shift+tab")
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("tab", *"15:00", "f2")
        await settle(pilot)
        assert store.settings().schedule_limit == "15:00"
        assert "Не успевают до 15:00" in str(screen.query_one("#rooms-status").render())
        # Insert creates a room, Delete removes it (empty)
        await pilot.press("insert")
        await settle(pilot)
        await pilot.press(*"301", "tab", *"12", "f2")
        await settle(pilot)
        assert store.get(Room, "301").capacity == 12
        assert screen.current_room == "301"
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert store.get(Room, "301") is None
        # a room with participants is not removed
        await pilot.press("home", "delete")
        await settle(pilot)
        assert store.get(Room, "101") is not None
        assert not isinstance(app.screen, Confirm)


@pytest.mark.parametrize("size", SIZES)
async def test_staff_add_assign_remove(demo_ws, size):
    store = demo_ws.store
    app = ShtabApp(demo_ws)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await open_from_menu(pilot, app, "staff")
        screen = app.screen
        assert isinstance(screen, StaffScreen)
        assert screen.query_one("#staff-table").row_count == 11
        await pilot.press("insert")
        await settle(pilot)
        # ФИО, role «эксперт» (second), room 102 (third option: —, 101, 102)
        await pilot.press(*"Кузнецова Анна Павловна", "tab", "enter", "down", "enter")
        await settle(pilot)
        await pilot.press("tab", "enter", "down", "down", "enter")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot, 3)
        new = next(s for s in store.all(StaffMember) if s.fio == "Кузнецова Анна Павловна")
        assert new.role is Role.EXPERT and new.room == "102"
        assert store.get(Room, "102").expert == new.id
        # F6: to room 201
        assert screen.current().id == new.id
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot, 3)
        assert store.get(StaffMember, new.id).room == "201"
        assert store.get(Room, "201").expert == new.id
        # Delete, confirm
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, 3)
        assert store.get(StaffMember, new.id) is None
        assert store.get(Room, "201").expert == ""


@pytest.mark.parametrize("size", SIZES[:1])
async def test_absent_on_someone_with_a_protocol_asks_first(demo_results_ws, size):
    """«Н» on a participant with a protocol (or ИС-02 times) asks; Esc leaves it alone,
    Enter marks it and `check` reports the contradiction."""
    from tui_app.services.checks import run_checks

    store = demo_results_ws.store
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        while screen.current().guid not in store.protocols():
            await pilot.press("down")
        p = screen.current()
        before = store.participant(p.guid).attendance
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, Confirm) and "уже внесён протокол" in str(
            app.screen.query_one(".dialog-text").render())
        await pilot.press("escape")
        await settle(pilot)
        assert store.participant(p.guid).attendance is before
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert store.participant(p.guid).absent
        assert any(x.kind == "absent_with_protocol" and x.participant == p.guid
                   for x in run_checks(store))


@pytest.mark.slow
async def test_roster_2500_rows_incremental_search_is_exact(demo_ws):
    """2,500 rows: each typed letter narrows the previous result; the table always shows
    exactly what a full scan finds, row for row, and the cursor row is the one acted on."""
    from tui_app.services import roster as svc
    from tui_app.services.demo import generate_participants
    from tui_app.screens.roster import RosterTable

    store = demo_ws.store
    with store.transaction():
        store.clear(Participant)
        store.put_many(generate_participants(2500, seed=11))
    everyone = store.participants()
    app = ShtabApp(demo_ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        table = screen.query_one(RosterTable)
        assert table.row_count == 2500
        typed = ""
        for ch in "коз":
            typed += ch
            expected = svc.filter_participants(everyone, svc.RosterFilter(text=typed))
            await pilot.press(ch)
            await wait_until(pilot, lambda: table.row_count == len(expected), what="the search")
            assert [p.guid for p in screen._shown] == [p.guid for p in expected]
            assert table.row_count == len(expected) > 0
            assert [table.get_row_at(i)[2] for i in range(table.row_count)] == \
                [screen._row(p)[2] for p in expected]
        await pilot.press("down", "f8")
        await settle(pilot)
        target = svc.filter_participants(everyone, svc.RosterFilter(text=typed))[1]
        assert store.participant(target.guid).absent
        expected = svc.filter_participants(everyone, svc.RosterFilter(text="ко"))
        await pilot.press("backspace")
        await wait_until(pilot, lambda: table.row_count == len(expected), what="the search")
        assert [p.guid for p in screen._shown] == [p.guid for p in expected]
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == 2500


async def test_a_refused_form_stays_open_with_what_was_typed(demo_ws):
    """A room number already taken: the refusal shows in the form itself, everything typed
    stays, and a corrected number saves it all (nothing is typed twice)."""
    from textual.widgets import Input, Static

    from tui_app.screens.organizer_modals import RoomModal

    store = demo_ws.store
    taken = store.rooms()[0].number
    before = len(store.rooms())
    app = ShtabApp(demo_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RoomsScreen)
        await pilot.press("insert")
        await wait_until(pilot, lambda: isinstance(app.screen, RoomModal))
        modal = app.screen
        await pilot.press(*taken, "tab", "end", "backspace", "backspace", *"24")
        modal.query_one("#r-note", Input).focus()
        await pilot.press(*"у окна")
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is modal  # refused: still open
        error = str(modal.query_one(".org-modal-error", Static).render())
        assert "уже есть" in error, error
        assert modal.query_one("#r-capacity", Input).value == "24"
        assert modal.query_one("#r-note", Input).value == "у окна"
        assert len(store.rooms()) == before
        modal.query_one("#r-number", Input).focus()
        await pilot.press("end", *"-А", "f2")
        await settle(pilot)
        assert app.screen is screen
        room = store.get(Room, f"{taken}-А")
        assert room is not None and (room.capacity, room.note) == (24, "у окна"), room
        assert len(store.rooms()) == before + 1

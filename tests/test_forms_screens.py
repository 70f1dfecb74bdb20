"""The forms screen (F6) and the acts screen driven by key presses only, and their looks."""
from __future__ import annotations

import pytest
from pypdf import PdfReader

from support.pilot import finish_workers, text_of
from support.workspaces import drop_demo_acts
from tui_app.app import ShtabApp
from tui_app.domain.models import Act, Protocol, ProtocolStatus
from tui_app.screens.acts import ActsScreen
from tui_app.screens.dialogs import Confirm
from tui_app.screens.forms import FormsScreen
from tui_app.services.demo import LONG_SURNAME


async def test_forms_screen_builds_blank_is03_for_a_room(demo_results_ws):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, FormsScreen)
        await pilot.press("down", "down")  # ИС-03
        await pilot.press("tab", "1", "0", "1")  # room 101
        await pilot.press("tab", "tab", "space")  # blank
        await pilot.press("f5")
        await finish_workers(app, pilot)
        status = text_of(app, "#forms-status")
        assert "Готово" in status and "IS-03_470123_20270210_room101_blank.pdf" in status
        path = demo_results_ws.root / "forms" / "IS-03_470123_20270210_room101_blank.pdf"
        room = [p for p in demo_results_ws.store.participants() if p.room == "101" and not p.absent]
        assert len(PdfReader(str(path)).pages) == len(room)
        bar = app.screen.query_one("#forms-progress")
        assert bar.progress == bar.total


async def test_forms_screen_shows_a_russian_error(demo_results_ws):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f6")
        await pilot.press("down")  # ИС-02
        await pilot.press("tab", "9", "9", "9")
        await pilot.press("f5")
        await finish_workers(app, pilot)
        assert "Аудитория «999» не найдена" in text_of(app, "#forms-status")
        assert not list((demo_results_ws.root / "forms").glob("*.pdf"))


@pytest.mark.slow
async def test_acts_screen_creates_is09_and_prints_it(demo_results_ws):
    store = demo_results_ws.store
    drop_demo_acts(store)  # the demo's own acts (issue 17) aside: this test counts its one
    p = next(x for x in store.participants() if x.surname == LONG_SURNAME[0])
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f6", "f3")
        await pilot.pause()
        assert isinstance(app.screen, ActsScreen)
        await pilot.press(*p.code, "enter")  # find, focus goes to the kind switch
        assert LONG_SURNAME[0] in text_of(app, "#act-picker .picker-who")
        await pilot.press("down", "enter")  # ИС-09
        await pilot.press("tab", *"tel fon", "tab")
        await pilot.press("end", *["backspace"] * 5, "1", "0", ":", "3", "1")
        await pilot.press("f5")
        await finish_workers(app, pilot)
        status = text_of(app, "#act-status")
        assert "PDF сохранён" in status and "напечатан" not in status and f"IS-09_470123_20270210_{p.code}.pdf" in status
        assert app.screen.query_one("#acts-table").row_count == 1
        acts = store.all(Act)
        assert len(acts) == 1 and acts[0].kind.value == "ИС-09"
        assert f"{acts[0].time:%H:%M}" == "10:31" and acts[0].reason == "tel fon"
        proto = store.get(Protocol, p.guid)
        assert proto.status is ProtocolStatus.REMOVED and proto.scores == {}
        assert (demo_results_ws.root / "forms" / f"IS-09_470123_20270210_{p.code}.pdf").exists()
        # a mistaken act: Tab to the list, Delete, confirm
        table = app.screen.query_one("#acts-table")
        for _ in range(6):
            if app.focused is table:
                break
            await pilot.press("tab")
        assert app.focused is table
        await pilot.press("delete")
        assert isinstance(app.screen, Confirm) and len(store.all(Act)) == 1
        await pilot.press("enter")
        assert "Акт удалён" in text_of(app, "#act-status")
        assert store.all(Act) == [] and app.screen.query_one("#acts-table").row_count == 0
    assert store.get(Protocol, p.guid).status is ProtocolStatus.PRESENT  # the mark is gone


async def test_acts_screen_refuses_an_absentee(demo_results_ws):
    store = demo_results_ws.store
    drop_demo_acts(store)
    absent = next(x for x in store.participants() if x.absent)
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f6", "f3")
        await pilot.press(*absent.code, "enter")
        assert "не явился" in text_of(app, "#act-picker .picker-who")
        await pilot.press("tab", "x", "f5")
        await finish_workers(app, pilot)
        assert "на неявку не составляется" in text_of(app, "#act-status")
    assert store.all(Act) == []


def test_snapshot_forms_screen(snap_compare, demo_results_ws):
    async def before(pilot):
        await pilot.press("f6")
        await pilot.pause()

    assert snap_compare(ShtabApp(demo_results_ws), terminal_size=(80, 25), run_before=before)


def test_snapshot_acts_screen(snap_compare, demo_results_ws):
    drop_demo_acts(demo_results_ws.store)
    code = next(x for x in demo_results_ws.store.participants()
                if x.surname == LONG_SURNAME[0]).code

    async def before(pilot):
        await pilot.press("f6", "f3")
        await pilot.pause()
        pilot.app.screen.query_one("#act-time").value = "10:42"  # not the clock of today
        await pilot.press(*code, "enter", "down")
        await pilot.pause()

    assert snap_compare(ShtabApp(demo_results_ws), terminal_size=(80, 25), run_before=before)

"""Pilot tests of the other results screens: ИС-04, checks, double entry, ИС-02, statistics."""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime

import pytest

from support.pilot import burst, wait_until
from support.workspaces import clear_results, present_in, protocol
from tui_app.app import ShtabApp
from tui_app.domain.models import Protocol, ProtocolStatus, RoomLogEntry
from tui_app.domain.ordering import fold
from tui_app.screens.checks import ChecksScreen
from tui_app.screens.dialogs import UnsavedDialog
from tui_app.screens.double_entry import DoubleEntryScreen
from tui_app.screens.entry import EntryScreen
from tui_app.screens.form04 import Form04Screen
from tui_app.screens.room_log import RoomLogScreen
from tui_app.services import double_entry as de
from tui_app.services.entry import PASS2_TABLE
from tui_app.widgets.criteria_grid import CriteriaGrid


GENERAL = ["1", "1", "0", "2", "1", "1", "2", "0", "3", "2", "1", "2", "1"]


@pytest.mark.slow
async def test_form04_enter_opens_row_protocol_and_sort(demo_results_ws):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f5")
        scr = app.screen
        assert isinstance(scr, Form04Screen)
        first_rooms = [demo_results_ws.store.participant(g).room for g in scr.row_keys[:3]]
        assert first_rooms == ["101"] * 3
        await pilot.press("down", "down", "enter")
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.state.participant.guid == scr.row_keys[2]
        await pilot.press("escape")
        assert app.screen is scr
        await pilot.press("f3")
        names = [demo_results_ws.store.participant(g).surname for g in scr.row_keys]
        assert names == sorted(names, key=fold)  # «Фёдорова» among the «Фе…» (ё = е)


async def test_checks_jump_to_the_field_and_fix(demo_results_ws):
    store = demo_results_ws.store
    p = present_in(store, "201")[3]
    bad = store.get(Protocol, p.guid)
    with store.transaction():
        store.put(bad.model_copy(update={"scores": {**bad.scores, "Д1": 5}, "status": ProtocolStatus.PRESENT}))
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f8")
        scr = app.screen
        assert isinstance(scr, ChecksScreen)
        assert [pr.participant for pr in scr.problems if pr.is_error] == [p.guid]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EntryScreen)
                         and app.screen.state is not None, what="the protocol opened")
        entry = app.screen
        assert entry.state.current == "Д1" and app.focused is entry.query_one(CriteriaGrid)
        await pilot.press("3", "enter")
        await wait_until(pilot, lambda: protocol(store, p.guid).scores["Д1"] == 3, what="the save")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is scr, what="back on the checks")
        assert [pr for pr in scr.problems if pr.is_error] == []


@pytest.mark.slow
async def test_double_entry_screen_blind_second_pass_and_settle(demo_results_ws):
    store = demo_results_ws.store
    clear_results(store)
    store.update_settings(double_entry_halt=False)  # the blind mode (the default halts: test_double_entry_halt.py)
    a, b = present_in(store, "102")[:2]
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        # first pass
        app.push_screen(EntryScreen(participant=a.guid))
        await pilot.pause()
        await pilot.press("3", "enter", *GENERAL, "enter", "enter", *GENERAL, "enter")
        assert protocol(store, a.guid) and protocol(store, b.guid)
        app.pop_screen()
        await pilot.pause()
        app.open_screen("double_entry")
        await pilot.pause()
        scr = app.screen
        assert isinstance(scr, DoubleEntryScreen)
        await pilot.press("f3")
        blind = app.screen
        assert isinstance(blind, EntryScreen) and blind.blind
        await pilot.press("f5")  # room 101 -> 102
        await pilot.press(*str(a.order), "enter")
        assert blind.state.participant.guid == a.guid
        assert blind.state.scores == {}  # the first pass is not shown
        second = list(GENERAL)
        second[7] = "1"  # М2 typed differently
        await pilot.press("3", "enter", *second, "enter", "enter", *GENERAL, "enter")
        assert protocol(store, a.guid, PASS2_TABLE).scores["М2"] == 1
        await pilot.press("escape")
        assert app.screen is scr
        assert [(d.participant, d.field, d.first, d.second) for d in scr.items] == [(a.guid, "М2", 0, 1)]
        info = str(scr.query_one("#de-info").render())
        assert "дважды: 2" in info and "совпали: 1" in info
        await pilot.press("2")  # the second pass was right
        assert protocol(store, a.guid).scores["М2"] == 1 and scr.items == []
        assert de.counts(store).agreed == 2


@asynccontextmanager
async def room_log_202(ws):
    """The ИС-02 screen of room 202 with no results yet: (app, pilot, screen)."""
    clear_results(ws.store)
    app = ShtabApp(ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(RoomLogScreen(room="202"))
        await pilot.pause()
        yield app, pilot, app.screen


@pytest.mark.slow
async def test_room_log_screen_now_key_and_marks(demo_results_ws):
    store = demo_results_ws.store
    async with room_log_202(demo_results_ws) as (app, pilot, scr):
        first = scr.rows[0].participant
        scr.clock = lambda: datetime(2027, 2, 10, 9, 3)
        await pilot.press("f2")  # start := now
        assert store.get(RoomLogEntry, first.guid).start.strftime("%H:%M") == "09:03"
        scr.clock = lambda: datetime(2027, 2, 10, 9, 19)
        await pilot.press("f2")  # end := now
        assert store.get(RoomLogEntry, first.guid).end.strftime("%H:%M") == "09:19"
        # typed by hand on the next row: an overlap is refused
        await pilot.press("down", "enter", "0", "9", "1", "0", "enter", "0", "9", "3", "0", "enter")
        assert store.get(RoomLogEntry, scr.rows[1].participant.guid) is None
        assert "пересекается" in str(scr.query_one("#log-msg").render())
        assert scr.edit == "start" and scr.fresh  # back to the start, whole value selected
        await pilot.press("0", "9", "1", "9", "enter", "0", "9", "3", "5", "enter")
        e = store.get(RoomLogEntry, scr.rows[1].participant.guid)
        assert e is not None and e.start.strftime("%H:%M") == "09:19"
        # F4: removed — lives in the protocol status
        await pilot.press("f4")
        guid = scr.rows[scr.query_one("#log-table").cursor_row].participant.guid
        assert protocol(store, guid).status is ProtocolStatus.REMOVED
        await pilot.press("f4")
        assert protocol(store, guid) is None


async def test_room_log_times_typed_as_fast_as_a_terminal_sends(demo_results_ws):
    """«0910⏎0930⏎» for one participant after another with no pause: nothing is lost or
    lands in the wrong field (with Input widgets, digits after Enter went astray)."""
    store = demo_results_ws.store
    async with room_log_202(demo_results_ws) as (app, pilot, scr):
        a, b, c, d = (r.participant.guid for r in scr.rows[:4])
        burst(app, "enter", *"0910", "enter", *"0930", "enter",
              "enter", *"0931", "enter", *"0951", "backspace", "0", "enter",  # a typo mended
              *"0952", "enter", *"1010", "enter",  # digits start typing without Enter
              *"1011", "escape")  # begun, then Esc: asked first
        await wait_until(pilot, lambda: isinstance(app.screen, UnsavedDialog), what="the question")
        await pilot.press("f3", "down")  # «не сохранять»: nothing saved for d
        await wait_until(pilot, lambda: store.get(RoomLogEntry, c) is not None and scr.edit is None
                         and scr.query_one("#log-table").cursor_row == 4, what="the burst typed")

        def times(guid):
            e = store.get(RoomLogEntry, guid)
            return e and (e.start.strftime("%H:%M"), e.end.strftime("%H:%M"))

        assert times(a) == ("09:10", "09:30")
        assert times(b) == ("09:31", "09:50")
        assert times(c) == ("09:52", "10:10")
        assert times(d) is None and scr.edit is None
        assert scr.query_one("#log-table").cursor_row == 4


async def test_stats_screen_shows_counts(demo_results_ws):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.open_screen("stats")
        await pilot.pause()
        text = str(app.screen.query_one("#stats-text").render())
        assert "Зачёт: 101" in text and "По аудиториям" in text and "█" in text

"""End to end in a real terminal (tmux, 80×25): the installed-style command, F4, a protocol
typed with 15 keys per participant, F10; the saved protocols are read back from the workspace."""
from __future__ import annotations

import pytest

from support.tmux import EXIT_MARK, Tmux, program
from support.workspaces import clear_results, present_in
from tui_app.domain.models import Protocol
from tui_app.screens.registry import MENU
from tui_app.services.demo import create_demo
from tui_app.store.workspace import Workspace

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Tmux.available(), reason="нужен tmux")]


def test_enter_two_protocols_in_tmux(tmp_path):
    root = tmp_path / "ws"
    w = Workspace.open(root, snapshot=False)
    create_demo(w.store, with_results=True)
    clear_results(w.store)
    a, b = present_in(w.store, "102")[:2]
    w.close()
    with Tmux(program("-w", str(root)), 80, 25) as t:
        t.wait_for("Что дальше", timeout=15)  # the main screen is up
        t.keys("F4")
        t.wait_for("№, фамилия или код", timeout=15)
        t.keys("F5")
        t.wait_for("Ауд. 102", timeout=15)
        # one burst, as a fast typist (or tmux) delivers it: number, Enter, variant, Enter,
        # 13 digits — every key must land in its field although the focus has no time to move
        t.keys(str(a.order), "Enter", "7", "Enter", *"1102112032121")
        t.wait_for("Итого: 17/20", timeout=15)
        # save and type the next participant of the stack in one burst: the keys typed while
        # the save is in progress are replayed on the next protocol (Enter + 13 + Enter = 15)
        t.keys("Enter", "Enter", *"0000000000000", "Enter")
        t.wait_for(f"Сохранено: {b.short_fio}", timeout=15)
        t.keys("F10")
        t.wait_for(EXIT_MARK + "0", timeout=15)  # quit cleanly, the workspace lock is released
    w = Workspace.open(root, snapshot=False)
    try:
        pa, pb = w.store.get(Protocol, a.guid), w.store.get(Protocol, b.guid)
        assert pa.variant == "7" and sum(pa.scores.values()) == 17
        assert pb.variant == "7" and sum(pb.scores.values()) == 0 and len(pb.scores) == 13
    finally:
        w.close()


def test_room_log_times_in_one_burst_in_tmux(tmp_path):
    """ИС-02 in a real terminal: times for two participants sent by tmux in one burst (faster
    than any typist); both are saved exactly, none lands in the wrong field. (With the Input
    fields this ИС-02 had before, this burst saved nothing.)"""
    from tui_app.domain.models import RoomLogEntry
    from tui_app.services import room_log as rl

    root = tmp_path / "ws"
    w = Workspace.open(root, snapshot=False)
    create_demo(w.store, with_results=True)
    clear_results(w.store)
    first_room = rl.room_numbers(w.store)[0]
    a, b = [r.participant for r in rl.rows(w.store, first_room)[:2]]
    w.close()
    with Tmux(program("-w", str(root)), 80, 25) as t:
        t.wait_for("Что дальше", timeout=15)
        index = [e.id for e in MENU].index("room_log")
        t.keys("Home", *["Down"] * index, "Enter")  # the menu item «Ведомость ИС-02»
        t.wait_for(f"Аудитория {first_room}", timeout=15)
        t.keys("Enter", *"0910", "Enter", *"0930", "Enter", "Enter", *"0931", "Enter", *"0950", "Enter")
        t.wait_for("Сохранено: " + b.short_fio + " 09:31–09:50", timeout=15)
        t.keys("Escape")
        t.wait_for("Что дальше", timeout=15)
        t.keys("F10")
        t.wait_for(EXIT_MARK + "0", timeout=15)
    w = Workspace.open(root, snapshot=False)
    try:
        got = [w.store.get(RoomLogEntry, p.guid) for p in (a, b)]
        assert [(e.start.strftime("%H:%M"), e.end.strftime("%H:%M")) for e in got] == [
            ("09:10", "09:30"), ("09:31", "09:50")]
    finally:
        w.close()

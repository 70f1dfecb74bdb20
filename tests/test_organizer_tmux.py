"""End to end in tmux, as a person would: the real command, real keys, the real terminal.

demo → open the TUI → F3 → widen room 101 → F5 distribute → move one participant → mark one
absent «Н» → F10 → everything is kept (checked with `info` and by reopening the store)."""
from __future__ import annotations

import re

import pytest

from support.cli import run_cli
from support.tmux import EXIT_MARK, Tmux, program

pytestmark = [pytest.mark.skipif(not Tmux.available(), reason="tmux не установлен"),
              pytest.mark.slow]


@pytest.mark.parametrize("size", [(120, 40), (80, 25)], ids=["120x40", "80x25"])
def test_distribute_move_absent_quit_reopen(tmp_path, size):
    ws = tmp_path / "ws"
    made = run_cli("demo", ws=ws)
    assert made.returncode == 0, made.stderr
    with Tmux(program("-w", str(ws)), *size, env={"HOME": str(tmp_path)}) as t:
        t.wait_for("Что дальше")
        t.keys("F3")
        t.wait_for("Аудиторий 4")
        # room 101 (accessible) gets 45 seats, so there is room for a move later
        t.keys("Enter")
        t.wait_for("Вместимость")
        t.type("45")
        t.keys("F2")
        t.wait_for("0/45")
        # F5: automatic distribution, confirmed with Enter
        t.keys("F5")
        t.wait_for("Распределить всех")
        t.keys("Enter")
        t.wait_for("без аудитории 0")
        # to room 102's timetable, move its first participant to another room
        t.keys("Down")
        t.wait_for("аудитория 102")
        t.keys("Tab", "F6")  # move: F6, as on the roster (F2)
        moved = t.wait_re(r"Куда перевести: (.+?)\?").group(1).strip()
        t.keys("Enter")
        t.wait_re(re.escape(moved) + r" → 101")
        # mark the (new) first participant of 102 absent
        t.keys("Home", "F8")
        absent = t.wait_re(r"(\S+ \S\. (?:\S\. )?)?: отмечена неявка «Н»")
        t.keys("F10")
        t.wait_for(EXIT_MARK + "0")
    info = run_cli("info", ws=ws)
    assert info.returncode == 0, info.stderr
    assert "распределено: 120" in info.stdout and "не явились: 1" in info.stdout, info.stdout

    from tui_app.domain.models import Room
    from tui_app.store.workspace import Workspace

    w = Workspace.open(ws)
    try:
        store = w.store
        ps = store.participants()
        assert store.get(Room, "101").capacity == 45
        assert all(p.room for p in ps)
        assert all(p.room == "101" for p in ps if p.is_ovz)
        who = [p for p in ps if p.short_fio == moved]
        assert len(who) == 1 and who[0].room == "101"
        gone = [p for p in ps if p.absent]
        assert len(gone) == 1 and gone[0].room == "102"
        if absent.group(1):
            assert gone[0].short_fio.startswith(absent.group(1).strip().split()[0])
    finally:
        w.close()

"""End to end in tmux, as a person would: the real command, real keys, the real terminal.

demo → open the TUI → F3 → widen room 101 → F5 distribute → move one participant → mark one
absent «Н» → F10 → everything is kept (checked with `info` and by reopening the store)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux не установлен"),
              pytest.mark.slow]


class Tmux:
    def __init__(self, tmp: Path, size: tuple[int, int]):
        self.sock = f"org-{os.getpid()}-{size[0]}"
        self.name = "org"
        self.size = size
        self.env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8",
                        HOME=str(tmp), XDG_DATA_HOME=str(tmp / "xdg"))

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null", *args], env=self.env,
                              capture_output=True, text=True, check=False).stdout

    def start(self, command: str) -> None:
        w, h = self.size
        self.tmux("new-session", "-d", "-s", self.name, "-x", str(w), "-y", str(h), command)

    def keys(self, *keys: str) -> None:
        for k in keys:
            self.tmux("send-keys", "-t", self.name, k)
            time.sleep(0.05)

    def text(self, s: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", s)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def wait(self, pattern: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            last = self.screen()
            if re.search(pattern, last):
                return last
            time.sleep(0.1)
        raise AssertionError(f"не дождались «{pattern}» за {timeout} с; экран:\n{last}")

    def kill(self) -> None:
        self.tmux("kill-server")


def run_cli(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui_app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("size", [(120, 40), (80, 25)], ids=["120x40", "80x25"])
def test_distribute_move_absent_quit_reopen(tmp_path, size):
    ws = tmp_path / "ws"
    t = Tmux(tmp_path, size)
    made = run_cli(t.env, "-w", str(ws), "demo")
    assert made.returncode == 0, made.stderr
    cmd = f"cd {ROOT} && {sys.executable} -m tui_app -w {ws}; echo ВЫХОД-$?; sleep 60"
    t.start(cmd)
    try:
        t.wait(r"Что дальше")
        t.keys("F3")
        t.wait(r"Аудиторий 4")
        # room 101 (accessible) gets 45 seats, so there is room for a move later
        t.keys("Enter")
        t.wait(r"Вместимость")
        t.text("45")
        t.keys("F2")
        t.wait(r"0/45")
        # F5: automatic distribution, confirmed with Enter
        t.keys("F5")
        t.wait(r"Распределить всех")
        t.keys("Enter")
        t.wait(r"без аудитории 0")
        # to room 102's timetable, move its first participant to another room
        t.keys("Down")
        t.wait(r"аудитория 102")
        t.keys("Tab", "F6")  # move: F6, as on the roster (F2)
        pane = t.wait(r"Куда перевести: .+\?")
        moved = re.search(r"Куда перевести: (.+?)\?", pane).group(1).strip()
        t.keys("Enter")
        t.wait(re.escape(moved) + r" → 101")
        # mark the (new) first participant of 102 absent
        t.keys("Home", "F8")
        pane = t.wait(r"отмечена неявка «Н»")
        absent = re.search(r"(\S+ \S\. (?:\S\. )?)?: отмечена неявка", pane)
        t.keys("F10")
        t.wait(r"ВЫХОД-0")
    finally:
        t.kill()
    info = run_cli(t.env, "-w", str(ws), "info")
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
        if absent and absent.group(1):
            assert gone[0].short_fio.startswith(absent.group(1).strip().split()[0])
    finally:
        w.close()

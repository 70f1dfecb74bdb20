"""End to end in a real terminal (tmux, 80×25): the installed-style command, F4, a protocol
typed with 15 keys per participant, F10; the saved protocols are read back from the workspace."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from entry_helpers import clear_results, present_in
from tui_app.domain.models import Protocol
from tui_app.services.demo import create_demo
from tui_app.store.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="нужен tmux")


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def _wait_for(session: str, text: str, timeout: float = 15.0) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = _tmux("capture-pane", "-t", session, "-p")
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"на экране нет «{text}»:\n{screen}")


def test_enter_two_protocols_in_tmux(tmp_path):
    root = tmp_path / "ws"
    w = Workspace.open(root, snapshot=False)
    create_demo(w.store, with_results=True)
    clear_results(w.store)
    a, b = present_in(w.store, "102")[:2]
    w.close()
    session = f"entry-e2e-{tmp_path.name}"[:40]
    cmd = f"cd {ROOT} && {sys.executable} -m tui_app -w {root}"
    _tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "25", cmd)
    try:
        _wait_for(session, "Что дальше")  # the main screen is up
        _tmux("send-keys", "-t", session, "F4")
        _wait_for(session, "№ или фамилия")
        _tmux("send-keys", "-t", session, "F5")
        _wait_for(session, "Аудитория 102")
        # one burst, as a fast typist (or tmux) delivers it: number, Enter, variant, Enter,
        # 13 digits — every key must land in its field although the focus has no time to move
        _tmux("send-keys", "-t", session, str(a.order), "Enter", "7", "Enter", *"1102112032121")
        _wait_for(session, "Итого: 17/20")
        # save and type the next participant of the stack in one burst: the keys typed while
        # the save is in progress are replayed on the next protocol (Enter + 13 + Enter = 15)
        _tmux("send-keys", "-t", session, "Enter", "Enter", *"0000000000000", "Enter")
        _wait_for(session, f"Сохранено: {b.short_fio}")
        _tmux("send-keys", "-t", session, "F10")
        end = time.monotonic() + 10
        while time.monotonic() < end and subprocess.run(
                ["tmux", "has-session", "-t", session], capture_output=True).returncode == 0:
            time.sleep(0.1)  # the app quits and releases the workspace lock
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    w = Workspace.open(root, snapshot=False)
    try:
        pa, pb = w.store.get(Protocol, a.guid), w.store.get(Protocol, b.guid)
        assert pa.variant == "7" and sum(pa.scores.values()) == 17
        assert pb.variant == "7" and sum(pb.scores.values()) == 0 and len(pb.scores) == 13
    finally:
        w.close()

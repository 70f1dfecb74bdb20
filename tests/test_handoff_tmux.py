"""As a person would: the program in a real terminal (tmux), F9, Enter on a typed folder,
then «Готово» on screen and a folder that `sha256sum -c` accepts."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="нет tmux")]


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def _wait_for(session: str, text: str, timeout: float = 20) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"«{text}» not on screen:\n{screen}")


def test_handoff_in_a_real_terminal(demo_results_ws, tmp_path):
    from tui_app.services.drives import removable_drives

    if removable_drives():
        pytest.skip("на этой машине смонтирован съёмный диск: сценарий рассчитан на пустой список")
    root = demo_results_ws.root
    (root / "export" / "r.b2p").write_bytes(b"<HwPackage/>")
    (root / "audio" / "101").mkdir(parents=True)
    (root / "audio" / "101" / "a.mp3").write_bytes(os.urandom(3_000_000))
    demo_results_ws.close()
    stick = tmp_path / "s"
    stick.mkdir()
    session = f"ish-{uuid.uuid4().hex[:8]}"
    cmd = f"cd {ROOT} && {sys.executable} -m tui_app -w {root}"
    _tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "25", cmd)
    try:
        _wait_for(session, "Что дальше")  # the main screen is up
        _tmux("send-keys", "-t", session, "F9")
        _wait_for(session, "Съёмные диски не найдены")
        time.sleep(0.5)  # a person reads the screen first
        # no drives here: the folder field has the focus, type the folder
        _tmux("send-keys", "-t", session, "-l", str(stick))
        _wait_for(session, str(stick)[-20:])
        _tmux("send-keys", "-t", session, "Enter")
        screen = _wait_for(session, "Готово")
        assert "НЕ выполнена" not in screen
        folder = stick / "IS_470123_2027-02-10"
        assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"],
                              cwd=folder).returncode == 0
        _tmux("send-keys", "-t", session, "Escape")
        _wait_for(session, "Что дальше")  # back on the main screen (Esc alone, not Alt+…)
        time.sleep(0.3)
        _tmux("send-keys", "-t", session, "F10")
        end = time.monotonic() + 10
        while subprocess.run(["tmux", "has-session", "-t", session],
                             capture_output=True).returncode == 0:
            assert time.monotonic() < end, "F10 did not quit"
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)

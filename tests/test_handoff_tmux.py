"""As a person would: the program in a real terminal (tmux), F9, Enter on a typed folder,
then «Готово» on screen and a folder that `sha256sum -c` accepts."""
from __future__ import annotations

import os
import subprocess

import pytest

from support.tmux import EXIT_MARK, Tmux, program

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Tmux.available(), reason="нет tmux")]


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
    with Tmux(program("-w", str(root)), 80, 25) as t:
        t.wait_for("Что дальше", timeout=20)  # the main screen is up
        t.keys("F9")
        t.wait_for("Съёмные диски не найдены", timeout=20)
        # no drives here: the folder field has the focus, type the folder
        t.type(str(stick))
        t.wait_for(str(stick)[-20:], timeout=20)
        t.keys("Enter")
        # only room 101 has a recording and no ИС-02/ИС-03 was printed: it asks first
        t.wait_for("передать всё равно", timeout=20)
        assert not list(stick.iterdir())
        t.keys("Enter")  # the question's «Enter — передать всё равно»
        screen = t.wait_for("Готово", timeout=20)
        assert "НЕ выполнена" not in screen
        folder = stick / "IS_470123_2027-02-10"
        assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"],
                              cwd=folder).returncode == 0
        t.keys("Escape")
        t.wait_for("Что дальше", timeout=20)  # back on the main screen (Esc alone, not Alt+…)
        t.keys("F10")
        t.wait_for(EXIT_MARK + "0", timeout=10)  # F10 quit the program cleanly

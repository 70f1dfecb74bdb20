"""README command 1 as a person meets it: in tmux, at 80×25, the demo school opens."""
import os
import re
import sys
import time
from pathlib import Path

import pytest

from support.tmux import Tmux

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Tmux.available(), reason="tmux is not installed")]
README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.strip().splitlines()]


def test_readme_has_exactly_two_setup_commands_at_the_top():
    cmds = readme_commands()
    assert len(cmds) == 2
    assert "demo" in cmds[0] and "tui_app" in cmds[0]
    assert "pytest" in cmds[1]


@pytest.mark.parametrize("size", [(80, 25), (120, 40)])
def test_readme_command_opens_the_demo_in_tmux(tmp_path, size):
    # the program part of README command 1 (the install part ran to get here)
    program = readme_commands()[0].split("&&")[-1].strip().replace("python3", sys.executable, 1)
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path), "TERM": "xterm-256color",
           "PYTHONPATH": str(README.parent), "PATH": os.environ.get("PATH", "")}
    with Tmux(program, *size, env=env, cwd=str(README.parent)) as t:
        t.wait_for("Что дальше", timeout=60)
        screen = t.wait_for("Справка", timeout=30)  # the footer is drawn too
        assert "Сосновская" in screen
        assert "10.02.2027" in screen
        assert "Участников 120" in screen
        assert "F1" in screen.upper() and "Справка" in screen
        t.keys("F1")
        t.wait_for("Справка — Главный экран")
        for _ in range(8):  # the keys (made from the live bindings) follow the prose: scroll
            if "Клавиши этого экрана" in t.screen():
                break
            t.keys("PageDown")
            time.sleep(0.5)
        t.wait_for("Клавиши этого экрана")
        t.keys("Escape")
        t.keys("F10")
        t.wait_for("Демо-папка")  # back at the shell: the program ended cleanly
        assert "Traceback" not in t.screen()
    assert (tmp_path / "xdg" / "is-shtab" / "demo" / "is-shtab.json").exists()

"""Keys (issue 18): one key per action across screens, every action on an F-key or a key
without letters (Ctrl+letters are spares only), a user keymap file, F1 made from the live
bindings, `is-shtab keys`."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from textual.binding import Binding

from support import ROOT
from test_organizer_keys import textual_classes
from tui_app.app import ShtabApp
from tui_app.screens.entry import EntryScreen
from tui_app.screens.help import HelpScreen, help_markdown



def _pairs(cls) -> list[tuple[str, Binding]]:
    """Our own bindings of a class (Textual's, e.g. Ctrl+C «copy», are not ours to change)."""
    out = []
    for klass in cls.__mro__:
        if not klass.__module__.startswith("tui_app"):
            continue
        for b in klass.__dict__.get("BINDINGS", []) or []:
            if isinstance(b, Binding):
                out += [(k.strip(), b) for k in b.key.split(",")]
    return out


def _letter_combo(key: str) -> bool:
    *mods, base = key.split("+")
    return bool(mods) and len(base) == 1 and base.isalpha()


def test_every_action_has_a_key_without_letters():
    """«Буквенных сочетаний нет»: true — a Ctrl+letter is never the only way to an action."""
    problems = []
    for cls in textual_classes():
        pairs = _pairs(cls)
        for key, b in pairs:
            if _letter_combo(key) and not any(k2 for k2, b2 in pairs
                                              if b2.action == b.action and not _letter_combo(k2)):
                problems.append(f"{cls.__name__}: {key} → {b.action}")
    assert not problems, "\n".join(problems)


def test_one_key_for_one_action_across_screens():
    """The same action id has the same keys on every screen that has it (move: F6 on F2, in
    the timetable and for staff; «Н»: F8; add: Insert; delete: Delete; pick: F4)."""
    keys_of: dict[str, set[str]] = {}
    for cls in textual_classes():
        for klass in cls.__mro__:
            for b in klass.__dict__.get("BINDINGS", []) or []:
                if isinstance(b, Binding) and b.id:
                    keys_of.setdefault(b.id, set()).update(k.strip() for k in b.key.split(","))
    expected = {"move": {"f6"}, "absent": {"f8"}, "add": {"insert", "ctrl+n"},
                "delete": {"delete"}, "pick": {"f4", "ctrl+f"}, "help": {"f1"},
                "quit": {"f10", "ctrl+q"}, "back": {"escape"}}
    assert {k: keys_of.get(k) for k in expected} == expected
    # and every binding of ours can be moved by the keymap: it has an id
    no_id = [f"{cls.__name__}: {b.key} → {b.action}" for cls in textual_classes()
             for klass in cls.__mro__ for b in klass.__dict__.get("BINDINGS", []) or []
             if isinstance(b, Binding) and b.description and b.show and not b.id]
    assert not no_id, "\n".join(no_id)


async def test_help_is_made_from_the_live_bindings(demo_results_ws):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(EntryScreen())
        await pilot.pause()
        text = help_markdown(app.screen)
        assert "**F2** — История: кто и когда менял этот протокол" in text
        assert "**F4 / Ctrl+F** — Участник" in text
        assert "после его сохранения" in text and "(**F4 / Ctrl+F**)" in text  # the prose's token
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_a_keymap_file_moves_keys_everywhere(demo_results_ws, tmp_path, monkeypatch):
    """GNOME Terminal takes F10: «quit = f12» in the keymap file; F1 shows the new key."""
    keymap = tmp_path / "keymap.txt"
    keymap.write_text("# свои клавиши\nquit = f12\npick = f11  # другой участник\n"
                      "nonsense\nno-such-action = f3\n", encoding="utf-8")
    monkeypatch.setenv("IS_SHTAB_KEYMAP", str(keymap))
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.pause()
        msg = str(app.screen.query_one("#main-msg").render())
        assert "строка 4" in msg and "no-such-action" in msg  # told, not silently ignored
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        text = help_markdown(app.screen)
        assert "**F11** — Участник" in text and "Ctrl+F" not in text.split("Клавиши этого")[1].split("\n\n")[1]
        await pilot.press("f10")  # no longer quits
        await pilot.pause()
        assert app.is_running
        await pilot.press("f12")
        await pilot.pause()
    assert app.return_code == 0


def test_keys_list_prints_ids_keys_and_the_file(tmp_path):
    keymap = tmp_path / "keymap.txt"
    keymap.write_text("help = f11\n", encoding="utf-8")
    env = {**os.environ, "IS_SHTAB_KEYMAP": str(keymap)}
    r = subprocess.run([sys.executable, "-m", "tui_app", "keys", "--list"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"Файл клавиш: {keymap}" in r.stdout
    lines = {line.split()[0]: line for line in r.stdout.splitlines()[3:] if line.strip()}
    assert "f11" in lines["help"] and "(из файла)" in lines["help"]
    assert "f10,ctrl+q" in lines["quit"] and "f6" in lines["move"]


@pytest.mark.slow
def test_keys_window_shows_what_the_terminal_sends(tmp_path):
    from support.tmux import EXIT_MARK, Tmux, program

    if not Tmux.available():
        pytest.skip("tmux not installed")
    t = Tmux(program("keys"), 80, 25, env={"IS_SHTAB_KEYMAP": str(tmp_path / "none.txt")})
    try:
        t.wait_for("Нажимайте клавиши", timeout=60)
        t.keys("F10")
        t.wait_for("клавиша: f10", timeout=30)
        t.keys("F4")
        screen = " ".join(t.wait_for("клавиша: f4", timeout=30).split())
        assert "quit (Выход)" in screen and "pick (Участник)" in screen
        t.type("ж")
        t.wait_for("символ: ж", timeout=30)
        t.keys("Escape", "Escape", "Escape")
        t.wait_for(EXIT_MARK + "0", timeout=30)
    finally:
        t.close()

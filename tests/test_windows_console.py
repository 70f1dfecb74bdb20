"""The console on Windows: redirected output in cp1251/cp1252 never crashes, QuickEdit off
for the session and restored, the classic console's glyphs. Runs on Linux by simulating the
Windows side (a stream in the ANSI code page, a fake kernel32) and under the Windows leg for
real (tools/windows_check.py)."""
from __future__ import annotations

import ctypes
import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from tui_app import console

ROOT = Path(__file__).resolve().parents[1]


def _cli(args, encoding, tmp_path):
    """`python -m tui_app` with stdout/stderr as Windows gives them to a program whose output
    is redirected to a file: text in the ANSI code page, strict (PYTHONIOENCODING without
    an error handler is exactly that)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUTF8",)}
    env["PYTHONIOENCODING"] = encoding
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with open(out, "wb") as fo, open(err, "wb") as fe:
        p = subprocess.run([sys.executable, "-m", "tui_app", *map(str, args)], cwd=ROOT, env=env,
                           stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, timeout=120)
    return p.returncode, out.read_bytes(), err.read_bytes()


# cp1251/cp1252: the ANSI code page Windows gives a redirected stream; cp866: the console's
# OEM code page (PYTHONLEGACYWINDOWSSTDIO, or a caller that sets PYTHONIOENCODING=cp866)
@pytest.mark.parametrize("encoding", ["cp1251", "cp1252", "cp866"])
def test_redirected_output_in_an_ansi_code_page_never_crashes(tmp_path, encoding):
    # handoff prints «… → ПАПКА» and «⚠»-free warnings; with nothing to hand off it ends in
    # a refusal (exit 2). The old code died here with UnicodeEncodeError (exit 1).
    rc, out, err = _cli(["-w", tmp_path / "ws", "handoff", "--to", tmp_path / "usb", "--yes"],
                        encoding, tmp_path)
    text_enc = "utf-8" if encoding == "cp1252" else encoding  # cp1252 has no Cyrillic at all
    text = out.decode(text_enc) + err.decode(text_enc)
    assert "Traceback" not in text and "UnicodeEncodeError" not in text, text
    assert rc == 2, text
    assert "Нечего передавать" in text and "Передаётся файлов" in text
    if encoding != "cp1252":
        assert "->" in text  # «→» as its plain twin, the Russian as it is


@pytest.mark.parametrize("encoding,text,written,read_as", [
    # cp1251 (a Russian Windows): the Russian as it is, missing glyphs as their plain twins
    ("cp1251", "Готово → флешка ⚠ ✔ ● «ё» №1 ★", "Готово -> флешка ! v * «ё» №1 ?", "cp1251"),
    # cp866 (the console's OEM code page): no «», so plain quotes
    ("cp866", "Готово → флешка ⚠ ✔ ● «ё» №1 ★", 'Готово -> флешка ! v * "ё" №1 ?', "cp866"),
    # cp1252 (an English Windows) has no Cyrillic at all: the stream becomes UTF-8
    ("cp1252", "Ошибка → ⚠", "Ошибка → ⚠", "utf-8"),
])
def test_a_stream_in_a_code_page_never_raises(encoding, text, written, read_as):
    raw = io.BytesIO()
    s = io.TextIOWrapper(raw, encoding=encoding)
    console.safe_stream(s)
    s.write(text)
    s.flush()
    assert raw.getvalue().decode(read_as) == written


def test_safe_streams_leave_utf8_and_odd_streams_alone():
    s = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    console.safe_stream(s)
    assert s.errors == "strict"
    console.safe_stream(None)  # pythonw: no console at all
    console.safe_stream(io.StringIO())


class FakeKernel32:
    """GetStdHandle/GetConsoleMode/SetConsoleMode of a console whose input mode has QuickEdit
    on (the classic console's default)."""

    def __init__(self, mode=0x1F7, console=True):
        self.mode, self.console, self.calls = mode, console, []

    def GetStdHandle(self, n):
        return 1000 + n

    def GetConsoleMode(self, handle, pmode):
        if not self.console:
            return 0
        ctypes.cast(pmode, ctypes.POINTER(ctypes.c_uint32)).contents.value = self.mode
        return 1

    def SetConsoleMode(self, handle, mode):
        self.calls.append(mode)
        self.mode = mode
        return 1


def test_quickedit_is_off_for_the_session_and_restored():
    k = FakeKernel32()
    before = k.mode
    assert before & console.ENABLE_QUICK_EDIT_MODE
    with console.quickedit_off(k) as old:
        assert old == before
        assert not k.mode & console.ENABLE_QUICK_EDIT_MODE
        assert k.mode & console.ENABLE_EXTENDED_FLAGS  # without it the bit is ignored
    assert k.mode & console.ENABLE_QUICK_EDIT_MODE and k.mode & ~console.ENABLE_EXTENDED_FLAGS == before & ~console.ENABLE_EXTENDED_FLAGS
    # restored even when the app dies
    k = FakeKernel32()
    with pytest.raises(RuntimeError):
        with console.quickedit_off(k):
            raise RuntimeError("boom")
    assert k.mode & console.ENABLE_QUICK_EDIT_MODE


def test_quickedit_untouched_without_a_console():
    k = FakeKernel32(console=False)
    with console.quickedit_off(k) as old:
        assert old is None
    assert k.calls == []


@pytest.mark.skipif(not sys.platform.startswith("win"), reason="a real Windows console")
def test_quickedit_real_kernel32_does_not_fail():
    with console.quickedit_off():
        pass


# WGL4: what Consolas and Lucida Console (the classic console's fonts) both have
def _wgl4(ch: str) -> bool:
    o = ord(ch)
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x400, 0x45F), (0x490, 0x491), (0x2013, 0x2015),
              (0x2018, 0x201E), (0x2020, 0x2022), (0x2026, 0x2026), (0x2030, 0x2030),
              (0x2039, 0x203A), (0x2116, 0x2116), (0x2122, 0x2122), (0x2190, 0x2195),
              (0x2219, 0x221A), (0x221E, 0x221E), (0x2248, 0x2248), (0x2260, 0x2261),
              (0x2264, 0x2265), (0x2500, 0x2500), (0x2502, 0x2502), (0x250C, 0x250C),
              (0x2510, 0x2510), (0x2514, 0x2514), (0x2518, 0x2518), (0x251C, 0x251C),
              (0x2524, 0x2524), (0x252C, 0x252C), (0x2534, 0x2534), (0x253C, 0x253C),
              (0x2550, 0x256C), (0x2580, 0x2580), (0x2584, 0x2584), (0x2588, 0x2588),
              (0x258C, 0x258C), (0x2590, 0x2593), (0x25A0, 0x25A1), (0x25AA, 0x25AC),
              (0x25B2, 0x25B2), (0x25BA, 0x25BA), (0x25BC, 0x25BC), (0x25C4, 0x25C4),
              (0x25CA, 0x25CB), (0x25CF, 0x25CF), (0x25D8, 0x25D9), (0x25E6, 0x25E6)]
    return any(a <= o <= b for a, b in ranges)


def _drawn_strings(source: str) -> str:
    """The string literals of a module that can reach the screen: not its comments nor its
    docstrings (a «β» in a docstring is never drawn)."""
    import ast

    tree = ast.parse(source)
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    return "".join(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                   and isinstance(n.value, str) and id(n) not in docs)


def test_every_glyph_the_program_draws_exists_in_the_classic_console_font():
    used = set()
    for p in (ROOT / "tui_app").rglob("*"):
        if p.suffix in (".py", ".tcss") and p.name != "console.py":
            text = p.read_text(encoding="utf-8")
            used |= {c for c in (_drawn_strings(text) if p.suffix == ".py" else text)
                     if ord(c) > 127}
    used |= set("╭╮╰╯━┃▔▁▂▃▅▆▇")  # Textual's own: round/heavy/tall borders, scroll bars
    missing = sorted(c for c in used if not _wgl4(console.classic_text(c)) and not c.isspace()
                     and unicodedata.category(c) not in ("Mn", "Cf"))
    assert not missing, [f"{c} U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in missing]
    # one cell for one cell: the layout stays
    assert all(len(v) == 1 for v in console.CLASSIC_GLYPHS.values())


def test_classic_console_or_windows_terminal():
    assert console.classic_console({}, "win32")
    assert not console.classic_console({"WT_SESSION": "x"}, "win32")
    assert not console.classic_console({}, "linux")
    assert console.classic_console({"IS_SHTAB_GLYPHS": "classic"}, "linux")
    assert not console.classic_console({"IS_SHTAB_GLYPHS": "rich"}, "win32")
    assert console.tui_driver_class({}, "linux") is None


@pytest.mark.skipif(not sys.platform.startswith("win"), reason="Textual's Windows driver")
def test_classic_driver_writes_classic_glyphs(monkeypatch):
    cls = console.tui_driver_class({}, "win32")
    from textual.drivers.windows_driver import WindowsDriver

    assert issubclass(cls, WindowsDriver)
    got = []
    monkeypatch.setattr(WindowsDriver, "write", lambda self, data: got.append(data))
    cls.__new__(cls).write("✔ ⚠ ▏")
    assert got == ["√ ! ▌"]


CRASH_AT_START = (
    "import sys\n"
    "import tui_app.screens.main as m\n"
    "def boom(self):\n"
    "    raise RuntimeError('boom at start')\n"
    "m.MainScreen.on_mount = boom\n"
    "from tui_app.cli import main\n"
    "sys.exit(main(['-w', sys.argv[1]]))\n"
)


def test_a_crash_inside_the_screen_ui_is_not_exit_0(tmp_path):
    """Textual prints the traceback of a crash and returns; the process must not then say
    success (the Windows leg's TUI run under wine showed exit 0 after a crash)."""
    env = dict(os.environ, TEXTUAL_DRIVER="textual.drivers.headless_driver:HeadlessDriver")
    p = subprocess.run([sys.executable, "-c", CRASH_AT_START, str(tmp_path / "ws")], cwd=ROOT,
                       env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=120)
    assert "boom at start" in p.stdout + p.stderr
    assert p.returncode == 1, (p.returncode, p.stderr[-2000:])

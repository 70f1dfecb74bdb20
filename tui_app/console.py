"""The console the program runs in: output that never crashes, QuickEdit off for the session,
and which glyphs the console's font can show (bottom layer: imports nothing of ours).

- `safe_streams()`: stdout/stderr redirected to a file or a pipe on Windows are encoded in the
  ANSI code page (cp1251 on a Russian Windows, cp1252 on an English one), which has no «→»,
  «⚠», «✔»…: print() would raise UnicodeEncodeError. After safe_streams() such characters
  come out as their nearest plain twin («->», «!», «v») and anything else unencodable as «?».
  A stream whose code page has no Cyrillic at all is switched to UTF-8.
- `quickedit_off()`: the classic console's QuickEdit mode freezes the program on a stray
  mouse click (until a key is pressed, and that key is swallowed); off while the TUI runs,
  the user's mode restored on exit.
- `classic_console()` / `CLASSIC_GLYPHS`: the classic console's fonts (Consolas, Lucida
  Console: the WGL4 set) lack ✔ ⚠ ▏▎▍…; the TUI maps them to what the font has. Windows
  Terminal (and any other terminal) gets the rich set.
"""
from __future__ import annotations

import codecs
import os
import sys
from contextlib import contextmanager
from typing import Iterator, Optional

# one character for one character: the layout (cell widths) stays as it is
# (the target is WGL4, the set both Consolas and Lucida Console cover)
CLASSIC_GLYPHS = {
    "✔": "√", "✓": "√", "✘": "x", "✗": "x", "⚠": "!", "★": "*", "☐": "□", "☑": "■",
    "●": "•", "◌": "○", "▶": "►", "◀": "◄", "⏺": "•", "⏸": "|", "⏹": "■", "⏎": "¬",
    "▏": "▌", "▎": "▌", "▍": "▌", "▋": "▌", "▊": "█", "▉": "█",
    # what Textual itself draws (borders "round", "heavy", "tall"; scroll bars)
    "╭": "┌", "╮": "┐", "╰": "└", "╯": "┘", "━": "─", "┃": "│", "┏": "┌", "┓": "┐",
    "┗": "└", "┛": "┘", "▔": "▀", "▁": "▄", "▂": "▄", "▃": "▄", "▅": "█", "▆": "█", "▇": "█",
    "▐": "▐", "‐": "-", "‑": "-", "‒": "-", "−": "-",
}
# for byte streams in a code page: the nearest plain text (may be longer than one char)
_PLAIN = {
    "→": "->", "←": "<-", "↑": "^", "↓": "v", "⚠": "!", "✔": "v", "✓": "v", "✘": "x",
    "✗": "x", "●": "*", "○": "o", "•": "*", "…": "...", "—": "-", "–": "-", "«": '"',
    "»": '"', "„": '"', "“": '"', "”": '"', "№": "N", "×": "x", "√": "v", "█": "#",
    "▌": "|", "▏": "|", "▎": "|", "▍": "|", "▋": "|", "▊": "#", "▉": "#", "≈": "~",
    "≤": "<=", "≥": ">=", "\u00a0": " ", "\u202f": " ",
}
_HANDLER = "is-shtab-plain"


def _plain_handler(err: UnicodeError):
    if not isinstance(err, UnicodeEncodeError):
        raise err
    out = []
    for ch in err.object[err.start:err.end]:
        twin = _PLAIN.get(ch, "?")
        try:
            twin.encode(err.encoding)
        except (UnicodeEncodeError, LookupError):
            twin = "?"
        out.append(twin)
    return "".join(out), err.end


codecs.register_error(_HANDLER, _plain_handler)


def _can_encode(encoding: str, text: str) -> bool:
    try:
        text.encode(encoding)
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def safe_stream(stream) -> None:
    """Make one text stream unable to fail on a character (see the module's docstring)."""
    if stream is None or not hasattr(stream, "reconfigure"):
        return
    enc = getattr(stream, "encoding", None) or "ascii"
    try:
        if not _can_encode(enc, "Ж"):  # cp1252, ascii, latin-1: Russian would be all «?»
            stream.reconfigure(encoding="utf-8", errors="replace")
        elif not _can_encode(enc, "→⚠✔"):
            stream.reconfigure(errors=_HANDLER)
    except (ValueError, OSError):  # already written to / closed: keep what it is
        pass


def safe_streams() -> None:
    """stdout and stderr never raise UnicodeEncodeError, whatever the console or locale."""
    safe_stream(sys.stdout)
    safe_stream(sys.stderr)


# -- the classic Windows console ------------------------------------------------------------

ENABLE_QUICK_EDIT_MODE = 0x0040
ENABLE_EXTENDED_FLAGS = 0x0080
STD_INPUT_HANDLE = -10


def _kernel32():  # pragma: no cover - Windows only
    import ctypes

    return ctypes.windll.kernel32  # type: ignore[attr-defined]


@contextmanager
def quickedit_off(k32=None) -> Iterator[Optional[int]]:
    """QuickEdit off while the block runs; the console's previous mode restored after it.
    Yields the previous input mode (None off Windows or without a console). k32 is the
    kernel32 library (injectable for tests off Windows)."""
    if k32 is None:
        if not sys.platform.startswith("win"):
            yield None
            return
        k32 = _kernel32()
    import ctypes

    handle = k32.GetStdHandle(STD_INPUT_HANDLE)
    mode = ctypes.c_uint32()
    if not k32.GetConsoleMode(handle, ctypes.byref(mode)):
        yield None  # not a console (redirected input)
        return
    old = mode.value
    # ENABLE_EXTENDED_FLAGS must be set for the QuickEdit bit to be taken into account; a
    # later SetConsoleMode without it (Textual's) leaves QuickEdit as set here.
    changed = bool(k32.SetConsoleMode(handle, (old | ENABLE_EXTENDED_FLAGS) & ~ENABLE_QUICK_EDIT_MODE))
    try:
        yield old
    finally:
        if changed:
            k32.SetConsoleMode(handle, old | ENABLE_EXTENDED_FLAGS)


def classic_console(environ=None, platform: Optional[str] = None) -> bool:
    """True in the classic Windows console (conhost), whose fonts lack many glyphs; False in
    Windows Terminal (WT_SESSION), ConEmu, VS Code and on other systems.
    IS_SHTAB_GLYPHS=rich|classic overrides."""
    env = os.environ if environ is None else environ
    forced = env.get("IS_SHTAB_GLYPHS", "").strip().lower()
    if forced in ("rich", "classic"):
        return forced == "classic"
    if not (platform or sys.platform).startswith("win"):
        return False
    return not any(env.get(k) for k in ("WT_SESSION", "ConEmuANSI", "TERM_PROGRAM", "ALACRITTY_LOG",
                                        "WEZTERM_EXECUTABLE"))


_CLASSIC_TABLE = str.maketrans(CLASSIC_GLYPHS)


def classic_text(text: str) -> str:
    """What the classic console's font can show: each missing glyph replaced by one that it
    has (one cell for one cell)."""
    return text.translate(_CLASSIC_TABLE)


def tui_driver_class(environ=None, platform: Optional[str] = None):
    """The Textual driver for this console: None (Textual's own choice) except in the classic
    Windows console, where a WindowsDriver that writes the classic glyphs."""
    if not ((platform or sys.platform).startswith("win") and classic_console(environ, platform)):
        return None
    from textual.drivers.windows_driver import WindowsDriver

    class ClassicConsoleDriver(WindowsDriver):
        """Textual's Windows driver, every frame passed through classic_text()."""

        def write(self, data: str) -> None:
            super().write(classic_text(data))

    return ClassicConsoleDriver

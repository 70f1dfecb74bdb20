"""The status line: one place at the bottom of every screen for what just happened.

It replaces toasts (which covered list rows at 80×25 and followed the user to the next
screen) and the screens' own message helpers. A message is plain text (a file name or a
surname with «[» never turns into markup) with a level; the level shows as a sign before the
text as well as a colour, so it reads the same at 16 colours and in monochrome:
«✔ сохранено», «⚠ подождите», «✘ не сохранено».
"""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..notes import Level, Note

SIGN = {Level.INFO: "", Level.OK: "✔ ", Level.WARNING: "⚠ ", Level.ERROR: "✘ "}


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        min-height: 1;
        padding: 0 1;
    }
    StatusLine.-ok { color: $text-success; }
    StatusLine.-warning { color: $text-warning; text-style: bold; }
    StatusLine.-error { color: $text-error; text-style: bold; }
    """

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None,
                 collapse: bool = False) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self.collapse = collapse  # takes no room while empty (the main screen)
        self.display = not collapse
        self.text = ""
        self.level = Level.INFO
        self._shown: tuple | None = None
        if text:
            self.show(text)

    def show(self, text: str | Text, level: Level | str = Level.INFO) -> None:
        """Show a message (replacing the previous one); "" clears the line."""
        level = Level(level)
        plain = text.plain if isinstance(text, Text) else str(text)
        key = (plain, level, isinstance(text, Text))
        if key == self._shown:  # an unchanged line costs no re-layout (typing protocols)
            return
        self._shown = key
        self.text, self.level = plain, level
        for lv in Level:
            self.set_class(lv is level and bool(plain), f"-{lv.value}")
        if self.collapse:
            self.display = bool(plain)
        sign = SIGN[level] if plain else ""
        if isinstance(text, Text):
            self.update(Text(sign) + text)
        else:
            self.update(sign + plain)

    def note(self, note: Note) -> None:
        self.show(note.text, note.level)

    def clear(self) -> None:
        self.show("")

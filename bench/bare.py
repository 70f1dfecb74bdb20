"""Bare Textual apps measured beside ours in the same run, doing the same thing with nothing
of ours: a hello app (the start-up baseline) and a bare Line-API list filtered per key (the
roster baseline).

    python bench/bare.py hello        # runs the hello app (used by bench/startup.py in tmux)
"""
from __future__ import annotations

import sys

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

CURSOR = Style(reverse=True)


class HelloApp(App):
    """The smallest app that shows a screen: the start-up baseline."""

    def compose(self) -> ComposeResult:
        yield Static("Hello")


class BareList(ScrollView, can_focus=True):
    """A Line-API list of strings: `render_line` draws only the visible rows."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.all = rows  # (search key, text)
        self.shown = rows
        self.query = ""
        self.cursor = 0
        self.filter_applies = 0

    def on_mount(self) -> None:
        self.apply_filter()

    def apply_filter(self) -> None:
        q = self.query
        self.shown = [r for r in self.all if r[0].startswith(q)] if q else self.all
        self.cursor = min(self.cursor, max(0, len(self.shown) - 1))
        self.virtual_size = Size(self.size.width, len(self.shown))
        self.filter_applies += 1
        self.refresh()

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            self.query = ""
        elif event.character and event.character.isalpha():
            self.query += event.character
        else:
            return
        event.stop()
        self.apply_filter()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        i = y + int(self.scroll_y)
        if i >= len(self.shown):
            return Strip.blank(width)
        text = self.shown[i][1][:width].ljust(width)
        return Strip([Segment(text, CURSOR if i == self.cursor else None)], width)


class BareListApp(App):
    """The list alone on the screen; `height`: as many rows as the list being compared shows
    (so that both gain and lose their scrollbar — a layout — at the same keys)."""

    def __init__(self, rows: list[tuple[str, str]], height: int | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.list_height = height

    def compose(self) -> ComposeResult:
        yield BareList(self.rows)

    def on_mount(self) -> None:
        lst = self.query_one(BareList)
        if self.list_height:
            lst.styles.height = self.list_height
        lst.focus()


if __name__ == "__main__":
    if sys.argv[1:] == ["hello"]:
        HelloApp().run()

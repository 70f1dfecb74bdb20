"""A status or detail line that asks for a layout only when it must grow.

`Static.update()` lays the whole screen out again on every change (its size may have
changed). A line above or under a big list changes on every key while its height (the lines
its text wraps to) almost never does: `InfoLine.show()` repaints in place and asks for a layout
only when the new text needs more lines than the line has. It does not shrink by itself on
every key (a list that jumps up and down by a line as you type is harder to read); the next
layout for another reason (a resize, another screen) fits it to its text again.
"""
from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class InfoLine(Static):
    """A Static for text that changes often (markup allowed)."""

    def __init__(self, content: str = "", **kw) -> None:
        super().__init__(content, **kw)
        self._shown_markup: str | None = None

    def lines_for(self, markup: str) -> int:
        """How many lines the text wraps to at the line's width."""
        width = self.content_region.width or self.app.size.width
        return len(Content.from_markup(markup).wrap(max(1, width)))

    def show(self, markup: str) -> None:
        """Show new text; a layout only if it needs more lines than the line has now."""
        if markup == self._shown_markup:
            return
        self._shown_markup = markup
        height = self.content_size.height
        self.update(markup, layout=not height or self.lines_for(markup) > height)

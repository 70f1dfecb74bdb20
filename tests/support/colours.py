"""The app as a 16-colour terminal (TERM=linux, the Windows console) and a monochrome one
show it: for snapshots where a state must be readable without colour."""
from __future__ import annotations

from functools import lru_cache

from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.filter import LineFilter, Monochrome

from tui_app.app import ShtabApp


@lru_cache(1024)
def _sixteen(style: Style) -> Style:
    def down(c):
        return None if c is None else c.downgrade(ColorSystem.STANDARD)

    return style + Style.from_color(down(style.color), down(style.bgcolor))


class SixteenColours(LineFilter):
    """Every colour as the nearest of the 16 ANSI colours (what rich sends to such a terminal)."""

    def apply(self, segments: list[Segment], background) -> list[Segment]:
        return [Segment(t, None if s is None else _sixteen(s), c) for t, s, c in segments]


class App16(ShtabApp):
    def get_line_filters(self):
        return [*super().get_line_filters(), SixteenColours()]


class AppMono(ShtabApp):
    def get_line_filters(self):
        return [*super().get_line_filters(), Monochrome()]

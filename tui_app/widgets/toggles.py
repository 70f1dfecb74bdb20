"""A checkbox and a radio button whose state is in the text: «[X]» / «[ ]», «(•)» / «( )».

Textual's own show the state only by colour (an «X» in both states): at 16 colours
(TERM=linux, the Windows console) ticked and unticked looked the same, and a room was saved as
not accessible for ОВЗ by mistake. These use only the public class variables of the toggle
button (BUTTON_LEFT / BUTTON_INNER / BUTTON_RIGHT), so they read right in monochrome too.
"""
from __future__ import annotations

from textual.widgets import Checkbox, RadioButton

_CSS = """
{name} > .toggle--button, {name}.-on > .toggle--button {{
    color: $text;
    background: transparent;
    text-style: bold;
}}
{name}:focus > .toggle--button {{
    color: $block-cursor-foreground;
    background: $block-cursor-background;
}}
"""


class _TextState:
    ON = "[X]"
    OFF = "[ ]"
    BUTTON_LEFT = ""
    BUTTON_RIGHT = ""

    def on_mount(self) -> None:
        self._show_state()

    def watch_value(self, value: bool) -> None:
        self._show_state()

    def _show_state(self) -> None:
        self.BUTTON_INNER = self.ON if self.value else self.OFF  # type: ignore[attr-defined]
        self.refresh()  # type: ignore[attr-defined]


class Check(_TextState, Checkbox):
    """A checkbox: «[X] подпись» when ticked, «[ ] подпись» when not."""

    DEFAULT_CSS = _CSS.format(name="Check")


class Radio(_TextState, RadioButton):
    """A radio button: «(•) подпись» when chosen, «( ) подпись» when not."""

    ON = "(•)"
    OFF = "( )"
    DEFAULT_CSS = _CSS.format(name="Radio")

"""F1: the help of the current screen plus the keys that work everywhere."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

from .base import GLOBAL_HELP


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Закрыть"),
        Binding("f1", "dismiss", "Закрыть"),
        Binding("enter", "dismiss", "Закрыть", show=False),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self._title = title
        self._text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(f"Справка — {self._title}", id="help-title")
            yield Markdown((self._text.strip() + "\n\n" if self._text.strip() else "") + GLOBAL_HELP)
            yield Static("Esc или F1 — закрыть", id="help-hint")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)

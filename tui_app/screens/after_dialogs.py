"""Small modal dialogs of the after-exam screens: confirm, and one line of text."""
from __future__ import annotations

from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class ConfirmDialog(ModalScreen[bool]):
    """Enter — yes, Esc — no."""

    BINDINGS = [
        Binding("enter", "yes", "Да", priority=True),
        Binding("escape", "no", "Отмена"),
    ]

    def __init__(self, text: str, yes: str = "Enter — подтвердить, Esc — отмена") -> None:
        super().__init__()
        self._text = text
        self._yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="after-dialog"):
            yield Static(self._text)
            yield Static(self._yes, classes="after-dialog-hint")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class TextDialog(ModalScreen[Optional[str]]):
    """A prompt and one Input: Enter — save, Esc — cancel."""

    BINDINGS = [Binding("escape", "cancel", "Отмена")]

    def __init__(self, prompt: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._prompt = prompt
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="after-dialog"):
            yield Static(self._prompt)
            yield Input(value=self._value, placeholder=self._placeholder, id="after-dialog-input")
            yield Static("Enter — сохранить, Esc — отмена", classes="after-dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)

"""The program's small modal dialogs, one of each kind for every screen.

- `Confirm`: a question; Enter (or F2) — yes, Esc — no.
- `UnsavedDialog`: leaving something typed and not saved asks
  «сохранить / не сохранять / вернуться» (Enter or F2 / F3 / Esc).
- `TextPrompt`: a prompt and one line of text; Enter — save, Esc — cancel.

Every key is an F-key, Enter or Esc, so the dialogs work the same in the Russian and the Latin
layout.
"""
from __future__ import annotations

from enum import Enum
from typing import Callable, Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class Leave(str, Enum):
    """The answer to «есть несохранённые изменения»."""

    SAVE = "save"
    DISCARD = "discard"
    STAY = "stay"


class Confirm(ModalScreen[bool]):
    """Enter or F2 — yes, Esc — no."""

    BINDINGS = [
        Binding("enter,f2", "yes", "Да", id="dialog-yes", priority=True),
        Binding("escape", "no", "Нет", id="dialog-no"),
    ]

    def __init__(self, question: str, yes: str = "Enter — да", no: str = "Esc — нет") -> None:
        super().__init__()
        self.question = question
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-text")
            yield Static(f"{self.yes} · {self.no}", classes="dialog-hint")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class UnsavedDialog(ModalScreen[Leave]):
    """«Сохранить / не сохранять / вернуться» before typed work would be thrown away."""

    BINDINGS = [
        Binding("enter,f2", "answer('save')", "Сохранить", id="dialog-save", priority=True),
        Binding("f3", "answer('discard')", "Не сохранять", id="dialog-discard"),
        Binding("escape", "answer('stay')", "Вернуться", id="dialog-stay"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Не сохранено: {self.what}.", classes="dialog-text", markup=False)
            yield Static("Enter — сохранить · F3 — не сохранять · Esc — вернуться",
                         classes="dialog-hint")

    def action_answer(self, choice: str) -> None:
        self.dismiss(Leave(choice))


def ask_unsaved(app, what: str, save: Callable[[], bool], discard: Callable[[], None],
                then: Callable[[], None]) -> None:
    """Run `then` — at once when nothing is unsaved (`what` is ""), else after asking: «сохранить»
    (and only if `save()` succeeded), «не сохранять» (after `discard()`); «вернуться» — never."""
    if not what:
        then()
        return

    def answer(choice: Leave | None) -> None:
        if choice is Leave.SAVE:
            if save():
                then()
        elif choice is Leave.DISCARD:
            discard()
            then()

    app.push_screen(UnsavedDialog(what), answer)


class TextPrompt(ModalScreen[Optional[str]]):
    """A prompt and one Input: Enter — save, Esc — cancel (None)."""

    BINDINGS = [Binding("escape", "cancel", "Отмена", id="dialog-cancel")]

    def __init__(self, prompt: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._prompt = prompt
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._prompt, classes="dialog-text")
            yield Input(value=self._value, placeholder=self._placeholder, id="dialog-input")
            yield Static("Enter — сохранить · Esc — отмена", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)

"""The halt of a second pass (double entry, issue 20): a digit differs from the first pass —
«первый / второй / ввести заново», chosen by F2 / F3 / F4 (Esc: type it again).

Not by digits nor Enter: a fast typist's next digits (and the Enter that saves) are already
on their way when the window opens; here they are swallowed with a beep and counted, never
taken for an answer."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

FIRST, SECOND, AGAIN = "first", "second", "again"


class MismatchDialog(ModalScreen[str]):
    BINDINGS = [
        Binding("f2", "take('first')", "Верен первый", id="mm-first"),
        Binding("f3", "take('second')", "Верен второй", id="mm-second"),
        Binding("f4", "take('again')", "Ввести заново", id="mm-again"),
        Binding("escape", "take('again')", "Ввести заново", show=False),
    ]
    DEFAULT_CSS = """
    MismatchDialog { align: center middle; }
    MismatchDialog > Vertical {
        width: 64; max-width: 100%; height: auto;
        border: thick $error; background: $panel; padding: 0 1;
    }
    MismatchDialog #mm-title { color: $error; text-style: bold; }
    """

    def __init__(self, who: str, code: str, first: int, second: int) -> None:
        super().__init__()
        self.who, self.code, self.first, self.second = who, code, first, second
        self.swallowed = 0  # keys typed ahead that reached this window

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Расхождение с первым вводом!", id="mm-title")
            yield Static(f"{self.who}, критерий {self.code}:\n"
                         f"первый ввод — [b]{self.first}[/b], сейчас введено — [b]{self.second}[/b].\n"
                         "Сверьте с бумажным протоколом.", id="mm-text")
            yield Static(f"[b]F2[/b] — верен первый ({self.first}) · [b]F3[/b] — верен второй "
                         f"({self.second}) · [b]F4[/b] или Esc — ввести заново", id="mm-keys")

    def on_mount(self) -> None:
        self.app.bell()

    def on_key(self, event) -> None:
        if event.key in ("f2", "f3", "f4", "escape", "f1", "f10", "ctrl+q"):
            return  # the bindings (and the app's help / quit)
        event.stop()
        event.prevent_default()
        self.swallowed += 1
        self.app.bell()

    def action_take(self, which: str) -> None:
        self.dismiss(which)

"""Print from the keyboard on every screen that makes a PDF (F6 forms, acts, the readiness
protocol): F4 (or Ctrl+P) asks for the number of copies and sends the last PDF of the screen to
the default printer (services/printing.py); the screen says what was sent, or why not."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..errors import ShtabError, user_message
from ..services.printing import default_printer, print_for

PRINT_BINDINGS = [
    Binding("f4", "print_pdf", "Печать", id="print"),
    Binding("ctrl+p", "print_pdf", "Печать", id="print-ctrl", show=False),
]


class PrintDialog(ModalScreen[Optional[str]]):
    """«Печать: ФАЙЛ на ПРИНТЕР, копий [1]» — Enter: send; Esc: cancel."""

    BINDINGS = [Binding("escape", "cancel", "Отмена", id="print-cancel")]
    DEFAULT_CSS = """
    PrintDialog { align: center middle; }
    PrintDialog > Vertical {
        width: 70; max-width: 100%; height: auto;
        border: thick $primary; background: $panel; padding: 0 1;
    }
    PrintDialog Input { width: 10; }
    PrintDialog .print-hint { color: $text-muted; }
    """

    def __init__(self, files: list[Path], printer_text: str, ready: bool) -> None:
        super().__init__()
        self.files = files
        self.printer_text = printer_text
        self.ready = ready

    def compose(self) -> ComposeResult:
        names = ", ".join(p.name for p in self.files[:3])
        if len(self.files) > 3:
            names += f" и ещё {len(self.files) - 3}"
        with Vertical():
            yield Static(f"[b]Печать:[/b] {escape(names)}", classes="print-title")
            yield Static(escape(self.printer_text) if self.ready else
                         f"[red]{escape(self.printer_text)}[/red]", id="print-printer")
            yield Static("Копий:")
            yield Input("1", restrict=r"[0-9]{0,2}", id="print-copies")
            yield Static("Enter — напечатать · Esc — отмена", classes="print-hint")

    def on_mount(self) -> None:
        inp = self.query_one(Input)
        inp.focus()
        inp.action_select_all()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or "1")

    def action_cancel(self) -> None:
        self.dismiss(None)


class PrintMixin:
    """For a screen with a PDF: give `printable()` (the files to print, may build them first
    through `prepare`) and `print_said(text, ok)` (where the outcome is shown)."""

    def printable(self) -> list[Path]:
        return []

    def print_said(self, text: str, ok: bool) -> None:  # pragma: no cover - each screen's own
        raise NotImplementedError

    def action_print_pdf(self) -> None:
        files = self.printable()
        if not files:
            self.app.bell()
            self.print_said("Печатать нечего: сначала создайте PDF (F5).", False)
            return
        self.ask_print(files)

    def ask_print(self, files: list[Path], then: Optional[Callable[[], None]] = None) -> None:
        pr = default_printer()
        if not pr.ready:
            self.app.bell()
            self.print_said(f"PDF сохранён, но не напечатан: {pr.text}", False)
            return

        def chosen(copies: Optional[str]) -> None:
            if copies is None:
                self.print_said("Печать отменена. PDF сохранён.", True)
                return
            self.print_said(f"Отправляется на принтер «{pr.name}»…", True)
            self.run_worker(lambda: self._send(files, copies), thread=True, group="print",
                            exit_on_error=False)

        self.app.push_screen(PrintDialog(files, pr.text, pr.ready), chosen)

    def _send(self, files: list[Path], copies: str) -> None:
        try:
            res = print_for(self.app.store, files, copies, title=files[0].stem)
        except (ShtabError, OSError) as e:
            self.app.call_from_thread(self.print_said, f"PDF сохранён, но не напечатан: "
                                      f"{user_message(e) or e}", False)
            return
        self.app.call_from_thread(self.print_said, res.message, True)

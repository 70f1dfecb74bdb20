"""F6 on the handoff screen: add the scans of the signed ИС-02/ИС-03 (services/scans.py) — a
folder (or one file), the form and the room when the names do not say; Enter adds, Esc closes."""
from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ..errors import ShtabError, user_message
from ..services import scans as sc


class ScansDialog(ModalScreen[int]):
    BINDINGS = [Binding("escape", "close", "Закрыть", id="scans-close")]
    DEFAULT_CSS = """
    ScansDialog { align: center middle; }
    ScansDialog > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $panel; padding: 0 1;
    }
    ScansDialog Horizontal { height: auto; }
    ScansDialog #scans-form, ScansDialog #scans-room { width: 16; }
    ScansDialog #scans-out { height: auto; max-height: 10; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.added = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]Сканы подписанных ИС-02 / ИС-03[/b] (PDF или JPEG)")
            yield Input(placeholder="папка со сканами или файл, например E:\\scan", id="scans-folder")
            with Horizontal():
                yield Label("Форма: ")
                yield Input(placeholder="по имени", id="scans-form")
                yield Label(" Аудитория: ")
                yield Input(placeholder="по имени", id="scans-room")
            yield Static(self._kept(), id="scans-out")
            yield Static("Enter — добавить · Tab — к полю · Esc — закрыть", classes="print-hint")

    def _kept(self) -> str:
        store = self.app.store
        lack = sc.missing(store)
        text = f"Добавлено сканов: {len(sc.listing(store))}."
        if sc.required(store) and lack:
            text += " Не хватает: " + ", ".join(lack[:8]) + ("…" if len(lack) > 8 else "")
        return escape(text)

    def on_mount(self) -> None:
        self.query_one("#scans-folder", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        folder = self.query_one("#scans-folder", Input).value.strip()
        out = self.query_one("#scans-out", Static)
        if not folder:
            out.update("[red]Укажите папку со сканами.[/red]")
            return
        store = self.app.store
        try:
            found = sc.find(store, folder, form=self.query_one("#scans-form", Input).value,
                            room=self.query_one("#scans-room", Input).value.strip())
            added = sc.add(store, found)
        except (ShtabError, OSError) as e:
            self.app.bell()
            out.update(f"[red]{escape(user_message(e) or str(e))}[/red]")
            return
        self.added += len(added)
        lines = [escape(f.line) if not f.refused else f"[red]{escape(f.line)}[/red]" for f in found]
        if not found:
            lines = ["[red]В папке нет файлов PDF или JPEG.[/red]"]
        out.update("\n".join(lines[:8] + [f"Добавлено сейчас: {len(added)}. " + self._kept()]))

    def action_close(self) -> None:
        self.dismiss(self.added)

"""The window of `is-shtab keys`: every key as the program receives it."""
from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import RichLog, Static

from ..keymap import all_bindings


class KeysApp(App):
    """Shows the name and the character of each key, and which action it starts in ИС-Штаб."""

    ENABLE_COMMAND_PALETTE = False
    CSS = "RichLog { height: 1fr; } #keys-head { height: auto; padding: 0 1; }"

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.actions: dict[str, list[str]] = {}
        for b in all_bindings():
            for key in keymap.get(b.id, ",".join(b.keys)).split(","):
                self.actions.setdefault(key.strip(), []).append(f"{b.id} ({b.description})")
        self.escapes = 0

    def compose(self) -> ComposeResult:
        yield Static("Нажимайте клавиши: для каждой видно, как её получает программа.\n"
                     "Ничего не появилось — клавишу забрал терминал: назначьте действию другую\n"
                     "(is-shtab keys --list). Выход — Esc три раза подряд.", id="keys-head")
        yield RichLog(id="keys-log", wrap=True, markup=False)

    def on_mount(self) -> None:
        self.query_one(RichLog).can_focus = False

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        ch = event.character
        shown = "—" if ch is None else (repr(ch) if not ch.isprintable() or ch == " " else ch)
        acts = "; ".join(self.actions.get(event.key, [])) or "ничего"
        self.query_one(RichLog).write(f"клавиша: {event.key:<14} символ: {shown:<8} действие: {acts}")
        self.escapes = self.escapes + 1 if event.key == "escape" else 0
        if self.escapes >= 3:
            self.exit()

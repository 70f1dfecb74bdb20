"""The recovery notice: which copy of the database was loaded and what may be missing.

Shown over the main screen at start until the user confirms with Enter (then older copies
may be rotated again); Esc closes it for now — it comes back at the next start.
"""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..store.storage import Notice


class StoreNoticeScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("enter", "seen", "Понятно", id="notice-seen", priority=True),
        Binding("escape", "later", "Позже", id="notice-later"),
    ]

    def __init__(self, notice: Notice) -> None:
        super().__init__()
        self.notice = notice

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="store-notice-box"):
            yield Static(self.notice.title, id="store-notice-title", markup=False)
            yield Static(self.notice.text, id="store-notice-text", markup=False)
            yield Static("Enter — понятно, данные проверю (старые копии снова можно обновлять).\n"
                         "Esc — напомнить при следующем запуске.", id="store-notice-hint",
                         markup=False)

    def action_seen(self) -> None:
        self.dismiss(True)

    def action_later(self) -> None:
        self.dismiss(False)

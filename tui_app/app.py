"""The Textual application: screens, global bindings, theme."""
from __future__ import annotations

import os
import threading
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from .screens.main import MainScreen
from .screens.registry import entry
from .store.workspace import Store, Workspace


_HERE = Path(__file__).parent


class ShtabApp(App):
    # one stylesheet for the shell, then one per area of screens (tui_app/styles/*.tcss)
    CSS_PATH = [_HERE / "app.tcss", *sorted((_HERE / "styles").glob("*.tcss"))]
    TITLE = "ИС-Штаб"
    SUB_TITLE = "итоговое собеседование по русскому языку"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "quit", "Выход", show=False, priority=True),
        Binding("ctrl+c", "quit", "Выход", show=False, priority=True),
        Binding("f10", "quit", "Выход", show=False),
    ]
    EXIT_GRACE = 5.0  # seconds the shutdown may take before the process ends regardless

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    @property
    def store(self) -> Store:
        return self.workspace.store

    def on_mount(self) -> None:
        self.push_screen(MainScreen())

    async def action_quit(self) -> None:
        """F10, Ctrl+Q, Ctrl+C: end the program. Everything saved is already on disk; a
        worker stuck in I/O (a dead network share) must not keep the process alive: if the
        shutdown has not finished after EXIT_GRACE seconds, the process ends anyway."""
        if not self.is_headless:  # never in tests run in-process (Pilot)
            timer = threading.Timer(self.EXIT_GRACE, os._exit, args=(0,))
            timer.daemon = True
            timer.start()
        self.exit()

    def open_screen(self, screen_id: str, *args, **kwargs) -> None:
        e = entry(screen_id)
        if e is None:
            self.notify(f"Раздел «{screen_id}» не найден", severity="error")
            return
        self.push_screen(e.load()(*args, **kwargs))

    def action_help(self) -> None:
        from .screens.help import HelpScreen  # Markdown is imported when F1 is first pressed

        screen = self.screen
        title = getattr(screen, "HELP_TITLE", "") or "ИС-Штаб"
        self.push_screen(HelpScreen(str(title), getattr(screen, "HELP", "")))

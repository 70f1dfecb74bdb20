"""The Textual application: screens, global bindings, theme, the running recording."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from textual import events
from textual.app import App
from textual.binding import Binding

from .screens.dialogs import Confirm, UnsavedDialog
from .screens.main import MainScreen
from .screens.registry import entry
from .store.workspace import Store, Workspace
from .widgets.typeahead import KeyHold, ReleaseKeys

if TYPE_CHECKING:  # the audio service is imported only when the audio screen opens
    from .keymap import KeymapFile
    from .services.audio import RoomRecording

_HERE = Path(__file__).parent
_NAMES = {"escape": "Esc", "enter": "Enter", "delete": "Del", "insert": "Ins", "space": "Пробел",
          "backspace": "Backspace", "tab": "Tab", "home": "Home", "end": "End",
          "pageup": "PgUp", "pagedown": "PgDn", "up": "↑", "down": "↓", "left": "←", "right": "→"}


def key_label(key: str) -> str:
    """«f1» → «F1», «ctrl+q» → «Ctrl+Q», «escape» → «Esc»."""
    *mods, base = key.split("+")
    if base in _NAMES:
        base = _NAMES[base]
    elif base.startswith("f") and base[1:].isdigit() or len(base) == 1:
        base = base.upper()
    return "+".join([m.capitalize() for m in mods] + [base])


class ShtabApp(App):
    # one stylesheet for the shell, then one per area of screens (tui_app/styles/*.tcss)
    CSS_PATH = [_HERE / "app.tcss", *sorted((_HERE / "styles").glob("*.tcss"))]
    TITLE = "ИС-Штаб"
    SUB_TITLE = "итоговое собеседование по русскому языку"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("f10,ctrl+q", "quit", "Выход", show=False, id="quit",
                tooltip="выйти из программы (всё сохранённое уже на диске)"),
        # Ctrl+C ends the program even where a widget would take the key (a field, a table)
        Binding("ctrl+c", "quit", "Выход", show=False, priority=True, id="quit-ctrl-c"),
    ]
    EXIT_GRACE = 5.0  # seconds the shutdown may take before the process ends regardless

    # The day's stream of a room keeps recording while the user works on other screens;
    # it belongs to the app, not to the audio screen, and is stopped when the app ends.
    audio_session: Optional["RoomRecording"] = None
    keymap_file: Optional["KeymapFile"] = None  # the user's keys (tui_app/keymap.py), read at start

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.typeahead = KeyHold()  # keys typed while a short list closes (widgets/typeahead.py)

    @property
    def store(self) -> Store:
        return self.workspace.store

    def on_mount(self) -> None:
        from .keymap import read_keymap

        self.keymap_file = read_keymap()
        self.set_keymap(self.keymap_file.keymap)
        self.push_screen(MainScreen())

    def on_unmount(self) -> None:
        self.stop_recording()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self.typeahead.holding:
            if not self.typeahead.expired():
                self.typeahead.keep(event.key, event.character)  # in its turn, after the list's
                return
            await self._hand_on(self.typeahead.end())  # nobody released them: on, in order
        await super().on_event(event)

    async def _hand_on(self, keys: list) -> None:
        """Keys the app kept, on to where they go, as if typed now (in this order)."""
        for key, character in keys:
            await super().on_event(events.Key(key, character))

    async def on_release_keys(self, message: ReleaseKeys) -> None:
        """The list closed and the screen below took the choice: the keys typed meanwhile
        go on, in the order typed (handled here, in the app's queue, after each key that
        came before this message)."""
        keys = message.early + self.typeahead.end()
        if not keys or (message.to is not None and self.screen is not message.to):
            return  # a dialog opened meanwhile: keys typed before it was seen answer nothing
        if message.sink is not None:
            message.sink(keys)
        else:
            await self._hand_on(keys)

    def stop_recording(self) -> None:
        """Stop the room's stream, if one runs: the last seconds are written, the personal
        times go into the ИС-02 log."""
        s, self.audio_session = self.audio_session, None
        if s is not None and not s.finished:
            s.halt()
            s.finish()

    def get_key_display(self, binding: Binding) -> str:
        """Keys as the keyboard labels them: «F1», «Esc», «Ctrl+Q» (footer, help, hints)."""
        return key_label(binding.key) if not binding.key_display else binding.key_display

    def open_screen(self, screen_id: str, *args, **kwargs) -> None:
        e = entry(screen_id)
        if e is None:
            self.bell()
            return
        self.push_screen(e.load()(*args, **kwargs))

    def action_help(self) -> None:
        from .screens.help import HelpScreen  # Markdown is imported when F1 is first pressed

        self.push_screen(HelpScreen.for_screen(self.screen))

    async def action_quit(self) -> None:
        """F10, Ctrl+Q, Ctrl+C: every open screen may first ask about typed, unsaved work (or
        refuse while busy); a running recording is stopped after a question."""
        if isinstance(self.screen, (Confirm, UnsavedDialog)):
            self.bell()  # a question is open: answer it first
            return
        screens = [s for s in reversed(self.screen_stack) if hasattr(s, "guard_leave")]
        self._quit_after(screens)

    def _quit_after(self, screens: list) -> None:
        if screens:
            first, rest = screens[0], screens[1:]
            first.guard_leave(lambda: self._quit_after(rest))
            return
        s = self.audio_session
        if s is not None and s.running:
            def answer(yes: bool | None) -> None:
                if yes:
                    self._end_program()

            self.push_screen(Confirm(f"Идёт запись аудитории {s.room}. Остановить запись и выйти?",
                                     "Enter — остановить и выйти", "Esc — продолжить работу"),
                             answer)
            return
        self._end_program()

    def _end_program(self) -> None:
        """Everything saved is already on disk; a worker stuck in I/O (a dead network share)
        must not keep the process alive: if the shutdown has not finished after EXIT_GRACE
        seconds, the process ends anyway."""
        if not self.is_headless:  # never in tests run in-process (Pilot)
            timer = threading.Timer(self.EXIT_GRACE, os._exit, args=(0,))
            timer.daemon = True
            timer.start()
        self.exit()

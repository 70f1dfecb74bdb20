"""The base of every screen: F1 help, Esc back, the status line, nothing typed lost.

- `say(text, level)` puts a message on the screen's status line (widgets/status_line.py);
  every screen composes one `StatusLine`.
- Leaving (Esc, F10, a switch to another participant or room) goes through `guard_leave`:
  a screen that is busy (screens/jobs.py) refuses with «подождите»; a screen with typed,
  unsaved work (`unsaved()` returns what) asks «сохранить / не сохранять / вернуться»
  (screens/dialogs.py) and then calls `save_unsaved()` or `discard_unsaved()`.
"""
from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen

from ..errors import ShtabError, user_message
from ..notes import Level, Note
from ..widgets.status_line import StatusLine
from .dialogs import ask_unsaved

GLOBAL_HELP = """\
**Клавиши везде**

- **F1** — эта справка
- **Esc** — назад (на главный экран); несохранённое программа не выбросит молча — спросит
- **F10**, **Ctrl+Q** или **Ctrl+C** — выход (всё сохранённое уже на диске)
- **Tab / Shift+Tab** — перейти к следующему / предыдущему полю
- **Стрелки, Enter** — выбор в списках и таблицах

У каждого действия есть F-клавиша или клавиша без букв (Enter, Esc, Insert, Delete, Пробел),
поэтому программа одинаково работает в русской и латинской раскладке. Сочетания с Ctrl
(Ctrl+Q, Ctrl+N, Ctrl+F …) — только запасные дубли. Если терминал забирает F1 или F10 себе,
назначьте другие клавиши в файле клавиш (`is-shtab keys` покажет, где он и что присылает
терминал).
"""


def failure_text(e: BaseException) -> str:
    """The Russian text for a failed action: the error family's message (OS errors through
    `user_message`), or an honest «непредвиденная ошибка» for a bug (with its type, for a
    support call). The screens' one translation of errors (the CLI's is commands/_common)."""
    msg = user_message(e)
    if msg is not None:
        return msg
    return f"Не выполнено: непредвиденная ошибка ({type(e).__name__}: {e})."


class BaseScreen(Screen):
    """Every screen has a HELP text (Markdown, Russian) shown by F1 beside its live keys."""

    HELP = ""
    HELP_TITLE = ""  # the screen's name in the F1 window
    BINDINGS = [
        Binding("f1", "app.help", "Справка", id="help", tooltip="справка этого экрана"),
        Binding("escape", "back", "Назад", id="back", tooltip="назад, на предыдущий экран"),
    ]

    busy: str = ""  # what the screen is doing now ("" = idle); see screens/jobs.py

    # -- the status line ----------------------------------------------------------------
    def say(self, text: str | Text, level: Level | str = Level.INFO) -> None:
        """A message on this screen's status line ("" clears it)."""
        lines = self.query(StatusLine)
        if lines:
            lines.first().show(text, level)

    def say_note(self, note: Note) -> None:
        self.say(note.text, note.level)

    @property
    def status_text(self) -> str:
        lines = self.query(StatusLine)
        return lines.first().text if lines else ""

    def attempt(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Run a quick action (a store write, a check); an error of the family or of the OS
        becomes the status line's message. Returns (True, result) or (False, None)."""
        try:
            return True, fn(*args, **kwargs)
        except (ShtabError, OSError) as e:
            self.app.bell()
            self.say(failure_text(e), Level.ERROR)
            return False, None

    # -- leaving --------------------------------------------------------------------------
    def unsaved(self) -> str:
        """What typed work would be lost by leaving now (Russian, e.g. «протокол Иванова И. И.»),
        or "" when there is none."""
        return ""

    def save_unsaved(self) -> bool:
        """Save the typed work before leaving; False = not saved (the screen says why)."""
        return True

    def discard_unsaved(self) -> None:
        """Forget the typed work (the user chose «не сохранять»)."""

    def still_busy(self) -> bool:
        """True (and «Подождите: …» on the status line) while a job of the screen runs."""
        if self.busy:
            self.app.bell()
            self.say(f"Подождите: {self.busy}.", Level.WARNING)
        return bool(self.busy)

    def guard_leave(self, then: Callable[[], None]) -> None:
        """Run `then` unless the screen is busy; ask first when typed work is unsaved."""
        if self.still_busy():
            return
        ask_unsaved(self.app, self.unsaved(), self.save_unsaved, self.discard_unsaved, then)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.guard_leave(self.app.pop_screen)

"""The base of every screen: F1 help, Esc back, the footer."""
from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

GLOBAL_HELP = """\
**Клавиши везде**

- **F1** — эта справка
- **Esc** — назад (на главный экран)
- **F10**, **Ctrl+Q** или **Ctrl+C** — выход (всё сохранённое уже на диске)
- **Tab / Shift+Tab** — перейти к следующему / предыдущему полю
- **Стрелки, Enter** — выбор в списках и таблицах

Буквенных сочетаний нет: программа одинаково работает в русской и латинской раскладке.
"""


class BaseScreen(Screen):
    """Every screen has a HELP text (Markdown, Russian) shown by F1."""

    HELP = ""
    HELP_TITLE = ""  # the screen's name in the F1 window
    BINDINGS = [
        Binding("f1", "app.help", "Справка", id="help"),
        Binding("escape", "back", "Назад", id="back"),
    ]

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

"""Statistics of the results: attended, зачёт/незачёт, means per criterion, distribution."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from ..services.stats import compute, report_lines
from .base import BaseScreen


class StatsScreen(BaseScreen):
    HELP_TITLE = "Статистика"
    HELP = """\
**Статистика результатов**: сколько сдавали, зачёт и незачёт, средний балл по каждому
критерию против его максимума, распределение итоговых баллов (столбики из символов),
таблицы по аудиториям и по классам. Считаются только сохранённые протоколы.

- **стрелки, PgUp/PgDn** — прокрутка
- **F3** — пересчитать
"""
    BINDINGS = BaseScreen.BINDINGS + [Binding("f3", "recount", "Пересчитать", id="recount")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats-box"):
            yield Static(id="stats-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Статистика результатов"
        self.recount()
        self.query_one("#stats-box").focus()

    def on_screen_resume(self) -> None:
        self.recount()

    def action_recount(self) -> None:
        self.recount()

    def recount(self) -> None:
        width = max(20, min(50, self.size.width - 30)) if self.size.width else 30
        self.query_one("#stats-text", Static).update("\n".join(report_lines(compute(self.app.store), width)))

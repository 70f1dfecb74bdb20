"""F8: the pre-export check as a list one walks; Enter jumps to the place to fix it."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ..services.checks import run_checks
from ..widgets.status_line import StatusLine
from .base import BaseScreen

JUMPABLE = {"no_protocol", "no_attendance", "invalid_protocol", "room_mismatch"}


class ChecksScreen(BaseScreen):
    HELP_TITLE = "Проверка перед выгрузкой"
    HELP = """\
**Проверка перед выгрузкой** — всё, что помешает сдать результаты: не внесённые
протоколы, невозможные баллы, не указанный вариант или эксперт, участники без отметки
о явке, протоколы у отмеченных «Н».

- **стрелки** — по списку
- **Enter** — перейти к месту исправления: открывается протокол участника, курсор стоит
  на поле с ошибкой (вариант, эксперт, критерий)
- **F3** — проверить заново (после возврата проверка повторяется сама)
"""
    BINDINGS = BaseScreen.BINDINGS + [Binding("f3", "recheck", "Проверить заново", id="recheck")]

    def __init__(self) -> None:
        super().__init__()
        self.problems = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="checks-info")
        yield OptionList(id="checks-list")
        yield StatusLine(id="checks-msg")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Проверка перед выгрузкой"
        self.recheck()
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        self.recheck()

    def action_recheck(self) -> None:
        self.recheck()

    def recheck(self) -> None:
        self.problems = run_checks(self.app.store)
        ol = self.query_one(OptionList)
        keep = ol.highlighted or 0
        ol.clear_options()
        for i, pr in enumerate(self.problems, 1):
            where = f"ауд. {pr.room} · " if pr.room else ""
            arrow = " →" if self._jump_target(pr) else ""
            mark = "" if pr.is_error else "⚠ "
            ol.add_option(Option(f"{i:>3}. {mark}{where}{pr.message}{arrow}", id=str(i - 1)))
        info = self.query_one("#checks-info", Static)
        if not any(p.is_error for p in self.problems) and self.problems:
            info.update(f"[b yellow]Ошибок нет, предупреждений: {len(self.problems)}[/b yellow] · "
                        "выгружать можно (статус 19)")
        elif self.problems:
            info.update(f"[b red]Найдено замечаний: {len(self.problems)}[/b red] · Enter — "
                        "перейти к исправлению (→), F3 — проверить заново")
            ol.highlighted = min(keep, len(self.problems) - 1)
        else:
            info.update("[b green]Замечаний нет: результаты можно выгружать.[/b green]")

    @staticmethod
    def _jump_target(pr):
        if pr.participant and pr.kind in JUMPABLE:
            return pr.participant, pr.field
        return None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        pr = self.problems[int(event.option.id)]
        target = self._jump_target(pr)
        if target is None:
            self.say("Это исправляется в другом разделе: список участников (F2) или "
                     "аудитории (F3) на главном экране.", "warning")
            return
        from .entry import EntryScreen

        guid, field = target
        self.app.push_screen(EntryScreen(participant=guid, field=field))

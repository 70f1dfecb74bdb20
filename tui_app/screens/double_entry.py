"""Double entry: start the blind second pass, see the counts, settle disagreements one by one."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ..services import double_entry as de
from ..services.entry import PASS2_TABLE
from ..widgets.status_line import StatusLine
from .base import BaseScreen


class DoubleEntryScreen(BaseScreen):
    HELP_TITLE = "Двойной ввод"
    HELP = """\
**Двойной ввод**: второй человек (или вы же, позже) вводит те же протоколы ещё раз;
первый ввод ему не показывается. Два режима (**F6** — переключить, выбор запоминается):

- **со сверкой** (по умолчанию): как только введённый балл не совпал с первым вводом,
  звучит сигнал и ввод останавливается: «**1** — верен первый, **2** — верен второй
  (первый ввод исправляется), **3** — ввести заново»;
- **вслепую**: второй ввод идёт до конца, расхождения — списком здесь после ввода.

В списке — каждое оставшееся расхождение: участник, критерий (или вариант, эксперт,
отметка), значение первого ввода и второго.

- **F3** — начать / продолжить второй ввод (в выбранном режиме)
- **F6** — режим: со сверкой / вслепую
- **1** — в выделенном расхождении верно значение **первого** ввода
- **2** — верно значение **второго** ввода
- **Enter** — открыть протокол участника (первый ввод) для проверки по бумаге

Выбранное значение записывается в оба ввода (с записью в журнал изменений), и расхождение
исчезает из списка. Выгружается всегда первый ввод.
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("f3", "second_pass", "Второй ввод", id="second_pass"),
        Binding("f6", "toggle_halt", "Режим", id="toggle_halt"),
        Binding("1", "take(1)", "Верен 1-й", id="take1"),
        Binding("2", "take(2)", "Верен 2-й", id="take2"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[de.Disagreement] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="de-info")
        yield OptionList(id="de-list")
        yield StatusLine(id="de-msg")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Двойной ввод и сверка"
        self.refresh_list()
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_list()

    def refresh_list(self) -> None:
        store = self.app.store
        c = de.counts(store)
        self.items = de.compare(store)
        extra = f" · только во втором {c.second_only}" if c.second_only else ""
        self.query_one("#de-info", Static).update(
            f"Введено один раз: [b]{c.single}[/b] · дважды: [b]{c.double}[/b] · "
            f"совпали: [b green]{c.agreed}[/b green] · расхождений: "
            f"[b {'red' if self.items else 'green'}]{len(self.items)}[/]{extra}\n"
            f"Второй ввод F3: [b]{self.mode_text}[/b] · F6 — режим · "
            "[dim]1-й | 2-й ввод[/dim]")
        ol = self.query_one(OptionList)
        keep = ol.highlighted or 0
        ol.clear_options()
        for i, d in enumerate(self.items):
            ol.add_option(Option(f"{d.room:>4} {d.who:<22} {d.field_label:<8}: "
                                 f"{d.show(d.first):>4} | {d.show(d.second)}", id=str(i)))
        if self.items:
            ol.highlighted = min(keep, len(self.items) - 1)
        elif c.double:
            ol.add_option(Option("Расхождений нет: оба ввода совпадают.", disabled=True))
        else:
            ol.add_option(Option("Второго ввода ещё нет: F3 — начать второй ввод вслепую.", disabled=True))

    @property
    def halt(self) -> bool:
        return self.app.store.settings().double_entry_halt

    @property
    def mode_text(self) -> str:
        return "со сверкой (стоп на расхождении)" if self.halt else "вслепую (сверка списком)"

    def action_second_pass(self) -> None:
        from .entry import EntryScreen

        self.app.push_screen(EntryScreen(table=PASS2_TABLE, halt=self.halt))

    def action_toggle_halt(self) -> None:
        from ..errors import ShtabError

        try:
            self.app.store.update_settings(double_entry_halt=not self.halt)
        except ShtabError as e:
            self.query_one("#de-msg", Static).update(f"[red]{e}[/red]")
            return
        self.query_one("#de-msg", Static).update(f"Режим второго ввода: {self.mode_text}.")
        self.refresh_list()

    def action_take(self, which: int) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is None or not self.items:
            return
        d = self.items[ol.highlighted]
        if not self.attempt(de.settle, self.app.store, d.participant, d.field, which)[0]:
            return
        self.say(f"Сохранено: {d.who}, {d.field_label} = "
                 f"{d.show(d.first if which == 1 else d.second)} (в оба ввода)", "ok")
        self.refresh_list()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        d = self.items[int(event.option.id)]
        from .entry import EntryScreen

        fld = d.field if d.field not in ("status",) else None
        self.app.push_screen(EntryScreen(participant=d.participant, field=fld))

"""The main screen: the exam day, its counts, what comes next, and the menu of screens."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ..errors import ShtabError
from ..services.summary import DaySummary, summarize
from .base import BaseScreen
from .registry import MENU


def _menu_bindings() -> list[Binding]:
    # the menu itself shows each F-key beside its title, so the footer keeps only F1/F10
    return [
        Binding(e.key, f"open('{e.id}')", e.title, id=f"open-{e.id}", show=False)
        for e in MENU
        if e.key
    ]


class MainScreen(BaseScreen):
    HELP_TITLE = "Главный экран"
    HELP = """\
**Главный экран** — экзаменационный день целиком.

Слева — коды и дата, счётчики участников и протоколов, меню разделов.
Справа — что осталось сделать по порядку дня (отмечается само, когда сделано).

Раздел открывается своей F-клавишей или выбором в меню (стрелки и Enter).

**Ctrl+O** — полное наименование и адрес школы (печатаются в ИС-08, ИС-09, заявлении).
Сроки дня (по производственному календарю и порядку региона) стоят в списке дел;
все сроки — `is-shtab deadlines` или `is-shtab info`.
"""
    BINDINGS = [
        Binding("f1", "app.help", "Справка", id="help"),
        Binding("escape", "back", "Назад", show=False),  # nothing behind the main screen
        Binding("enter", "open_selected", "Открыть раздел", id="open-selected", show=True),
        *_menu_bindings(),
        Binding("f10", "app.quit", "Выход", id="quit"),
        Binding("ctrl+o", "school", "Школа", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="ws-notice", markup=False)
        with Horizontal(id="main-body"):
            with Vertical(id="main-left"):
                yield Static(id="day-box")
                yield Static(id="counts-box")
                yield OptionList(
                    *[Option(self._menu_label(e), id=e.id) for e in MENU],
                    id="menu",
                )
                yield Static(id="menu-hint")
            yield Static(id="checklist-box")
        yield Footer()

    @staticmethod
    def _menu_label(e) -> str:
        key = e.key.upper() if e.key else "  "
        return f"{key:>3}  {e.title}"

    def on_mount(self) -> None:
        self.refresh_summary()
        self.query_one("#menu", OptionList).focus()
        notice = self.app.store.recovery_notice()
        if notice is not None:
            from .store_notice import StoreNoticeScreen

            self.app.push_screen(StoreNoticeScreen(notice), self._notice_closed)

    def _notice_closed(self, seen: bool | None) -> None:
        if seen:
            try:
                self.app.store.acknowledge_recovery()
            except ShtabError as e:
                self.app.notify(str(e), severity="error")
        self.refresh_summary()

    def on_screen_resume(self) -> None:
        self.refresh_summary()

    def refresh_summary(self) -> None:
        store = self.app.store
        notes = store.notices()
        box = self.query_one("#ws-notice", Static)
        box.update("\n".join(f"⚠ {n}" for n in notes))
        box.set_class(bool(notes), "shown")
        s = summarize(store)
        self.query_one("#day-box", Static).update(self._day_text(s))
        self.query_one("#counts-box", Static).update(self._counts_text(s))
        self.query_one("#checklist-box", Static).update(self._checklist_text(s))
        if s.day:
            self.app.sub_title = f"ОО {s.day.oo} · {s.day.date:%d.%m.%Y}"

    @staticmethod
    def _day_text(s: DaySummary) -> str:
        if s.day is None:
            return ("[b]Экзаменационный день не задан[/b]\n"
                    "Загрузите список участников:\nis-shtab import ФАЙЛ.b2p")
        d = s.day
        name = d.oo_name or f"ОО {d.oo}"
        return (f"[b]{name}[/b]\n"
                f"Дата: [b]{d.date:%d.%m.%Y}[/b] ({d.kind.label})\n"
                f"Регион {d.region} · МСУ {d.msu} · ОО {d.oo}")

    @staticmethod
    def _counts_text(s: DaySummary) -> str:
        return (f"Участников [b]{s.total}[/b] · распределено {s.distributed} · "
                f"не явились {s.absent} · с ОВЗ {s.ovz}\n"
                f"Протоколов [b]{s.protocols}[/b] · [green]зачёт {s.passed}[/green] · "
                f"[red]незачёт {s.failed}[/red] · досрочно {s.early} · удалены {s.removed}")

    @staticmethod
    def _checklist_text(s: DaySummary) -> str:
        lines = ["[b]Что дальше[/b]"]
        for done, text in s.checklist:
            mark = "[green]✔[/green]" if done else "[yellow]○[/yellow]"
            lines.append(f"{mark} {text}")
        lines += [f"[red]⚠ {r}[/red]" for r in s.reminders]
        if s.date_question:
            lines.append("[red]⚠ Дата экзамена не совпадает с датами года: is-shtab deadlines[/red]")
        return "\n".join(lines)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.action_open(event.option.id)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        e = next((m for m in MENU if m.id == event.option.id), None)
        self.query_one("#menu-hint", Static).update(e.hint if e else "")

    def action_open_selected(self) -> None:
        menu = self.query_one("#menu", OptionList)
        if menu.highlighted is not None:
            self.action_open(menu.get_option_at_index(menu.highlighted).id)

    def action_open(self, screen_id: str) -> None:
        self.app.open_screen(screen_id)

    def action_school(self) -> None:
        from ..services.school import set_school
        from .school import SchoolModal

        day = self.app.store.exam_day()
        if day is None:
            self.notify("Сначала загрузите список участников.", severity="warning")
            return

        def done(result) -> None:
            if result:
                set_school(self.app.store, **result)
                self.notify("Наименование и адрес школы сохранены.")
                self.refresh_summary()

        self.app.push_screen(SchoolModal(day.oo_name, day.oo_address, day.region_name), done)

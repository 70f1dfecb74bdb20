"""The main screen: the exam day, its counts, what comes next, and the menu of screens."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from rich.markup import escape

from ..services.summary import DaySummary, summarize
from ..widgets.status_line import StatusLine
from .base import BaseScreen
from .registry import MENU


def _menu_bindings() -> list[Binding]:
    # the menu itself shows each F-key beside its title, so the footer keeps only F1/F10
    return [
        Binding(e.key, f"open('{e.id}')", e.title, id=f"open-{e.id}", show=False, tooltip=e.hint)
        for e in MENU
        if e.key
    ]


class MainScreen(BaseScreen):
    HELP_TITLE = "Главный экран"
    HELP = """\
**Главный экран** — экзаменационный день целиком.

Слева — коды и дата, счётчики участников и протоколов, меню разделов (все разделы видны
сразу; в маленьком окне меню прокручивается, полоса справа показывает где вы).
Справа — что осталось сделать по порядку дня (отмечается само, когда сделано).

Раздел открывается своей F-клавишей или выбором в меню (стрелки и Enter). В новой рабочей
папке первым выбран раздел «Загрузка списка»: Enter — загрузить список участников.

**[[school]]** — полное наименование и адрес школы (печатаются в ИС-08, ИС-09, заявлении).
Сроки дня (по производственному календарю и порядку региона) стоят в списке дел;
все сроки — `is-shtab deadlines` или `is-shtab info`.
"""
    BINDINGS = [
        Binding("f1", "app.help", "Справка", id="help", tooltip="справка этого экрана"),
        Binding("escape", "back", "Назад", show=False),  # nothing behind the main screen
        Binding("enter", "open_selected", "Открыть раздел", id="open-selected", show=True),
        *_menu_bindings(),
        Binding("f10", "app.quit", "Выход", id="quit", tooltip="выйти из программы"),
        Binding("f11,ctrl+o", "school", "Школа", id="school", show=False,
                tooltip="полное наименование и адрес школы"),
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
        yield StatusLine(id="main-msg", collapse=True)
        yield Footer()

    @staticmethod
    def _menu_label(e) -> str:
        key = e.key.upper() if e.key else "  "
        return f"{key:>3}  {e.title}"

    def on_mount(self) -> None:
        self.refresh_summary()
        self._just_mounted = True
        menu = self.query_one("#menu", OptionList)
        menu.highlighted = 0  # a new workspace: the first Enter loads the roster
        menu.focus()
        km = self.app.keymap_file
        if km is not None and km.problems:
            self.say(f"Файл клавиш {km.path}: " + "; ".join(km.problems), "warning")
        notice = self.app.store.recovery_notice()
        if notice is not None:
            from .store_notice import StoreNoticeScreen

            self.app.push_screen(StoreNoticeScreen(notice), self._notice_closed)

    def _notice_closed(self, seen: bool | None) -> None:
        if seen:
            self.attempt(self.app.store.acknowledge_recovery)
        self.refresh_summary()

    def on_screen_resume(self) -> None:
        if getattr(self, "_just_mounted", False):  # the resume that follows the mount
            self._just_mounted = False
            return
        self.refresh_summary()

    def on_resize(self) -> None:
        """A new width re-lays the summary out (narrow or wide); it is not counted again."""
        if getattr(self, "_summary", None) is not None:
            self._show_summary(self._summary)

    def refresh_summary(self) -> None:
        store = self.app.store
        notes = store.notices()
        box = self.query_one("#ws-notice", Static)
        box.update("\n".join(f"⚠ {n}" for n in notes))
        box.set_class(bool(notes), "shown")
        self._summary = summarize(store)
        self._show_summary(self._summary)

    def _show_summary(self, s) -> None:
        narrow = self.size.width < 100
        self.query_one("#day-box", Static).update(self._day_text(s, narrow))
        self.query_one("#counts-box", Static).update(self._counts_text(s, narrow))
        self.query_one("#checklist-box", Static).update(self._checklist_text(s))
        if s.day:
            self.app.sub_title = f"ОО {s.day.oo} · {s.day.date:%d.%m.%Y}"

    @staticmethod
    def _day_text(s: DaySummary, narrow: bool = False) -> str:
        if s.day is None:
            return ("[b]Экзаменационный день не задан[/b]\n"
                    "Enter — загрузить список участников\n(файл B2P из РЦОИ или CSV)")
        d = s.day
        name = escape(d.oo_name or f"ОО {d.oo}")
        return (f"[b]{name}[/b]\n"
                f"Дата: [b]{d.date:%d.%m.%Y}[/b] ({d.kind.label})\n"
                f"Регион {d.region} · МСУ {d.msu} · ОО {d.oo}")

    @staticmethod
    def _counts_text(s: DaySummary, narrow: bool = False) -> str:
        if narrow:  # two lines of 38 columns: the menu below must fit at 80×25
            return (f"Участников [b]{s.total}[/b] · не явились {s.absent} · ОВЗ {s.ovz}\n"
                    f"Протоколов [b]{s.protocols}[/b]: зачёт {s.passed}, незачёт {s.failed}")
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
            self.say("Сначала загрузите список участников.", "warning")
            return

        def done(saved) -> None:
            if saved is not None:
                self.say("Наименование и адрес школы сохранены.", "ok")
                self.refresh_summary()

        self.app.push_screen(SchoolModal(day.oo_name, day.oo_address, day.region_name,
                                         apply=lambda result: set_school(self.app.store, **result)),
                             done)

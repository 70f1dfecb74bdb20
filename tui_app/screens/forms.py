"""F6 «Бланки и акты»: choose a form, a room or a participant, blank or filled; the PDF is
built in a worker thread with a progress bar; the screen says where the file is."""
from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Label, OptionList, ProgressBar
from textual.widgets.option_list import Option

from ..services.forms import FORMS, build_form
from ..widgets.status_line import StatusLine
from ..widgets.toggles import Check
from .jobs import JobScreen
from .printing import PRINT_BINDINGS, PrintMixin


class FormsScreen(PrintMixin, JobScreen):
    HELP_TITLE = "Бланки и акты (F6)"
    HELP = """\
**Бланки и акты** — печать форм в PDF (файлы в папке **forms/** рабочей папки).

1. Стрелками выберите форму в списке слева.
2. **Tab** — поле «Аудитория» (пусто — все аудитории), затем «Участник» (код участника
   или фамилия; пусто — все), затем «Пустой бланк» (**Пробел** — включить).
3. **F5** или **Enter** в списке форм — создать PDF. Полоса показывает ход работы,
   внизу — где лежит файл.

- **ИС-01** — список участников с отметкой «Н»; **ИС-02** — ведомость каждой аудитории;
  **ИС-03** — протоколы эксперта: пустые (с ФИО, классом и аудиторией) или заполненные
  по внесённым баллам; **ИС-04** — специализированная форма; **ИС-08 / ИС-09** — акты;
  **заявление** — заявление участника (Приложение 1), заполненное по списку.
- **F3** — составить акт ИС-08 / ИС-09 на участника.
- **F4** — напечатать созданный PDF на принтере по умолчанию (спросит число копий).
  «Сохранён» — PDF в папке forms/, «напечатан» — отправлен на принтер.

Имена файлов латиницей: IS-03_470123_20270210_room101_blank.pdf — их примет любая флешка.
"""
    BINDINGS = JobScreen.BINDINGS + [
        Binding("f5", "build", "Создать PDF", id="build"),
        Binding("f3", "acts", "Акты ИС-08/09", id="acts"),
        *PRINT_BINDINGS,
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="forms-body"):
            yield OptionList(*[Option(f"{code}  {title}", id=code) for code, title in FORMS.items()],
                             id="forms-list")
            with Vertical(id="forms-side"):
                yield Label("Аудитория (пусто — все):")
                yield Input(placeholder="например, 101", id="forms-room")
                yield Label("Участник (код; пусто — все):")
                yield Input(placeholder="например, 100037", id="forms-participant")
                yield Check("Пустой бланк", id="forms-blank")
        yield ProgressBar(total=1, show_eta=False, id="forms-progress")
        yield StatusLine("Выберите форму и нажмите F5.", id="forms-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#forms-list", OptionList).focus()
        self.query_one("#forms-list", OptionList).highlighted = 0
        self.built: list[Path] = []

    def printable(self) -> list[Path]:
        return [p for p in self.built if p.exists()]

    def print_said(self, text: str, ok: bool) -> None:
        self.say(text, "ok" if ok else "error")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_build()

    def action_acts(self) -> None:
        self.app.open_screen("acts")

    def action_build(self) -> None:
        lst = self.query_one("#forms-list", OptionList)
        if lst.highlighted is None:
            self.say("Выберите форму в списке.", "warning")
            return
        form = lst.get_option_at_index(lst.highlighted).id
        room = self.query_one("#forms-room", Input).value.strip() or None
        who = self.query_one("#forms-participant", Input).value.strip() or None
        blank = self.query_one("#forms-blank", Check).value
        store = self.app.store
        self.run_job(lambda job: build_form(store, form, room=room, participant=who, blank=blank,
                                            progress=job.progress),
                     busy=f"создаётся {form}", done=self._built, bar="#forms-progress")

    def _built(self, paths: list[Path]) -> str:
        if not paths:
            return ""
        self.built = list(paths)
        names = ", ".join(p.name for p in paths)
        return f"Готово, PDF сохранён. Файл: {names}\nПапка: {paths[0].parent} · F4 — напечатать"

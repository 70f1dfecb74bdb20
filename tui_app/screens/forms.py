"""F6 «Бланки и акты»: choose a form, a room or a participant, blank or filled; the PDF is
built in a worker thread with a progress bar; the screen says where the file is."""
from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Footer, Header, Input, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from ..errors import ShtabError, user_message
from ..services.forms import FORMS, build_form
from .base import BaseScreen
from .printing import PRINT_BINDINGS, PrintMixin


class FormsScreen(PrintMixin, BaseScreen):
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
    BINDINGS = BaseScreen.BINDINGS + [
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
                yield Checkbox("Пустой бланк", id="forms-blank")
        yield ProgressBar(total=1, show_eta=False, id="forms-progress")
        yield Static("Выберите форму и нажмите F5.", id="forms-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#forms-list", OptionList).focus()
        self.query_one("#forms-list", OptionList).highlighted = 0
        self._busy = False
        self.built: list[Path] = []

    def printable(self) -> list[Path]:
        return [p for p in self.built if p.exists()]

    def print_said(self, text: str, ok: bool) -> None:
        self._status(text if ok else f"[red]{text}[/red]")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_build()

    def action_acts(self) -> None:
        self.app.open_screen("acts")

    def _status(self, text: str) -> None:
        self.query_one("#forms-status", Static).update(text)

    def action_build(self) -> None:
        if self._busy:
            self._status("Подождите: PDF ещё создаётся.")
            return
        lst = self.query_one("#forms-list", OptionList)
        if lst.highlighted is None:
            self._status("Выберите форму в списке.")
            return
        form = lst.get_option_at_index(lst.highlighted).id
        room = self.query_one("#forms-room", Input).value.strip()
        who = self.query_one("#forms-participant", Input).value.strip()
        blank = self.query_one("#forms-blank", Checkbox).value
        self._busy = True
        bar = self.query_one("#forms-progress", ProgressBar)
        bar.update(total=1, progress=0)
        self._status(f"Создаётся {form}…")
        self._run(form, room, who, blank)

    @work(thread=True, exclusive=True, group="forms")
    def _run(self, form: str, room: str, who: str, blank: bool) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, done, total)

        try:
            paths = build_form(self.app.store, form, room=room or None, participant=who or None,
                               blank=blank, progress=progress)
        except (ShtabError, OSError) as e:  # a viewer holding the PDF: «закройте файл…»
            self.app.call_from_thread(self._done, None, user_message(e))
        else:
            self.app.call_from_thread(self._done, paths, "")

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#forms-progress", ProgressBar).update(total=max(total, 1), progress=done)

    def _done(self, paths: list[Path] | None, error: str) -> None:
        self._busy = False
        bar = self.query_one("#forms-progress", ProgressBar)
        if error or not paths:
            bar.update(total=1, progress=0)
            self._status(f"[red]Ошибка:[/red] {error}")
            return
        bar.update(total=1, progress=1)
        self.built = list(paths)
        folder = paths[0].parent
        names = ", ".join(p.name for p in paths)
        self._status(f"[green]Готово, PDF сохранён.[/green] Файл: [b]{names}[/b]\nПапка: {folder}"
                     " · F4 — напечатать")
        self.app.notify(f"PDF создан: {names}", timeout=4)

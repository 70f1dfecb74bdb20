"""«Загрузка и выгрузка B2P»: load the roster (B2P or CSV), check and export the results file."""
from __future__ import annotations

import threading
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from ..notes import Level, Note
from ..services import jobs
from ..services.candidates import candidate_files
from ..services.export_results import ExportRefused
from ..services.import_roster import ImportRefused
from ..widgets.status_line import StatusLine
from .dialogs import Confirm
from .jobs import JobScreen


class ExchangeScreen(JobScreen):
    HELP_TITLE = "Загрузка и выгрузка B2P"
    HELP = """\
**Загрузка списка участников и выгрузка результатов.**

*Загрузка.* Выберите файл в списке (стрелки, Enter) или введите путь и нажмите **F5**.
Подходит файл B2P, присланный РЦОИ (статус 10), наш сохранённый файл результатов
(12/13/19 — работа продолжится с ним) или список из Excel в CSV. Для CSV, пока
экзаменационный день не заведён, заполните регион, код МСУ, код ОО и дату.
Файл загружается **целиком или не загружается вовсе**: при ошибке показано, в какой
строке и что не так, а рабочая папка не меняется. Повторная загрузка исправленного
списка добавит новых участников и никогда не затрёт введённые баллы.

*Выгрузка.* **F6** — проверить и выгрузить файл результатов (статус 19). Если проверка
нашла ошибки, файл не пишется, а ошибки показаны списком (исправьте их в разделе
«Проверка», F8 на главном экране). **F7** — выгрузить с ошибками (статус 13), после
подтверждения: РЦОИ не примет такой файл без вопросов.

Большой файл читается в отдельном процессе: экран отвечает на клавиши, а **Esc**
во время загрузки или выгрузки отменяет её — рабочая папка остаётся прежней. **F10**
во время работы отменяет её и закрывает программу.
"""
    BINDINGS = JobScreen.BINDINGS + [
        Binding("f5", "import_file", "Загрузить", id="exchange-import"),
        Binding("f6", "export", "Выгрузить", id="exchange-export"),
        Binding("f7", "export_forced", "С ошибками (13)", id="exchange-export-forced"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()  # Esc, F10, leaving: the running import/export stops

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="exchange-body"):
            yield Static("Файлы на флешке, в текущей и домашней папке (Enter — выбрать):",
                         classes="exchange-label")
            yield OptionList(id="exchange-files")
            yield Input(placeholder="путь к файлу .b2p или .csv", id="exchange-path")
            with Horizontal(id="exchange-codes"):
                yield Input(placeholder="регион", id="exchange-region", max_length=2)
                yield Input(placeholder="МСУ", id="exchange-msu", max_length=3)
                yield Input(placeholder="код ОО", id="exchange-oo", max_length=6)
                yield Input(placeholder="дата ГГГГ-ММ-ДД", id="exchange-date", max_length=10)
            yield ProgressBar(total=100, show_eta=False, id="exchange-bar")
            yield StatusLine(id="exchange-result")
        yield Footer()

    def on_mount(self) -> None:
        files = candidate_files(extra=[self.app.store.root / "export"])
        box = self.query_one("#exchange-files", OptionList)
        for f in files:
            box.add_option(Option(str(f), id=str(f)))
        has_day = self.app.store.exam_day() is not None
        self.query_one("#exchange-codes").display = not has_day
        (box if files else self.query_one("#exchange-path", Input)).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        path = self.query_one("#exchange-path", Input)
        path.value = str(event.option.id)
        path.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_import_file()

    def _new_cancel(self) -> threading.Event:
        self._cancel = threading.Event()
        return self._cancel

    def action_back(self) -> None:
        """Esc: while a file is being read or written, cancel it (nothing is written); the
        job then ends with «отменена» on the status line."""
        if self.busy:
            self._cancel.set()
            self.say("Отмена…", Level.WARNING)
            return
        super().action_back()

    def guard_leave(self, then) -> None:
        """F10 while busy: the import or export is cancelled and the program ends (the
        workspace is as it was: the plan is written only after the worker is done)."""
        if self.busy:
            self._cancel.set()
            then()
            return
        super().guard_leave(then)

    def on_unmount(self) -> None:
        self._cancel.set()  # leaving (F10 too) stops a worker process at once
        super().on_unmount()

    # -- import ----------------------------------------------------------
    def action_import_file(self) -> None:
        raw = self.query_one("#exchange-path", Input).value.strip().strip('"')
        if not raw:
            self.say("Укажите файл: выберите в списке или введите путь.", "error")
            return
        codes = {k: self.query_one(f"#exchange-{k}", Input).value.strip() or None
                 for k in ("region", "msu", "oo", "date")}
        store, path = self.app.store, Path(raw).expanduser()
        codes = {"region": codes["region"], "msu": codes["msu"], "oo": codes["oo"],
                 "exam_date": codes["date"]}
        cancel = self._new_cancel()
        self.run_job(lambda job: jobs.import_file(store, path, codes=codes, progress=job.progress,
                                                  cancel=cancel),
                     busy=f"загрузка {raw} (Esc — отменить)", done=self._imported,
                     failed=self._not_imported, bar="#exchange-bar")

    def _imported(self, summary) -> str:
        self.query_one("#exchange-codes").display = self.app.store.exam_day() is None
        return "\n".join(summary.lines())

    @staticmethod
    def _not_imported(e: BaseException, message: str) -> "str | Note":
        if isinstance(e, jobs.Cancelled):  # what the user asked for: said, not alarmed
            return Note(Level.INFO, "Загрузка отменена: рабочая папка не изменилась.")
        if isinstance(e, ImportRefused):
            more = e.more_text(15)
            return "\n".join([f"Файл НЕ загружен, рабочая папка не изменилась (ошибок: "
                              f"{e.count_text}):", *e.problems[:15], *([more] if more else [])])
        return f"Файл не прочитан: {message}"

    # -- export ----------------------------------------------------------
    def action_export(self) -> None:
        self._start_export(force=False)

    def action_export_forced(self) -> None:
        def answer(yes: bool | None) -> None:
            if yes:
                self._start_export(force=True)

        self.app.push_screen(Confirm(
            "Выгрузить с ошибками? Файл получит статус 13 («сохранён с ошибками»): РЦОИ не "
            "примет его без вопросов.", "Enter — выгрузить со статусом 13", "Esc — отмена"), answer)

    def _start_export(self, force: bool) -> None:
        from ..services.export_results import row_counts

        store = self.app.store
        cancel = self._new_cancel()
        if self.run_job(lambda job: jobs.export_results(store, force=force, progress=job.progress,
                                                        cancel=cancel),
                        busy="проверка и выгрузка (Esc — отменить)", done=self._exported,
                        failed=self._not_exported, bar="#exchange-bar"):
            self.say("Проверка и выгрузка… " + row_counts(store).line())  # the counts first

    def _exported(self, result) -> Note:
        return Note(Level.OK if result.clean else Level.WARNING, "\n".join(result.lines()))

    @staticmethod
    def _not_exported(e: BaseException, message: str) -> "str | Note":
        if isinstance(e, jobs.Cancelled):
            return Note(Level.INFO, "Выгрузка отменена: файл не записан.")
        if not isinstance(e, ExportRefused):
            return f"Файл не записан: {message}"
        lines = [f"Файл НЕ выгружен: {e}"]
        lines += [p.message for p in e.problems[:15]]
        if len(e.problems) > 15:
            lines.append(f"… и ещё {len(e.problems) - 15}. Весь список — «Проверка» (F8).")
        return "\n".join(lines)

"""«Загрузка и выгрузка B2P»: load the roster (B2P or CSV), check and export the results file."""
from __future__ import annotations

import threading
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from ..errors import ShtabError, user_message
from ..services import jobs
from ..services.candidates import candidate_files
from ..services.export_results import ExportRefused
from ..services.import_roster import ImportRefused
from .base import BaseScreen


class ExchangeScreen(BaseScreen):
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
«Проверка», F8 на главном экране). **F7** дважды — выгрузить с ошибками (статус 13):
РЦОИ не примет такой файл без вопросов.

Большой файл читается в отдельном процессе: экран отвечает на клавиши, а **Esc**
во время загрузки или выгрузки отменяет её — рабочая папка остаётся прежней.
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("f5", "import_file", "Загрузить", id="exchange-import"),
        Binding("f6", "export", "Выгрузить", id="exchange-export"),
        Binding("f7", "export_forced", "С ошибками (13)", id="exchange-export-forced"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._busy = False
        self._force_armed = False
        self._cancel = threading.Event()

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
            yield Static("", id="exchange-result")
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

    def _say(self, lines: list[str], error: bool = False) -> None:
        text = "\n".join(lines)
        self.query_one("#exchange-result", Static).update(f"[red]{text}[/red]" if error else text)

    def _progress(self, fraction: float) -> None:
        self.app.call_from_thread(self.query_one("#exchange-bar", ProgressBar).update,
                                  progress=round(fraction * 100))

    def _start(self, text: str) -> None:
        self._busy = True
        self._cancel = threading.Event()
        self._say([text, "Esc — отменить."])

    def action_back(self) -> None:
        """Esc: while a file is being read or written, cancel it (nothing is written)."""
        if self._busy:
            self._cancel.set()
            self._say(["Отмена …"])
            return
        super().action_back()

    def on_unmount(self) -> None:
        self._cancel.set()  # leaving (F10 too) stops a worker process at once

    # -- import ----------------------------------------------------------
    def action_import_file(self) -> None:
        if self._busy:
            return
        raw = self.query_one("#exchange-path", Input).value.strip().strip('"')
        if not raw:
            self._say(["Укажите файл: выберите в списке или введите путь."], error=True)
            return
        codes = {k: self.query_one(f"#exchange-{k}", Input).value.strip() or None
                 for k in ("region", "msu", "oo", "date")}
        self._start(f"Загрузка {raw} …")
        self._run_import(Path(raw).expanduser(), codes, self._cancel)

    @work(thread=True, exclusive=True, group="exchange")
    def _run_import(self, path: Path, codes: dict, cancel: threading.Event) -> None:
        codes = {"region": codes["region"], "msu": codes["msu"], "oo": codes["oo"],
                 "exam_date": codes["date"]}
        try:
            summary = jobs.import_file(self.app.store, path, codes=codes, progress=self._progress,
                                       cancel=cancel)
        except ImportRefused as e:
            self.app.call_from_thread(self._done, ["Файл НЕ загружен, рабочая папка не изменилась:",
                                                   *e.problems[:15]], True)
            return
        except jobs.Cancelled:
            self.app.call_from_thread(self._done, ["Загрузка отменена: рабочая папка не изменилась."],
                                      True)
            return
        except (ShtabError, OSError) as e:
            self.app.call_from_thread(self._done, [f"Файл не прочитан: {user_message(e)}"], True)
            return
        self.app.call_from_thread(self._done, summary.lines(), False)

    def _done(self, lines: list[str], error: bool) -> None:
        self._busy = False
        if not error:
            self.query_one("#exchange-codes").display = self.app.store.exam_day() is None
        self._say(lines, error)

    # -- export ----------------------------------------------------------
    def action_export(self) -> None:
        self._force_armed = False
        self._start_export(force=False)

    def action_export_forced(self) -> None:
        if not self._force_armed:
            self._force_armed = True
            self._say(["Выгрузка с ошибками запишет статус 13 («сохранён с ошибками»).",
                       "Нажмите F7 ещё раз, чтобы подтвердить, или F6 — обычная выгрузка."], error=True)
            return
        self._force_armed = False
        self._start_export(force=True)

    def _start_export(self, force: bool) -> None:
        if self._busy:
            return
        from ..services.export_results import row_counts

        self._start("Проверка и выгрузка …")
        self._say(["Проверка и выгрузка …", row_counts(self.app.store).line(), "Esc — отменить."])
        self._run_export(force, self._cancel)

    @work(thread=True, exclusive=True, group="exchange")
    def _run_export(self, force: bool, cancel: threading.Event) -> None:
        try:
            result = jobs.export_results(self.app.store, force=force, progress=self._progress,
                                         cancel=cancel)
        except ExportRefused as e:
            lines = [f"Файл НЕ выгружен: {e}"]
            lines += [p.message for p in e.problems[:15]]
            if len(e.problems) > 15:
                lines.append(f"… и ещё {len(e.problems) - 15}. Весь список — «Проверка» (F8).")
            self.app.call_from_thread(self._done, lines, True)
            return
        except jobs.Cancelled:
            self.app.call_from_thread(self._done, ["Выгрузка отменена: файл не записан."], True)
            return
        except (ShtabError, OSError) as e:
            self.app.call_from_thread(self._done, [f"Файл не записан: {user_message(e)}"], True)
            return
        self.app.call_from_thread(self._done, result.lines(), not result.clean)


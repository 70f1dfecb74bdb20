"""Загрузка записей с диктофона, телефона, другого компьютера (F7 → F9).

The folder (a stick) is scanned in a worker thread; the table shows each file with the room
and start the program guessed and its verdict; F3/F4 correct the room/start of the selected
file (a wrong clock), F5 imports the ready ones (worker thread)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static

from ..notes import Level, Note
from ..services import audio_import as imp
from ..widgets.status_line import StatusLine
from .dialogs import TextPrompt
from .jobs import JobScreen


class AudioImportScreen(JobScreen):
    HELP_TITLE = "Загрузка записей"
    HELP = """\
**Записи с диктофона, телефона, другого компьютера**

Введите папку или флешку и нажмите **Enter**: программа найдёт звуковые файлы (и в скрытых
папках телефона), угадает аудиторию и время начала, проверит длительность и речь по времени
ответов в ИС-02. Тишина и нечитаемые файлы отклоняются с причиной.

**F3** — аудитория выбранного файла, **F4** — время начала (если часы устройства сбиты, оно
подобрано по ответам в ИС-02 — проверьте). **F5** — загрузить готовые: копия в формате
программы с именем по правилу (дата, ОО, аудитория) и оригинал без изменений рядом.
"""
    BINDINGS = [
        Binding("f3", "room", "Аудитория", id="import-room"),
        Binding("f4", "start", "Начало", id="import-start"),
        Binding("f5", "load", "Загрузить", id="import-load"),
    ]

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.path = path
        self.found: list[imp.Candidate] = []
        self.last_result: Optional[tuple] = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(value=self.path, placeholder="папка или флешка, например E:\\ или /media/usb",
                    id="import-path")
        yield DataTable(id="import-files", cursor_type="row", zebra_stripes=True)
        yield Static(id="import-note")
        yield Static(id="import-detail")
        yield StatusLine(id="import-msg", collapse=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        t = self.query_one("#import-files", DataTable)
        t.add_columns("Файл", "Ауд.", "Начало", "Длит.", "Итог")
        self._note("Введите папку и нажмите Enter.")
        self.query_one(Input).focus()

    def _note(self, text: str) -> None:
        self.query_one("#import-note", Static).update(text)

    # -- scanning ---------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.still_busy():
            return
        store, path = self.app.store, Path(event.value.strip())
        self._note("Поиск и проверка файлов…")
        self.run_job(lambda job: imp.scan(store, path, progress=lambda i, n, name:
                                          job.on_ui(self._note, f"Проверка {i + 1} из {n}: {name}")),
                     busy="идёт поиск и проверка файлов", done=self._scanned, failed=self._failed)

    def _failed(self, e: BaseException, message: str) -> str:
        self._note("")
        return message

    def _scanned(self, found: list[imp.Candidate]) -> None:
        self.found = found
        self._fill()
        t = self.query_one("#import-files", DataTable)
        t.focus()

    def _fill(self) -> None:
        t = self.query_one("#import-files", DataTable)
        keep = t.cursor_row
        t.clear()
        for i, c in enumerate(self.found):
            secs = int(c.seconds)
            t.add_row(c.rel[-28:], c.room or "?", f"{c.start:%d.%m %H:%M:%S}" if c.start else "?",
                      f"{secs // 60}:{secs % 60:02d}", c.verdict[:40], key=str(i))
        if self.found:
            t.move_cursor(row=min(max(keep, 0), len(self.found) - 1))
        ready = sum(c.ready for c in self.found)
        self._note(f"Готово к загрузке: {ready} из {len(self.found)}. F5 — загрузить.")
        self._detail()

    def _detail(self) -> None:
        """Why the selected file got its verdict and where its start came from."""
        c = self._selected(quiet=True)
        lines = [] if c is None else ([c.refused] if c.refused else [*c.warnings])
        if c is not None and c.start_why:
            lines.append(f"начало — {c.start_why}")
        self.query_one("#import-detail", Static).update("\n".join(lines[:3]))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _selected(self, quiet: bool = False) -> Optional[imp.Candidate]:
        t = self.query_one("#import-files", DataTable)
        if not self.found or t.row_count == 0:
            if not quiet:
                self.say("Сначала найдите файлы: введите папку и нажмите Enter.", "warning")
            return None
        return self.found[t.cursor_row]

    # -- corrections ----------------------------------------------------------------------------
    def action_room(self) -> None:
        c = self._selected()
        if c is None or c.refused:
            return

        def done(value: Optional[str]) -> None:
            if value and self.attempt(imp.set_room, self.app.store, c, value)[0]:
                self._fill()

        self.app.push_screen(TextPrompt(f"Аудитория файла «{c.path.name}»:", c.room), done)

    def action_start(self) -> None:
        c = self._selected()
        if c is None or c.refused:
            return

        def done(value: Optional[str]) -> None:
            if not value:
                return
            store = self.app.store
            if self.attempt(lambda: imp.set_start(store, c, imp.parse_start(value, imp.exam_day(store))))[0]:
                self._fill()

        now = f"{c.start:%H:%M:%S}" if c.start else ""
        self.app.push_screen(TextPrompt(f"Время начала записи «{c.path.name}» (ЧЧ:ММ:СС):", now), done)

    # -- import -----------------------------------------------------------------------------------
    def action_load(self) -> None:
        if self.still_busy():
            return
        if not any(c.ready for c in self.found):
            self.say("Нет файлов, готовых к загрузке.", "warning")
            return
        store, found = self.app.store, list(self.found)
        self._note("Загрузка…")
        # files only in the thread (import_one writes no store records)
        self.run_job(lambda job: imp.import_files(store, found), busy="идёт загрузка",
                     done=lambda res: self._loaded(*res))

    def _loaded(self, done, problems: list[str]) -> Note:
        imported = {id(d.candidate) for d in done}
        self.found = [c for c in self.found if id(c) not in imported]
        self._fill()
        names = ", ".join(d.path.name for d in done[:3]) + (" …" if len(done) > 3 else "")
        self._note(f"Загружено файлов: {len(done)}. {names}"
                   + ("\n[b red]" + "\n".join(problems[:3]) + "[/b red]" if problems else ""))
        self.last_result = (done, problems)
        return Note(Level.WARNING if problems else Level.OK, f"Загружено файлов: {len(done)}")

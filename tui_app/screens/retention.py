"""«Хранение и уничтожение»: materials, keep-until dates, destruction by act."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Input

from ..services import retention as retention_service
from ..services.handoff import format_size
from ..widgets.status_line import StatusLine
from .base import BaseScreen
from .dialogs import Confirm


class RetentionScreen(BaseScreen):
    HELP_TITLE = "Хранение и уничтожение"
    HELP = """\
**Хранение материалов** (п. 13 Порядка):

- аудиозаписи, списки, протоколы, ведомости, файл B2P, письменные работы — **до 1 марта**
  года, следующего за годом экзамена;
- КИМ и прочие материалы (в т. ч. акты ИС-08, ИС-09) — **месяц** после экзамена.

Когда срок наступил, строка помечена «пора уничтожить», а на главном экране — напоминание.

Впишите членов комиссии (через запятую) и руководителя ОО, затем **F8** — уничтожить
по акту: сначала сохраняется акт (PDF в папке retention), затем удаляются файлы.
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("f8", "destroy", "Уничтожить по акту", id="retention-destroy",
                tooltip="сохранить акт об уничтожении (PDF) и удалить материалы, срок которых истёк"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="retention-body"):
            yield DataTable(id="retention-table", cursor_type="row", zebra_stripes=True)
            yield Input(placeholder="члены комиссии через запятую: Петрова А. А., Сидоров Б. Б.",
                        id="retention-members")
            yield Input(placeholder="руководитель ОО (ФИО)", id="retention-head")
            yield StatusLine(id="retention-result")
        yield Footer()

    def on_mount(self) -> None:
        t = self.query_one(DataTable)
        t.add_columns("Материалы", "Хранить до", "Статус", "Файлы")
        self.refresh_rows()
        t.focus()

    def refresh_rows(self) -> None:
        today = retention_service.today()
        rows = retention_service.status(self.app.store, today)
        t = self.query_one(DataTable)
        t.clear()
        for r in rows:
            st = "[red]пора уничтожить[/red]" if r.due else "хранить"
            files = f"{len(r.files)} · {format_size(r.bytes)}" if r.files else "—"
            t.add_row(r.material.label, f"{r.keep_until:%d.%m.%Y}", st, files)
        if not rows and self.app.store.exam_day() is None:
            self.say("Экзаменационный день не задан: сроки считать не от чего.", "warning")
        self._due = [r for r in rows if r.due]

    def action_destroy(self) -> None:
        if not self._due:
            self.say("Сегодня уничтожать нечего: сроки хранения не истекли.")
            return
        members = [m.strip() for m in self.query_one("#retention-members", Input).value.split(",")
                   if m.strip()]
        if not members:
            self.say("Впишите членов комиссии (через запятую) — они будут в акте.", "error")
            self.query_one("#retention-members", Input).focus()
            return
        nfiles = sum(len(r.files) for r in self._due)
        names = ", ".join(r.material.label for r in self._due)
        text = (f"[b]Уничтожить по акту?[/b]\n{names}.\nБудет удалено файлов: {nfiles}. "
                "Отменить это нельзя.")

        def go(yes: bool | None) -> None:
            if not yes:
                return
            head = self.query_one("#retention-head", Input).value.strip()
            ok, res = self.attempt(retention_service.destroy, self.app.store,
                                   retention_service.today(), members, head)
            if not ok:
                return
            msg = (f"Акт: {res.act.name}. Удалено файлов: {res.files_removed} "
                   f"({format_size(res.bytes_removed)}).")
            if res.failed:
                msg += f"\nНе удалось удалить: {', '.join(res.failed)}"
            self.say(msg, "warning" if res.failed else "ok")
            self.refresh_rows()

        self.app.push_screen(Confirm(text, "Enter — уничтожить", "Esc — отмена"), go)

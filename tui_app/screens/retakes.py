"""«Пересдачи»: who may sit the additional date, documents of valid reasons, the next roster."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Static

from ..domain.ordering import name_key
from ..services import retakes as retakes_service
from ..widgets.status_line import StatusLine
from .base import BaseScreen
from .dialogs import TextPrompt


class RetakesScreen(BaseScreen):
    HELP_TITLE = "Пересдачи"
    HELP = """\
**Пересдачи** — кто допускается к дополнительному сроку (п. 15 Порядка):

- «незачёт» — не более **двух** пересдач в учебном году;
- удалённые за нарушение (акт ИС-09);
- не явившиеся по уважительной причине, **подтверждённой документом**;
- не завершившие по уважительной причине (акт ИС-08 или документ).

Стрелками выберите участника. **F2** — внести документ уважительной причины
(например, «справка о болезни № 7 от 10.02.2027»).
**F8** — сохранить список на ближайший дополнительный срок (CSV в папке retakes
рабочей папки; GUID участников сохраняются).
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("f2", "document", "Документ", id="retakes-document"),
        Binding("f8", "save_csv", "Список CSV", id="retakes-csv"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="retakes-body"):
            yield Static(id="retakes-summary")
            yield DataTable(id="retakes-table", cursor_type="row", zebra_stripes=True)
            yield StatusLine(id="retakes-result")
        yield Footer()

    def on_mount(self) -> None:
        t = self.query_one(DataTable)
        t.add_columns("ФИО", "Кл.", "Допуск", "Основание / примечание")
        self.refresh_rows()
        t.focus()

    def refresh_rows(self) -> None:
        store = self.app.store
        rows = [r for r in retakes_service.verdicts(store) if r.verdict.ground is not None]
        rows.sort(key=lambda r: (not r.verdict.eligible, *name_key(r.participant)))
        t = self.query_one(DataTable)
        t.clear()
        for r in rows:
            v = r.verdict
            t.add_row(r.participant.short_fio, r.participant.grade,
                      "[green]да[/green]" if v.eligible else "[red]нет[/red]", v.note,
                      key=r.participant.guid)
        ok = sum(r.verdict.eligible for r in rows)
        try:
            nd = retakes_service.next_day(store).date
            when = f"ближайший дополнительный срок: [b]{nd:%d.%m.%Y}[/b]"
        except retakes_service.RetakeError as e:
            when = str(e)
        self.query_one("#retakes-summary", Static).update(
            f"Допущены: [b]{ok}[/b] · требуют решения: {len(rows) - ok} · {when}")

    def _selected_guid(self) -> str | None:
        t = self.query_one(DataTable)
        if t.row_count == 0:
            return None
        return t.coordinate_to_cell_key(t.cursor_coordinate).row_key.value

    def action_document(self) -> None:
        guid = self._selected_guid()
        if guid is None:
            return
        p = self.app.store.participant(guid)

        def save(text: str | None) -> None:
            if not text:
                return
            if not self.attempt(retakes_service.record_document, self.app.store, guid, text)[0]:
                return
            self.say(f"Документ внесён: {p.short_fio}", "ok")
            self.refresh_rows()

        self.app.push_screen(TextPrompt(f"Документ уважительной причины — {p.short_fio}:",
                                        placeholder="справка о болезни № … от ДД.ММ.ГГГГ"), save)

    def action_save_csv(self) -> None:
        store = self.app.store
        folder = store.root / "retakes"

        def write():
            folder.mkdir(exist_ok=True)
            day = retakes_service.next_day(store)
            path = folder / f"retakes_{day.date:%Y-%m-%d}.csv"
            return day, path, retakes_service.write_roster_csv(store, path, day.date)[1]

        ok, out = self.attempt(write)
        if ok:
            day, path, n = out
            self.say(f"Список на {day.date:%d.%m.%Y}: {n} участников → {path}", "ok")

"""F5: the specialized form ИС-04 — the whole table, one row per participant."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from ..services import form04
from ..services.data import scheme_for
from ..widgets.line_table import Column, LineTable
from .base import BaseScreen

NAME_WIDTH = 22
FROZEN = 3  # Ауд., №, ФИО stay on screen while the criteria scroll (80 columns show ~10)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class Form04Screen(BaseScreen):
    HELP_TITLE = "Форма ИС-04"
    HELP = """\
**Специализированная форма ИС-04** — все протоколы одной таблицей: коды участника,
аудитория или «Н», вариант, баллы по 13 критериям (× — критерий не оценивается для
категории участника с ОВЗ), промежуточные итоги D1–D3, итог, результат, эксперт, отметки.

- **Enter** — открыть протокол участника в строке (ввод или исправление)
- **F3** — порядок строк: по аудитории и № в списке → по фамилии → по классу
- **стрелки, PgUp/PgDn** — по таблице; аудитория, № и ФИО всегда на экране
- **Ctrl+→ / Ctrl+←** — следующие / предыдущие столбцы, **Home / End** — к первым / последним
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("f3", "sort", "Порядок", id="sort"),
        Binding("enter", "open", "Протокол", id="open", show=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "room"
        self.rows: list[form04.Form04Row] = []

    @property
    def row_keys(self) -> list[str]:
        """The participant of each row, in the order shown."""
        return [r.participant.guid for r in self.rows]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="f04-info")
        yield LineTable(cells=self._cells, key=lambda r: r.participant.guid, frozen=FROZEN,
                        id="f04-table")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Форма ИС-04"
        self._graded_codes()
        self.refill()
        self.query_one(LineTable).focus()

    def on_screen_resume(self) -> None:
        self.refill()

    def _graded_codes(self) -> None:
        sch = scheme_for(self.app.store)
        self._criteria = [c.code for c in sch.criteria]
        self._subtotals = [s.code for s in sch.subtotals]

    def _columns(self, rows: list[form04.Form04Row]) -> list[Column]:
        """Each column as wide as its widest value (known without formatting every row)."""
        people = [r.participant for r in rows]

        def widest(label: str, values, cap: int = 40) -> int:
            return min(cap, max([len(label), *map(len, values)]))

        marks = {r.mark for r in rows}
        experts = {r.protocol.expert for r in rows if r.protocol is not None}
        variants = {r.protocol.variant for r in rows if r.protocol is not None}
        return [
            Column("room", "Ауд.", widest("Ауд.", {r.room_mark for r in rows})),
            Column("no", "№", widest("№", {str(p.order or "") for p in people})),
            Column("fio", "ФИО", widest("ФИО", {_clip(p.short_fio, NAME_WIDTH) for p in people})),
            Column("grade", "Кл.", widest("Кл.", {p.grade for p in people})),
            Column("code", "Код", widest("Код", {p.code for p in people})),
            Column("variant", "Вар.", widest("Вар.", variants)),
            *[Column(c, c, max(len(c), 1)) for c in self._criteria],
            *[Column(s, s, max(len(s), 2)) for s in self._subtotals],
            Column("total", "Итог", 4),
            Column("result", "Результат", widest("Результат", {"зачёт", "незачёт"})),
            Column("expert", "Эксперт", widest("Эксперт", experts)),
            Column("mark", "Отметка", widest("Отметка", marks)),
        ]

    def _cells(self, r: form04.Form04Row) -> tuple[str, ...]:
        p, res, proto = r.participant, r.result, r.protocol  # the result: only for rows shown
        graded = res is not None and proto is not None and proto.status.value == "present"
        return (
            r.room_mark, str(p.order or ""), _clip(p.short_fio, NAME_WIDTH), p.grade, p.code,
            proto.variant if proto else "",
            *[r.cell(c) for c in self._criteria],
            *[str(res.subtotals[s]) if graded else "" for s in self._subtotals],
            str(res.total) if graded else "",
            res.result_label if graded and res.passed is not None else "",
            proto.expert if proto else "",
            r.mark,
        )

    def refill(self) -> None:
        store = self.app.store
        t = self.query_one(LineTable)
        rows = form04.rows(store, self.sort)
        passed = sum(1 for r in rows if r.protocol is not None and (res := r.result) and res.passed)
        day = store.exam_day()
        head = f"ОО {day.oo} · МСУ {day.msu} · {day.date:%d.%m.%Y} · " if day else ""
        absent, missing = form04.missing(store)
        self.query_one("#f04-info", Static).update(
            f"{head}строк {len(rows)} (как на бумаге) · зачёт {passed} · «Н» {absent} · "
            f"не внесено {missing} · {form04.SORT_LABELS[self.sort]} (F3)")
        self.rows = rows
        t.set_columns(self._columns(rows))
        t.set_rows(rows)

    def action_sort(self) -> None:
        i = form04.SORTS.index(self.sort)
        self.sort = form04.SORTS[(i + 1) % len(form04.SORTS)]
        self.refill()

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        event.stop()
        self._open(event.row)

    def action_open(self) -> None:
        self._open(self.query_one(LineTable).cursor_row)

    def _open(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        from .entry import EntryScreen

        self.app.push_screen(EntryScreen(participant=self.rows[row].participant.guid))

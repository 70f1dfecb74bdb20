"""F5: the specialized form ИС-04 — the whole table, one row per participant."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from ..services import form04
from ..services.data import scheme_for
from .base import BaseScreen


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
- **стрелки, PgUp/PgDn** — по таблице; столбцы «Ауд.», «№» и «ФИО» стоят на месте, когда
  таблица прокручивается вправо
- **Ctrl+→ / Ctrl+←** — к следующей / предыдущей группе столбцов (код и вариант → баллы →
  итоги → результат и эксперт); **Home / End** — к началу / концу строки
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("f3", "sort", "Порядок", id="sort"),
        Binding("enter", "open", "Протокол", id="open", show=True),
        Binding("ctrl+right", "jump(1)", "Группа →", id="f04-group-next", show=False),
        Binding("ctrl+left", "jump(-1)", "← Группа", id="f04-group-prev", show=False),
    ]
    FROZEN = 3  # Ауд., №, ФИО: the name stays in sight while the scores scroll

    def __init__(self) -> None:
        super().__init__()
        self.sort = "room"
        self.row_keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="f04-info")
        yield DataTable(id="f04-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Форма ИС-04"
        sch = scheme_for(self.app.store)
        t = self.query_one(DataTable)
        t.add_columns("Ауд.", "№", "ФИО", "Кл.", "Код", "Вар.",
                      *[c.code for c in sch.criteria], *[s.code for s in sch.subtotals],
                      "Итог", "Результат", "Эксперт", "Отметка")
        t.fixed_columns = self.FROZEN
        n = len(sch.criteria)
        # the first column of each group beyond the frozen ones: class, scores, subtotals, result
        self.groups = [self.FROZEN, 6, 6 + n, 6 + n + len(sch.subtotals)]
        self.refill()
        t.focus()

    def on_screen_resume(self) -> None:
        self.refill()

    def refill(self) -> None:
        store = self.app.store
        sch = scheme_for(store)
        t = self.query_one(DataTable)
        keep = t.cursor_row
        t.clear()
        rows = form04.rows(store, self.sort)
        self.row_keys = []
        entered = sum(1 for r in rows if r.protocol is not None)
        passed = sum(1 for r in rows if r.result and r.result.passed)
        day = store.exam_day()
        head = f"ОО {day.oo} · МСУ {day.msu} · {day.date:%d.%m.%Y} · " if day else ""
        absent, missing = form04.missing(store)
        self.query_one("#f04-info", Static).update(
            f"{head}строк {len(rows)} (как на бумаге) · зачёт {passed} · «Н» {absent} · "
            f"не внесено {missing} · {form04.SORT_LABELS[self.sort]} (F3)")
        del entered
        for r in rows:
            p = r.participant
            res = r.result
            proto = r.protocol
            graded = res is not None and proto is not None and proto.status.value == "present"
            t.add_row(
                r.room_mark, str(p.order or ""), _clip(p.short_fio, 22), p.grade, p.code,
                proto.variant if proto else "",
                *[r.cell(c.code) for c in sch.criteria],
                *[str(res.subtotals[s.code]) if graded else "" for s in sch.subtotals],
                str(res.total) if graded else "",
                res.result_label if graded and res.passed is not None else "",
                proto.expert if proto else "",
                r.mark,
                key=p.guid,
            )
            self.row_keys.append(p.guid)
        if self.row_keys:
            t.move_cursor(row=min(keep, len(self.row_keys) - 1))

    def _offset(self, t: DataTable, column: int) -> int:
        """How far the table scrolls so that `column` is the first one after the frozen."""
        widths = [c.get_render_width(t) for c in t.ordered_columns]
        return sum(widths[self.FROZEN:column])

    def action_jump(self, step: int) -> None:
        t = self.query_one(DataTable)
        starts = [self._offset(t, g) for g in self.groups]
        x = round(t.scroll_x)
        if step > 0:
            target = next((o for o in starts if o > x), t.max_scroll_x)
        else:
            target = next((o for o in reversed(starts) if o < x), 0)
        t.scroll_to(x=min(target, t.max_scroll_x), animate=False)

    def action_sort(self) -> None:
        i = form04.SORTS.index(self.sort)
        self.sort = form04.SORTS[(i + 1) % len(form04.SORTS)]
        self.refill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(event.cursor_row)

    def action_open(self) -> None:
        self._open(self.query_one(DataTable).cursor_row)

    def _open(self, row: int) -> None:
        if not 0 <= row < len(self.row_keys):
            return
        from .entry import EntryScreen

        self.app.push_screen(EntryScreen(participant=self.row_keys[row]))

"""ИС-02: the room log — start and end times and the marks, per room."""
from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..domain.models import Attendance, ProtocolStatus
from ..services import room_log as rl
from ..services.protocols import ProtocolRejected
from .base import BaseScreen


class RoomLogScreen(BaseScreen):
    HELP_TITLE = "Ведомость ИС-02"
    HELP = """\
**Ведомость учёта ИС-02** по аудитории: время начала и завершения ответа каждого
участника и отметки «не завершил по объективным причинам» / «удалён».

- слева — аудитории (Tab — переход между списком аудиторий и ведомостью)
- **F2** — поставить **текущее время**: в пустое «начало», иначе в «конец» (и сохранить)
- **Enter** — ввести время вручную: ЧЧ:ММ или просто 4 цифры (0915); Enter — дальше,
  Enter в поле «конец» — сохранить
- **F3** — отметка «не завершил по объективным причинам» (ещё раз — снять)
- **F4** — отметка «удалён за нарушение требований» (ещё раз — снять)

Проверяется: конец позже начала, время в пределах экзаменационного дня, время не
пересекается с другим участником этой аудитории. Отметки хранятся в протоколе ИС-03
(одно место для ИС-02, ИС-03, ИС-04 и файла результатов).
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("f2", "now", "Сейчас", id="now"),
        Binding("f3", "mark('early')", "Не завершил", id="early"),
        Binding("f4", "mark('removed')", "Удалён", id="removed"),
    ]

    def __init__(self, room: str | None = None) -> None:
        super().__init__()
        self.room = room or ""
        self.rows: list[rl.LogRow] = []
        self.clock = datetime.now

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="log-body"):
            yield OptionList(id="log-rooms")
            with Vertical():
                yield Static(id="log-info")
                yield DataTable(id="log-table", cursor_type="row", zebra_stripes=True)
                with Horizontal(id="log-edit"):
                    yield Label("Начало ")
                    yield Input(id="log-start", restrict=r"[0-9:]*", max_length=5, placeholder="ЧЧ:ММ")
                    yield Label("  Конец ")
                    yield Input(id="log-end", restrict=r"[0-9:]*", max_length=5, placeholder="ЧЧ:ММ")
                yield Static(id="log-msg")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Ведомость ИС-02"
        rooms = rl.room_numbers(self.app.store)
        ol = self.query_one("#log-rooms", OptionList)
        for r in rooms:
            ol.add_option(Option(f"ауд. {r}", id=r))
        if not self.room and rooms:
            self.room = rooms[0]
        t = self.query_one(DataTable)
        t.add_columns("№", "ФИО", "Кл.", "Начало", "Конец", "Не зав.", "Удалён")
        if self.room in rooms:
            ol.highlighted = rooms.index(self.room)
        self.refill()
        t.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.room:
            self.room = event.option.id
            self.refill(0)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one(DataTable).focus()

    def refill(self, row: int | None = None) -> None:
        store = self.app.store
        t = self.query_one(DataTable)
        keep = t.cursor_row if row is None else row
        t.clear()
        self.rows = rl.rows(store, self.room)
        for r in self.rows:
            p = r.participant
            absent = p.attendance is Attendance.ABSENT
            t.add_row(str(r.no), p.short_fio, p.grade, "Н" if absent else r.start, r.end,
                      "X" if r.status is ProtocolStatus.EARLY else "",
                      "X" if r.status is ProtocolStatus.REMOVED else "", key=p.guid)
        done = sum(1 for r in self.rows if r.end)
        self.query_one("#log-info", Static).update(
            f"[b]Аудитория {self.room}[/b] · участников {len(self.rows)} · время внесено {done}")
        if self.rows:
            t.move_cursor(row=max(0, min(keep, len(self.rows) - 1)))
        self._show_inputs()

    def _current(self) -> rl.LogRow | None:
        t = self.query_one(DataTable)
        return self.rows[t.cursor_row] if 0 <= t.cursor_row < len(self.rows) else None

    def _show_inputs(self) -> None:
        r = self._current()
        self.query_one("#log-start", Input).value = r.start if r else ""
        self.query_one("#log-end", Input).value = r.end if r else ""

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_inputs()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.query_one("#log-start", Input).focus()

    def _msg(self, text: str, kind: str = "") -> None:
        style = {"error": "red", "ok": "green"}.get(kind)
        self.query_one("#log-msg", Static).update(f"[{style}]{text}[/{style}]" if style else text)

    def _save(self, start: str, end: str) -> bool:
        r = self._current()
        if r is None:
            return False
        try:
            rl.set_times(self.app.store, r.participant.guid, start, end)
        except rl.RoomLogRejected as e:
            self.app.bell()
            self._msg(str(e), "error")
            return False
        self._msg(f"Сохранено: {r.participant.short_fio} {start or '—'}–{end or '—'}", "ok")
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "log-start":
            self.query_one("#log-end", Input).focus()
            return
        start = self.query_one("#log-start", Input).value
        end = self.query_one("#log-end", Input).value
        if self._save(start, end):
            t = self.query_one(DataTable)
            self.refill(t.cursor_row + 1)
            t.focus()
        else:
            self.query_one("#log-start", Input).focus()

    def action_now(self) -> None:
        now = rl.now_hhmm(self.clock)
        focused = self.focused
        if isinstance(focused, Input) and focused.id in ("log-start", "log-end"):
            focused.value = now
            return
        r = self._current()
        if r is None:
            return
        start, end = (now, "") if not r.start else (r.start, now)
        if self._save(start, end):
            self.refill()

    def action_mark(self, kind: str) -> None:
        r = self._current()
        if r is None:
            return
        status = ProtocolStatus(kind)
        new = ProtocolStatus.PRESENT if r.status is status else status
        try:
            rl.set_mark(self.app.store, r.participant.guid, new)
        except (rl.RoomLogRejected, ProtocolRejected) as e:
            self.app.bell()
            self._msg(str(e), "error")
            return
        self._msg(f"{r.participant.short_fio}: " + (new.label if new is not ProtocolStatus.PRESENT
                                                    else "отметка снята"), "ok")
        self.refill()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self._show_inputs()
            self.query_one(DataTable).focus()
            return
        super().action_back()

"""ИС-02: the room log — start and end times and the marks, per room."""
from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..domain.models import Attendance, ProtocolStatus
from ..services import room_log as rl
from ..services.protocols import ProtocolRejected
from ..widgets.status_line import StatusLine
from .base import BaseScreen


LOG_COLUMNS = (("№", 2), ("ФИО", 0), ("Кл.", 3), ("Начало", 6), ("Конец", 5), ("Не зав.", 7),
               ("Удалён", 6))  # 0: what the terminal leaves


class LogTable(DataTable):
    """The ИС-02 table: Enter goes straight to the screen (in key order), not by a message."""

    def action_select_cursor(self) -> None:
        screen = self.screen
        if isinstance(screen, RoomLogScreen):
            screen.advance()
        else:  # pragma: no cover - the table lives only on that screen
            super().action_select_cursor()


class RoomLogScreen(BaseScreen):
    HELP_TITLE = "Ведомость ИС-02"
    HELP = """\
**Ведомость учёта ИС-02** по аудитории: время начала и завершения ответа каждого
участника и отметки «не завершил по объективным причинам» / «удалён».

- слева — аудитории (Tab — переход между списком аудиторий и ведомостью)
- **F2** — поставить **текущее время**: в пустое «начало», иначе в «конец» (и сохранить)
- **Enter** или сразу цифры — ввести время вручную: ЧЧ:ММ или просто 4 цифры (0915);
  Enter — дальше, Enter в поле «конец» — сохранить; старое значение выделено — первая
  цифра его заменяет; **Esc** — отменить ввод
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
        *[Binding(k, f"type('{c}')", show=False) for k, c in
          [(str(d), str(d)) for d in range(10)] + [("colon", ":"), ("backspace", "")]],
    ]
    FIELDS = ("start", "end")

    def __init__(self, room: str | None = None) -> None:
        super().__init__()
        self.room = room or ""
        self.rows: list[rl.LogRow] = []
        self.clock = datetime.now
        # The times are typed into the screen itself, not into Input widgets. Every key of this
        # screen (digits, Enter, arrows, Esc, F-keys) is a binding, and Textual runs bindings
        # one key after another in the order pressed, so «0910⏎0930⏎» sent as fast as a
        # terminal can is never split between widgets' queues. (With Inputs, digits typed right
        # after Enter went to the field that had just lost focus; a RowSelected message from
        # Enter arrived after the digits that followed it.)
        self.edit: str | None = None  # the field being typed: "start" or "end"
        self.typed = {"start": "", "end": ""}
        self.edit_guid: str | None = None
        self.saved_times = dict(self.typed)
        self.fresh = False  # the field's old value is shown «selected»: a key replaces it

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="log-body"):
            yield OptionList(id="log-rooms")
            with Vertical():
                yield Static(id="log-info")
                yield LogTable(id="log-table", cursor_type="row", zebra_stripes=True)
                with Horizontal(id="log-edit"):
                    yield Label("Начало ")
                    yield Static(id="log-start", classes="log-time")
                    yield Label("  Конец ")
                    yield Static(id="log-end", classes="log-time")
                yield Static(id="log-who", markup=False)
                yield StatusLine(id="log-msg")
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
        # fixed widths: the marks «не завершил» / «удалён» stay in view at 80 columns
        others = sum(w for _, w in LOG_COLUMNS if w) + 2 * len(LOG_COLUMNS) + 2
        self.fio_width = max(12, self.app.size.width - 13 - others)
        for label, width in LOG_COLUMNS:
            t.add_column(label, width=width or self.fio_width)
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
            name = p.short_fio if len(p.short_fio) <= self.fio_width else p.short_fio[:self.fio_width - 1] + "…"
            t.add_row(str(r.no), name, p.grade, "Н" if absent else r.start, r.end,
                      "X" if r.status is ProtocolStatus.EARLY else "",
                      "X" if r.status is ProtocolStatus.REMOVED else "", key=p.guid)
        done = sum(1 for r in self.rows if r.end)
        self.query_one("#log-info", Static).update(
            f"[b]Аудитория {self.room}[/b] · участников {len(self.rows)} · время внесено {done}")
        if self.rows:
            t.move_cursor(row=max(0, min(keep, len(self.rows) - 1)))
        self._show_fields()

    def _current(self) -> rl.LogRow | None:
        t = self.query_one(DataTable)
        return self.rows[t.cursor_row] if 0 <= t.cursor_row < len(self.rows) else None

    def _show_fields(self) -> None:
        """The fields show what is typed, or else the highlighted participant's times."""
        r = self._current()
        for f in self.FIELDS:
            w = self.query_one(f"#log-{f}", Static)
            if self.edit is not None:
                text = self.typed[f]
            else:
                text = (r.start if f == "start" else r.end) if r else ""
            active = self.edit == f
            w.set_class(active, "-active")
            w.set_class(active and self.fresh and bool(text), "-selected")
            w.set_class(not text and not active, "-empty")
            w.update(text + ("▏" if active and not self.fresh else "") if (text or active) else "ЧЧ:ММ")

    def _begin(self, field: str = "start") -> None:
        r = self._current()
        if r is None:
            return
        self.edit_guid = r.participant.guid
        self.typed = {"start": r.start, "end": r.end}
        self.saved_times = dict(self.typed)  # what «unsaved» compares to
        self._enter(field)

    def _enter(self, field: str) -> None:
        self.edit = field
        self.fresh = True
        self._show_fields()

    def _stop(self) -> None:
        self.edit = None
        self.edit_guid = None
        self._show_fields()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._editing_here()  # moved to another participant: the typing is dropped
        self._show_fields()
        r = self._current()
        if r is not None:
            p = r.participant
            self.query_one("#log-who", Static).update(
                f"{p.fio} · код {p.code or '—'}" + (" · не явился (Н)" if p.absent else ""))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """A click on a row (Enter is LogTable.action_select_cursor)."""
        event.stop()
        self.advance()

    def _editing_here(self) -> bool:
        """Typing goes on only for the participant it began on (the cursor may have moved)."""
        if self.edit is None:
            return False
        r = self._current()
        if r is None or r.participant.guid != self.edit_guid:
            self.edit = None
            self.say("Ввод времени отменён.")
            return False
        return True

    def action_type(self, ch: str) -> None:
        """A digit or «:» («» is Backspace) typed on the table."""
        if self.focused is not self.query_one(DataTable):
            return
        if not self._editing_here():
            if not ch:
                return
            self._begin("start")
            if self.edit is None:
                return
        field = self.edit
        if not ch:
            self.typed[field] = "" if self.fresh else self.typed[field][:-1]
        else:
            if self.fresh:
                self.typed[field] = ""
            if len(self.typed[field]) >= 5:
                self.app.bell()
            else:
                self.typed[field] += ch
        self.fresh = False
        self._show_fields()

    def _save(self, start: str, end: str) -> bool:
        r = self._current()
        if r is None:
            return False
        try:
            e = rl.set_times(self.app.store, r.participant.guid, start, end)
        except rl.RoomLogRejected as err:
            self.app.bell()
            self.say(str(err), "error")
            return False
        shown = [t.strftime("%H:%M") if t else "—" for t in (e.start, e.end)]
        self.say(f"Сохранено: {r.participant.short_fio} {shown[0]}–{shown[1]}", "ok")
        return True

    def advance(self) -> None:
        """Enter: start typing «начало», then «конец», then save and go to the next row."""
        if not self._editing_here():
            self._begin("start")
        elif self.edit == "start":
            ok, _ = self.attempt(rl.check_time, self.app.store, self.typed["start"], "начала")
            if ok:
                self._enter("end")
            else:
                self._enter("start")  # stays, the old text selected: the next digit replaces it
        elif self._save(self.typed["start"], self.typed["end"]):
            t = self.query_one(DataTable)
            self.edit = None
            self.refill(t.cursor_row + 1)
        else:
            self._enter("start")

    def action_now(self) -> None:
        now = rl.now_hhmm(self.clock)
        if self._editing_here():
            self.typed[self.edit] = now
            self.fresh = False
            self._show_fields()
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
            self.say(str(e), "error")
            return
        self.say(f"{r.participant.short_fio}: " + (new.label if new is not ProtocolStatus.PRESENT
                                                    else "отметка снята"), "ok")
        self.refill()

    # -- nothing typed is lost without asking -------------------------------------------
    def unsaved(self) -> str:
        if self.edit is None or self.typed == self.saved_times:
            return ""
        r = self._current()
        who = r.participant.short_fio if r else "участника"
        return f"время {who} ({self.typed['start'] or '—'}–{self.typed['end'] or '—'})"

    def save_unsaved(self) -> bool:
        if self._save(self.typed["start"], self.typed["end"]):
            self._stop()
            self.refill()
            return True
        return False

    def discard_unsaved(self) -> None:
        self._stop()
        self.say("Ввод времени отменён.")

    def action_back(self) -> None:
        if self.edit is not None:  # Esc while typing a time: cancel the typing (asking first)
            self.guard_leave(self.discard_unsaved)
            return
        super().action_back()

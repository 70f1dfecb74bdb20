"""F3 «Аудитории и распределение»: rooms, automatic distribution, each room's timetable
(the connection schedule for the remote form), absentees and moves from a room's list."""
from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from ..domain.distribution import RoomTimetable, end_spread
from ..domain.models import Participant, Room
from ..services import distribute as dist
from ..services import rooms as svc
from ..services.remote import is_remote
from ..services import staff as staff_svc
from ..widgets.status_line import StatusLine
from .base import BaseScreen
from .dialogs import Confirm
from .organizer_modals import MoveModal, RoomModal, ScheduleModal, toggle_absent


def _hm(t) -> str:
    return t.strftime("%H:%M") if t else ""


class RoomsTable(DataTable):
    BINDINGS = [
        Binding("insert", "screen.add_room", "Добавить", key_display="Ins", id="add",
                tooltip="новая аудитория"),
        Binding("ctrl+n", "screen.add_room", "Добавить", show=False, id="add"),
        Binding("delete", "screen.remove_room", "Удалить", key_display="Del", id="delete",
                tooltip="удалить аудиторию (только пустую)"),
        Binding("f5", "screen.auto", "Распределить", id="distribute",
                tooltip="распределить всех автоматически"),
        Binding("f7", "screen.schedule", "Расписание", id="schedule",
                tooltip="начало, «закончить до», минуты на участника"),
    ]


class TimetableTable(DataTable):
    BINDINGS = [
        Binding("f8", "screen.toggle_absent", "«Н»", id="absent",
                tooltip="неявка «Н» (повторно — снять)"),
        Binding("f6", "screen.move_one", "Перевести", id="move",
                tooltip="в другую аудиторию"),
        Binding("f5", "screen.auto", "Распределить", id="distribute",
                tooltip="распределить всех автоматически"),
    ]


class RoomsScreen(BaseScreen):
    HELP_TITLE = "Аудитории и распределение (F3)"
    HELP = """\
**Аудитории и распределение.** Вверху — аудитории, внизу — расписание выбранной аудитории
(с 9:00, по 15–16 минут на участника, участникам с ОВЗ +30 минут).

- **Tab** — перейти между списком аудиторий и расписанием.
- В списке аудиторий: **Enter** — изменить (вместимость, доступность для участников с ОВЗ,
  собеседник, эксперт), **Insert** — добавить, **Delete** — удалить (только пустую).
- **[[distribute]]** — распределить всех автоматически: по времени, а не по числу людей; участники с ОВЗ —
  только в доступные аудитории; класс — в одну аудиторию, если помещается. Участники с уже
  внесённым протоколом остаются на месте.
- **F7** — время начала, «закончить до» (аудитория, которая не успевает, помечается ⚠)
  и минуты на участника.
- В расписании: **F8** — неявка «Н» (повторно — снять; если уже есть протокол или время
  ИС-02 — спросит), **F6** — перевести участника в другую аудиторию (как на экране
  участников).

При дистанционной форме (приложение о дистанционной форме) расписание — это график
подключения: участник подключается за 15 минут до начала; накануне — тестовое подключение.
"""

    def __init__(self) -> None:
        super().__init__()
        self._rooms: list[svc.RoomInfo] = []
        self._tables: dict[str, RoomTimetable] = {}
        self._people: dict[str, Participant] = {}
        self._room_list: list[Participant] = []
        self.current_room: Optional[str] = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="rooms-status")
        yield RoomsTable(id="rooms-table", cursor_type="row")
        yield Static(id="timetable-title")
        yield TimetableTable(id="timetable", cursor_type="row", zebra_stripes=True)
        yield Static(id="rooms-detail")
        yield StatusLine(id="org-msg")
        yield Footer(compact=True, classes="org-footer")

    def on_mount(self) -> None:
        rt = self.query_one(RoomsTable)
        self.remote = is_remote(self.app.store)
        cols = [("no", "№"), ("fio", "ФИО"), ("grade", "Класс")]
        if self.remote:
            cols += [("connect", "Подкл."), ("start", "Начало"), ("end", "Конец"), ("test", "Тест накануне")]
        else:
            cols += [("start", "Начало"), ("end", "Конец"), ("min", "Мин."), ("note", "")]
        self._tt_columns = cols
        self.reload()
        rt.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- data ---------------------------------------------------------------------------
    def reload(self) -> None:
        store = self.app.store
        self._rooms = svc.room_infos(store)
        participants = store.participants()
        self._people = {p.guid: p for p in participants}
        self._tables = {t.room: t for t in dist.timetables(store, participants)}
        self.settings = dist.schedule_settings(store)
        rt = self.query_one(RoomsTable)
        keep = self.current_room
        rt.clear(columns=True)
        # explicit widths from the content: nothing is measured later, nothing is cut
        inter_w = max([len(i.interlocutor or "—") for i in self._rooms] + [10])
        expert_w = max([len(i.expert or "—") for i in self._rooms] + [7])
        for key, label, width in (("number", "Ауд.", max([len(i.room.number) for i in self._rooms] + [4])),
                                  ("seats", "Уч./мест", 8), ("access", "ОВЗ", 3), ("end", "Конец", 11),
                                  ("inter", "Собеседник", inter_w), ("expert", "Эксперт", expert_w)):
            rt.add_column(label, key=key, width=width)
        for info in self._rooms:
            r = info.room
            t = self._tables.get(r.number)
            end = _hm(t.end) if t and info.seated else "—"
            if t and t.overflow_days:
                end = "после 24:00"
            end_cell: Text | str = end
            if t and t.over_limit and info.seated:
                end_cell = Text(f"⚠ {end}", style="bold red")
            rt.add_row(r.number, f"{info.seated}/{r.capacity}", "да" if r.accessible else "",
                       end_cell, info.interlocutor or "—", info.expert or "—", key=r.number)
        numbers = [i.room.number for i in self._rooms]
        if keep in numbers:
            rt.move_cursor(row=numbers.index(keep))
        self.current_room = numbers[rt.cursor_row] if numbers and rt.cursor_row < len(numbers) else None
        self.update_status()
        self.show_timetable()

    def update_status(self) -> None:
        ps = list(self._people.values())
        unplaced = sum(1 for p in ps if not p.room)
        spread = end_spread(t for n, t in self._tables.items())
        s = self.settings
        limit = f", закончить до {_hm(s.limit)}" if s.limit else ", без предела (F7)"
        over = [t.room for t in self._tables.values() if t.over_limit and t.slots]
        text = (f"Аудиторий {len(self._rooms)} · участников {len(ps)}, без аудитории {unplaced}\n"
                f"Начало {_hm(s.start)}{limit} · {s.minutes} мин./уч. · "
                f"разброс окончания {spread} мин.")
        if over:
            text += f"\n[b red]⚠ Не успевают до {_hm(s.limit)}: {', '.join(over)}[/]"
        self.query_one("#rooms-status", Static).update(text)

    def show_timetable(self) -> None:
        tt = self.query_one(TimetableTable)
        tt.clear(columns=True)
        self._add_tt_columns(tt, [])
        title = self.query_one("#timetable-title", Static)
        number = self.current_room
        if number is None:
            title.update("Аудиторий нет: Insert — добавить аудиторию")
            self._room_list = []
            return
        t = self._tables.get(number)
        kind = "График подключения" if self.remote else "Расписание"
        if t is None or not t.slots:
            title.update(f"{kind}: аудитория {number} — участников нет (F5 — распределить)")
            self._room_list = []
            return
        end = _hm(t.end) + (" (после полуночи)" if t.overflow_days else "")
        flag = f" ⚠ позже {_hm(t.limit)}" if t.over_limit else ""
        title.update(f"{kind}: аудитория {number}, {_hm(t.start)}–{end}{flag}")
        tt.clear(columns=True)  # widths follow this room's names only
        self._add_tt_columns(tt, [self._people[s.guid] for s in t.slots])
        tests = {}
        if self.remote:
            tests = {c.guid: c for c in dist.room_trial_calls(self.app.store, number)}
        self._room_list = []
        for slot in t.slots:
            p = self._people[slot.guid]
            self._room_list.append(p)
            fio = p.short_fio + (" (ОВЗ)" if p.is_ovz else "")
            if slot.absent:
                times = [Text("Н", style="bold red"), "", ""]
            else:
                times = [_hm(slot.start), _hm(slot.end)]
            if self.remote:
                c = tests.get(p.guid)
                row = [str(slot.order), fio, p.grade,
                       "" if slot.absent else _hm(slot.connect), *times[:2],
                       f"{c.day:%d.%m} {_hm(c.start)}" if c else ""]
                if slot.absent:
                    row = [str(slot.order), fio, p.grade, Text("Н", style="bold red"), "", "", ""]
            else:
                if slot.absent:
                    row = [str(slot.order), fio, p.grade, Text("Н", style="bold red"), "", "", "неявка"]
                else:
                    row = [str(slot.order), fio, p.grade, *times, str(slot.minutes), ""]
            tt.add_row(*row, key=p.guid)

    def _add_tt_columns(self, tt: DataTable, people: list[Participant]) -> None:
        fio_w = max([len(p.short_fio) + (6 if p.is_ovz else 0) for p in people] + [12])
        widths = {"no": 3, "fio": fio_w, "grade": 5, "connect": 6, "start": 6, "end": 6,
                  "test": 13, "min": 4, "note": 7}
        for key, label in self._tt_columns:
            tt.add_column(label, key=key, width=widths[key])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(event.data_table, RoomsTable):
            numbers = [i.room.number for i in self._rooms]
            if 0 <= event.cursor_row < len(numbers) and numbers[event.cursor_row] != self.current_room:
                self.current_room = numbers[event.cursor_row]
                self.show_timetable()
        else:
            p = self.current_person()
            if p is not None:
                self.query_one("#rooms-detail", Static).update(
                    f"[b]{p.fio}[/b] · {p.grade} · {p.attendance.label}")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if isinstance(event.data_table, RoomsTable):
            self.action_edit_room()

    def current_info(self) -> Optional[svc.RoomInfo]:
        return next((i for i in self._rooms if i.room.number == self.current_room), None)

    def current_person(self) -> Optional[Participant]:
        tt = self.query_one(TimetableTable)
        if not self._room_list or not 0 <= tt.cursor_row < len(self._room_list):
            return None
        return self._room_list[tt.cursor_row]

    # -- rooms --------------------------------------------------------------------------
    def _room_modal(self, info: Optional[svc.RoomInfo]) -> None:
        store = self.app.store

        def apply(result) -> Room:  # a refusal shows in the form, which keeps what was typed
            with store.transaction():
                if info is None:
                    room = svc.create_room(store, result["number"], result["capacity"],
                                           result["accessible"], result["note"])
                else:
                    room = svc.edit_room(store, info.room.number, capacity=result["capacity"],
                                         accessible=result["accessible"], note=result["note"],
                                         new_number=result["number"])
                for field in ("interlocutor", "expert"):
                    sid = result[field]
                    old = getattr(store.get(type(room), room.number), field)
                    if sid and sid != old:
                        staff_svc.assign(store, sid, room.number)
                    elif not sid and old:
                        staff_svc.assign(store, old, "")
            return room

        def done(room: Optional[Room]) -> None:
            if room is None:
                return
            self.current_room = room.number
            self.say(f"Аудитория {room.number} сохранена", "ok")
            self.reload()

        self.app.push_screen(RoomModal(info.room if info else None, staff_svc.staff_list(store),
                                       apply=apply), done)

    def action_add_room(self) -> None:
        self._room_modal(None)

    def action_edit_room(self) -> None:
        info = self.current_info()
        if info is not None:
            self._room_modal(info)

    def action_remove_room(self) -> None:
        info = self.current_info()
        if info is None:
            return
        if info.seated:
            self.say(f"В аудитории {info.room.number} распределено участников: {info.seated}. "
                     "Удалить её нельзя: сначала переместите участников.", "error")
            return

        def done(ok) -> None:
            if not ok:
                return
            try:
                svc.remove_room(self.app.store, info.room.number)
            except svc.RoomError as e:
                self.say(str(e), "error")
                return
            self.current_room = None
            self.say(f"Аудитория {info.room.number} удалена", "ok")
            self.reload()

        self.app.push_screen(Confirm(f"Удалить аудиторию {info.room.number}?",
                                          "Enter — удалить", "Esc — оставить"), done)

    # -- distribution -------------------------------------------------------------------
    def action_auto(self) -> None:
        store = self.app.store
        placed = sum(1 for p in self._people.values() if p.room)
        q = ("Распределить всех участников по аудиториям автоматически?\n\n"
             "По времени: 15–16 минут на участника, участникам с ОВЗ +30 минут; участники с ОВЗ — "
             "только в доступные аудитории; класс — в одну аудиторию, где помещается.")
        if placed:
            q += (f"\n\n[b]Уже распределено: {placed}.[/b] Их аудитории и порядок будут пересчитаны "
                  "(кроме участников с внесённым протоколом).")

        def done(ok) -> None:
            if not ok:
                return
            try:
                res = dist.auto_distribute(store)
            except dist.DistributeError as e:
                self.say(str(e), "error")
                return
            self.say(res.message(), "warning" if res.unplaced else "ok")
            self.reload()

        self.app.push_screen(Confirm(q, "Enter — распределить", "Esc — отмена"), done)

    def action_schedule(self) -> None:
        store = self.app.store
        s = dist.schedule_settings(store)

        def apply(result) -> dist.ScheduleSettings:  # a refusal shows in the form, as typed
            return dist.set_schedule(store, result["start"], result["limit"], result["minutes"])

        def done(result) -> None:
            if result:
                self.say("Расписание пересчитано", "ok")
                self.reload()

        self.app.push_screen(ScheduleModal(_hm(s.start), _hm(s.limit), s.minutes, apply=apply), done)

    # -- a room's list ------------------------------------------------------------------
    def action_toggle_absent(self) -> None:
        p = self.current_person()
        if p is not None:
            toggle_absent(self, p, lambda new: self._reload_at_row())

    def _reload_at_row(self) -> None:
        row = self.query_one(TimetableTable).cursor_row
        self.reload()
        tt = self.query_one(TimetableTable)
        tt.focus()
        tt.move_cursor(row=row)

    def action_move_one(self) -> None:
        p = self.current_person()
        if p is None:
            return
        store = self.app.store
        options = []
        for info in self._rooms:
            r = info.room
            if r.number == p.room:
                continue
            ok = (not p.is_ovz or r.accessible) and info.seated < r.capacity
            t = self._tables.get(r.number)
            label = f"{r.number:<6} {info.seated:>3}/{r.capacity:<3} до {_hm(t.end) if t and t.slots else '—'}"
            if r.accessible:
                label += "  доступна (ОВЗ)"
            if not ok:
                label += "  — нельзя: " + ("не для ОВЗ" if p.is_ovz and not r.accessible else "нет мест")
            options.append((r.number, label, ok))

        def done(room) -> None:
            if room is None:
                return
            try:
                dist.move(store, [p.guid], room)
            except dist.DistributeError as e:
                self.say(str(e), "error")
                return
            self.say(f"{p.short_fio} → {room or 'без аудитории'}", "ok")
            row = self.query_one(TimetableTable).cursor_row
            self.reload()
            tt = self.query_one(TimetableTable)
            tt.focus()
            tt.move_cursor(row=min(row, max(0, tt.row_count - 1)))

        self.app.push_screen(MoveModal(f"Куда перевести: {p.short_fio}?", options), done)

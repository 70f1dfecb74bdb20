"""The room log ИС-02: start and end times per participant, and the marks «не завершил по
объективным причинам» / «удалён».

The marks live in Protocol.status — the single source of truth (the protocol ИС-03, the form
ИС-04 and the results file all read it); RoomLogEntry holds only the times.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Callable, Optional

from ..errors import Refused
from ..domain.models import (
    Attendance,
    Participant,
    Protocol,
    ProtocolStatus,
    RoomLogEntry,
    parse_hhmm,
)
from ..store.audit import diff_entries
from ..store.workspace import Store
from .entry import expert_of_room, room_list
from .protocols import save_protocol

DAY_START = time(7, 0)
DAY_END = time(21, 0)


class RoomLogRejected(Refused):
    pass


@dataclass(frozen=True)
class LogRow:
    no: int
    participant: Participant
    entry: Optional[RoomLogEntry]
    status: Optional[ProtocolStatus]  # None: no protocol yet

    @property
    def start(self) -> str:
        return f"{self.entry.start:%H:%M}" if self.entry and self.entry.start else ""

    @property
    def end(self) -> str:
        return f"{self.entry.end:%H:%M}" if self.entry and self.entry.end else ""


def day_window(store: Store) -> tuple[time, time]:
    """The hours the exam day may have times in (setting «room_log_window», default 07:00–21:00)."""
    raw = store.settings().room_log_window
    if isinstance(raw, (list, tuple)) and len(raw) == 2:
        try:
            return parse_hhmm(raw[0]), parse_hhmm(raw[1])
        except ValueError:
            pass
    return DAY_START, DAY_END


def now_hhmm(clock: Callable[[], datetime] = datetime.now) -> str:
    return clock().strftime("%H:%M")


def parse_time(text: str) -> Optional[time]:
    """«9:05», «0905», «09:05» → time; empty → None; raises RoomLogRejected (Russian)."""
    t = (text or "").strip().replace(".", ":").replace(",", ":")
    if not t:
        return None
    if t.isdigit() and len(t) in (3, 4):
        t = f"{t[:-2]}:{t[-2:]}"
    if len(t) == 4 and t[1] == ":":
        t = "0" + t
    try:
        return parse_hhmm(t)
    except ValueError as e:
        raise RoomLogRejected(f"Время «{text}» не в формате ЧЧ:ММ: часы 00–23, минуты 00–59 "
                              "(например, 09:15).") from e


def check_time(store: Store, text: str, label: str = "начала") -> Optional[time]:
    """One time as it is typed (at its own Enter, before the other is typed): the format
    (hours 00–23, minutes 00–59) and the exam day's hours. Raises RoomLogRejected."""
    t = parse_time(text)
    lo, hi = day_window(store)
    if t is not None and not lo <= t <= hi:
        raise RoomLogRejected(f"Время {label} {t:%H:%M} вне экзаменационного дня "
                              f"({lo:%H:%M}–{hi:%H:%M}).")
    return t


def rows(store: Store, room: str) -> list[LogRow]:
    stack = room_list(store, room)
    protocols = store.protocols()
    out = []
    for i, p in enumerate(stack, 1):
        proto = protocols.get(p.guid)
        out.append(LogRow(p.order or i, p, store.get(RoomLogEntry, p.guid),
                          proto.status if proto else None))
    return out


def validate_times(entry: RoomLogEntry, others: list[RoomLogEntry],
                   window: tuple[time, time] = (DAY_START, DAY_END)) -> list[str]:
    """Problems with one participant's times, in Russian: end after start, within the day,
    no overlap with another participant of the same room."""
    problems = []
    lo, hi = window
    for label, t in (("начала", entry.start), ("завершения", entry.end)):
        if t is not None and not lo <= t <= hi:
            problems.append(f"Время {label} {t:%H:%M} вне экзаменационного дня "
                            f"({lo:%H:%M}–{hi:%H:%M}).")
    if entry.start and entry.end and entry.end <= entry.start:
        problems.append(f"Время завершения {entry.end:%H:%M} должно быть позже начала "
                        f"{entry.start:%H:%M}.")
    if entry.start and entry.end and not problems:
        for o in others:
            if o.participant == entry.participant or o.room != entry.room or not (o.start and o.end):
                continue
            if entry.start < o.end and o.start < entry.end:
                problems.append(f"Время {entry.start:%H:%M}–{entry.end:%H:%M} пересекается с другим "
                                f"участником этой аудитории ({o.start:%H:%M}–{o.end:%H:%M}).")
                break
    return problems


def set_times(store: Store, participant: str, start: Optional[str | time],
              end: Optional[str | time]) -> RoomLogEntry:
    """Validate and save the times of one participant; raises RoomLogRejected."""
    p = store.participant(participant)
    if p is None:
        raise RoomLogRejected("Участник не найден.")
    if p.attendance is Attendance.ABSENT:
        raise RoomLogRejected(f"{p.short_fio} отмечен «Н» (не явился): время не вносится.")
    s = start if isinstance(start, time) or start is None else parse_time(start)
    e = end if isinstance(end, time) or end is None else parse_time(end)
    entry = RoomLogEntry(participant=participant, room=p.room, start=s, end=e)
    others = [o for o in store.all(RoomLogEntry) if o.room == p.room]
    problems = validate_times(entry, others, day_window(store))
    if problems:
        raise RoomLogRejected(" ".join(problems))
    old = store.get(RoomLogEntry, participant)
    with store.transaction():
        store.audit.append(diff_entries("room_log", participant, store.operator,
                                        old.model_dump(mode="json") if old else {},
                                        entry.model_dump(mode="json")))
        store.put(entry)
    return entry


def set_mark(store: Store, participant: str, status: ProtocolStatus) -> Optional[Protocol]:
    """Set «не завершил» (EARLY) / «удалён» (REMOVED) in the participant's protocol, or clear
    the mark (PRESENT). Setting a mark drops the scores (a marked participant has no result).
    Clearing the mark of a protocol without scores removes that protocol (it is to be typed
    from the paper later). Returns the protocol now stored, or None."""
    p = store.participant(participant)
    if p is None:
        raise RoomLogRejected("Участник не найден.")
    if p.attendance is Attendance.ABSENT:
        raise RoomLogRejected(f"{p.short_fio} отмечен «Н» (не явился): отметка не ставится.")
    proto = store.get(Protocol, participant)
    if status is ProtocolStatus.PRESENT:
        if proto is None or proto.status is ProtocolStatus.PRESENT:
            return proto
        if not proto.scores:
            with store.transaction():
                store.audit.append(diff_entries("protocol", participant, store.operator,
                                                {"status": proto.status.value}, {"status": None}))
                store.delete(Protocol, participant)
            return None
        new = proto.model_copy(update={"status": status, "saved_at": None})
    elif proto is None:
        room = next((r for r in store.rooms() if r.number == p.room), None)
        new = Protocol(participant=participant, room=p.room, status=status,
                       expert=expert_of_room(store, room))
    else:
        new = proto.model_copy(update={"status": status, "scores": {}, "saved_at": None})
    save_protocol(store, new)
    return store.get(Protocol, participant)


def room_numbers(store: Store) -> list[str]:
    from .entry import rooms_with_participants

    return rooms_with_participants(store)

"""Distribution into rooms (automatic and manual) and the timetables of the rooms.

Settings (store.setting): "schedule_start" «ЧЧ:ММ» (9:00), "schedule_limit" «ЧЧ:ММ» or ""
(a room ending later is flagged), "minutes_per_participant" (16), "remote_prep_minutes" (15),
"test_call_start" «ЧЧ:ММ» (15:00, the day before, remote form).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Iterable, Optional

from ..domain.ordering import seat_key
from ..errors import Refused
from ..domain.distribution import (
    DEFAULT_MINUTES,
    DEFAULT_START,
    REMOTE_PREP_MINUTES,
    DistributionResult,
    RoomTimetable,
    TrialCall,
    distribute,
    end_spread,
    minutes_for,
    trial_calls,
    timetable,
)
from ..domain.models import Participant, Room, parse_hhmm
from ..store.workspace import Store
from .data import scheme_for
from .remote import is_remote, remote_of


class DistributeError(Refused):
    """The text is Russian and tells what to do."""


# -- settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleSettings:
    start: time = DEFAULT_START
    limit: Optional[time] = None
    minutes: int = DEFAULT_MINUTES
    remote_prep: int = REMOTE_PREP_MINUTES
    test_call_start: time = time(15, 0)


def _t(value, default):
    if not value:
        return default
    try:
        return parse_hhmm(str(value))
    except ValueError:
        return default


def schedule_settings(store: Store) -> ScheduleSettings:
    s = store.settings()
    return ScheduleSettings(
        start=_t(s.schedule_start, DEFAULT_START),
        limit=_t(s.schedule_limit, None),
        minutes=int(s.minutes_per_participant or DEFAULT_MINUTES),
        remote_prep=REMOTE_PREP_MINUTES if s.remote_prep_minutes is None else s.remote_prep_minutes,
        test_call_start=_t(s.test_call_start, time(15, 0)),
    )


def set_schedule(store: Store, start: str = "", limit: str = "", minutes: Optional[str | int] = None) -> ScheduleSettings:
    """Save the timetable settings typed by the user (Russian errors)."""
    start = (start or "").strip() or "09:00"
    try:
        parse_hhmm(start)
    except ValueError as e:
        raise DistributeError(f"Начало: {e}. Например, 09:00.") from None
    limit = (limit or "").strip()
    if limit:
        try:
            parse_hhmm(limit)
        except ValueError as e:
            raise DistributeError(f"Предел: {e}. Например, 15:00, или оставьте пустым.") from None
    m = DEFAULT_MINUTES
    if minutes not in (None, ""):
        try:
            m = int(str(minutes).strip())
        except ValueError:
            raise DistributeError("Минут на участника: целое число от 10 до 30.") from None
        if not 10 <= m <= 30:
            raise DistributeError("Минут на участника: целое число от 10 до 30.")
    store.update_settings(schedule_start=start, schedule_limit=limit, minutes_per_participant=m)
    return schedule_settings(store)


def minutes_of(store: Store):
    sch = scheme_for(store)
    base = schedule_settings(store).minutes
    return lambda p: minutes_for(p, sch, base)


def _balance_minutes(store: Store):
    """What a participant costs the room: the answer, plus the connection and checks before
    it for the remote form."""
    m = minutes_of(store)
    prep = schedule_settings(store).remote_prep
    remote = remote_of(store)
    return lambda p: m(p) + (prep if remote(p) else 0)


# -- automatic -----------------------------------------------------------------------------


# the distribution's reasons (domain/distribution.py) as the short words of a summary
UNPLACED_LABELS = {
    "во всех аудиториях нет свободных мест": "не хватает мест",
    "нет аудитории, доступной для участников с ОВЗ": "ОВЗ без доступной аудитории",
    "в доступных для участников с ОВЗ аудиториях нет мест": "ОВЗ: нет мест в доступных аудиториях",
    "нет ни одной аудитории": "нет ни одной аудитории",
}


@dataclass
class AutoResult:
    placed: int = 0
    moved: int = 0
    kept: int = 0  # with a protocol: stayed where they were
    unplaced: list[tuple[Participant, str]] = field(default_factory=list)
    spread: int = 0  # minutes between the first and the last room to finish
    full_rooms: list[str] = field(default_factory=list)  # filled up to their capacity
    slot: int = DEFAULT_MINUTES

    def unplaced_reasons(self) -> str:
        """Each reason with its own count: «не хватает мест: 25; ОВЗ без доступной аудитории: 2»."""
        counts: dict[str, int] = {}
        for _, reason in self.unplaced:
            label = UNPLACED_LABELS.get(reason, reason)
            counts[label] = counts.get(label, 0) + 1
        return "; ".join(f"{label}: {n}" for label, n in counts.items())

    def message(self) -> str:
        text = f"Распределено участников: {self.placed}"
        if self.kept:
            text += f"; оставлены на месте (есть протокол): {self.kept}"
        text += f". Разница окончания аудиторий: {self.spread} мин."
        if self.unplaced:
            text += f" Не распределены: {len(self.unplaced)} — {self.unplaced_reasons()}."
        if self.spread > self.slot and self.full_rooms:
            text += (f" Аудитории {', '.join(self.full_rooms)} заполнены до вместимости: чтобы "
                     "выровнять время, увеличьте вместимость (Enter на аудитории).")
        return text


def plan(store: Store) -> DistributionResult:
    """The automatic distribution, not yet saved."""
    participants = store.participants()
    protocols = store.protocols()
    fixed = [p.guid for p in participants if p.guid in protocols and p.room]
    return distribute(participants, store.rooms(), _balance_minutes(store), fixed=fixed)


def auto_distribute(store: Store) -> AutoResult:
    """Distribute everybody automatically and save (one durable write). Participants who
    already have a protocol stay in their room."""
    rooms = store.rooms()
    if not rooms:
        raise DistributeError("Аудиторий нет. Сначала заведите аудитории (F3, «Добавить»).")
    participants = store.participants()
    if not participants:
        raise DistributeError("В списке нет участников. Сначала загрузите список.")
    protocols = store.protocols()
    fixed = {p.guid for p in participants if p.guid in protocols and p.room}
    res = distribute(participants, rooms, _balance_minutes(store), fixed=fixed)
    out = AutoResult(kept=len(fixed))
    changed = []
    by_guid = {p.guid: p for p in participants}
    for p in participants:
        pl = res.placements.get(p.guid)
        if pl is None:
            continue
        if (p.room, p.order) != (pl.room, pl.order):
            out.moved += p.room != pl.room
            changed.append(p.model_copy(update={"room": pl.room, "order": pl.order}))
    out.placed = len(res.placements)
    out.unplaced = [(by_guid[g], why) for g, why in res.unplaced]
    if changed:
        with store.transaction():
            store.put_many(changed)
            store.update_settings(distributed_auto=True)
    out.spread = end_spread(timetables(store))
    out.slot = schedule_settings(store).minutes + (schedule_settings(store).remote_prep if is_remote(store) else 0)
    seated = {r.number: 0 for r in rooms}
    for pl in res.placements.values():
        seated[pl.room] = seated.get(pl.room, 0) + 1
    out.full_rooms = [r.number for r in rooms if seated.get(r.number, 0) >= r.capacity]
    return out


# -- manual --------------------------------------------------------------------------------


def move(store: Store, guids: Iterable[str], room: str) -> list[Participant]:
    """Move one or many participants to a room (appended at the end of its list).
    All or nothing: any participant that cannot go there stops the whole move."""
    guids = list(dict.fromkeys(guids))
    if not guids:
        raise DistributeError("Не выбрано ни одного участника.")
    target = store.get(Room, room) if room else None
    if room and target is None:
        raise DistributeError(f"Аудитории {room} нет. Заведите её на экране аудиторий (F3).")
    all_ps = store.participants()
    by_guid = {p.guid: p for p in all_ps}
    protocols = store.protocols()
    moving = []
    for g in guids:
        p = by_guid.get(g)
        if p is None:
            raise DistributeError("Участник не найден: список изменился. Обновите экран.")
        if p.room == room:
            continue
        if g in protocols and p.room:
            raise DistributeError(f"{p.short_fio}: протокол уже внесён в аудитории {p.room}; "
                                  "переместить нельзя.")
        if target is not None and p.is_ovz and not target.accessible:
            raise DistributeError(f"{p.short_fio} — участник с ОВЗ, а аудитория {room} не отмечена как "
                                  "доступная для участников с ОВЗ. Выберите доступную аудиторию.")
        moving.append(p)
    if target is not None:
        seated = sum(1 for p in all_ps if p.room == room)
        if seated + len(moving) > target.capacity:
            raise DistributeError(f"В аудитории {room} {seated} из {target.capacity} мест; "
                                  f"{len(moving)} не помещаются. Выберите другую аудиторию "
                                  "или увеличьте вместимость.")
    nxt = max((p.order for p in all_ps if p.room == room), default=0) + 1 if room else 0
    out = []
    sources = {p.room for p in moving}
    for p in moving:
        out.append(p.model_copy(update={"room": room, "order": nxt if room else 0}))
        if room:
            nxt += 1
    if out:
        with store.transaction():
            store.put_many(out)
            _renumber(store, sources)
    return out


def _renumber(store: Store, rooms: Iterable[str]) -> None:
    """Close the gaps in the list order of the rooms participants left."""
    ps = store.participants()
    changed = []
    for room in rooms:
        if not room:
            continue
        seated = sorted((p for p in ps if p.room == room), key=seat_key)
        for i, p in enumerate(seated, start=1):
            if p.order != i:
                changed.append(p.model_copy(update={"order": i}))
    if changed:
        store.put_many(changed)


# -- timetables ----------------------------------------------------------------------------


def timetables(store: Store, participants: Optional[list[Participant]] = None) -> list[RoomTimetable]:
    s = schedule_settings(store)
    remote = remote_of(store)
    prep = (lambda p: s.remote_prep if remote(p) else 0)
    ps = participants if participants is not None else store.participants()
    m = minutes_of(store)
    out = []
    for r in store.rooms():
        seated = sorted((p for p in ps if p.room == r.number), key=seat_key)
        out.append(timetable(r.number, seated, m, s.start, s.limit, prep))
    return out


def room_timetable(store: Store, room: str) -> RoomTimetable:
    for t in timetables(store):
        if t.room == room:
            return t
    raise DistributeError(f"Аудитории {room} нет.")


def room_trial_calls(store: Store, room: str) -> list[TrialCall]:
    """Remote form: the test video calls of a room's participants the day before."""
    day = store.exam_day()
    if day is None:
        return []
    s = schedule_settings(store)
    remote = remote_of(store)
    seated = sorted((p for p in store.participants() if p.room == room and remote(p)), key=seat_key)
    # «не позднее чем за день»: the working day before (production calendar)
    from .calendar import calendar_around

    cal = calendar_around(day.date, day.region)
    from datetime import timedelta

    before = cal.working_on_or_before(day.date - timedelta(days=1))
    return trial_calls(seated, before + timedelta(days=1), s.test_call_start)

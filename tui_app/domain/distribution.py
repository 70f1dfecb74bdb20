"""Distribution of participants into rooms and the per-room timetable (pure).

Rules (seed 004 §4.2, SPEC §2):
- a participant takes about 15–16 minutes; a participant with ОВЗ takes the extra minutes of
  their category (criteria data, +30 min);
- participants with ОВЗ sit only in rooms marked «доступна для участников с ОВЗ»;
- rooms are balanced by *time* (the end of the room's day), not by head count;
- a class is kept together in one room where it fits; a room's capacity is never exceeded.

The timetable of a room starts at a configurable time (9:00) and gives each participant an
estimated slot; a room that runs past a user-set limit is flagged. For the remote form
(seed 002) the same timetable is the connection schedule: each participant connects
`prep_minutes` before the start of their answer (the interlocutor checks equipment, the room,
the document and instructs the participant: «за 15 минут до начала»), plus a test connection
slot the day before.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Callable, Iterable, Optional, Sequence

from .criteria import Scheme
from .models import Participant, Room
from .ordering import name_key, natural_key, room_key, seat_key

DEFAULT_MINUTES = 16  # seed 004 §4.2: «примерно 15-16 минут»
DEFAULT_START = time(9, 0)
REMOTE_PREP_MINUTES = 15  # seed 002 p.5: «за 15 минут до начала … с каждым участником»
TEST_CALL_MINUTES = 5


def ovz_extra_default(scheme: Scheme) -> int:
    """Extra minutes for a participant with «Резерв = 22» whose category is not set yet:
    the largest extra of the ОВЗ categories (30 in 2025)."""
    extras = [c.extra_minutes for c in scheme.categories if c.id != scheme.default_category]
    return max(extras, default=0)


def minutes_for(p: Participant, scheme: Scheme, base: int = DEFAULT_MINUTES) -> int:
    """Estimated duration of one participant's exam in minutes."""
    try:
        extra = scheme.category(p.category).extra_minutes
    except KeyError:
        extra = ovz_extra_default(scheme)
    if p.is_ovz and extra == 0:
        extra = ovz_extra_default(scheme)
    return base + extra


# ---------------------------------------------------------------------------------------
# automatic distribution


@dataclass
class Placement:
    room: str
    order: int


@dataclass
class DistributionResult:
    placements: dict[str, Placement] = field(default_factory=dict)  # guid -> room/order
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (guid, Russian reason)
    loads: dict[str, int] = field(default_factory=dict)  # room -> minutes

    def room_of(self, guid: str) -> Optional[str]:
        pl = self.placements.get(guid)
        return pl.room if pl else None


def _person_key(p: Participant):
    return (natural_key(p.grade), *name_key(p))


def distribute(participants: Sequence[Participant], rooms: Sequence[Room],
               minutes_of: Callable[[Participant], int],
               fixed: Iterable[str] = (), class_slack: Optional[int] = None) -> DistributionResult:
    """Place every participant into a room.

    `fixed`: guids that must stay in their current room (e.g. a protocol is already typed);
    they count towards the room's time and capacity. Absent participants («Н») are placed
    like the others but take no time. A class goes whole into one room when the room has the
    seats and the class overshoots the room's fair share of time by at most `class_slack`
    minutes (default: one slot).
    """
    rooms = sorted(rooms, key=room_key)
    res = DistributionResult()
    if not rooms:
        res.unplaced = [(p.guid, "нет ни одной аудитории") for p in participants]
        return res
    by_number = {r.number: r for r in rooms}
    load = {r.number: 0 for r in rooms}
    count = {r.number: 0 for r in rooms}
    members: dict[str, list[Participant]] = {r.number: [] for r in rooms}
    fixed = set(fixed)

    def mins(p: Participant) -> int:
        return 0 if p.absent else minutes_of(p)

    def put(p: Participant, number: str) -> None:
        load[number] += mins(p)
        count[number] += 1
        members[number].append(p)

    free: list[Participant] = []
    for p in participants:
        if p.guid in fixed and p.room in by_number:
            put(p, p.room)
        else:
            free.append(p)

    def room_free(number: str) -> int:
        return by_number[number].capacity - count[number]

    # 1. participants with ОВЗ: only accessible rooms; the longest first, to the room that ends first
    ovz = sorted((p for p in free if p.is_ovz), key=lambda p: (-mins(p), _person_key(p)))
    accessible = [r.number for r in rooms if r.accessible]
    for p in ovz:
        options = [n for n in accessible if room_free(n) > 0]
        if not options:
            reason = ("нет аудитории, доступной для участников с ОВЗ" if not accessible
                      else "в доступных для участников с ОВЗ аудиториях нет мест")
            res.unplaced.append((p.guid, reason))
            continue
        put(p, min(options, key=lambda n: (load[n], count[n], room_key(by_number[n]))))

    # 2. everybody else, by class blocks, balanced by time
    rest = [p for p in free if not p.is_ovz]
    quota = _time_quotas(rest, rooms, load, count, mins)
    if class_slack is None:
        class_slack = max((mins(p) for p in rest), default=0)
    classes: dict[str, list[Participant]] = {}
    for p in sorted(rest, key=_person_key):
        classes.setdefault(p.grade, []).append(p)
    blocks = sorted(classes.values(), key=lambda b: (-len(b), b[0].grade))
    for block in blocks:
        block_min = sum(mins(p) for p in block)
        # a room whose remaining time quota and seats hold the whole class: the tightest fit
        fits = [n for n in load if quota[n] + class_slack >= block_min and room_free(n) >= len(block)]
        if fits:
            n = min(fits, key=lambda n: (quota[n] - block_min, room_key(by_number[n])))
            for p in block:
                put(p, n)
            quota[n] -= block_min
            continue
        # split: fill the room with the most quota left up to its share, then the next
        current: Optional[str] = None
        for p in block:
            m = mins(p)
            if current is None or room_free(current) <= 0 or quota[current] * 2 < m:
                options = [n for n in load if room_free(n) > 0]
                if not options:
                    res.unplaced.append((p.guid, "во всех аудиториях нет свободных мест"))
                    continue
                current = min(options, key=lambda n: (-quota[n], load[n], room_key(by_number[n])))
            put(p, current)
            quota[current] -= m

    # 3. order in each room: fixed ones keep their place first, then by class and surname
    for number, people in members.items():
        kept = sorted((p for p in people if p.guid in fixed), key=seat_key)
        new = sorted((p for p in people if p.guid not in fixed), key=_person_key)
        for i, p in enumerate(kept + new, start=1):
            res.placements[p.guid] = Placement(number, i)
    res.loads = dict(load)
    return res


def _time_quotas(rest: list[Participant], rooms: list[Room], load: dict[str, int],
                 count: dict[str, int], mins) -> dict[str, int]:
    """Minutes of `rest` each room should take so that the rooms end as evenly as possible
    (water filling under the capacity of each room)."""
    total = sum(mins(p) for p in rest)
    if not rest:
        return {n: 0 for n in load}
    unit = max(1, round(total / len(rest))) if total else 1
    cap_min = {r.number: max(0, r.capacity - count[r.number]) * unit for r in rooms}

    def taken(level: float) -> float:
        return sum(min(cap_min[n], max(0.0, level - load[n])) for n in load)

    lo, hi = 0.0, float(max(load.values()) + total + 1)
    for _ in range(60):
        mid = (lo + hi) / 2
        if taken(mid) >= total:
            hi = mid
        else:
            lo = mid
    raw = {n: min(cap_min[n], max(0.0, hi - load[n])) for n in load}
    # whole participants: round down, then hand out the remainder by largest fraction
    counts = {n: int(raw[n] // unit) for n in load}
    left = len(rest) - sum(counts.values())
    order = sorted(load, key=lambda n: (-(raw[n] / unit - counts[n]), load[n], n))
    i = 0
    while left > 0 and i < 10 * len(order) + len(rest):
        n = order[i % len(order)]
        if (counts[n] + 1) * unit <= cap_min[n]:
            counts[n] += 1
            left -= 1
        i += 1
    return {n: counts[n] * unit for n in load}


# ---------------------------------------------------------------------------------------
# the timetable


@dataclass(frozen=True)
class Slot:
    guid: str
    order: int
    start: time  # the answer starts (remote: after the connection and checks)
    end: time
    minutes: int
    absent: bool = False
    connect: Optional[time] = None  # remote form: when the participant connects


@dataclass
class RoomTimetable:
    room: str
    start: time
    end: time
    slots: list[Slot]
    limit: Optional[time] = None
    over_limit: bool = False
    total_minutes: int = 0
    overflow_days: int = 0  # > 0 when the timetable runs past midnight


def _add(t: datetime, minutes: int) -> datetime:
    return t + timedelta(minutes=minutes)


def timetable(room: str, ordered: Sequence[Participant], minutes_of: Callable[[Participant], int],
              start: time = DEFAULT_START, limit: Optional[time] = None,
              prep_minutes: int | Callable[[Participant], int] = 0) -> RoomTimetable:
    """Slots one after another in list order. `prep_minutes` > 0 (remote form): each
    participant connects that much before their answer starts (a callable: per participant,
    e.g. only those marked «дистанционно»)."""
    prep_of = prep_minutes if callable(prep_minutes) else (lambda p, _m=prep_minutes: _m)
    day0 = datetime(2000, 1, 1)
    clock = datetime.combine(day0.date(), start)
    slots: list[Slot] = []
    total = 0
    for i, p in enumerate(ordered, start=1):
        order = p.order or i
        if p.absent:
            slots.append(Slot(p.guid, order, clock.time(), clock.time(), 0, absent=True))
            continue
        m = minutes_of(p)
        prep = prep_of(p)
        connect = clock if prep else None
        begin = _add(clock, prep)
        end = _add(begin, m)
        slots.append(Slot(p.guid, order, begin.time(), end.time(), m, False,
                          connect.time() if connect else None))
        total += m + prep
        clock = end
    over = False
    if limit is not None:
        over = clock > datetime.combine(day0.date(), limit)
    return RoomTimetable(room=room, start=start, end=clock.time(), slots=slots, limit=limit,
                         over_limit=over, total_minutes=total, overflow_days=(clock.date() - day0.date()).days)


def end_spread(tables: Iterable[RoomTimetable]) -> int:
    """Minutes between the earliest and the latest end of the rooms that have anybody."""
    ends = [t.overflow_days * 1440 + t.end.hour * 60 + t.end.minute for t in tables
            if any(not s.absent for s in t.slots)]
    return (max(ends) - min(ends)) if ends else 0


@dataclass(frozen=True)
class TrialCall:
    guid: str
    day: date
    start: time
    end: time


def trial_calls(ordered: Sequence[Participant], exam_day: date, start: time = time(15, 0),
               minutes: int = TEST_CALL_MINUTES) -> list[TrialCall]:
    """Remote form (seed 002 p.3): a test video call not later than the day before; one short
    slot per participant, in the room's order, the day before the exam."""
    day = exam_day - timedelta(days=1)
    clock = datetime.combine(day, start)
    out = []
    for p in ordered:
        if p.absent:
            continue
        end = _add(clock, minutes)
        out.append(TrialCall(p.guid, day, clock.time(), end.time()))
        clock = end
    return out

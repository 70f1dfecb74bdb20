"""Automatic distribution and the timetable (domain + services over the demo school)."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, time

import pytest

from tui_app.domain.distribution import (
    distribute,
    end_spread,
    minutes_for,
    trial_calls,
    timetable,
)
from tui_app.domain.models import OVZ_RESERVE, Attendance, Participant, Room
from tui_app.services import distribute as dist
from tui_app.services import rooms as rooms_svc
from tui_app.services.data import scheme
from tui_app.services.demo import DEMO_ROOMS, generate_participants

SCH = scheme()


def mins(p):
    return minutes_for(p, SCH)


def people(spec: dict[str, int], ovz: dict[str, int] | None = None) -> list[Participant]:
    out = []
    for grade, n in spec.items():
        for i in range(n):
            out.append(Participant(surname=f"Ф{grade}{i:03d}", name="Имя", grade=grade))
    for grade, n in (ovz or {}).items():
        for i in range(n):
            out.append(Participant(surname=f"О{grade}{i:03d}", name="Имя", grade=grade,
                                   reserve=OVZ_RESERVE, category="zpr"))
    return out


def test_minutes_follow_the_category_data():
    general = Participant(surname="А", name="Б")
    assert minutes_for(general, SCH) == 16
    assert minutes_for(general.model_copy(update={"category": "autism", "reserve": "22"}), SCH) == 46
    # «Резерв = 22» without a category yet still gets the ОВЗ time
    assert minutes_for(general.model_copy(update={"reserve": "22"}), SCH) == 46
    assert minutes_for(general, SCH, base=15) == 15


def test_no_ovz_participant_in_an_inaccessible_room():
    ps = generate_participants()
    rooms = [Room(number=n, capacity=40, accessible=a) for n, _, a in DEMO_ROOMS]
    res = distribute(ps, rooms, mins)
    accessible = {r.number for r in rooms if r.accessible}
    ovz = [p for p in ps if p.is_ovz]
    assert len(ovz) == 8
    assert all(res.room_of(p.guid) in accessible for p in ovz)
    assert not res.unplaced
    # two accessible rooms: the ОВЗ participants are spread over both, still none elsewhere
    rooms2 = [r.model_copy(update={"accessible": r.number in ("101", "202")}) for r in rooms]
    res2 = distribute(ps, rooms2, mins)
    where = Counter(res2.room_of(p.guid) for p in ovz)
    assert set(where) == {"101", "202"}


def test_ovz_not_placed_when_no_accessible_room():
    ps = people({"9А": 3}, {"9А": 2})
    rooms = [Room(number="1", capacity=30), Room(number="2", capacity=30)]
    res = distribute(ps, rooms, mins)
    assert len(res.unplaced) == 2
    assert all("доступной" in why for _, why in res.unplaced)
    assert all(p.is_ovz is False for p in ps if res.room_of(p.guid))


def test_demo_school_rooms_end_within_one_slot(demo_ws):
    """Balanced by time: the rooms of the demo school finish within one 16-minute slot.

    The demo rooms have 30 seats each for 120 participants, which leaves no freedom at all
    (every room full, the ОВЗ room ends 4 hours later). The organizer raises the capacity
    first, as on the screen (F3, Enter, «Вместимость»)."""
    store = demo_ws.store
    for r in store.rooms():
        rooms_svc.edit_room(store, r.number, capacity=40)
    res = dist.auto_distribute(store)
    assert not res.unplaced and res.placed == 120
    tables = dist.timetables(store)
    ends = [t.end.hour * 60 + t.end.minute for t in tables]
    assert max(ends) - min(ends) <= 16, [t.end for t in tables]
    assert res.spread == end_spread(tables) <= 16
    # head counts differ (the ОВЗ room holds fewer people): balanced by time, not by heads
    counts = Counter(p.room for p in store.participants())
    assert counts["101"] < min(counts[n] for n in ("102", "201", "202"))
    assert all(t.start == time(9, 0) for t in tables)


def test_capacity_is_never_exceeded():
    ps = generate_participants()
    rooms = [Room(number=n, capacity=30, accessible=a) for n, _, a in DEMO_ROOMS]
    res = distribute(ps, rooms, mins)
    counts = Counter(pl.room for pl in res.placements.values())
    assert max(counts.values()) <= 30 and sum(counts.values()) == 120
    small = [Room(number="1", capacity=5, accessible=True), Room(number="2", capacity=5)]
    res = distribute(people({"9А": 8, "9Б": 4}), small, mins)
    assert len(res.placements) == 10 and len(res.unplaced) == 2
    assert all("мест" in why for _, why in res.unplaced)


def test_a_class_is_not_split_when_it_fits():
    ps = people({"9А": 12, "9Б": 11, "9В": 12})
    rooms = [Room(number=n, capacity=30) for n in ("1", "2", "3")]
    res = distribute(ps, rooms, mins)
    rooms_of = defaultdict(set)
    for p in ps:
        rooms_of[p.grade].add(res.room_of(p.guid))
    assert all(len(v) == 1 for v in rooms_of.values()), rooms_of
    assert len({next(iter(v)) for v in rooms_of.values()}) == 3


def test_class_kept_together_within_one_slot_of_balance():
    # 12 and 10: keeping both classes whole costs two slots of imbalance at most -> kept
    ps = people({"9А": 12, "9Б": 10})
    res = distribute(ps, [Room(number="1"), Room(number="2")], mins)
    assert {res.room_of(p.guid) for p in ps if p.grade == "9А"} != {res.room_of(p.guid) for p in ps if p.grade == "9Б"}
    for g in ("9А", "9Б"):
        assert len({res.room_of(p.guid) for p in ps if p.grade == g}) == 1


def test_a_class_too_big_for_any_room_is_split_into_few_rooms():
    ps = people({"9А": 40})
    rooms = [Room(number=n, capacity=25) for n in ("1", "2", "3")]
    res = distribute(ps, rooms, mins)
    assert not res.unplaced
    counts = Counter(pl.room for pl in res.placements.values())
    assert max(counts.values()) <= 25


def test_order_is_set_per_room_from_one():
    ps = people({"9А": 5, "9Б": 5})
    res = distribute(ps, [Room(number="1"), Room(number="2")], mins)
    by_room = defaultdict(list)
    for pl in res.placements.values():
        by_room[pl.room].append(pl.order)
    for orders in by_room.values():
        assert sorted(orders) == list(range(1, len(orders) + 1))


def test_fixed_participants_stay_and_count():
    ps = people({"9А": 6})
    ps[0] = ps[0].model_copy(update={"room": "2", "order": 1})
    res = distribute(ps, [Room(number="1"), Room(number="2")], mins, fixed=[ps[0].guid])
    assert res.room_of(ps[0].guid) == "2"
    assert res.placements[ps[0].guid].order == 1


def test_timetable_slots_and_limit_flag():
    ps = people({"9А": 3}, {"9А": 1})
    ps = [p.model_copy(update={"order": i}) for i, p in enumerate(ps, 1)]
    ps[1] = ps[1].model_copy(update={"attendance": Attendance.ABSENT})
    t = timetable("1", ps, mins, start=time(9, 0), limit=time(9, 45))
    assert [(s.start, s.end) for s in t.slots] == [
        (time(9, 0), time(9, 16)), (time(9, 16), time(9, 16)),
        (time(9, 16), time(9, 32)), (time(9, 32), time(10, 18))]
    assert t.slots[1].absent and t.slots[3].minutes == 46
    assert t.end == time(10, 18) and t.over_limit
    assert not timetable("1", ps, mins, limit=time(10, 18)).over_limit
    late = timetable("1", ps, mins, start=time(10, 0))
    assert late.end == time(11, 18)


def test_remote_connection_schedule_and_test_calls():
    ps = [p.model_copy(update={"order": i}) for i, p in enumerate(people({"9А": 2}), 1)]
    t = timetable("1", ps, mins, start=time(9, 0), prep_minutes=15)
    assert [(s.connect, s.start, s.end) for s in t.slots] == [
        (time(9, 0), time(9, 15), time(9, 31)), (time(9, 31), time(9, 46), time(10, 2))]
    calls = trial_calls(ps, date(2027, 2, 10), time(15, 0))
    assert [(c.day, c.start, c.end) for c in calls] == [
        (date(2027, 2, 9), time(15, 0), time(15, 5)), (date(2027, 2, 9), time(15, 5), time(15, 10))]


def test_schedule_settings_are_stored_and_validated(demo_ws):
    store = demo_ws.store
    with pytest.raises(dist.DistributeError, match="ЧЧ:ММ"):
        dist.set_schedule(store, "9 утра")
    with pytest.raises(dist.DistributeError, match="от 10 до 30"):
        dist.set_schedule(store, "09:00", "", "90")
    s = dist.set_schedule(store, "08:30", "14:00", "15")
    assert (s.start, s.limit, s.minutes) == (time(8, 30), time(14, 0), 15)
    assert store.settings().schedule_start == "08:30"
    dist.auto_distribute(store)
    tables = dist.timetables(store)
    assert all(t.start == time(8, 30) for t in tables)
    assert any(t.over_limit for t in tables)  # 30 people × 15 min does not fit 8:30–14:00


def test_auto_distribution_keeps_participants_with_a_protocol(demo_results_ws):
    store = demo_results_ws.store
    before = {p.guid: p.room for p in store.participants()}
    protocols = store.protocols()
    dist.auto_distribute(store)
    after = {p.guid: p.room for p in store.participants()}
    assert all(after[g] == before[g] for g in protocols)


def test_auto_distribution_is_durable_and_fills_the_room_field(demo_ws, tmp_path):
    from tui_app.store.workspace import Workspace

    store = demo_ws.store
    res = dist.auto_distribute(store)
    assert res.placed == 120
    root = demo_ws.root
    demo_ws.close()
    w = Workspace.open(root)
    try:
        ps = w.store.participants()
        assert all(p.room and p.order > 0 for p in ps)
        for ovz in (p for p in ps if p.is_ovz):
            assert ovz.room == "101"
    finally:
        w.close()


def test_auto_distribution_without_rooms_says_what_to_do(ws):
    with pytest.raises(dist.DistributeError, match="заведите аудитории"):
        dist.auto_distribute(ws.store)


def test_remote_form_timetable_is_the_connection_schedule(demo_ws):
    store = demo_ws.store
    day = store.exam_day()
    store.set_exam_day(day.model_copy(update={"remote": True}))
    dist.auto_distribute(store)
    t = dist.room_timetable(store, "102")
    first, second = t.slots[0], t.slots[1]
    assert (first.connect, first.start, first.end) == (time(9, 0), time(9, 15), time(9, 31))
    assert second.connect == first.end
    calls = dist.room_trial_calls(store, "102")
    assert len(calls) == len(t.slots) and calls[0].day == date(2027, 2, 9)
    assert calls[0].start == time(15, 0)

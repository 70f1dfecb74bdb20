"""The demo workspace: a fictional school with ~120 generated participants.

Deterministic (a fixed seed), so screenshots and tests see the same school every time.
"""
from __future__ import annotations

import json
import random
import uuid
from datetime import date, time
from pathlib import Path

from ..domain.ordering import room_number_key
from ..errors import Refused
from ..domain.models import (
    OVZ_RESERVE,
    Act,
    ActKind,
    Attendance,
    ExamDay,
    Participant,
    Protocol,
    ProtocolStatus,
    Role,
    Room,
    RoomLogEntry,
    StaffMember,
)
from ..domain.names import feminine_surname, patronymic
from ..store.workspace import META, Store
from ..paths import data_path
from .data import scheme

DEMO_DAY = ExamDay(
    date=date(2027, 2, 10),
    region="47",
    region_name="Ленинградская область",
    msu="005",
    oo="470123",
    oo_name="МОУ «Сосновская средняя общеобразовательная школа № 7» (демо)",
    source_file="47002090-06-470123-005-20270210",
)
# 40 seats each: 120 participants leave the distribution room to balance the rooms by time
DEMO_ROOMS = [("101", 40, True), ("102", 40, False), ("201", 40, False), ("202", 40, False)]
DEMO_CLASSES = ["9А", "9Б", "9В", "9Г"]
DEMO_OVZ = ["deaf", "hard_of_hearing", "blind", "low_vision", "speech", "musculoskeletal", "autism", "zpr"]
LONG_SURNAME = ("Константинопольская-Милославская", "Аделаида", "Вячеславовна")


class NotADemoWorkspace(Refused):
    pass


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ean13(rng: random.Random) -> str:
    digits = [2, 0] + [rng.randrange(10) for _ in range(10)]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits + [check]))


def generate_participants(n: int = 120, seed: int = 7) -> list[Participant]:
    names = json.loads(data_path("demo", "names.json").read_text(encoding="utf-8"))
    rng = random.Random(seed)
    used: set[tuple[str, str]] = set()
    out: list[Participant] = []
    for i in range(n):
        female = rng.random() < 0.5
        while True:
            surname = rng.choice(names["surnames"])
            if rng.random() < 0.05:  # a hyphenated double surname
                surname = f"{surname}-{rng.choice(names['surnames'])}"
            first = rng.choice(names["female_names" if female else "male_names"])
            if female:
                surname = feminine_surname(surname)
            if (surname, first) not in used:
                used.add((surname, first))
                break
        father = rng.choice(names["fathers"])
        patr = "" if rng.random() < 0.03 else patronymic(father, female)
        out.append(
            Participant(
                guid=_guid(rng),
                local_guid=_guid(rng),
                code=f"{100000 + i * 7 + rng.randrange(7):06d}",
                barcode=_ean13(rng),
                kim=f"{rng.randrange(10**6, 10**7)}",
                surname=surname,
                name=first,
                patronymic=patr,
                grade=DEMO_CLASSES[i * len(DEMO_CLASSES) // n],
                birth_date=date(2011, 1, 1).fromordinal(date(2011, 3, 1).toordinal() + rng.randrange(365)),
                sex="Ж" if female else "М",
                doc_series=f"{4000 + rng.randrange(30):04d}",
                doc_number=f"{rng.randrange(10**6):06d}",
            )
        )
    # the cases that must always be there: no patronymic, a very long double surname, ё
    out[3] = out[3].model_copy(update={"patronymic": ""})
    s, nm, pt = LONG_SURNAME
    out[5] = out[5].model_copy(update={"surname": s, "name": nm, "patronymic": pt, "sex": "Ж"})
    out[8] = out[8].model_copy(update={"surname": "Пономарёва-Соловьёва", "name": "Алёна", "sex": "Ж",
                                       "patronymic": "Фёдоровна"})
    # ~8 participants with ОВЗ across categories (Резерв = 22)
    picks = rng.sample(range(10, n), len(DEMO_OVZ))
    for idx, cat in zip(picks, DEMO_OVZ):
        out[idx] = out[idx].model_copy(update={"reserve": OVZ_RESERVE, "category": cat})
    return out


def demo_staff() -> list[StaffMember]:
    names = json.loads(data_path("demo", "names.json").read_text(encoding="utf-8"))["staff"]
    rng = random.Random(11)
    staff = []
    for i, (number, _, _) in enumerate(DEMO_ROOMS):
        staff.append(StaffMember(id=_guid(rng), fio=names[2 * i], role=Role.INTERLOCUTOR, room=number))
        staff.append(StaffMember(id=_guid(rng), fio=names[2 * i + 1], role=Role.EXPERT, room=number))
    staff.append(StaffMember(id=_guid(rng), fio=names[8], role=Role.ORGANIZER))
    staff.append(StaffMember(id=_guid(rng), fio=names[9], role=Role.TECH))
    staff.append(StaffMember(id=_guid(rng), fio=names[10], role=Role.HEAD))
    return staff


def _plausible_scores(rng: random.Random, criteria: list[str], max_of) -> dict[str, int]:
    skill = rng.betavariate(5, 2)  # most pass, a few struggle
    scores = {}
    for code in criteria:
        m = max_of(code)
        scores[code] = max(0, min(m, round(rng.gauss(skill * m, 0.5))))
    return scores


def create_demo(store: Store, *, with_results: bool = False, force: bool = False) -> dict:
    """Fill the store with the demo school. Refuses a workspace holding real data."""
    day = store.exam_day()
    if day is not None and not store.settings().demo and not force:
        raise NotADemoWorkspace(
            "В этой рабочей папке уже есть данные реальной школы; демо-данные туда не записываются. "
            "Укажите другую папку: --workspace ПАПКА."
        )
    participants = generate_participants()
    staff = demo_staff()
    rooms = []
    for number, cap, acc in DEMO_ROOMS:
        inter = next(s.id for s in staff if s.room == number and s.role is Role.INTERLOCUTOR)
        exp = next(s.id for s in staff if s.room == number and s.role is Role.EXPERT)
        rooms.append(Room(number=number, capacity=cap, accessible=acc, interlocutor=inter, expert=exp))
    protocols: list[Protocol] = []
    log: list[RoomLogEntry] = []
    if with_results:
        participants, protocols, log, acts = _fill_results(participants, rooms, staff)
    with store.transaction():
        store.clear(Participant, Room, StaffMember, Protocol, RoomLogEntry, Act, META)
        store.set_exam_day(DEMO_DAY)
        store.update_settings(demo=True)
        store.put_many(participants)
        store.put_many(rooms)
        store.put_many(staff)
        if protocols:
            store.put_many(protocols)
            store.put_many(log)
        if with_results and acts:
            store.put_many(acts)
    return {"participants": len(participants), "rooms": len(rooms), "protocols": len(protocols)}


def _fill_results(participants, rooms, staff):
    """Seat everybody by the real distribution, mark a few absent, give every attendee a
    plausible protocol and ИС-02 times that follow the room's timetable."""
    from ..domain.distribution import distribute, minutes_for

    sch = scheme()
    rng = random.Random(2027)
    expert_of = {r.number: next(s.fio for s in staff if s.id == r.expert) for r in rooms}
    placed = distribute(participants, rooms, lambda p: minutes_for(p, sch)).placements
    seated, protocols, log, acts = [], [], [], []
    signers = [next((s.fio for s in staff if s.role is Role.ORGANIZER), ""),
               next((s.fio for s in staff if s.role is Role.HEAD), "")]
    clock = {r.number: 9 * 60 for r in rooms}
    order = sorted(participants, key=lambda p: (room_number_key(placed[p.guid].room), placed[p.guid].order))
    for p in order:
        room = placed[p.guid].room
        absent = rng.random() < 0.04 and not p.is_ovz
        p = p.model_copy(update={"room": room, "order": placed[p.guid].order,
                                 "attendance": Attendance.ABSENT if absent else Attendance.PRESENT})
        seated.append(p)
        if absent:
            continue
        minutes = minutes_for(p, sch)
        start = clock[room]
        clock[room] += minutes
        status = ProtocolStatus.PRESENT
        roll = rng.random()
        if roll < 0.015:
            status = ProtocolStatus.EARLY
        elif roll < 0.025:
            status = ProtocolStatus.REMOVED
        cat = sch.category(p.category)
        scores = (_plausible_scores(rng, cat.criteria, lambda c: sch.criterion(c).max)
                  if status is ProtocolStatus.PRESENT else {})
        # РАС: the second scheme, scored from the recording (seed 004, 9.5)
        protocols.append(Protocol(participant=p.guid, room=room, variant=str(rng.randrange(1, 9)),
                                  scheme=cat.requires_scheme or 1, expert=expert_of[room],
                                  status=status, scores=scores))
        end = start + (minutes if status is ProtocolStatus.PRESENT else rng.randrange(3, 10))
        end_t = time(end // 60 % 24, end % 60)
        log.append(RoomLogEntry(participant=p.guid, room=room,
                                start=time(start // 60, start % 60), end=end_t))
        if status is not ProtocolStatus.PRESENT:  # every mark has its act (seed 004, 8.10-8.11)
            kind = ActKind.EARLY if status is ProtocolStatus.EARLY else ActKind.REMOVAL
            reason = ("Плохое самочувствие, обращение в медпункт" if kind is ActKind.EARLY
                      else "Использование мобильного телефона")
            acts.append(Act(kind=kind, participant=p.guid, reason=reason, time=end_t,
                            signed_by=signers, act_date=DEMO_DAY.date))
    return seated, protocols, log, acts


def demo_root_for(arg: str | None) -> Path:
    from .workspace import demo_root

    return Path(arg).expanduser() if arg else demo_root()

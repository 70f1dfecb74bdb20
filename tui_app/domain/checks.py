"""The pre-export consistency check of the specialized form ИС-04 (pure).

Each Problem names the participant (or room) and the field, so the checks screen can jump
to the place to fix it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from .criteria import Scheme
from .models import Attendance, ExamDay, Participant, Protocol, Room, RoomLogEntry
from .scoring import validate_protocol


# the РЦОИ's rule for the results file's stem (spec/B2P.md)
B2P_STEM = re.compile(r"^(\d{8})-(\d{2})-(\d{6})-(\d{3}|\d{3}(.*))-(\d{8})$")


@dataclass(frozen=True)
class Problem:
    kind: str  # machine id: "no_protocol", "absent_with_protocol", "invalid_protocol", …
    message: str  # Russian, complete
    participant: Optional[str] = None  # GUID
    room: Optional[str] = None
    field: Optional[str] = None  # criterion code or "variant", "expert", "room"


def sat_exam(p: Participant, protocols: dict[str, Protocol]) -> bool:
    """Rows of the results file = participants who sat the exam (present, incl. early/removed)."""
    return p.attendance is not Attendance.ABSENT and p.guid in protocols


def check_day(day: Optional[ExamDay], scheme: Scheme, participants: Iterable[Participant],
              rooms: Iterable[Room], protocols: dict[str, Protocol],
              room_log: Optional[dict[str, RoomLogEntry]] = None) -> list[Problem]:
    out: list[Problem] = []
    room_log = room_log or {}
    participants = list(participants)
    room_numbers = {r.number for r in rooms}
    if day is None:
        out.append(Problem("no_exam_day", "Не задан экзаменационный день (дата и коды ОО, МСУ, региона)."))
    elif day.source_file and not B2P_STEM.match(day.source_file):
        out.append(Problem("bad_file_name",
                           f"Имя файла результатов «{day.source_file}» не по правилу "
                           f"РР002090-06-ОООООО-МСУ-ГГГГММДД: РЦОИ его не примет."))
    if not participants:
        out.append(Problem("empty_roster", "В списке нет ни одного участника."))
    known = {p.guid for p in participants}
    for guid in protocols:
        if guid not in known:
            out.append(Problem("orphan_protocol", f"Протокол без участника в списке (код {guid}).", guid))
    attended = 0
    for p in participants:
        who = p.short_fio
        proto = protocols.get(p.guid)
        if p.attendance is Attendance.ABSENT:
            if proto is not None:
                out.append(Problem("absent_with_protocol",
                                   f"{who}: отмечен «Н», но для него внесён протокол.", p.guid, p.room))
            entry = room_log.get(p.guid)
            if entry is not None and (entry.start or entry.end):
                out.append(Problem("absent_with_times",
                                   f"{who}: отмечен «Н», но в ведомости ИС-02 у него есть время.",
                                   p.guid, p.room))
            continue
        if not p.room:
            out.append(Problem("no_room", f"{who}: не указана аудитория.", p.guid, None, "room"))
        elif room_numbers and p.room not in room_numbers:
            out.append(Problem("unknown_room", f"{who}: аудитория {p.room} не заведена.", p.guid, p.room, "room"))
        if proto is None:
            if p.attendance is Attendance.PRESENT:
                out.append(Problem("no_protocol", f"{who}: явился, но протокол ИС-03 не внесён.", p.guid, p.room))
            else:
                out.append(Problem("no_attendance",
                                   f"{who}: нет ни протокола, ни отметки о неявке «Н».", p.guid, p.room))
            continue
        attended += 1
        if proto.room and p.room and proto.room != p.room:
            out.append(Problem("room_mismatch",
                               f"{who}: в протоколе аудитория {proto.room}, в списке — {p.room}.",
                               p.guid, p.room, "room"))
        for msg in validate_protocol(scheme, p, proto):
            field = _field_of(msg, scheme)
            out.append(Problem("invalid_protocol", msg, p.guid, p.room, field))
    if participants and attended == 0:
        out.append(Problem("nobody_attended",
                           "Ни один участник не отмечен как сдававший: РЦОИ не примет такой файл."))
    return out


def _field_of(message: str, scheme: Scheme) -> Optional[str]:
    if "вариант" in message:
        return "variant"
    if "эксперт" in message:
        return "expert"
    for c in scheme.criteria:
        if f"{c.code}:" in message or f" {c.code}" in message:
            return c.code
    return None


def attended_count(participants: Iterable[Participant], protocols: dict[str, Protocol]) -> int:
    return sum(1 for p in participants if sat_exam(p, protocols))


def results_rows_problems(participants: Iterable[Participant], protocols: dict[str, Protocol],
                          rows: Iterable[tuple[str, bool, bool]]) -> list[Problem]:
    """Compare the rows written to a results file with the workspace (SPEC §7: a results file
    whose row count differs from the participants who sat the exam is never exported silently).

    rows: (participant GUID, row marked «Н», row carries a result or an early/removed mark).
    """
    participants = list(participants)
    rows = list(rows)
    out: list[Problem] = []
    guids = [g for g, _, _ in rows]
    if len(guids) != len(set(guids)):
        out.append(Problem("rows_duplicate", "В файле результатов участник повторяется."))
    if set(guids) != {p.guid for p in participants}:
        out.append(Problem("rows_roster",
                           f"В файле {len(set(guids))} участников, в списке {len(participants)}."))
    sat = attended_count(participants, protocols)
    with_result = sum(1 for _, absent, res in rows if res and not absent)
    if with_result != sat:
        out.append(Problem("rows_sat",
                           f"В файле строк с результатом {with_result}, а сдававших {sat}."))
    absent_rows = sum(1 for _, absent, _ in rows if absent)
    absentees = sum(1 for p in participants if p.attendance is Attendance.ABSENT)
    if absent_rows != absentees:
        out.append(Problem("rows_absent",
                           f"В файле отметок «Н» {absent_rows}, а не явившихся {absentees}."))
    return out

"""The pre-export consistency check of the specialized form ИС-04 (pure).

Each Problem names the participant (or room) and the field, so the checks screen can jump
to the place to fix it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from .criteria import Scheme
from .models import (Act, ActKind, Attendance, ExamDay, Participant, PriorSitting, Protocol,
                     ProtocolStatus, Room, RoomLogEntry)
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
    severity: str = "error"  # "error" blocks status 19; "warning" is shown, never blocks

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def errors_only(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def sat_exam(p: Participant, protocols: dict[str, Protocol]) -> bool:
    """Rows of the results file = participants who sat the exam (present, incl. early/removed)."""
    return p.attendance is not Attendance.ABSENT and p.guid in protocols


def check_day(day: Optional[ExamDay], scheme: Scheme, participants: Iterable[Participant],
              rooms: Iterable[Room], protocols: dict[str, Protocol], *,
              acts: Optional[Iterable[Act]] = None,
              prior: Optional[Iterable[PriorSitting]] = None,
              log: Optional[dict[str, RoomLogEntry]] = None,
              date_question: Optional[str] = None,
              category_note=None) -> list[Problem]:
    """Every problem of the day. acts/prior/log: the acts ИС-08/ИС-09, earlier sittings and the
    ИС-02 times (when given, marks and acts are checked both ways); date_question: the
    calendar's question about the exam date; category_note(category) -> «уточните в РЦОИ …»."""
    out: list[Problem] = []
    log = log or {}
    participants = list(participants)
    rooms = list(rooms)
    room_numbers = {r.number for r in rooms}
    if day is None:
        out.append(Problem("no_exam_day", "Не задан экзаменационный день (дата и коды ОО, МСУ, региона)."))
    elif day.source_file and not B2P_STEM.match(day.source_file):
        out.append(Problem("bad_file_name",
                           f"Имя файла результатов «{day.source_file}» не по правилу "
                           f"РР002090-06-ОООООО-МСУ-ГГГГММДД: РЦОИ его не примет."))
    if date_question:
        out.append(Problem("exam_date", date_question, severity="warning"))
    if not participants:
        out.append(Problem("empty_roster", "В списке нет ни одного участника."))
    known = {p.guid for p in participants}
    for guid in protocols:
        if guid not in known:
            out.append(Problem("orphan_protocol", f"Протокол без участника в списке (код {guid}).", guid))
    attended = 0
    acts_by: dict[str, list[Act]] = {}
    for a in acts or ():
        acts_by.setdefault(a.participant, []).append(a)
    prior_by: dict[str, list[PriorSitting]] = {}
    for s in prior or ():
        prior_by.setdefault(s.participant, []).append(s)
    noted: dict[str, int] = {}
    for p in participants:
        who = p.short_fio
        proto = protocols.get(p.guid)
        if p.attendance is not Attendance.ABSENT and p.category_unset:
            out.append(Problem("ovz_no_category",
                               f"{who}: «Резерв = 22» (ОВЗ), но категория не выбрана — «Общая» не "
                               f"ставится молча. Выберите категорию или подтвердите «Общая» "
                               f"(экран списка F2 или is-shtab participant {p.code or p.guid} "
                               f"--category ИД).", p.guid, p.room, "category"))
        if acts is not None:
            out += _act_problems(p, proto, acts_by.get(p.guid, []), log.get(p.guid))
        if proto is not None and prior_by.get(p.guid):
            used = {s.variant for s in prior_by[p.guid] if s.variant}
            if proto.variant and proto.variant in used:
                out.append(Problem("retake_same_variant",
                                   f"{who}: повторное прохождение в тот же день с тем же вариантом "
                                   f"{proto.variant} — нужен другой вариант КИМ, с которым участник "
                                   f"не работал (seed 004, 8.9).", p.guid, p.room, "variant"))
        if p.attendance is Attendance.ABSENT:
            if proto is not None:
                out.append(Problem("absent_with_protocol",
                                   f"{who}: отмечен «Н», но для него внесён протокол.", p.guid, p.room))
            entry = log.get(p.guid)
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
        cat = scheme.category(p.category) if scheme.has_category(p.category) else None
        if cat is not None and cat.requires_scheme and proto.scheme != cat.requires_scheme:
            out.append(Problem("scheme_required",
                               f"{who}: категория «{cat.short or cat.name}» оценивается по "
                               f"{'второй' if cat.requires_scheme == 2 else 'первой'} схеме "
                               f"(по аудиозаписи, эксперта в аудитории нет), а протокол — по "
                               f"{'первой' if proto.scheme == 1 else 'второй'}.",
                               p.guid, p.room, "scheme"))
        if cat is not None and category_note is not None and category_note(cat):
            noted[cat.id] = noted.get(cat.id, 0) + 1
    for cat_id, n in noted.items():
        cat = scheme.category(cat_id)
        out.append(Problem("category_to_confirm",
                           f"Категория «{cat.short or cat.name}» (участников: {n}): "
                           f"{category_note(cat)}", severity="warning"))
    if participants and attended == 0:
        out.append(Problem("nobody_attended",
                           "Ни один участник не отмечен как сдававший: РЦОИ не примет такой файл."))
    return out


def _act_problems(p: Participant, proto: Optional[Protocol], acts: list[Act],
                  entry: Optional[RoomLogEntry]) -> list[Problem]:
    """Acts and protocol marks agree both ways (seed 004, 8.10-8.11): «не завершил» has its
    ИС-08, «удалён» its ИС-09, and an act's sitting has no зачёт/незачёт."""
    who = p.short_fio
    out: list[Problem] = []
    sitting = proto.sitting if proto else 1
    current = [a for a in acts if a.sitting == sitting]
    status = proto.status if proto else None
    for kind, st in ((ActKind.EARLY, ProtocolStatus.EARLY), (ActKind.REMOVAL, ProtocolStatus.REMOVED)):
        has = any(a.kind is kind for a in current)
        if status is st and not has:
            # a mark typed here without its act is an error; a mark from a file (B2P, CSV) has
            # its act on paper: a warning, since retakes need the act or a document
            from_file = proto is not None and proto.source == "file"
            out.append(Problem("mark_without_act",
                               f"{who}: отметка «{st.label}» без акта {kind.value}"
                               + (" (отметка из файла: проверьте бумажный акт)" if from_file else "")
                               + f". Составьте акт (F8 или is-shtab act {kind.value} …) или "
                               f"снимите отметку.", p.guid, p.room, "status",
                               severity="warning" if from_file else "error"))
        if has and status is not st:
            what = ("внесён результат (зачёт/незачёт)" if status is ProtocolStatus.PRESENT
                    else "нет протокола с отметкой" if status is None
                    else f"в протоколе «{status.label}»")
            out.append(Problem("act_with_result",
                               f"{who}: составлен акт {kind.value}, но {what}. После акта результата "
                               f"нет; если акт ошибочный — удалите его, протокол вернётся.",
                               p.guid, p.room, "status"))
    for a in current:
        if entry is not None and entry.start is not None and a.time < entry.start:
            out.append(Problem("act_time", f"{who}: время акта {a.time:%H:%M} раньше начала "
                               f"{entry.start:%H:%M} в ИС-02.", p.guid, p.room, "time",
                               severity="warning"))
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

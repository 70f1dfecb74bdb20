"""B2P rows <-> participants and protocols (no store, no file I/O)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from ..domain.criteria import Scheme
from ..domain.models import OVZ_RESERVE, Attendance, Participant, Protocol, ProtocolStatus
from ..domain.ordering import name_key
from ..domain.scoring import score
from .b2p import ABSENT_MARK, N_SCORES, N_SUBTOTALS, B2PRow

NOT_FINISHED = {ProtocolStatus.EARLY: "1", ProtocolStatus.REMOVED: "2"}
STATUS_OF = {"": ProtocolStatus.PRESENT, "1": ProtocolStatus.EARLY, "2": ProtocolStatus.REMOVED}


_NUMBERS = tuple(str(i) for i in range(1000))  # one string each: 36,000 rows x 17 numbers


def _text(n: int) -> str:
    """str(n), the same object for every row (Python makes a new one each time)."""
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def sort_key(p: Participant) -> tuple:
    """Rows are sorted by surname (then name, patronymic, GUID for a stable order)."""
    return name_key(p)


def participant_to_row(scheme: Scheme, p: Participant, proto: Optional[Protocol]) -> B2PRow:
    row = B2PRow(
        surname=p.surname, name=p.name, patronymic=p.patronymic, short_fio=p.short_fio,
        grade=p.grade, room=ABSENT_MARK if p.absent else p.room,
        doc_series=p.doc_series, doc_number=p.doc_number,
        guid=p.guid, local_guid=p.local_guid, barcode=p.barcode, kim=p.kim, code=p.code,
        reserve=p.reserve,
    )
    if p.absent or proto is None:
        return row
    row.room = proto.room or p.room
    row.variant = proto.variant
    row.expert = proto.expert
    row.not_finished = NOT_FINISHED.get(proto.status, "")
    if proto.status is not ProtocolStatus.PRESENT:
        return row
    category = scheme.category(p.category)
    scores = [""] * N_SCORES
    got = proto.scores
    for i, code in scheme.b2p_slots(category):
        v = got.get(code)
        if type(v) is int and v >= 0:  # never anything but digits (a bool is not an int here)
            scores[i] = _text(v)
    row.scores = scores
    res = score(scheme, category, got, proto.status)
    if res.complete:
        row.subtotals = [_text(res.subtotals.get(s.code, 0)) for s in scheme.subtotals][:N_SUBTOTALS]
        row.total = _text(res.total)
        row.passed = "" if res.passed is None else ("1" if res.passed else "0")
    return row


def row_to_participant(row: B2PRow, category: str) -> Participant:
    attendance = Attendance.UNKNOWN
    if row.absent:
        attendance = Attendance.ABSENT
    elif row.room and row.has_result_fields():
        attendance = Attendance.PRESENT
    return Participant(
        guid=row.guid, local_guid=row.local_guid, code=row.code, barcode=row.barcode, kim=row.kim,
        surname=row.surname, name=row.name, patronymic=row.patronymic, grade=row.grade,
        doc_series=row.doc_series, doc_number=row.doc_number, reserve=row.reserve,
        category=category, room=row.room_number, attendance=attendance,
    )


def row_scores(scheme: Scheme, row: B2PRow) -> dict[str, Optional[int]]:
    return {code: int(row.scores[i]) for i, code in enumerate(scheme.b2p_order) if row.scores[i]}


def row_to_protocol(scheme: Scheme, row: B2PRow, scheme_no: int = 1,
                    saved_at: Optional[datetime] = None) -> Optional[Protocol]:
    """The protocol a saved file holds for this row, or None (absent, or nothing entered)."""
    if row.absent or not row.room or not row.has_result_fields():
        return None
    return Protocol(participant=row.guid, room=row.room, variant=row.variant, scheme=scheme_no,
                    source="file",
                    expert=row.expert, status=STATUS_OF.get(row.not_finished, ProtocolStatus.PRESENT),
                    scores=row_scores(scheme, row), saved_at=saved_at)


def guess_ovz_category(scheme: Scheme, row: B2PRow) -> Optional[str]:
    """For a row with РезервI=22 the file does not say the category; guess one whose criteria
    are exactly the filled ones and whose pass rule agrees with Зачёт. The default category
    wins among equals. None when nothing is filled (a roster) or nothing fits."""
    filled = {code for i, code in enumerate(scheme.b2p_order) if row.scores[i]}
    if not filled:
        return None
    total = sum(int(v) for v in row.scores if v)
    fits = []
    for cat in scheme.categories:
        if set(cat.criteria) != filled:
            continue
        if row.passed in ("0", "1") and (total >= cat.pass_min) != (row.passed == "1"):
            continue
        fits.append(cat.id)
    if scheme.default_category in fits:
        return scheme.default_category
    return fits[0] if fits else None


def is_ovz_reserve(row: B2PRow) -> bool:
    return row.reserve == OVZ_RESERVE

"""Rows of the specialized form ИС-04: one per participant (codes, room or «Н», variant,
criteria, subtotals, total, result, expert, marks). Totals from domain.scoring only."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..domain.models import Attendance, Participant, Protocol, ProtocolStatus
from ..domain.ordering import name_key, natural_key, room_list_key
from ..domain.scoring import ScoreResult, score_protocol
from ..store.workspace import Store
from .data import scheme_for

SORTS = ("room", "name", "grade")
SORT_LABELS = {"room": "по аудитории и № в списке", "name": "по фамилии", "grade": "по классу"}


@dataclass(frozen=True)
class Form04Row:
    participant: Participant
    protocol: Optional[Protocol]
    result: Optional[ScoreResult]
    scored: tuple[str, ...]  # criteria the category scores

    @property
    def room_mark(self) -> str:
        return "Н" if self.participant.attendance is Attendance.ABSENT else self.participant.room

    def cell(self, code: str) -> str:
        if self.protocol is None or self.protocol.status is not ProtocolStatus.PRESENT:
            return ""
        if code not in self.scored:
            return "×"
        v = self.protocol.scores.get(code)
        return "" if v is None else str(v)

    @property
    def mark(self) -> str:
        if self.participant.attendance is Attendance.ABSENT:
            return "не явился"
        if self.protocol is None:
            return "не внесён"
        return {"present": "", "early": "не завершил", "removed": "удалён"}[self.protocol.status.value]


def rows(store: Store, sort: str = "room") -> list[Form04Row]:
    """The rows of ИС-04 — the same as on paper (forms/is04.py): the participants who sat the
    exam, i.e. have a protocol («количество строк … равно количеству участников, сдававших»,
    seed 000:29). Absentees and missing protocols are counted by `missing()`."""
    from ..domain.checks import sat_exam

    sch = scheme_for(store)
    protocols = store.protocols()
    out = []
    for p in store.participants():
        if not sat_exam(p, protocols):
            continue
        proto = protocols.get(p.guid)
        cat = sch.category(p.category) if sch.has_category(p.category) else sch.category(None)
        res = score_protocol(sch, p, proto) if proto is not None and sch.has_category(p.category) else None
        out.append(Form04Row(p, proto, res, tuple(cat.criteria)))
    if sort == "name":
        out.sort(key=lambda r: name_key(r.participant))
    elif sort == "grade":
        out.sort(key=lambda r: (natural_key(r.participant.grade), *name_key(r.participant)))
    else:
        out.sort(key=lambda r: room_list_key(r.participant))
    return out


def missing(store: Store) -> tuple[int, int]:
    """(absentees, attendees without a protocol yet): not rows of ИС-04, shown beside it."""
    protocols = store.protocols()
    ps = store.participants()
    absent = sum(1 for p in ps if p.attendance is Attendance.ABSENT)
    return absent, sum(1 for p in ps if p.attendance is not Attendance.ABSENT and p.guid not in protocols)

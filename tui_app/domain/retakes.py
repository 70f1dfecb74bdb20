"""Who may sit an additional date (seed 004, пункт 15) and the next date's roster.

15.1: admitted again, on the additional dates of the school year (the dates are data per
region: data/regions/*.json, computed in services/calendar.py):
  - «незачёт»;
  - removed for a violation (act ИС-09);
  - absent for a valid reason (illness or other), confirmed by a document;
  - did not finish for a valid reason, confirmed by a document (act ИС-08).
15.2: after a «незачёт» a participant may retake at most twice in the school year.

Pure: the service computes pass/fail with the scoring rules and passes it in.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional

from .models import Attendance, Participant, Protocol, ProtocolStatus

MAX_FAIL_RETAKES = 2  # 15.2: «не более двух раз»


class Ground(str, Enum):
    FAILED = "failed"
    REMOVED = "removed"
    ABSENT = "absent"
    EARLY = "early"

    @property
    def label(self) -> str:
        return {
            "failed": "незачёт",
            "removed": "удалён за нарушение (ИС-09)",
            "absent": "не явился по уважительной причине",
            "early": "не завершил по уважительной причине (ИС-08)",
        }[self.value]


@dataclass(frozen=True)
class Verdict:
    participant: str  # guid
    eligible: bool
    ground: Optional[Ground]
    note: str  # Russian: why (not)


def decide(p: Participant, protocol: Optional[Protocol], passed: Optional[bool],
           document: str = "", has_act: bool = False, removed_may_retake: bool = True) -> Verdict:
    """One participant's right to an additional date.

    passed: the scored result (True зачёт, False незачёт, None no result).
    document: the recorded document of a valid reason («справка …»), if any.
    has_act: an act ИС-08/ИС-09 for this participant is recorded.
    """
    g = p.guid
    if p.attendance is Attendance.ABSENT:
        if document:
            return Verdict(g, True, Ground.ABSENT, f"неявка, документ: {document}")
        return Verdict(g, False, Ground.ABSENT, "неявка: нет документа о причине")
    if protocol is None:
        return Verdict(g, False, None, "нет протокола: результата нет")
    if protocol.status is ProtocolStatus.REMOVED:
        if not removed_may_retake:  # seed 003, 3.6 names no removed participants
            return Verdict(g, False, Ground.REMOVED,
                           "удалён за нарушение: порядок региона не допускает удалённых повторно")
        return Verdict(g, True, Ground.REMOVED, "удалён за нарушение требований")
    if protocol.status is ProtocolStatus.EARLY:
        if document or has_act:
            why = f"документ: {document}" if document else "акт ИС-08"
            return Verdict(g, True, Ground.EARLY, f"не завершил, {why}")
        return Verdict(g, False, Ground.EARLY, "не завершил: нет акта ИС-08 и документа")
    if passed is True:
        return Verdict(g, False, None, "зачёт")
    if passed is None:
        return Verdict(g, False, None, "протокол заполнен не полностью: результата нет")
    fails = p.prior_fails + 1
    if p.prior_fails >= MAX_FAIL_RETAKES:
        return Verdict(g, False, Ground.FAILED,
                       f"незачёт {fails}-й раз: обе пересдачи использованы")
    return Verdict(g, True, Ground.FAILED,
                   f"незачёт, пересдача {p.prior_fails + 1} из {MAX_FAIL_RETAKES}")


def carry(p: Participant, verdict: Verdict) -> Participant:
    """The participant on the next date's roster: same GUIDs and data, no room, no marks."""
    fails = p.prior_fails + (1 if verdict.ground is Ground.FAILED else 0)
    return p.model_copy(update={
        "room": "", "attendance": Attendance.UNKNOWN, "order": 0, "kim": "",
        "prior_fails": fails, "added_locally": False,
    })

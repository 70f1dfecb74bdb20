"""Applications for a re-check of the answer and the «ознакомление» list (seed 004, 14.3 and
16; seed 003, 6.6 and 8.1). Who may apply is a region rule: after a repeated «незачёт»
(seed 004, 16.2) or after any «незачёт» (seed 003, 8.1); the deadline is the calendar's."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from ..domain.models import Participant, RecheckApplication
from ..domain.scoring import score_protocol
from ..errors import Refused
from ..store.workspace import Store
from .calendar import rules_for, store_deadlines
from .data import scheme_for


class RecheckRefused(Refused):
    pass


def recheck_deadline(store: Store) -> Optional[date]:
    return next((d.due for d in store_deadlines(store) if d.key == "recheck"), None)


def record_application(store: Store, p: Participant, applied_on: date, applicant: str = "",
                       handed_on: Optional[date] = None, outcome: str = "") -> RecheckApplication:
    proto = store.protocols().get(p.guid)
    res = score_protocol(scheme_for(store), p, proto) if proto is not None else None
    if res is None or res.passed is not False:
        raise RecheckRefused(f"{p.short_fio}: повторная проверка — только после «незачёта» "
                             "(seed 004, 16.2; seed 003, 8.1).")
    if rules_for(store).recheck_after == "repeat_fail" and p.prior_fails < 1:
        raise RecheckRefused(f"{p.short_fio}: по порядку региона повторная проверка проводится "
                             "при повторном «незачёте» (seed 004, 16.2); это первый незачёт.")
    deadline = recheck_deadline(store)
    old = store.get(RecheckApplication, p.guid)
    app = RecheckApplication(
        participant=p.guid, applied_on=applied_on, applicant=applicant or (old.applicant if old else ""),
        handed_on=handed_on or (old.handed_on if old else None),
        outcome=outcome or (old.outcome if old else ""),
        late=bool(deadline and applied_on > deadline),
        recorded_by=store.operator, recorded_at=datetime.now().replace(microsecond=0))
    store.put(app)
    return app


@dataclass(frozen=True)
class AckRow:
    participant: Participant
    result: str  # «зачёт», «незачёт», «не явился», «не завершил», «удалён», «—»
    total: str


def acquaintance_rows(store: Store, grade: str = "") -> list[AckRow]:
    """«Ознакомление с результатами под подпись с датой» (seed 004, 14.3), by class."""
    sch = scheme_for(store)
    protocols = store.protocols()
    out = []
    for p in store.participants():
        if grade and p.grade != grade:
            continue
        proto = protocols.get(p.guid)
        if p.absent:
            out.append(AckRow(p, "не явился", ""))
        elif proto is None:
            out.append(AckRow(p, "—", ""))
        else:
            r = score_protocol(sch, p, proto)
            label = r.result_label if proto.status.value == "present" else proto.status.label
            out.append(AckRow(p, label, str(r.total) if r.passed is not None else ""))
    return sorted(out, key=lambda r: (r.participant.grade, r.participant.surname))

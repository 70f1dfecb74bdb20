"""Saving a protocol ИС-03: validated by the domain rules, durable, audited."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from ..errors import Refused
from ..domain.models import Act, Attendance, Participant, Protocol, ProtocolStatus
from ..domain.scoring import ScoreResult, score_protocol, validate_protocol
from ..store.workspace import Store
from .data import scheme_for


class ProtocolRejected(Refused):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def save_protocol(store: Store, protocol: Protocol, table: Optional[str] = None) -> ScoreResult:
    """Validate and save; raises ProtocolRejected with every problem. Durable on return."""
    participant = store.participant(protocol.participant)
    if participant is None:
        raise ProtocolRejected([f"участник {protocol.participant} не найден"])
    scheme = scheme_for(store)
    problems = scoring_refusals(store, participant, protocol) if table is None else []
    problems += validate_protocol(scheme, participant, protocol)
    if problems:
        raise ProtocolRejected(problems)
    protocol = protocol.model_copy(update={"saved_at": datetime.now().replace(microsecond=0)})
    with store.transaction():
        store.save_protocol(protocol, table)
        if table is None and participant.attendance is not Attendance.PRESENT:
            store.put(participant.model_copy(update={"attendance": Attendance.PRESENT}))
    return score_protocol(scheme, participant, protocol)


def category_refusal(p: Participant) -> str:
    """Why a participant with «Резерв = 22» cannot be scored yet, or ""."""
    if not p.category_unset:
        return ""
    return (f"{p.short_fio}: участник с ОВЗ («Резерв = 22»), а категория не выбрана. Баллы не "
            f"вносятся, пока категория не выбрана или «Общая» не подтверждена явно: экран "
            f"списка (F2) или is-shtab participant {p.code or p.guid} --category ИД "
            f"(«--category general» подтверждает «Общая»).")


def scoring_refusals(store: Store, p: Participant, protocol: Protocol) -> list[str]:
    """The rules that refuse a зачёт/незачёт before validation: the ОВЗ category is unset, or
    an act ИС-08/ИС-09 ended this sitting (a retake with another variant is a new sitting)."""
    out = []
    if protocol.status is ProtocolStatus.PRESENT:
        why = category_refusal(p)
        if why:
            out.append(why)
        acts = [a for a in store.all(Act) if a.participant == p.guid and a.sitting == protocol.sitting]
        if acts:
            a = acts[0]
            out.append(f"{p.short_fio}: на это прохождение составлен акт {a.kind.value} "
                       f"({a.time:%H:%M}) — зачёт/незачёт не выставляется. Если акт ошибочный, "
                       f"удалите его (протокол вернётся); повторное прохождение с другим вариантом "
                       f"— is-shtab retake-today {p.code or p.guid} --variant N.")
    return out

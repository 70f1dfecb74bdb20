"""Saving a protocol ИС-03: validated by the domain rules, durable, audited."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from ..errors import Refused
from ..domain.models import Attendance, Protocol
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
    problems = validate_protocol(scheme, participant, protocol)
    if problems:
        raise ProtocolRejected(problems)
    protocol = protocol.model_copy(update={"saved_at": datetime.now().replace(microsecond=0)})
    with store.transaction():
        store.save_protocol(protocol, table)
        if table is None and participant.attendance is not Attendance.PRESENT:
            store.put(participant.model_copy(update={"attendance": Attendance.PRESENT}))
    return score_protocol(scheme, participant, protocol)

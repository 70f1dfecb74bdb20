"""The pre-export check over a workspace (CLI `check`, the checks screen, export)."""
from __future__ import annotations

from ..domain.checks import Problem, check_day
from ..domain.models import Act, PriorSitting, RoomLogEntry
from ..store.workspace import Store
from .data import scheme_for


def run_checks(store: Store, participants=None, protocols=None) -> list[Problem]:
    """Errors (block status 19) and warnings (shown), in one list."""
    from .calendar import exam_date_question, rules_for

    day = store.exam_day()
    question = exam_date_question(day.date, day.region) if day else None
    rules = rules_for(store)
    return check_day(day, scheme_for(store),
                     store.participants() if participants is None else participants,
                     store.rooms(), store.protocols() if protocols is None else protocols,
                     acts=store.all(Act), prior=store.all(PriorSitting),
                     log={e.participant: e for e in store.all(RoomLogEntry)},
                     date_question=question, category_note=rules.category_note)

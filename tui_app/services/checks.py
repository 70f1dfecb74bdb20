"""The pre-export check over a workspace (CLI `check`, the checks screen, export)."""
from __future__ import annotations

from ..domain.checks import Problem, check_day
from ..domain.models import RoomLogEntry
from ..store.workspace import Store
from .data import scheme_for


def run_checks(store: Store) -> list[Problem]:
    room_log = {e.participant: e for e in store.all(RoomLogEntry)}
    return check_day(store.exam_day(), scheme_for(store), store.participants(), store.rooms(),
                     store.protocols(), room_log)

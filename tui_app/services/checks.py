"""The pre-export check over a workspace (CLI `check`, the checks screen, export)."""
from __future__ import annotations

from ..domain.checks import Problem, check_day
from ..store.workspace import Store
from .data import scheme_for


def run_checks(store: Store) -> list[Problem]:
    return check_day(store.exam_day(), scheme_for(store), store.participants(), store.rooms(),
                     store.protocols())

"""Scoring of one protocol ИС-03: subtotals, total, зачёт/незачёт, and validation.

Validation names every problem in Russian; a protocol with problems is never saved.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .criteria import Category, Scheme
from .models import Attendance, Participant, Protocol, ProtocolStatus


@dataclass(frozen=True)
class ScoreResult:
    subtotals: dict[str, int]  # D1, D2, D3
    total: int
    max: int
    pass_min: int
    passed: Optional[bool]  # None: no result (early/removed, or scores incomplete)
    complete: bool  # every criterion of the category has a score
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def result_label(self) -> str:
        if self.passed is None:
            return "—"
        return "зачёт" if self.passed else "незачёт"


def score(scheme: Scheme, category: Category, scores: dict[str, Optional[int]],
          status: ProtocolStatus = ProtocolStatus.PRESENT) -> ScoreResult:
    """Totals over the criteria the category scores; values outside it are ignored here
    (validate() reports them)."""
    get = scores.get
    subtotals: dict[str, int] = {}
    total = 0
    for code, codes in scheme.subtotal_plan(category):
        sub = 0
        for c in codes:
            v = get(c)
            if v:
                sub += int(v)
        subtotals[code] = sub
        total += sub
    missing = tuple(c for c in category.criteria if get(c) is None)
    complete = not missing
    passed: Optional[bool]
    if status is not ProtocolStatus.PRESENT or not complete:
        passed = None
    else:
        passed = total >= category.pass_min
    return ScoreResult(subtotals, total, category.max, category.pass_min, passed, complete, missing)


def score_protocol(scheme: Scheme, participant: Participant, protocol: Protocol) -> ScoreResult:
    return score(scheme, scheme.category(participant.category), protocol.scores, protocol.status)


def check_digit(scheme: Scheme, category: Category, code: str, value: int) -> Optional[str]:
    """The problem with one typed value, or None if it is allowed."""
    if code not in category.criteria:
        return f"критерий {code} не оценивается для категории «{category.short or category.name}»"
    cmax = scheme.criterion(code).max
    if value < 0 or value > cmax:
        return f"{code}: балл {value} вне диапазона 0–{cmax}"
    return None


def validate_protocol(scheme: Scheme, participant: Participant, protocol: Protocol) -> list[str]:
    """Every problem of the protocol, in Russian. Empty list: it may be saved."""
    problems: list[str] = []  # each is prefixed with the participant's name at the end
    try:
        category = scheme.category(participant.category)
    except KeyError as e:
        return [f"{participant.short_fio}: {e.args[0]}"]
    if protocol.participant != participant.guid:
        problems.append("протокол относится к другому участнику")
    if participant.attendance is Attendance.ABSENT:
        problems.append("участник отмечен как не явившийся («Н»), протокол не вносится")
    present = protocol.status is ProtocolStatus.PRESENT
    limits = scheme.limits(category)
    for code, value in protocol.scores.items():
        if value is None:
            continue
        cmax = limits.get(code)
        if present and cmax is not None and type(value) is int and 0 <= value <= cmax:
            continue  # the common case, decided without building a message
        if not scheme.has_criterion(code):
            problems.append(f"неизвестный критерий «{code}»")
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{code}: балл «{value}» не является числом")
            continue
        if not present:
            problems.append(
                f"{code}: баллы не выставляются, участник {protocol.status.label}"
            )
            continue
        problem = check_digit(scheme, category, code, value)
        if problem:
            problems.append(problem)
    if present:
        missing = [c for c in category.criteria if protocol.scores.get(c) is None]
        if missing:
            problems.append(f"не выставлены баллы по критериям {', '.join(missing)}")
        if not protocol.variant.strip():
            problems.append("не указан номер варианта")
        elif not protocol.variant.strip().isdigit():
            problems.append(f"номер варианта «{protocol.variant}» должен быть числом")
        if not protocol.expert.strip():
            problems.append("не указано ФИО эксперта")
    if not problems:
        return problems
    who = participant.short_fio
    return [f"{who}: {m}" for m in problems]


def result_matches(scheme: Scheme, participant: Participant, protocol: Protocol,
                   claimed_total: Optional[int], claimed_pass: Optional[bool]) -> list[str]:
    """Problems when a total or result written elsewhere (a file, a paper form) contradicts
    the scores."""
    res = score_protocol(scheme, participant, protocol)
    out = []
    who = participant.short_fio
    if claimed_total is not None and claimed_total != res.total:
        out.append(f"{who}: итоговый балл {claimed_total} не равен сумме баллов {res.total}")
    if claimed_pass is not None and res.passed is not None and claimed_pass != res.passed:
        out.append(
            f"{who}: результат «{'зачёт' if claimed_pass else 'незачёт'}» противоречит "
            f"сумме {res.total} (минимум {res.pass_min})"
        )
    if claimed_pass is not None and res.passed is None:
        out.append(f"{who}: у участника нет результата, но указан «{'зачёт' if claimed_pass else 'незачёт'}»")
    return out

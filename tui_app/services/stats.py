"""Statistics of the day: attended, зачёт/незачёт, mean per criterion against its max, the
distribution of totals (a bar chart in text), by room and by class.

Totals and results come from domain.scoring.score only.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..domain.criteria import Scheme
from ..domain.models import Attendance, Participant, Protocol, ProtocolStatus
from ..domain.ordering import natural_key
from ..domain.scoring import score
from ..store.workspace import Store
from .data import scheme_for


@dataclass
class GroupStats:
    name: str
    listed: int = 0
    absent: int = 0
    attended: int = 0  # with a protocol (incl. early/removed)
    passed: int = 0
    failed: int = 0
    early: int = 0
    removed: int = 0
    not_entered: int = 0  # not absent, no protocol yet
    sums: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    totals: Counter = field(default_factory=Counter)  # total -> participants (general max 20)

    def mean(self, code: str) -> Optional[float]:
        n = self.counts.get(code, 0)
        return self.sums.get(code, 0) / n if n else None

    @property
    def pass_rate(self) -> Optional[float]:
        graded = self.passed + self.failed
        return self.passed / graded if graded else None


@dataclass
class DayStats:
    scheme: Scheme
    overall: GroupStats
    by_room: list[GroupStats]
    by_class: list[GroupStats]


def add(g: GroupStats, sch: Scheme, p: Participant, proto: Optional[Protocol]) -> None:
    if proto is None:
        count(g, sch, p.attendance, p.category, None, None)
    else:
        count(g, sch, p.attendance, p.category, proto.status, proto.scores)


def count(g: GroupStats, sch: Scheme, attendance: Attendance, category: str,
          status: Optional[ProtocolStatus], scores: Optional[dict[str, Optional[int]]]) -> None:
    """One participant into the group: its attendance and category, its protocol's status
    and scores (None: no protocol)."""
    g.listed += 1
    if attendance is Attendance.ABSENT:
        g.absent += 1
        return
    if status is None or scores is None:
        g.not_entered += 1
        return
    g.attended += 1
    if status is ProtocolStatus.EARLY:
        g.early += 1
        return
    if status is ProtocolStatus.REMOVED:
        g.removed += 1
        return
    res = score(sch, sch.category(category), scores, status)
    if res.passed is True:
        g.passed += 1
    elif res.passed is False:
        g.failed += 1
    if res.complete:
        g.totals[res.total] += 1
    allowed = sch.category(category).criteria if sch.has_category(category) else []
    for code in allowed:
        v = scores.get(code)
        if v is not None:
            g.sums[code] = g.sums.get(code, 0) + v
            g.counts[code] = g.counts.get(code, 0) + 1


def compute(store: Store) -> DayStats:
    sch = scheme_for(store)
    protocols = store.protocols()
    overall = GroupStats("Всего")
    rooms: dict[str, GroupStats] = {}
    classes: dict[str, GroupStats] = {}
    for p in store.all(Participant):  # groups are sorted below: the name order is not needed
        proto = protocols.get(p.guid)
        add(overall, sch, p, proto)
        add(rooms.setdefault(p.room or "—", GroupStats(p.room or "—")), sch, p, proto)
        add(classes.setdefault(p.grade or "—", GroupStats(p.grade or "—")), sch, p, proto)
    def key(g: GroupStats) -> tuple:
        return natural_key(g.name)

    return DayStats(sch, overall, sorted(rooms.values(), key=key), sorted(classes.values(), key=key))


def bar(value: float, top: float, width: int) -> str:
    """A bar of block characters, eighths included, `width` cells long at `top`."""
    if top <= 0 or value <= 0:
        return ""
    cells = value / top * width
    full = int(cells)
    rest = int((cells - full) * 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[rest - 1] if rest else "")


def histogram(totals: Counter, top_total: int, width: int = 30, pass_min: Optional[int] = None
              ) -> list[str]:
    """One line per total top_total..0: «13 │████▌ 9»; a rule under the pass minimum."""
    most = max(totals.values(), default=0)
    out = []
    for t in range(top_total, -1, -1):
        out.append(f"{t:>2} │{bar(totals.get(t, 0), most, width):<{width}} {totals.get(t, 0) or ''}".rstrip())
        if pass_min is not None and t == pass_min:
            out.append(f"   ├{'─' * 3} выше — зачёт (минимум {pass_min} в общей категории)")
    return out


def criteria_lines(g: GroupStats, sch: Scheme, width: int = 20) -> list[str]:
    out = []
    for c in sch.criteria:
        m = g.mean(c.code)
        if m is None:
            out.append(f"{c.code:<3} —")
            continue
        out.append(f"{c.code:<3} {m:4.2f} из {c.max}  │{bar(m, c.max, width):<{width}}│ {m / c.max:4.0%}")
    return out


def group_line(g: GroupStats) -> str:
    rate = f"{g.pass_rate:4.0%}" if g.pass_rate is not None else "  — "
    return (f"{g.name:<6} {g.listed:>4} {g.absent:>4} {g.attended:>5} {g.passed:>6} {g.failed:>7} "
            f"{g.early + g.removed:>5} {g.not_entered:>6}  {rate}")


GROUP_HEAD = "       списк.   Н  сдав. зачёт незачёт досрч не вн.  % зач."


def report_lines(st: DayStats, width: int = 30) -> list[str]:
    """The whole statistics as text (the screen shows it, the CLI could print it)."""
    o = st.overall
    lines = [
        f"Участников в списке: {o.listed}, не явились (Н): {o.absent}, сдавали: {o.attended}, "
        f"протокол не внесён: {o.not_entered}",
        f"Зачёт: {o.passed}   незачёт: {o.failed}   не завершили: {o.early}   удалены: {o.removed}"
        + (f"   доля зачётов: {o.pass_rate:.0%}" if o.pass_rate is not None else ""),
        "",
        "Средний балл по критериям (от максимума):",
        *criteria_lines(o, st.scheme, width=width - 10),
        "",
        f"Распределение итоговых баллов (полностью оценённые, {sum(o.totals.values())} чел.):",
        *histogram(o.totals, st.scheme.total_max, width,
                   st.scheme.category(None).pass_min),
        "",
        "По аудиториям:",
        GROUP_HEAD,
        *[group_line(g) for g in st.by_room],
        "",
        "По классам:",
        GROUP_HEAD,
        *[group_line(g) for g in st.by_class],
    ]
    return lines


def groups(st: DayStats) -> Iterable[GroupStats]:
    yield st.overall
    yield from st.by_room
    yield from st.by_class

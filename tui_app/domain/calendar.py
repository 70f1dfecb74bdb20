"""Working days, the year's exam dates and the deadlines of the exam day (pure).

The non-working days (public holidays and their transfers, a region's own days off) and the
weekend days made working by a transfer come in as data (`WorkCalendar`): the service builds
them from the production calendar (the `holidays` package) and data/regions/*.json. The rules
of which dates and which deadlines are data too (`RegionRules`, domain/regions.py).

Counting (the wording of the seeds):
- «не позднее N рабочих дней со дня проведения» — the N-th working day after the date
  (the date itself not counted);
- «в течение N календарных дней после даты» — the date + N;
- «не позднее чем за N дней до» — the date − N, moved back to a working day (what must be
  done on a Sunday is done by the Friday before).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Optional

WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")


@dataclass(frozen=True)
class WorkCalendar:
    off: frozenset[date] = frozenset()  # holidays and transferred days off (any weekday)
    workdays: frozenset[date] = frozenset()  # Saturdays/Sundays made working by a transfer
    names: dict = field(default_factory=dict, compare=False, hash=False)  # date -> holiday name

    def is_working(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.off:
            return False
        return d.weekday() < 5

    def add_working(self, d: date, n: int) -> date:
        """The n-th working day after d (n = 0: d itself if working, else the next one)."""
        if n <= 0:
            while not self.is_working(d):
                d += timedelta(days=1)
            return d
        while n:
            d += timedelta(days=1)
            if self.is_working(d):
                n -= 1
        return d

    def working_on_or_before(self, d: date) -> date:
        while not self.is_working(d):
            d -= timedelta(days=1)
        return d

    def why_off(self, d: date) -> str:
        if d in self.workdays:
            return ""
        if d in self.off:
            return self.names.get(d, "нерабочий праздничный день")
        if d.weekday() >= 5:
            return "выходной"
        return ""


def nth_weekday(year: int, month: int, weekday: int, n: int, cal: Optional[WorkCalendar] = None,
                working: bool = False) -> Optional[date]:
    """The n-th `weekday` (0 = Monday) of the month; with working=True only working ones count
    («вторая рабочая среда марта», «первый рабочий понедельник мая»)."""
    d = date(year, month, 1)
    d += timedelta(days=(weekday - d.weekday()) % 7)
    while d.month == month:
        if not working or cal is None or cal.is_working(d):
            n -= 1
            if n == 0:
                return d
        d += timedelta(days=7)
    return None


def weekday_name(d: date) -> str:
    return WEEKDAYS[d.weekday()]


@dataclass(frozen=True)
class ExamDate:
    day: date
    kind: str  # "main" | "additional"
    text: str  # the rule in Russian: «вторая среда февраля»


def exam_dates(school_year_end: int, main: dict, additional: Iterable[dict], cal: WorkCalendar,
               explicit: Optional[dict] = None) -> list[ExamDate]:
    """The exam dates of the school year ending in `school_year_end` (Feb–May of that year):
    explicit dates of the year from the data win over the rules."""
    explicit = explicit or {}
    out: list[ExamDate] = []
    if explicit.get("main"):
        out.append(ExamDate(date.fromisoformat(explicit["main"]), "main", "дата года из данных"))
    else:
        d = _rule_date(school_year_end, main, cal)
        if d:
            out.append(ExamDate(d, "main", main.get("text", "")))
    if explicit.get("additional"):
        out += [ExamDate(date.fromisoformat(x), "additional", "дата года из данных")
                for x in explicit["additional"]]
    else:
        for rule in additional:
            d = _rule_date(school_year_end, rule, cal)
            if d:
                out.append(ExamDate(d, "additional", rule.get("text", "")))
    return sorted(out, key=lambda e: e.day)


def _rule_date(year: int, rule: dict, cal: WorkCalendar) -> Optional[date]:
    return nth_weekday(year, int(rule["month"]), int(rule["weekday"]), int(rule["n"]), cal,
                       bool(rule.get("working")))


def school_year_end(d: date) -> int:
    """The calendar year in which the school year of d has its exam dates (Sep–Dec → next)."""
    return d.year + 1 if d.month >= 9 else d.year


def date_question(d: date, dates: list[ExamDate], cal: WorkCalendar) -> Optional[str]:
    """A Russian question when the exam date is not one of the year's dates (or is a day off);
    None when it is."""
    if any(e.day == d for e in dates):
        off = cal.why_off(d)
        return f"Дата {d:%d.%m.%Y} — {off}: проверьте дату экзамена." if off else None
    listed = ", ".join(f"{e.day:%d.%m.%Y} ({e.text or e.kind})" for e in dates) or "—"
    off = cal.why_off(d)
    extra = f"; это {off}" if off else ""
    return (f"Дата экзамена {d:%d.%m.%Y} ({weekday_name(d)}{extra}) не совпадает ни с одной датой ИС "
            f"этого учебного года по данным: {listed}. Проверьте дату (или внесите дату года в "
            f"data/regions).")


@dataclass(frozen=True)
class Deadline:
    key: str
    text: str  # Russian, what is due
    due: date
    until: str = ""  # «17:00» where the region says so
    quote: str = ""  # seed:line
    before: bool = False  # a preparation step (T-N), not a post-exam deadline

    def label(self) -> str:
        when = f"{self.due:%d.%m.%Y} ({weekday_name(self.due)})"
        if self.until:
            when += f", {self.until}"
        return f"{self.text} — до {when}"


def deadlines(exam: date, rules: dict, cal: WorkCalendar, remote: bool = False) -> list[Deadline]:
    """Every deadline of the rules for an exam date, in date order. rules: key -> {before: N} or
    {after: N, kind: working|calendar, from: other key, until: "ЧЧ:ММ"}."""
    done: dict[str, date] = {}
    out: list[Deadline] = []
    pending = dict(rules)
    for _ in range(len(pending) + 1):
        for key in list(pending):
            r = pending[key]
            if r.get("remote") and not remote:
                pending.pop(key)
                continue
            base_key = r.get("from")
            if base_key and base_key not in done:
                if base_key not in pending:
                    pending.pop(key)  # refers to nothing: skipped
                continue
            base = done[base_key] if base_key else exam
            if "before" in r:
                due = cal.working_on_or_before(base - timedelta(days=int(r["before"])))
            elif r.get("kind") == "working":
                due = cal.add_working(base, int(r.get("after", 0)))
            else:
                due = base + timedelta(days=int(r.get("after", 0)))
            done[key] = due
            out.append(Deadline(key, r.get("text", key), due, r.get("until", "") or "",
                                r.get("quote", ""), "before" in r))
            pending.pop(key)
    return sorted(out, key=lambda x: (x.due, x.key))

"""The production calendar and the region's rules for a workspace: working days, the year's
exam dates, the deadlines (main screen, `info`, the checklist, `check`).

Public holidays and their transfers come from the `holidays` package (Russia, kept up to
date with the government's decrees); a region's own days off and explicit dates come from
data/regions/*.json.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from functools import lru_cache
from typing import Optional

from ..domain.calendar import (
    Deadline,
    ExamDate,
    WorkCalendar,
    date_question,
    deadlines,
    exam_dates,
    school_year_end,
)
from ..domain.regions import RegionRules, rules_from
from ..paths import data_path


def _read(name: str) -> Optional[dict]:
    path = data_path("regions", f"{name}.json")
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=16)
def region_rules(region: str = "") -> RegionRules:
    """The rules of a region code («47»); the default rules for an unknown one."""
    return rules_from(_read("default") or {}, _read(region) if region else None)


def rules_for(store) -> RegionRules:
    day = store.exam_day()
    return region_rules(day.region if day else "")


def _load_alone(name: str) -> None:
    """Import the module `name` (a.b.c) from its file without running its package's
    __init__ (a.b), unless that package is already imported. `holidays.countries` imports
    all its ~250 countries when any one is first asked for: a third of a second of every
    start, since the main screen's checklist needs the Russian calendar. On any surprise
    (another layout of the package) nothing is done and the normal import runs later."""
    parent = name.rpartition(".")[0]
    if name in sys.modules or parent in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(parent)  # found, not run (its own parent is imported)
        folder = spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else None
        if folder is None:
            return
        mod_spec = importlib.util.spec_from_file_location(name, f"{folder}/{name.rpartition('.')[2]}.py")
        if mod_spec is None or mod_spec.loader is None:
            return
        module = importlib.util.module_from_spec(mod_spec)
        sys.modules[name] = module
        try:
            mod_spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    except (ImportError, OSError, AttributeError):
        return


TABLE = ("calendar", "ru.json")  # the Russian calendar of the `holidays` package, written out
TABLE_YEARS = range(2020, 2041)


def _russia_sources() -> list:
    """The files of the `holidays` package that make the Russian calendar (its rules and
    transfers, its Russian names), found without importing the package."""
    from pathlib import Path

    spec = importlib.util.find_spec("holidays")
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(spec.submodule_search_locations[0])
    return [root / "countries" / "russia.py", root / "locale" / "ru" / "LC_MESSAGES" / "RU.mo"]


def russia_fingerprint() -> str:
    """What the written-out table was made from: a change of the package's Russian rules or
    names (a new decree in a new version) makes the table stale, and the package is asked."""
    import hashlib

    h = hashlib.sha256()
    for path in _russia_sources():
        try:
            h.update(path.read_bytes())
        except OSError:
            return ""
    return h.hexdigest()


def russia_live(years: tuple[int, ...]) -> tuple[dict[date, str], frozenset[date]]:
    """(public holidays and days off with their Russian names, working weekend days) of the
    years, from the `holidays` package itself."""
    import holidays as _holidays  # the maintained calendar of public holidays and transfers

    _load_alone("holidays.countries.russia")  # Russia only, not every country
    ru = _holidays.country_holidays("RU", years=list(years), language="ru")
    return {d: str(n) for d, n in ru.items()}, frozenset(getattr(ru, "weekend_workdays", set()) or set())


def write_table() -> None:
    """Write the Russian calendar of TABLE_YEARS out of the installed `holidays` package
    (`python -m tui_app.services.calendar`; tests/test_lean_start.py says when it is due)."""
    names, workdays = russia_live(tuple(TABLE_YEARS))
    table = {"fingerprint": russia_fingerprint(), "years": [TABLE_YEARS[0], TABLE_YEARS[-1]],
             "off": {d.isoformat(): names[d] for d in sorted(names)},
             "workdays": sorted(d.isoformat() for d in workdays)}
    data_path(*TABLE).write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def _table() -> Optional[dict]:
    path = data_path(*TABLE)
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return table if table.get("fingerprint") == russia_fingerprint() else None


def russia(years: tuple[int, ...]) -> tuple[dict[date, str], frozenset[date]]:
    """As russia_live, read from the written-out table where it holds the years and was made
    from the installed package (importing `holidays` is a tenth of a second of every start,
    since the main screen's checklist needs the deadlines)."""
    table = _table()
    if table is None or not all(table["years"][0] <= y <= table["years"][1] for y in years):
        return russia_live(years)
    wanted = {str(y) for y in years}
    names = {date.fromisoformat(d): n for d, n in table["off"].items() if d[:4] in wanted}
    return names, frozenset(date.fromisoformat(d) for d in table["workdays"] if d[:4] in wanted)


@lru_cache(maxsize=16)
def work_calendar(years: tuple[int, ...], region: str = "") -> WorkCalendar:
    """Non-working days of the years: the Russian production calendar plus the region's data."""
    names, workdays_ru = russia(years)
    off = set(names)
    workdays = set(workdays_ru)
    rules = region_rules(region)
    for text in rules.holidays:
        d = date.fromisoformat(text)
        off.add(d)
        names.setdefault(d, "региональный выходной")
    workdays |= {date.fromisoformat(t) for t in rules.workdays}
    return WorkCalendar(frozenset(off), frozenset(workdays), names)


def calendar_around(d: date, region: str = "") -> WorkCalendar:
    return work_calendar((d.year - 1, d.year, d.year + 1), region)


def year_dates(d: date, region: str = "") -> list[ExamDate]:
    """The exam dates of the school year of d, for the region."""
    rules = region_rules(region)
    year = school_year_end(d)
    cal = work_calendar((year - 1, year, year + 1), region)
    return exam_dates(year, rules.exam_dates.get("main", {}), rules.exam_dates.get("additional", []),
                      cal, rules.years.get(str(year)))


def exam_date_question(d: date, region: str = "") -> Optional[str]:
    return date_question(d, year_dates(d, region), calendar_around(d, region))


def day_deadlines(d: date, region: str = "", remote: bool = False) -> list[Deadline]:
    rules = region_rules(region)
    return deadlines(d, rules.deadlines, calendar_around(d, region), remote)


def store_deadlines(store) -> list[Deadline]:
    day = store.exam_day()
    if day is None:
        return []
    from .remote import is_remote

    return day_deadlines(day.date, day.region, is_remote(store))


def next_additional(after: date, region: str = "") -> Optional[date]:
    for e in year_dates(after, region):
        if e.kind == "additional" and e.day > after:
            return e.day
    return None


def condition_ids() -> list[str]:
    """The ids of the special conditions a participant may have (data/regions/default.json)."""
    return [c["id"] for c in region_rules().conditions]


if __name__ == "__main__":
    write_table()

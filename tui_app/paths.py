"""Where the shipped data lives: criteria schemes, fonts, the demo roster (bottom layer).

Any layer may import this module; it imports nothing of ours. The criteria year is read from
the data folder (`data/criteria/<год>.json`), never written as a literal in code.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Optional


def data_dir() -> Path:
    """The data/ folder: the checkout's when running from one, else the installed
    package's tui_app.data."""
    checkout = Path(__file__).resolve().parents[1] / "data"
    if (checkout / "criteria").is_dir():
        return checkout
    try:
        from importlib.resources import files

        p = Path(str(files("tui_app.data")))
        if (p / "criteria").is_dir():
            return p
    except (ModuleNotFoundError, TypeError):
        pass
    return checkout


def data_path(*parts: str) -> Path:
    return data_dir().joinpath(*parts)


@lru_cache(maxsize=1)
def scheme_years() -> tuple[str, ...]:
    """The years of the criteria schemes shipped in data/criteria, oldest first."""
    folder = data_path("criteria")
    years = sorted(p.stem for p in folder.glob("*.json") if re.fullmatch(r"\d{4}", p.stem))
    return tuple(years)


def scheme_year_for(day: Optional[date] = None) -> str:
    """The scheme year for an exam date: the newest shipped scheme not later than the date's
    year (the newest of all without a date, or when every scheme is later)."""
    years = scheme_years()
    if not years:
        raise FileNotFoundError(f"Нет ни одного файла критериев в {data_path('criteria')}")
    if day is not None:
        fit = [y for y in years if int(y) <= day.year]
        if fit:
            return fit[-1]
    return years[-1]

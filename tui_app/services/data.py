"""The loaded criteria scheme of a workspace (the data folder itself is `tui_app.paths`)."""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from ..domain.criteria import Scheme, load_scheme_file
from ..paths import data_path, scheme_year_for


@lru_cache(maxsize=8)
def scheme(year: Optional[str] = None) -> Scheme:
    """The criteria scheme of a year (`data/criteria/<год>.json`); the newest without one."""
    year = year or scheme_year_for()
    path = data_path("criteria", f"{year}.json")
    if not path.exists():
        raise FileNotFoundError(f"Нет файла критериев для {year} года: {path}")
    return load_scheme_file(path)


def scheme_for(store) -> Scheme:
    """The scheme of the workspace's exam day (its stored year, else the one for its date)."""
    day = store.exam_day()
    if day is None:
        return scheme()
    return scheme(day.scheme_year or scheme_year_for(day.date))

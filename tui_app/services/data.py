"""Where the shipped data lives (criteria, fonts, demo) and the loaded criteria scheme."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..domain.criteria import Scheme, load_scheme_file


def data_dir() -> Path:
    """The data/ folder: the checkout's when running from one, else the installed
    package's tui_app.data."""
    checkout = Path(__file__).resolve().parents[2] / "data"
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


@lru_cache(maxsize=8)
def scheme(year: str = "2025") -> Scheme:
    path = data_path("criteria", f"{year}.json")
    if not path.exists():
        raise FileNotFoundError(f"Нет файла критериев для {year} года: {path}")
    return load_scheme_file(path)


def scheme_for(store) -> Scheme:
    day = store.exam_day()
    return scheme(day.scheme_year if day else "2025")

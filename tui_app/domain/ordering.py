"""One order for everything a list shows: Russian names, rooms, a room's seats (pure).

Every sort and every search of names on screens, in forms and in files goes through here, so
the roster (F2), ИС-01, ИС-02, ИС-04, the entry stack and the distribution list the same people
in the same order:

- names collate case-insensitively with «ё» as «е» (Ёлкин sits among the Е), hyphens and dashes
  as one separator, runs of spaces as one; ties fall back to the exact spelling, then the GUID,
  so an order never depends on how the store happened to hold the rows;
- rooms sort naturally («2» < «10» < «101» < «101а»), rooms without a number last;
- within a room, the list number (`order`) first, then the name.
"""
from __future__ import annotations

import re
from datetime import date as _date, datetime as _datetime
from typing import Any, Optional, Protocol as _Protocol

_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-"})
_DASH_CHARS = tuple(map(chr, _DASHES))
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"(\d+)")
NO_ORDER = 10**6  # a seat without a list number comes after every numbered one


def fold(text: Optional[str]) -> str:
    """The comparable form of a name or a search: lower case, «ё» → «е», one kind of dash,
    single spaces, no spaces around a hyphen.

    Every sort of a list calls this for every name, so each step runs only where the text
    needs it (a table lookup per character was most of the cost of sorting long names)."""
    t = text or ""
    if not t.isascii():
        for dash in _DASH_CHARS:
            if dash in t:
                t = t.translate(_DASHES)
                break
    t = t.casefold()
    if "ё" in t:
        t = t.replace("ё", "е")
    if not t.isprintable() or "  " in t:  # a whitespace other than one ASCII space
        t = _SPACES.sub(" ", t)
    t = t.strip()
    if "-" in t and " " in t:
        t = t.replace(" - ", "-").replace("- ", "-").replace(" -", "-")
    return t


class _Named(_Protocol):
    surname: str
    name: str
    patronymic: str
    guid: str


def name_key(p: _Named) -> tuple:
    """Alphabetical order of people: surname, name, patronymic (folded), then the exact
    spelling and the GUID as tie-breaks."""
    return (fold(p.surname), fold(p.name), fold(p.patronymic), p.surname, p.name, p.patronymic, p.guid)


def natural_key(text: Optional[str]) -> tuple:
    """Natural order of codes such as room numbers and classes («2» < «10» < «101» < «101а»,
    «9А» < «10Б»); an empty text last."""
    t = fold(text)
    if not t:
        return (1, ())
    parts = tuple((0, int(c), c) if c.isdigit() else (1, 0, c) for c in _DIGITS.split(t) if c)
    return (0, parts)


room_number_key = natural_key  # rooms without a number (empty) come last


def room_key(room: Any) -> tuple:
    """Order of Room objects (anything with `.number`)."""
    return room_number_key(room.number)


def seat_key(p: Any) -> tuple:
    """Order within a room: the list number, then the name."""
    return (p.order or NO_ORDER, *name_key(p))


def room_list_key(p: Any) -> tuple:
    """Everyone by room (natural order, no room last), then seat."""
    return (room_number_key(p.room), *seat_key(p))


def act_key(a: Any) -> tuple:
    """Acts ИС-08/ИС-09 in the order of the day: by the act's date and time, then as drawn
    up in the program; the kind, participant and id settle ties (acts written in the same
    second list the same way every time)."""
    return (a.act_date is None, a.act_date or _date.min, a.time, a.created_at is None,
            a.created_at or _datetime.min, a.kind.value, a.participant, a.id)

"""Who is meant: one way to find a participant from what was typed, for every screen that
asks «who» (protocol entry, acts, forms, the listening station) and the CLI.

What may be typed (case and «ё»/«е» do not matter, nor the layout):

- a **row number** of the room's list (when a room is given): «7»;
- a **participant code** (Код_участника): «100037»;
- a **surname** or its beginning: «ёлкин», «елк»;
- a **surname with initials or a name**: «иванова е», «Иванова Е. П.», «иванова елена».

One match opens; several go to a short list to choose from, each line with the class, the
room and the code (widgets/participant_picker.py). A search that finds nothing as typed is
tried again in the Russian reading of the Latin layout («Bdfyjd» → «Иванов»).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..domain.layout import HINT as LATIN_HINT
from ..domain.layout import has_latin, to_russian
from ..domain.models import Participant, is_guid, norm_guid
from ..domain.ordering import fold, room_list_key, seat_key
from ..errors import NotFound

_INITIALS = re.compile(r"[.\s]+")


@dataclass(frozen=True)
class Found:
    """The participants matching a typed text, best first."""

    text: str
    people: list[Participant] = field(default_factory=list)
    latin: bool = False  # found only after reading the text in the Russian layout

    @property
    def one(self) -> Optional[Participant]:
        return self.people[0] if len(self.people) == 1 else None

    @property
    def several(self) -> bool:
        return len(self.people) > 1

    def __bool__(self) -> bool:
        return bool(self.people)

    @property
    def hint(self) -> str:
        """«похоже, включена латинская раскладка» when the layout was the trouble."""
        return LATIN_HINT if self.latin else ""

    def not_found(self, where: str = "") -> str:
        place = f" {where}" if where else ""
        return (f"Участник «{self.text}» не найден{place}: наберите фамилию (можно с инициалами), "
                "код участника или номер в списке аудитории.")


def list_number(p: Participant, room_list: Sequence[Participant]) -> int:
    """The participant's number in the room's list (ИС-02): the stored order, else the place."""
    return p.order or (list(room_list).index(p) + 1)


def label(p: Participant, room_list: Optional[Sequence[Participant]] = None) -> str:
    """One line for a list to choose from: «Ёлкин Иван Васильевич · 9А · ауд. 102 · код 100037»."""
    bits = [p.fio, p.grade or "класс —", f"ауд. {p.room}" if p.room else "без аудитории",
            f"код {p.code}" if p.code else "без кода"]
    if room_list is not None and p in room_list:
        bits.insert(0, f"№ {list_number(p, room_list)}")
    return " · ".join(bits)


def find(people: Sequence[Participant], text: str,
         room_list: Optional[Sequence[Participant]] = None) -> Found:
    """Everyone `text` may mean. With `room_list` (the room being typed), a number is first
    a row of that list and a name is looked for in that room before the whole school."""
    text = (text or "").strip()
    if not text:
        return Found(text)
    found = _find(people, text, room_list)
    if not found and has_latin(text):
        again = _find(people, to_russian(text), room_list)
        if again:
            return Found(text, again, latin=True)
    return Found(text, found)


def find_one(people: Sequence[Participant], text: str, error: type[Exception] = NotFound,
             not_found: str = "") -> Participant:
    """Exactly one participant for what was typed where no list can be shown (a command line,
    a form's field): an exact GUID, code or barcode first, then `find`. None or several raise
    `error` — the several with their class, room and code, so the code can be typed."""
    text = (text or "").strip()
    people = list(people)
    guid = norm_guid(text) if is_guid(text) else None  # «{8F1E…}» = «8f1e…», as .NET writes them
    exact = [p for p in people if text and (text in (p.guid, p.local_guid, p.code, p.barcode)
                                            or (guid is not None and norm_guid(p.guid) == guid))]
    found = exact or find(people, text).people
    if len(found) == 1:
        return found[0]
    if found:
        shown = "; ".join(label(p) for p in found[:5]) + (" …" if len(found) > 5 else "")
        raise error(f"Участников «{text}» несколько — укажите код участника: {shown}.")
    raise error(not_found or Found(text).not_found())


def _find(people: Sequence[Participant], text: str,
          room_list: Optional[Sequence[Participant]]) -> list[Participant]:
    if text.isdigit():
        return _by_number(people, text, room_list)
    key = fold(text)
    tokens = [t for t in key.split(" ") if t]
    surname, rest = tokens[0], tokens[1:]
    if len(tokens) == 1 and "." in surname:  # «иванова.е.» typed without spaces
        surname, *rest = [t for t in surname.split(".") if t] or [""]
    rest = _name_parts(rest)
    pools = [list(room_list)] if room_list else []
    pools.append(list(people))
    for pool in pools:
        hits = _by_name(pool, surname, rest)
        if hits:
            return sorted(hits, key=seat_key if pool is not pools[-1] else room_list_key)
    return []


def _by_number(people, text, room_list) -> list[Participant]:
    out: list[Participant] = []
    if room_list:
        n = int(text)
        out = [p for p in room_list if list_number(p, room_list) == n]
    out += [p for p in people if text in (p.code, p.local_guid) and p not in out]
    return out


def _name_parts(rest: list[str]) -> list[str]:
    """«е.п.» / «е. п.» / «елена петровна» → ["е", "п"] / ["елена", "петровна"]."""
    parts: list[str] = []
    for t in rest:
        parts += [x for x in _INITIALS.split(t) if x]
    return parts


def _by_name(pool: list[Participant], surname: str, rest: list[str]) -> list[Participant]:
    def given_ok(p: Participant) -> bool:
        names = [fold(p.name), fold(p.patronymic)]
        if len(rest) == 1 and len(rest[0]) == 2 and not names[0].startswith(rest[0]):
            # «ип»: two initials typed together
            return names[0].startswith(rest[0][0]) and names[1].startswith(rest[0][1])
        return all(i < 2 and names[i].startswith(t) for i, t in enumerate(rest))

    exact = [p for p in pool if fold(p.surname) == surname and given_ok(p)]
    if exact:
        return exact
    return [p for p in pool if fold(p.surname).startswith(surname) and given_ok(p)]

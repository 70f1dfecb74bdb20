"""Everything a form needs, read from the store once (services/forms.py builds it).

The form modules see only this plain data, never the store.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ..domain.criteria import Scheme
from ..domain.models import (
    Act,
    ExamDay,
    Participant,
    PriorSitting,
    Protocol,
    Role,
    Room,
    RoomLogEntry,
    StaffMember,
)
from ..domain.ordering import room_number_key, seat_key
from ..errors import Refused

SUBJECT = "Русский язык (итоговое собеседование)"


class FormError(Refused):
    """A form cannot be built as asked; the text says why, in Russian."""


@dataclass
class FormContext:
    day: Optional[ExamDay]
    scheme: Scheme
    participants: list[Participant]
    rooms: list[Room] = field(default_factory=list)
    staff: list[StaffMember] = field(default_factory=list)
    protocols: dict[str, Protocol] = field(default_factory=dict)
    log: dict[str, RoomLogEntry] = field(default_factory=dict)
    acts: list[Act] = field(default_factory=list)
    prior: list[PriorSitting] = field(default_factory=list)  # earlier sittings of the day
    category_note: Optional[Callable[[Any], str]] = None  # «уточните в РЦОИ …» or ""
    extra: dict = field(default_factory=dict)  # per-form data the service computes

    # -- header values ---------------------------------------------------------
    @property
    def region(self) -> str:
        return self.day.region if self.day else ""

    @property
    def region_name(self) -> str:
        return self.day.region_name if self.day else ""

    @property
    def msu(self) -> str:
        return self.day.msu if self.day else ""

    @property
    def oo(self) -> str:
        return self.day.oo if self.day else ""

    @property
    def oo_name(self) -> str:
        return self.day.oo_name if self.day else ""

    @property
    def oo_address(self) -> str:
        return self.day.oo_address if self.day else ""

    @property
    def oo_full(self) -> str:
        """The school as the forms name it: full name, else «ОО <код>»."""
        return self.oo_name or (f"ОО {self.oo}" if self.oo else "")

    def scheme_of(self, room: str) -> int:
        r = self.room(room)
        return r.scheme if r else 1

    def acts_of(self, guid: str, sitting: Optional[int] = None) -> list[Act]:
        return [a for a in self.acts if a.participant == guid
                and (sitting is None or a.sitting == sitting)]

    def note_of(self, category) -> str:
        return self.category_note(category) if self.category_note else ""

    @property
    def date_text(self) -> str:
        return self.day.date.strftime("%d.%m.%Y") if self.day else ""

    # -- lookups ----------------------------------------------------------------
    def room(self, number: str) -> Optional[Room]:
        return next((r for r in self.rooms if r.number == number), None)

    def staff_fio(self, staff_id: str) -> str:
        return next((s.fio for s in self.staff if s.id == staff_id), "")

    def staff_of(self, role: Role, room: str = "") -> str:
        for s in self.staff:
            if s.role is role and (not room or s.room == room):
                return s.fio
        return ""

    def interlocutor(self, room: str) -> str:
        r = self.room(room)
        return (self.staff_fio(r.interlocutor) if r else "") or self.staff_of(Role.INTERLOCUTOR, room)

    def expert(self, room: str) -> str:
        r = self.room(room)
        return (self.staff_fio(r.expert) if r else "") or self.staff_of(Role.EXPERT, room)

    def in_room(self, room: str) -> list[Participant]:
        """The participants of one room in their ИС-02 order (then by name)."""
        people = [p for p in self.participants if p.room == room]
        return sorted(people, key=seat_key)

    def room_numbers(self) -> list[str]:
        """Rooms that have participants, in the rooms' order, then any others."""
        numbers = [r.number for r in self.rooms]
        used = {p.room for p in self.participants if p.room}
        out = [n for n in numbers if n in used]
        out += sorted(used - set(numbers), key=room_number_key)
        return out

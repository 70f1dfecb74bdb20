"""Staff: interlocutors, experts, organizers; assignment to rooms.

A room has one interlocutor («собеседник») and one expert (Room.interlocutor / Room.expert
hold staff ids); StaffMember.room says where a person works. The expert of a participant's
protocol defaults to the room's expert.
"""
from __future__ import annotations

from typing import Optional

from pydantic import ValidationError

from ..errors import Refused
from ..domain.models import Role, Room, StaffMember
from ..store.workspace import Store


class StaffError(Refused):
    """The text is Russian and tells what to do."""


ROOM_ROLES = {Role.INTERLOCUTOR: "interlocutor", Role.EXPERT: "expert"}


def staff_list(store: Store) -> list[StaffMember]:
    order = {r: i for i, r in enumerate(Role)}
    return sorted(store.all(StaffMember), key=lambda s: (order[s.role], s.fio))


def _make(**data) -> StaffMember:
    try:
        return StaffMember.model_validate(data)
    except ValidationError:
        raise StaffError("Укажите ФИО и роль сотрудника.") from None


def add_staff(store: Store, fio: str, role: Role, room: str = "") -> StaffMember:
    member = _make(fio=(fio or "").strip(), role=role)
    with store.transaction():
        store.put(member)
        if room:
            member = _assign(store, member, room)
    return member


def edit_staff(store: Store, staff_id: str, *, fio: Optional[str] = None,
               role: Optional[Role] = None) -> StaffMember:
    member = store.get(StaffMember, staff_id)
    if member is None:
        raise StaffError("Сотрудник не найден: список изменился.")
    data = member.model_dump()
    if fio is not None:
        data["fio"] = fio.strip()
    if role is not None:
        data["role"] = role
    new = _make(**data)
    with store.transaction():
        if new.role is not member.role and member.room:
            _unassign(store, member)
            new = new.model_copy(update={"room": ""})
            store.put(new)
            if member.room:
                new = _assign(store, new, member.room)
        else:
            store.put(new)
    return new


def remove_staff(store: Store, staff_id: str) -> None:
    member = store.get(StaffMember, staff_id)
    if member is None:
        raise StaffError("Сотрудник не найден: список изменился.")
    with store.transaction():
        _unassign(store, member)
        store.delete(StaffMember, staff_id)


def _unassign(store: Store, member: StaffMember) -> None:
    for r in store.rooms():
        changes = {f: "" for f in ("interlocutor", "expert") if getattr(r, f) == member.id}
        if changes:
            store.put(r.model_copy(update=changes))


def _assign(store: Store, member: StaffMember, room: str) -> StaffMember:
    r = store.get(Room, room) if room else None
    if room and r is None:
        raise StaffError(f"Аудитории {room} нет. Заведите её на экране аудиторий (F3).")
    _unassign(store, member)
    if r is not None:
        r = store.get(Room, room)  # re-read after unassign
        field = ROOM_ROLES.get(member.role)
        if field:
            prev = getattr(r, field)
            if prev and prev != member.id:
                other = store.get(StaffMember, prev)
                if other is not None and other.room == room:
                    store.put(other.model_copy(update={"room": ""}))
            store.put(r.model_copy(update={field: member.id}))
    new = member.model_copy(update={"room": room})
    store.put(new)
    return new


def assign(store: Store, staff_id: str, room: str) -> StaffMember:
    """Put a person to work in a room ("" = no room). An interlocutor or expert becomes the
    room's interlocutor / expert, replacing the previous one."""
    member = store.get(StaffMember, staff_id)
    if member is None:
        raise StaffError("Сотрудник не найден: список изменился.")
    with store.transaction():
        return _assign(store, member, room)


def room_expert(store: Store, room: str) -> str:
    """ФИО of the room's expert, or ""."""
    r = store.get(Room, room) if room else None
    if r is None or not r.expert:
        return ""
    s = store.get(StaffMember, r.expert)
    return s.fio if s else ""


def default_expert(store: Store, participant_guid: str) -> str:
    """The expert for a participant's protocol by default: the expert of their room."""
    p = store.participant(participant_guid)
    return room_expert(store, p.room) if p else ""

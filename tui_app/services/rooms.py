"""Rooms («аудитории проведения»): create, edit, remove (not while participants sit in it)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from pydantic import ValidationError

from ..audio.names import safe_part
from ..domain.filenames import file_name_problem
from ..domain.limits import value_problem
from ..domain.ordering import seat_key
from ..errors import Refused
from ..domain.models import Participant, Room, StaffMember
from ..store.workspace import Store


class RoomError(Refused):
    """The text is Russian and tells what to do."""


@dataclass(frozen=True)
class RoomInfo:
    room: Room
    seated: int  # participants in the room (incl. absentees)
    absent: int
    ovz: int
    interlocutor: str  # ФИО or ""
    expert: str


def _validated(**data) -> Room:
    try:
        return Room.model_validate(data)
    except ValidationError as e:
        msgs = []
        for err in e.errors():
            loc = str(err.get("loc", ("",))[0])
            if loc == "number":
                msgs.append("номер аудитории: от 1 до 10 символов")
            elif loc == "capacity":
                msgs.append("вместимость: целое число от 1 до 500")
            else:
                msgs.append(f"{loc}: {err.get('msg')}")
        raise RoomError("Проверьте поля — " + "; ".join(msgs) + ".") from None


def _check_number(store: Store, number: str, old: str = "") -> None:
    """A number typed on the screen or given to the CLI, held to the rules a file's room
    number meets at import (length, characters, a folder name on a FAT stick and on
    Windows); and not one that would name the same recording files as another room's
    («12А» with a Cyrillic А and «12A» with a Latin one, «1-2» and «1_2»)."""
    problem = value_problem("room", number)
    if problem:
        raise RoomError(f"{problem[1]}.")
    fat = file_name_problem(number, "номер аудитории")
    if fat:
        raise RoomError(f"{fat[:1].upper()}{fat[1:]}: номер — часть имён файлов записей.")
    stem = safe_part(number)
    twin = next((r.number for r in store.rooms() if r.number not in (number, old)
                 and safe_part(r.number) == stem), None)
    if twin is not None:
        raise RoomError(f"Номер «{number}» в именах файлов записей совпал бы с аудиторией «{twin}» "
                        f"(«aud{stem}»): похожие номера легко спутать. Укажите другой номер.")


def create_room(store: Store, number: str, capacity: int = 30, accessible: bool = False,
                note: str = "") -> Room:
    room = _validated(number=(number or "").strip(), capacity=capacity, accessible=accessible, note=note)
    if store.get(Room, room.number) is not None:
        raise RoomError(f"Аудитория {room.number} уже есть. Укажите другой номер.")
    _check_number(store, room.number)
    store.put(room)
    return room


def edit_room(store: Store, number: str, *, capacity: Optional[int] = None,
              accessible: Optional[bool] = None, note: Optional[str] = None,
              new_number: Optional[str] = None, scheme: Optional[int] = None,
              remote: Optional[bool] = None) -> Room:
    room = store.get(Room, number)
    if room is None:
        raise RoomError(f"Аудитории {number} нет.")
    data = room.model_dump()
    if capacity is not None:
        data["capacity"] = capacity
    if accessible is not None:
        data["accessible"] = accessible
    if note is not None:
        data["note"] = note
    if scheme is not None:
        if scheme not in (1, 2):
            raise RoomError("Схема оценивания: 1 (эксперт в аудитории) или 2 (по аудиозаписи).")
        data["scheme"] = scheme
    if remote is not None:
        data["remote"] = bool(remote)
    renamed = new_number is not None and new_number.strip() != number
    if renamed:
        data["number"] = new_number.strip()
    new = _validated(**data)
    seated = [p for p in store.participants() if p.room == number]
    if capacity is not None and len(seated) > new.capacity:
        raise RoomError(f"В аудитории {number} уже {len(seated)} участников — больше, чем "
                        f"вместимость {new.capacity}. Сначала переместите часть участников.")
    if accessible is False and room.accessible:
        ovz = [p for p in seated if p.is_ovz]
        if ovz:
            raise RoomError(f"В аудитории {number} сидят участники с ОВЗ ({len(ovz)}). Сначала "
                            "переместите их в доступную аудиторию.")
    if renamed:
        if store.get(Room, new.number) is not None:
            raise RoomError(f"Аудитория {new.number} уже есть. Укажите другой номер.")
        _check_number(store, new.number, old=number)
        if seated:
            raise RoomError(f"В аудитории {number} есть участники ({len(seated)}): номер менять "
                            "нельзя. Сначала переместите их.")
        with store.transaction():
            store.delete(Room, number)
            store.put(new)
            for s in store.all(StaffMember):
                if s.room == number:
                    store.put(s.model_copy(update={"room": new.number}))
        return new
    store.put(new)
    return new


def remove_room(store: Store, number: str) -> None:
    if store.get(Room, number) is None:
        raise RoomError(f"Аудитории {number} нет.")
    seated = [p for p in store.participants() if p.room == number]
    if seated:
        raise RoomError(f"В аудитории {number} распределено участников: {len(seated)}. Удалить её "
                        "нельзя: сначала переместите участников в другие аудитории.")
    with store.transaction():
        store.delete(Room, number)
        for s in store.all(StaffMember):
            if s.room == number:
                store.put(s.model_copy(update={"room": ""}))


def room_infos(store: Store) -> list[RoomInfo]:
    participants = store.participants()
    staff = {s.id: s for s in store.all(StaffMember)}
    out = []
    for r in store.rooms():
        seated = [p for p in participants if p.room == r.number]
        out.append(RoomInfo(
            room=r,
            seated=len(seated),
            absent=sum(p.absent for p in seated),
            ovz=sum(p.is_ovz for p in seated),
            interlocutor=staff[r.interlocutor].fio if r.interlocutor in staff else "",
            expert=staff[r.expert].fio if r.expert in staff else "",
        ))
    return out


def room_list(store: Store, number: str) -> list[Participant]:
    """A room's participants in list order (ИС-02)."""
    return sorted((p for p in store.participants() if p.room == number), key=seat_key)

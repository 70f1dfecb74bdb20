"""pydantic models of the exam day.

Identifiers are English; every value a user sees is Russian.
"""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time
from enum import Enum
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

OVZ_RESERVE = "22"  # «Резерв» = 22 marks a participant with ОВЗ (B2P, seed 004)


def is_ovz(reserve: str, category: str) -> bool:
    """A participant with ОВЗ: «Резерв» = 22 or a category other than «Общая»."""
    return reserve == OVZ_RESERVE or category != "general"


class ExamKind(str, Enum):
    MAIN = "main"
    ADDITIONAL = "additional"

    @property
    def label(self) -> str:
        return {"main": "основной срок", "additional": "дополнительный срок"}[self.value]


class Attendance(str, Enum):
    UNKNOWN = "unknown"
    PRESENT = "present"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return {"unknown": "—", "present": "явился", "absent": "не явился (Н)"}[self.value]


class ProtocolStatus(str, Enum):
    PRESENT = "present"  # sat the exam, scored
    EARLY = "early"  # не завершил по объективным причинам (ИС-08)
    REMOVED = "removed"  # удалён за нарушение требований (ИС-09)

    @property
    def label(self) -> str:
        return {
            "present": "оценён",
            "early": "не завершил по объективным причинам",
            "removed": "удалён за нарушение требований",
        }[self.value]


class Role(str, Enum):
    INTERLOCUTOR = "interlocutor"
    EXPERT = "expert"
    ORGANIZER = "organizer"
    TECH = "tech"
    HEAD = "head"

    @property
    def label(self) -> str:
        return {
            "interlocutor": "собеседник",
            "expert": "эксперт",
            "organizer": "организатор",
            "tech": "технический специалист",
            "head": "руководитель ОО",
        }[self.value]


class ActKind(str, Enum):
    EARLY = "ИС-08"
    REMOVAL = "ИС-09"

    @property
    def status(self) -> ProtocolStatus:
        return ProtocolStatus.EARLY if self is ActKind.EARLY else ProtocolStatus.REMOVED


def new_guid() -> str:
    return str(uuid.uuid4())


_GUID = re.compile(r"^(\{)?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12})(?(1)\})$")


def norm_guid(text: str) -> str:
    """The one spelling of a GUID, used wherever GUIDs are compared or stored: lower case,
    no braces, no surrounding spaces («{8F1E…}» = «8f1e…», as .NET writes them). A text
    that is not a GUID comes back only stripped (check it with is_guid)."""
    t = (text or "").strip()
    m = _GUID.match(t)
    return m.group(2).lower() if m else t


def is_guid(text: str) -> bool:
    return bool(_GUID.match((text or "").strip()))


def guid_or_none(text: str) -> Optional[str]:
    """norm_guid of a GUID, None for a text that is not one (one match for both)."""
    m = _GUID.match((text or "").strip())
    return m.group(2).lower() if m else None


_Model = ConfigDict(extra="ignore", validate_assignment=True, str_strip_whitespace=True, frozen=True,
                    defer_build=True)


_FIELD_SETS: dict[frozenset, set] = {}


def share_fields_set(obj: BaseModel) -> BaseModel:
    """The model holding one shared set of its set fields instead of its own: pydantic keeps
    a set per object (2.2 KB for a Participant — more than its values; 36,000 of them are
    80 MB). Safe for frozen models: pydantic never changes the set of a frozen object in
    place (model_copy and copy give the copy a set of its own). Returns `obj`."""
    if not obj.model_config.get("frozen"):
        return obj
    own = obj.__pydantic_fields_set__
    shared = _FIELD_SETS.setdefault(frozenset(own), own)
    if shared is not own:
        object.__setattr__(obj, "__pydantic_fields_set__", shared)
    return obj


class ExamDay(BaseModel):
    model_config = _Model

    date: date
    kind: ExamKind = ExamKind.MAIN
    region: str = Field(pattern=r"^\d{2}$")
    region_name: str = ""
    msu: str = Field(pattern=r"^\d{3}$")
    oo: str = Field(pattern=r"^\d{6}$")
    oo_name: str = ""
    oo_address: str = ""  # printed where the forms ask for the school
    source_file: str = ""  # B2P FileName stem, kept unchanged on export
    scheme_year: str = ""  # criteria year (data/criteria); empty = the scheme for the date
    remote: bool = False  # дистанционная форма (seed 002)


class Participant(BaseModel):
    model_config = _Model

    guid: str = Field(default_factory=new_guid)  # Код_в_базе
    local_guid: str = ""  # Локальный_ID
    code: str = ""  # Код_участника
    barcode: str = ""  # Штрих_код
    kim: str = ""  # Номер_КИМ_
    surname: str = Field(min_length=1)
    name: str = Field(min_length=1)
    patronymic: str = ""
    grade: str = ""  # класс, e.g. «9А»
    birth_date: Optional[date] = None
    sex: str = ""  # «М» / «Ж» / ""
    doc_series: str = ""
    doc_number: str = ""
    reserve: str = ""  # РезервI
    category: str = "general"  # id of the ОВЗ category in the criteria data
    room: str = ""
    attendance: Attendance = Attendance.UNKNOWN
    added_locally: bool = False
    order: int = 0  # position in the room's list (ИС-02), 0 = not set
    prior_fails: int = Field(default=0, ge=0)  # «незачёт» results earlier this school year
    # the ОВЗ category chosen (or «Общая» confirmed) explicitly: who and when (issue 17)
    category_confirmed_by: str = ""
    category_confirmed_at: Optional[datetime] = None
    # the basis of the special conditions (seed 004, 2.4 / 9.1): ПМПК or справка МСЭ
    ovz_basis: str = ""  # "ПМПК" | "МСЭ" | "ПМПК, МСЭ"
    ovz_doc_number: str = ""
    ovz_doc_date: Optional[date] = None
    conditions: list[str] = Field(default_factory=list)  # ids of data/regions «conditions»
    remote: bool = False  # дистанционная форма (seed 002; seed 004, 3.9)

    @field_validator("sex")
    @classmethod
    def _sex(cls, v: str) -> str:
        v = (v or "").upper()
        if v in ("M",):
            v = "М"
        if v in ("F", "Ж"):
            v = "Ж"
        if v not in ("", "М", "Ж"):
            raise ValueError("пол должен быть «М» или «Ж»")
        return v

    @property
    def fio(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)

    @property
    def short_fio(self) -> str:
        """Surname and initials: «Иванов И. И.» (ФИО_участника in B2P)."""
        initials = " ".join(f"{p[0]}." for p in (self.name, self.patronymic) if p)
        return f"{self.surname} {initials}".strip()

    @property
    def is_ovz(self) -> bool:
        return is_ovz(self.reserve, self.category)

    @property
    def category_unset(self) -> bool:
        """«Резерв = 22» but the category was never chosen: it must not pass for «Общая»."""
        return (self.reserve == OVZ_RESERVE and self.category == "general"
                and self.category_confirmed_at is None)

    @property
    def absent(self) -> bool:
        return self.attendance is Attendance.ABSENT

    @property
    def room_mark(self) -> str:
        """«Номер аудитории / отметка о неявке» of ИС-01: «101», «101 Н» or «Н»."""
        if self.absent:
            return f"{self.room} Н".strip()
        return self.room


class Room(BaseModel):
    model_config = _Model

    number: str = Field(min_length=1, max_length=10)
    capacity: int = Field(default=30, ge=1, le=500)
    accessible: bool = False  # доступна для участников с ОВЗ
    interlocutor: str = ""  # staff id
    expert: str = ""  # staff id
    note: str = ""
    scheme: int = Field(default=1, ge=1, le=2)  # 1: expert in the room; 2: from the recording
    remote: bool = False  # the interlocutor's place for the remote form (seed 004, 6.2)


class StaffMember(BaseModel):
    model_config = _Model

    id: str = Field(default_factory=new_guid)
    fio: str = Field(min_length=1)
    role: Role
    room: str = ""


_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def parse_hhmm(text: str) -> time:
    """Parse «ЧЧ:ММ»; raises ValueError with a Russian message."""
    text = (text or "").strip()
    if not _HHMM.match(text):
        raise ValueError(f"время «{text}» не в формате ЧЧ:ММ")
    h, m = text.split(":")
    return time(int(h), int(m))


class Protocol(BaseModel):
    """One expert protocol ИС-03 as typed into the specialized form ИС-04."""

    model_config = _Model

    participant: str  # Participant.guid
    room: str = ""
    variant: str = ""
    scheme: int = Field(default=1, ge=1, le=2)  # 1: scored live, 2: from the audio
    expert: str = ""  # ФИО эксперта
    status: ProtocolStatus = ProtocolStatus.PRESENT
    scores: dict[str, Optional[int]] = Field(default_factory=dict)
    saved_at: Optional[datetime] = None
    sitting: int = Field(default=1, ge=1)  # 2: a same-day retake with another variant
    source: str = ""  # "file": came from a B2P or CSV import (its acts are on paper)
    # scored afterwards by listening to the recording (the listening station, scheme 2 and
    # the re-check): what was heard — the room's stream or the personal recording, and when
    from_recording: bool = False
    recording: str = ""


class RoomLogEntry(BaseModel):
    """One line of the ИС-02 room log: when the participant started and finished."""

    model_config = _Model

    participant: str
    room: str
    start: Optional[time] = None
    end: Optional[time] = None


class Act(BaseModel):
    """Act ИС-08 (early finish for a valid reason) or ИС-09 (removal)."""

    model_config = _Model

    id: str = Field(default_factory=new_guid)
    kind: ActKind
    participant: str
    reason: str = Field(min_length=1)
    time: time
    signed_by: list[str] = Field(default_factory=list)
    act_date: Optional[date] = None
    created_at: Optional[datetime] = None
    sitting: int = Field(default=1, ge=1)  # the sitting the act ends
    prior_protocol: Optional[dict] = None  # the protocol before the act (restored if taken back)


class PriorSitting(BaseModel):
    """An earlier sitting of the same day ended by an act ИС-08 (a poor recording or a
    technical failure, seed 004 8.9 / 10.14) before a retake with another variant."""

    model_config = _Model

    id: str = Field(default_factory=new_guid)
    participant: str
    sitting: int = 1
    room: str = ""
    variant: str = ""
    start: Optional[time] = None
    end: Optional[time] = None
    act: str = ""  # Act.id
    protocol: dict = Field(default_factory=dict)


class RecheckApplication(BaseModel):
    """An application for a re-check of the answer (seed 004, 16.3; seed 003, 8.1)."""

    model_config = _Model

    participant: str  # Participant.guid
    applied_on: date
    applicant: str = ""  # who brought it: the participant or a parent
    handed_on: Optional[date] = None  # handed to the МСУ (seed 004: the same day)
    outcome: str = ""  # «результат не изменён», «зачёт» …
    late: bool = False  # after the deadline: recorded, said so
    recorded_by: str = ""
    recorded_at: Optional[datetime] = None


class ValidReason(BaseModel):
    """A document confirming a valid reason (болезнь и др.) for an absence or an early finish:
    the ground for sitting an additional date (seed 004, п. 15.1)."""

    model_config = _Model

    participant: str  # Participant.guid
    document: str = Field(min_length=1)  # e.g. «справка о болезни № 123 от 10.02.2027»
    recorded_at: Optional[datetime] = None

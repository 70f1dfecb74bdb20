"""How long the school keeps each material of the exam day (seed 004, пункт 13).

13.1: the flash drive with the audio of every room, the lists of participants, the expert
protocols, the room logs, the specialized form as a B2P file and written works are kept
«до 1 марта года, следующего за годом проведения итогового собеседования», then destroyed
by act.
13.2: the КИМ and the other materials not named in 13.1 are destroyed by act «через месяц
после проведения итогового собеседования».

Pure: dates in, dates out.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import Enum


class Rule(str, Enum):
    MARCH_NEXT_YEAR = "march"  # 13.1
    ONE_MONTH = "month"  # 13.2


class Material(str, Enum):
    AUDIO = "audio"
    LISTS = "lists"  # ИС-01 and the roster in the database
    PROTOCOLS = "protocols"  # ИС-03 (and their entry ИС-04)
    ROOM_LOGS = "room_logs"  # ИС-02
    B2P = "b2p"
    WRITTEN = "written"  # works of participants who answered in writing
    KIM = "kim"  # paper КИМ sets
    OTHER = "other"  # everything else, e.g. acts ИС-08/ИС-09, application forms

    @property
    def label(self) -> str:
        return {
            "audio": "аудиозаписи ответов",
            "lists": "списки участников (ИС-01, база)",
            "protocols": "протоколы экспертов (ИС-03, ИС-04)",
            "room_logs": "ведомости учёта в аудиториях (ИС-02)",
            "b2p": "файл результатов B2P",
            "written": "письменные работы участников",
            "kim": "КИМ (бумажные комплекты)",
            "other": "прочие материалы (акты ИС-08, ИС-09 и др.)",
        }[self.value]

    @property
    def rule(self) -> Rule:
        return Rule.ONE_MONTH if self in (Material.KIM, Material.OTHER) else Rule.MARCH_NEXT_YEAR


def add_month(d: date) -> date:
    """The same day next month, clamped to the month's end (31 Jan -> 28/29 Feb)."""
    y, m = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def keep_until(material: Material, exam_date: date) -> date:
    """The first day the material may (and must) be destroyed."""
    if material.rule is Rule.MARCH_NEXT_YEAR:
        return date(exam_date.year + 1, 3, 1)
    return add_month(exam_date)


def is_due(material: Material, exam_date: date, today: date) -> bool:
    return today >= keep_until(material, exam_date)


@dataclass(frozen=True)
class Schedule:
    material: Material
    keep_until: date
    due: bool


def schedule(exam_date: date, today: date, destroyed: frozenset[Material] = frozenset()
             ) -> list[Schedule]:
    """Every material not yet destroyed, with its date and whether it is due today."""
    return [Schedule(m, keep_until(m, exam_date), is_due(m, exam_date, today))
            for m in Material if m not in destroyed]


def due(exam_date: date, today: date, destroyed: frozenset[Material] = frozenset()
        ) -> list[Material]:
    return [s.material for s in schedule(exam_date, today, destroyed) if s.due]


# file names of the forms engineers' PDFs -> material (ИС-01 … ИС-09, either alphabet)
_FORM_MATERIAL = {
    "01": Material.LISTS,
    "02": Material.ROOM_LOGS,
    "03": Material.PROTOCOLS,
    "04": Material.PROTOCOLS,
}


def classify_file(kind: str, name: str) -> Material:
    """The material a workspace file belongs to. kind = top folder (audio, export, forms,
    backups). Unknown forms are kept the longest (13.1), never destroyed early."""
    if kind == "audio":
        return Material.AUDIO
    if kind == "export":
        return Material.B2P
    if kind in ("backups", "retakes"):
        return Material.LISTS  # copies of the database, next-date rosters
    up = name.upper().replace("IS", "ИС").replace("_", "-").replace(" ", "-")
    for num in ("08", "09"):
        if f"ИС-{num}" in up:
            return Material.OTHER
    for num, mat in _FORM_MATERIAL.items():
        if f"ИС-{num}" in up:
            return mat
    return Material.PROTOCOLS

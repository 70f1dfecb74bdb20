"""The history of one protocol for people: who changed what and when, from the audit log.

The log keeps internal field names, enum values and GUIDs (it holds no names by design); here
they become the form's words: «вариант», «схема 2 (по аудиозаписи)», «отметка: удалён»,
«участник: Ёлкин И. В.», «эксперт» — never «status», «present» or a GUID.
"""
from __future__ import annotations

from typing import Any, Optional

from ..domain.models import ProtocolStatus, StaffMember
from ..store.workspace import Store

FIELD_NAMES = {"variant": "вариант", "scheme": "схема", "expert": "эксперт",
               "status": "отметка", "room": "аудитория", "participant": "участник"}
SCHEMES = {1: "1 (в аудитории)", 2: "2 (по аудиозаписи)"}


def field_label(field: str) -> str:
    """«scores.Д1» → «Д1», «status» → «отметка»."""
    if field.startswith("scores."):
        return field.removeprefix("scores.")
    return FIELD_NAMES.get(field, field)


def value_label(store: Store, field: str, value: Any) -> str:
    if value in (None, "", {}):
        return "—"
    if field == "status":
        try:
            return ProtocolStatus(value).label
        except ValueError:
            return str(value)
    if field == "scheme":
        return SCHEMES.get(value, str(value))
    if field == "participant":
        p = store.participant(str(value))
        return p.short_fio if p else "(нет в списке)"
    if field == "expert":
        staff = store.get(StaffMember, str(value))
        return staff.fio if staff else str(value)
    return str(value)


def history_lines(store: Store, guid: str, table: Optional[str] = None) -> list[str]:
    """One line per change of the protocol of `guid`: «2027-02-10 10:31  оператор: Д1 2 → 3»."""
    entity = "protocol" if table is None else table
    out = []
    for e in store.audit.for_key(guid):
        if e.entity != entity:
            continue
        out.append(f"{e.at.replace('T', ' ')}  {e.who}: {field_label(e.field)} "
                   f"{value_label(store, e.field, e.old)} → {value_label(store, e.field, e.new)}")
    return out

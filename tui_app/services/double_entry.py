"""Double entry (as in EpiData Entry): a second pass re-types the protocols blind into a
separate table; the comparison lists every disagreement, which is settled one by one.
By default the second pass stops at once at a digit that differs from the first pass and asks
which is right (`halt_reference`, `correct_first`; the setting `double_entry_halt`); the
fully blind pass with the list afterwards is the other mode.

The first pass is the table `protocols` (the one exported); the second is `protocols_pass2`.
Settling writes the chosen value into both passes through services.protocols.save_protocol,
so each change is validated and goes to the audit log.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..domain.models import Protocol, ProtocolStatus
from ..errors import NotFound
from ..domain.ordering import room_list_key, room_number_key
from ..store.workspace import Store
from .data import scheme_for
from .entry import PASS2_TABLE
from .protocols import save_protocol

FIELD_LABELS = {"status": "отметка", "variant": "вариант", "scheme": "схема", "expert": "эксперт"}


@dataclass(frozen=True)
class Disagreement:
    participant: str  # GUID
    who: str  # short FIO for display
    room: str
    field: str  # criterion code or status/variant/scheme/expert
    first: Any
    second: Any

    @property
    def field_label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    @staticmethod
    def show(value: Any) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, ProtocolStatus):
            return value.label
        return str(value)


@dataclass(frozen=True)
class DoubleCounts:
    single: int  # only the first pass
    double: int  # both passes
    agreed: int  # both passes, no disagreement
    second_only: int  # a second pass without a first (typed for a participant not yet entered)


def pass2(store: Store) -> dict[str, Protocol]:
    return {p.participant: p for p in store.all(Protocol, PASS2_TABLE)}


def save_second(store: Store, protocol: Protocol):
    """Save a protocol of the second pass (validated, durable, audited as «protocols_pass2»)."""
    return save_protocol(store, protocol, table=PASS2_TABLE)


def halt_reference(store: Store, guid: str) -> Optional[dict[str, Optional[int]]]:
    """The first pass's scores a halting second pass compares each digit with (None: no
    first pass, or one without scores — nothing to stop at)."""
    first = store.get(Protocol, guid)
    if first is None or first.status is not ProtocolStatus.PRESENT:
        return None
    return dict(first.scores)


def correct_first(store: Store, guid: str, code: str, value: int) -> Protocol:
    """At a halt the second pass was right: the first pass gets that value (validated,
    durable, in the audit log). Raises ProtocolRejected if it would be invalid."""
    first = store.get(Protocol, guid)
    if first is None:
        raise LookupError("нет первого ввода этого протокола")
    if first.scores.get(code) != value:
        save_protocol(store, first.model_copy(update={"scores": {**first.scores, code: value},
                                                      "saved_at": None}))
    return store.get(Protocol, guid)


def _differences(a: Protocol, b: Protocol, codes: list[str]) -> list[tuple[str, Any, Any]]:
    out: list[tuple[str, Any, Any]] = []
    if a.status != b.status:
        out.append(("status", a.status, b.status))
    if a.variant.strip() != b.variant.strip():
        out.append(("variant", a.variant, b.variant))
    if a.scheme != b.scheme:
        out.append(("scheme", a.scheme, b.scheme))
    if " ".join(a.expert.split()).casefold() != " ".join(b.expert.split()).casefold():
        out.append(("expert", a.expert, b.expert))
    for code in codes:
        x, y = a.scores.get(code), b.scores.get(code)
        if x != y:
            out.append((code, x, y))
    return out


def compare(store: Store) -> list[Disagreement]:
    """Every disagreement between the passes, in room and list order, criteria in form order."""
    first = store.protocols()
    second = pass2(store)
    codes = [c.code for c in scheme_for(store).criteria]
    people = {p.guid: p for p in store.participants()}
    out: list[Disagreement] = []

    def order(guid: str):
        p = people.get(guid)
        return room_list_key(p) if p else (room_number_key(""), guid)

    for guid in sorted(set(first) & set(second), key=order):
        p = people.get(guid)
        who = p.short_fio if p else guid
        room = p.room if p else ""
        for fld, x, y in _differences(first[guid], second[guid], codes):
            out.append(Disagreement(guid, who, room, fld, x, y))
    return out


def counts(store: Store) -> DoubleCounts:
    first = store.protocols()
    second = pass2(store)
    both = set(first) & set(second)
    codes = [c.code for c in scheme_for(store).criteria]
    agreed = sum(1 for g in both if not _differences(first[g], second[g], codes))
    return DoubleCounts(single=len(set(first) - set(second)), double=len(both), agreed=agreed,
                        second_only=len(set(second) - set(first)))


def _apply(proto: Protocol, fld: str, value: Any, chosen: Protocol) -> Protocol:
    if fld == "status":
        # a different mark changes which scores exist: take the chosen pass whole
        return proto.model_copy(update={"status": chosen.status, "scores": dict(chosen.scores)})
    if fld in ("variant", "scheme", "expert"):
        return proto.model_copy(update={fld: value})
    scores = dict(proto.scores)
    if value is None:
        scores.pop(fld, None)
    else:
        scores[fld] = value
    return proto.model_copy(update={"scores": scores})


def settle(store: Store, participant: str, fld: str, take: int) -> Protocol:
    """Settle one disagreement: take the value of pass `take` (1 or 2) into both passes.
    Returns the resulting first-pass protocol. Raises ProtocolRejected if the result would
    be invalid (it cannot be when both passes were valid; kept as a guard)."""
    if take not in (1, 2):
        raise ValueError("take must be 1 or 2")
    first = store.get(Protocol, participant)
    second = store.get(Protocol, participant, PASS2_TABLE)
    if first is None or second is None:
        raise NotFound("Не исправлено: нет обоих вводов этого протокола.")
    chosen = first if take == 1 else second
    if fld == "status":
        value: Any = chosen.status
    elif fld in ("variant", "scheme", "expert"):
        value = getattr(chosen, fld)
    else:
        value = chosen.scores.get(fld)
    new_first = _apply(first, fld, value, chosen)
    new_second = _apply(second, fld, value, chosen)
    with store.transaction():
        if new_first != first:
            save_protocol(store, new_first.model_copy(update={"saved_at": None}))
        if new_second != second:
            save_protocol(store, new_second.model_copy(update={"saved_at": None}), table=PASS2_TABLE)
    return store.get(Protocol, participant)


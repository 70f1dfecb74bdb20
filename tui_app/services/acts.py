"""Acts ИС-08 (early finish for a valid reason) and ИС-09 (removal).

Creating an act stores it and sets the participant's Protocol.status to early/removed —
the single source of truth for the marks on ИС-02, ИС-03 and ИС-04. A protocol with no
scores is created when none exists; an existing protocol loses its scores (a participant
who did not finish has no points and no зачёт/незачёт), and the act keeps the protocol as it
was, so taking the act back restores it. The act's time is the act's: it never overwrites the
ИС-02 end time (ИС-02 prints both). An absentee gets no act.

A same-day retake with another variant (seed 004, 8.9 and 10.14) is its own sitting:
`retake_today` moves the ended sitting (its protocol, times and act) to PriorSitting and opens
sitting N+1 with a variant the participant has not worked with.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional, Sequence

from ..errors import Refused
from ..domain.models import (
    Act,
    ActKind,
    Attendance,
    Participant,
    Protocol,
    PriorSitting,
    ProtocolStatus,
    Role,
    RoomLogEntry,
    StaffMember,
    new_guid,
    parse_hhmm,
)
from ..domain.ordering import act_key
from ..domain.scoring import validate_protocol
from ..store.workspace import Store
from .data import scheme_for


class ActRejected(Refused):
    """The act cannot be made; the text says why (Russian)."""


def parse_kind(text: str) -> ActKind:
    raw = (text or "").strip().upper().replace("IS", "ИС").replace(" ", "")
    raw = raw.replace("ИС0", "ИС-0").replace("ИС8", "ИС-08").replace("ИС9", "ИС-09")
    for kind in ActKind:
        if raw == kind.value:
            return kind
    raise ActRejected(f"Вид акта «{text}» неизвестен: ИС-08 (досрочное завершение) или "
                      "ИС-09 (удаление).")


def default_signers(store: Store) -> list[str]:
    """[ответственный организатор, руководитель ОО] from the staff list."""
    staff = store.all(StaffMember)
    org = next((s.fio for s in staff if s.role is Role.ORGANIZER), "")
    head = next((s.fio for s in staff if s.role is Role.HEAD), "")
    return [org, head]


def acts_of(store: Store, participant: Optional[str] = None) -> list[Act]:
    acts = store.all(Act)
    if participant:
        acts = [a for a in acts if a.participant == participant]
    return sorted(acts, key=act_key)


def create_act(store: Store, participant: Participant | str, kind: ActKind | str,
               reason: str, at: time | str, signed_by: Optional[Sequence[str]] = None,
               act_date: Optional[date] = None) -> Act:
    """Store the act and set the protocol's status. Raises ActRejected."""
    kind = kind if isinstance(kind, ActKind) else parse_kind(kind)
    guid = participant.guid if isinstance(participant, Participant) else participant
    p = store.participant(guid)
    if p is None:
        raise ActRejected("Участник не найден.")
    if p.attendance is Attendance.ABSENT:
        raise ActRejected(f"{p.short_fio} отмечен как не явившийся («Н»): акт {kind.value} "
                          "на неявку не составляется. Снимите отметку «Н», если участник пришёл.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ActRejected("Укажите причину: она записывается в акт.")
    if isinstance(at, str):
        try:
            at = parse_hhmm(at)
        except ValueError as e:
            raise ActRejected(f"Время: {e}.") from None
    current = store.get(Protocol, p.guid)
    sitting = current.sitting if current else 1
    previous = [a for a in acts_of(store, p.guid) if a.sitting == sitting]
    other = [a for a in previous if a.kind is not kind]
    if other:
        raise ActRejected(f"На участника {p.short_fio} уже составлен акт {other[0].kind.value}; "
                          "два разных акта на одного участника не составляются. "
                          "Удалите прежний акт, если он ошибочный.")
    given = [(s or "").strip() for s in (signed_by or [])]
    given += [""] * (2 - len(given))
    defaults = default_signers(store)
    signers = [g or (defaults[i] if i < len(defaults) else "") for i, g in enumerate(given)]
    day = store.exam_day()
    act = Act(
        id=previous[0].id if previous else new_guid(),
        kind=kind, participant=p.guid, reason=reason, time=at, signed_by=signers,
        act_date=act_date or (day.date if day else date.today()),
        created_at=previous[0].created_at if previous else datetime.now().replace(microsecond=0),
        sitting=sitting,
        prior_protocol=(previous[0].prior_protocol if previous
                        else current.model_dump(mode="json") if current is not None else None),
    )
    proto = current
    if proto is None:
        proto = Protocol(participant=p.guid, room=p.room)
    proto = proto.model_copy(update={
        "status": kind.status, "scores": {},
        "saved_at": datetime.now().replace(microsecond=0)})
    problems = validate_protocol(scheme_for(store), p, proto)
    if problems:
        raise ActRejected("\n".join(problems))
    with store.transaction():
        store.put(act)
        store.save_protocol(proto)
        if p.attendance is not Attendance.PRESENT:
            store.put(p.model_copy(update={"attendance": Attendance.PRESENT}))
        # the act's time stays the act's: the ИС-02 end time is the interlocutor's entry
    return act


def delete_act(store: Store, act_id: str) -> None:
    """Remove an act made by mistake; the protocol goes back to «оценён» (scores to enter)
    or, if it held nothing else, is removed."""
    act = store.get(Act, act_id)
    if act is None:
        raise ActRejected("Акт не найден.")
    proto = store.get(Protocol, act.participant)
    if proto is not None and proto.sitting != act.sitting:
        raise ActRejected("Этот акт закрыл прежнее прохождение, после него участник прошёл "
                          "собеседование повторно: акт удалить нельзя.")
    with store.transaction():
        store.delete(Act, act_id)
        if proto is not None and proto.status is act.kind.status:
            if act.prior_protocol:  # the protocol as it was before the act, scores included
                restored = Protocol.model_validate(act.prior_protocol)
                store.save_protocol(restored.model_copy(update={"sitting": proto.sitting}))
            elif not proto.variant and not proto.expert:
                store.delete(Protocol, act.participant)
            else:
                store.save_protocol(proto.model_copy(update={"status": ProtocolStatus.PRESENT}))


def retake_today(store: Store, participant: Participant | str, variant: str,
                 room: str = "") -> Protocol:
    """Open a same-day retake with another variant after an act ИС-08 (a poor recording or a
    technical failure, seed 004 8.9 / 10.14): the ended sitting is kept, not overwritten."""
    guid = participant.guid if isinstance(participant, Participant) else participant
    p = store.participant(guid)
    if p is None:
        raise ActRejected("Участник не найден.")
    proto = store.get(Protocol, p.guid)
    acts = [a for a in acts_of(store, p.guid) if proto is not None and a.sitting == proto.sitting]
    if proto is None or not any(a.kind is ActKind.EARLY for a in acts):
        raise ActRejected(f"{p.short_fio}: повторное прохождение в тот же день — только после акта "
                          "ИС-08 (некачественная аудиозапись или технический сбой).")
    variant = (variant or "").strip()
    prior = [s for s in store.all(PriorSitting) if s.participant == p.guid]
    used = {s.variant for s in prior} | {proto.variant}
    if not variant.isdigit():
        raise ActRejected("Укажите номер нового варианта КИМ (цифры).")
    if variant in used:
        raise ActRejected(f"Вариант {variant} участник уже выполнял: нужен другой вариант КИМ, "
                          "с которым он не работал (seed 004, 8.9).")
    entry = store.get(RoomLogEntry, p.guid)
    act = next(a for a in acts if a.kind is ActKind.EARLY)
    old = PriorSitting(participant=p.guid, sitting=proto.sitting, room=proto.room or p.room,
                       variant=proto.variant, start=entry.start if entry else None,
                       end=entry.end if entry else None, act=act.id,
                       protocol=proto.model_dump(mode="json"))
    room = (room or "").strip() or p.room
    new = Protocol(participant=p.guid, room=room, variant=variant, scheme=proto.scheme,
                   expert="", sitting=proto.sitting + 1,
                   saved_at=datetime.now().replace(microsecond=0))
    with store.transaction():
        store.put(old)
        store.save_protocol(new)
        if entry is not None:
            store.delete(RoomLogEntry, p.guid)
        if room != p.room:
            store.put(p.model_copy(update={"room": room}))
    return new

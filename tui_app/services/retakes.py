"""Retakes: who may sit the additional date, documents of valid reasons, the next roster.

The next roster keeps every GUID (Код_в_базе, Локальный_ID) and personal field, clears the
room, the attendance mark and the КИМ number, and counts a «незачёт» in prior_fails, so the
15.2 limit («не более двух раз») holds across the school year. It can be written as a CSV
(UTF-8 with BOM, «;») or straight into a new workspace for the next date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Optional

from ..errors import Refused
from ..domain.models import Act, ExamDay, ExamKind, Participant, Room, ValidReason, norm_guid
from ..domain.retakes import Verdict, carry, decide
from ..domain.scoring import score_protocol
from ..exchange.csvio import CsvError, norm_header, read_table, write_table
from .calendar import next_additional, rules_for
from .documents import write_document
from .data import scheme_for
from .picker import find_one

CSV_FIELDS = ["guid", "local_guid", "code", "barcode", "surname", "name", "patronymic",
              "grade", "birth_date", "sex", "doc_series", "doc_number", "reserve", "category",
              "prior_fails", "ground"]


class RetakeError(Refused):
    """A Russian message for the user."""


@dataclass(frozen=True)
class Row:
    participant: Participant
    verdict: Verdict


def verdicts(store) -> list[Row]:
    sch = scheme_for(store)
    protocols = store.protocols()
    acts = {a.participant for a in store.all(Act)}
    docs = {r.participant: r.document for r in store.all(ValidReason)}
    removed_ok = rules_for(store).removed_may_retake
    rows = []
    for p in store.participants():
        proto = protocols.get(p.guid)
        passed = score_protocol(sch, p, proto).passed if proto is not None else None
        rows.append(Row(p, decide(p, proto, passed, docs.get(p.guid, ""), p.guid in acts,
                                  removed_ok)))
    return rows


def eligible(store) -> list[Row]:
    return [r for r in verdicts(store) if r.verdict.eligible]


def find_participant(store, key: str) -> Participant:
    """By code, barcode, GUID or surname: the one picker (services/picker.find_one)."""
    key = (key or "").strip()
    return find_one(store.participants(), key, RetakeError,
                    f"Участник «{key}» не найден: укажите код участника, штрих-код или GUID.")


def record_document(store, key: str, document: str) -> Participant:
    """Record the document of a valid reason for an absent or not-finished participant."""
    document = (document or "").strip()
    if not document:
        raise RetakeError("Укажите документ, подтверждающий уважительную причину "
                          "(например, «справка о болезни № 12 от 10.02.2027»).")
    p = find_participant(store, key)
    store.put(ValidReason(participant=p.guid, document=document, recorded_at=datetime.now()))
    return p


def next_day(store, next_date: Optional[date] = None) -> ExamDay:
    day = store.exam_day()
    if day is None:
        raise RetakeError("Экзаменационный день не задан: загрузите список участников.")
    d = next_date or next_additional(day.date, day.region)
    if d is None:
        raise RetakeError("Дополнительных сроков в этом учебном году больше нет; "
                          "укажите дату явно (--date ГГГГ-ММ-ДД).")
    if d <= day.date:
        raise RetakeError(f"Дата {d:%d.%m.%Y} не позже текущего дня {day.date:%d.%m.%Y}.")
    stem = day.source_file
    if stem and stem[-8:].isdigit():
        stem = stem[:-8] + f"{d:%Y%m%d}"
    return day.model_copy(update={"date": d, "kind": ExamKind.ADDITIONAL, "source_file": stem})


def next_roster(store, next_date: Optional[date] = None) -> tuple[ExamDay, list[Participant], list[Row]]:
    rows = eligible(store)
    return next_day(store, next_date), [carry(r.participant, r.verdict) for r in rows], rows


def roster_csv(day: ExamDay, participants: list[Participant], rows: list[Row]) -> bytes:
    grounds = {r.participant.guid: r.verdict.ground.label if r.verdict.ground else "" for r in rows}
    out = []
    for p in participants:
        d = p.model_dump(mode="json")
        d["ground"] = grounds.get(p.guid, "")
        out.append(["" if d.get(f) is None else d.get(f) for f in CSV_FIELDS])
    return write_table(CSV_FIELDS, out)


def write_roster_csv(store, path: Path | str, next_date: Optional[date] = None) -> tuple[ExamDay, int]:
    day, people, rows = next_roster(store, next_date)
    write_document(Path(path), roster_csv(day, people, rows))
    return day, len(people)


def read_roster_csv(path: Path | str) -> list[Participant]:
    """Read back a roster written by write_roster_csv (for tests and the next workspace):
    through the strict CSV reader like every file that arrives. Raises RetakeError."""
    try:
        table = read_table(path)
    except CsvError as e:
        raise RetakeError("\n".join(e.problems)) from None
    fields = {norm_header(f): f for f in CSV_FIELDS if f != "ground"}
    out = []
    for line, rec in table.rows:
        data = {fields[k]: v for k, v in rec.items() if k in fields and v != ""}
        if data.get("guid"):
            data["guid"] = norm_guid(data["guid"])
        try:
            out.append(Participant.model_validate(data))
        except ValueError as e:
            raise RetakeError(f"{Path(path).name}: строка {line}: данные участника не приняты "
                              f"({str(e).splitlines()[0]}).") from None
    return out


def create_next_workspace(store, root: Path | str, next_date: Optional[date] = None) -> tuple[ExamDay, int]:
    """A new workspace for the additional date with the carried roster and the same rooms."""
    from ..store.workspace import Workspace

    day, people, _ = next_roster(store, next_date)
    rooms = [Room(number=r.number, capacity=r.capacity, accessible=r.accessible, note=r.note)
             for r in store.rooms()]
    root = Path(root)
    if root.resolve() == Path(store.root).resolve():
        raise RetakeError("Новая рабочая папка должна отличаться от текущей.")
    ws = Workspace.open(root)
    try:
        if ws.store.participants() or ws.store.exam_day():
            raise RetakeError(f"Папка «{root}» уже содержит экзаменационный день; выберите пустую.")
        with ws.store.transaction():
            ws.store.set_exam_day(day)
            if people:
                ws.store.put_many(people)
            if rooms:
                ws.store.put_many(rooms)
    finally:
        ws.close()
    return day, len(people)


def carry_prior_fails(store, path: Path | str) -> int:
    """The official roster of the additional date (imported from the РЦОИ's B2P) does not
    know how many «незачёт» results each participant already has. Take prior_fails from the
    roster CSV this program wrote for that date, matching by GUID. Returns how many changed."""
    known = {norm_guid(p.guid): p.prior_fails for p in read_roster_csv(path)}
    changed = []
    for p in store.participants():
        n = known.get(norm_guid(p.guid))
        if n is not None and n != p.prior_fails:
            changed.append(p.model_copy(update={"prior_fails": n}))
    if changed:
        store.put_many(changed)
    return len(changed)

"""Bulk entry of protocols from a CSV (e.g. experts who scored the recordings, scheme 2).

Columns: Код_в_базе or Код_участника, Аудитория, Вариант, Ч1 … Р4, Эксперт, optional Статус
(явился / не явился / не завершил / удален) and Схема (1 or 2, default 2). Every row is
validated by the domain rules; one bad row refuses the whole file and the message lists every
bad row with its line number. Results already entered are never overwritten.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Optional

from ..domain.ordering import fold
from ..domain.models import Attendance, Participant, Protocol, ProtocolStatus, Room
from ..domain.ordering import room_number_key
from ..domain.scoring import validate_protocol
from ..exchange.csvio import CsvError, find_key, read_table
from ..store.workspace import Store
from .data import scheme_for
from .import_roster import ImportRefused, _same_result, import_audit_entries

STATUSES = {
    "": None,
    "явился": ProtocolStatus.PRESENT,
    "оценен": ProtocolStatus.PRESENT,
    "не явился": "absent",
    "н": "absent",
    "не завершил": ProtocolStatus.EARLY,
    "не закончил": ProtocolStatus.EARLY,
    "удален": ProtocolStatus.REMOVED,
}


@dataclass
class ScoresSummary:
    path: Path
    rows: int = 0
    protocols_added: int = 0
    absent_marked: int = 0
    unchanged: int = 0
    rooms_added: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Загружены баллы из {self.path.name}: строк {self.rows}; протоколов внесено "
               f"{self.protocols_added}; отмечено «Н» {self.absent_marked}; уже были такими же "
               f"{self.unchanged}."]
        if self.rooms_added:
            out.append(f"Заведены аудитории: {', '.join(self.rooms_added)}.")
        return out


def _int_cell(text: str) -> tuple[Optional[int], Optional[str]]:
    t = text.strip()
    if not t:
        return None, None
    if t.isascii() and t.isdigit():
        return int(t), None
    if t.startswith("-") and t[1:].isascii() and t[1:].isdigit():
        return None, f"отрицательный балл «{t}»"
    hint = ""
    if any(ch in "ЗзОо" for ch in t):
        hint = " (буква вместо цифры?)"
    return None, f"«{t}» не является числом{hint}"


def import_scores(store: Store, path: Path | str) -> ScoresSummary:
    path = Path(path)
    name = path.name
    try:
        table = read_table(path)
    except CsvError as e:
        raise ImportRefused([f"{name}: {m}" for m in e.problems], e.kind) from None
    if store.exam_day() is None:
        raise ImportRefused(["В рабочей папке нет списка участников: сначала загрузите его "
                             "(is-shtab import ФАЙЛ)."], "no_roster")
    sch = scheme_for(store)
    k_guid = find_key(table, "Код_в_базе", "Код в базе", "GUID")
    k_code = find_key(table, "Код_участника", "Код участника")
    k_room = find_key(table, "Аудитория")
    k_var = find_key(table, "Вариант", "Номер варианта")
    k_exp = find_key(table, "Эксперт", "ФИО эксперта")
    k_status = find_key(table, "Статус")
    k_scheme = find_key(table, "Схема")
    k_crit = {c.code: find_key(table, c.code) for c in sch.criteria}
    missing = []
    if not (k_guid or k_code):
        missing.append("Код_в_базе или Код_участника")
    for k, label in ((k_room, "Аудитория"), (k_var, "Вариант"), (k_exp, "Эксперт")):
        if not k:
            missing.append(label)
    missing += [c for c, k in k_crit.items() if not k]
    if missing:
        raise ImportRefused([f"{name}: строка 1: нет столбцов: {', '.join(missing)}."], "header")

    participants = {p.guid: p for p in store.all(Participant)}
    by_code: dict[str, Participant] = {}
    for p in participants.values():
        if p.code:
            by_code[p.code] = p
    protocols = store.protocols()
    known_rooms = {r.number for r in store.rooms()}
    problems: list[str] = []
    seen: dict[str, int] = {}
    put_protocols: list[Protocol] = []
    put_participants: dict[str, Participant] = {}
    new_rooms: list[str] = []
    summary = ScoresSummary(path=path, rows=len(table.rows))
    for line, rec in table.rows:
        errs: list[str] = []
        where = f"{name}: строка {line}"
        guid = rec.get(k_guid, "") if k_guid else ""
        code = rec.get(k_code, "") if k_code else ""
        p = participants.get(guid) if guid else by_code.get(code) if code else None
        if p is None:
            problems.append(f"{where}: участник с кодом «{guid or code}» не найден в списке.")
            continue
        if p.guid in seen:
            problems.append(f"{where}: участник {p.short_fio} уже был в строке {seen[p.guid]}.")
            continue
        seen[p.guid] = line
        status_text = fold(rec.get(k_status, "") if k_status else "")
        if status_text not in STATUSES:
            problems.append(f"{where}: статус «{status_text}»: допустимо «явился», «не явился», "
                            f"«не завершил», «удален» или пусто.")
            continue
        status = STATUSES[status_text]
        room = rec.get(k_room, "").strip()
        if room.upper() == "Н":
            status, room = "absent", ""
        if len(room) > 10:
            errs.append(f"номер аудитории «{room[:20]}» длиннее 10 знаков")
        if room and p.room and room != p.room:
            errs.append(f"в списке участник {p.short_fio} в аудитории {p.room}, в файле — {room}")
        room = room or p.room
        scores: dict[str, Optional[int]] = {}
        for c, k in k_crit.items():
            v, err = _int_cell(rec.get(k, ""))
            if err:
                errs.append(f"{c}: {err}")
            elif v is not None:
                scores[c] = v
        if errs:
            problems.append(f"{where}: " + "; ".join(errs) + ".")
            continue
        had = protocols.get(p.guid)
        if status == "absent":
            if scores:
                problems.append(f"{where}: {p.short_fio} отмечен «не явился», но баллы заполнены.")
            elif had is not None:
                problems.append(f"{where}: для {p.short_fio} уже внесён протокол — отметку «не явился» "
                                f"можно поставить только на экране протокола.")
            elif not p.absent:
                put_participants[p.guid] = p.model_copy(update={"attendance": Attendance.ABSENT,
                                                                "room": room})
                summary.absent_marked += 1
            else:
                summary.unchanged += 1
            continue
        scheme_text = (rec.get(k_scheme, "") if k_scheme else "").strip() or "2"
        if scheme_text not in ("1", "2"):
            problems.append(f"{where}: схема «{scheme_text}»: допустимо 1 или 2.")
            continue
        if not room:
            problems.append(f"{where}: не указана аудитория.")
            continue
        proto = Protocol(participant=p.guid, room=room, source="file", variant=rec.get(k_var, "").strip(),
                         scheme=int(scheme_text), expert=rec.get(k_exp, "").strip(),
                         status=status or ProtocolStatus.PRESENT, scores=scores)
        seated = p.model_copy(update={"attendance": Attendance.PRESENT, "room": room})
        if p.absent:
            problems.append(f"{where}: {p.short_fio} отмечен «Н» (не явился); снимите отметку на "
                            f"экране участников, если это ошибка.")
            continue
        errs = validate_protocol(sch, seated, proto)
        if errs:
            problems.append(f"{where}: " + "; ".join(errs) + ".")
            continue
        if had is not None:
            if _same_result(had, proto):
                summary.unchanged += 1
            else:
                problems.append(f"{where}: для {p.short_fio} протокол уже внесён и отличается — "
                                f"внесённые результаты не перезаписываются; исправьте на экране "
                                f"протокола.")
            continue
        put_protocols.append(proto)
        if seated != p:
            put_participants[p.guid] = seated
        if room not in known_rooms and room not in new_rooms:
            new_rooms.append(room)
    if problems:
        raise ImportRefused(problems, "invalid_rows")
    stamp = datetime.now().replace(microsecond=0)
    put_protocols = [pr.model_copy(update={"saved_at": stamp}) for pr in put_protocols]
    entries = import_audit_entries(store, put_protocols, name, stamp)
    summary.protocols_added = len(put_protocols)
    summary.rooms_added = sorted(new_rooms, key=room_number_key)
    with store.transaction():
        if put_participants:
            store.put_many(list(put_participants.values()))
        if put_protocols:
            store.put_many(put_protocols)
        if new_rooms:
            store.put_many([Room(number=r) for r in summary.rooms_added])
        store.update_settings(last_scores_import={"file": name, "rows": len(table.rows),
                                                 "at": stamp.isoformat()})
        store.audit.append(entries)
    return summary

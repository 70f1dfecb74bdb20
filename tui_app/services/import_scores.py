"""Bulk entry of protocols from a CSV (e.g. experts who scored the recordings, scheme 2).

Columns: Код_в_базе or Код_участника, Аудитория, Вариант, Ч1 … Р4, Эксперт, optional Статус
(явился / не явился / не завершил / удален) and Схема (1 or 2, default 2). Every row is
validated by the domain rules and the limits of domain/limits.py (a score is one or two
digits: a 5,000-digit number is a message, not a traceback); one bad row refuses the whole
file and the message lists every bad row with its line number. Results already entered are
never overwritten. Planned from a snapshot, written in one transaction (import_plan).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..domain.filenames import file_name_problem
from ..domain.limits import FIELDS, value_problem
from ..domain.models import Attendance, Participant, Protocol, ProtocolStatus, norm_guid
from ..domain.ordering import fold, room_number_key
from ..domain.scoring import validate_protocol
from ..exchange.csvio import CsvError, CsvTable, find_key, read_table
from ..store.workspace import Store
from .import_plan import ImportRefused, Plan, Seen, Snapshot, apply_plan, refuse_if, same_result, snapshot

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
        if len(t) > FIELDS["score"].max_len:
            return None, f"«{t[:10]}{'…' if len(t) > 10 else ''}» — балл не бывает длиннее " \
                         f"{FIELDS['score'].max_len} цифр"
        return int(t), None
    if t.startswith("-") and t[1:].isascii() and t[1:].isdigit():
        return None, f"отрицательный балл «{t[:10]}»"
    hint = ""
    if any(ch in "ЗзОо" for ch in t):
        hint = " (буква вместо цифры?)"
    return None, f"«{t[:20]}» не является числом{hint}"


def import_scores(store: Store, path: Path | str) -> ScoresSummary:
    return apply_plan(store, plan_scores(snapshot(store), Path(path)))


def plan_scores(snap: Snapshot, path: Path) -> Plan:
    """Read and check the scores CSV and plan the protocols (no store). Raises ImportRefused."""
    table = _read(path)
    if snap.day is None:
        raise ImportRefused(["В рабочей папке нет списка участников: сначала загрузите его "
                             "(is-shtab import ФАЙЛ)."], "no_roster")
    rows = _ScoreRows(snap, _columns(snap, table, path.name), path.name)
    for line, rec in table.rows:
        rows.plan(line, rec)
    refuse_if(rows.problems, "invalid_rows")
    summary = rows.summary
    summary.path, summary.rows = path, len(table.rows)
    summary.protocols_added = len(rows.protocols)
    summary.rooms_added = sorted(rows.new_rooms, key=room_number_key)
    return Plan(summary=summary, participants=list(rows.participants.values()),
                protocols=rows.protocols, rooms=summary.rooms_added, source=path.name,
                settings={"last_scores_import": {"file": path.name, "rows": len(table.rows)}})


def _read(path: Path) -> CsvTable:
    try:
        return read_table(path)
    except CsvError as e:
        raise ImportRefused([m if m.startswith(path.name) else f"{path.name}: {m}"
                             for m in e.problems], e.kind) from None


def _columns(snap: Snapshot, table: CsvTable, name: str) -> dict:
    cols = {"guid": find_key(table, "Код_в_базе", "Код в базе", "GUID"),
            "code": find_key(table, "Код_участника", "Код участника"),
            "room": find_key(table, "Аудитория"),
            "variant": find_key(table, "Вариант", "Номер варианта"),
            "expert": find_key(table, "Эксперт", "ФИО эксперта"),
            "status": find_key(table, "Статус"),
            "scheme": find_key(table, "Схема")}
    crit = {c.code: find_key(table, c.code) for c in snap.scheme.criteria}
    missing = []
    if not (cols["guid"] or cols["code"]):
        missing.append("Код_в_базе или Код_участника")
    missing += [label for k, label in (("room", "Аудитория"), ("variant", "Вариант"),
                                       ("expert", "Эксперт")) if not cols[k]]
    missing += [c for c, k in crit.items() if not k]
    if missing:
        raise ImportRefused([f"{name}: строка 1: нет столбцов: {', '.join(missing)}."], "header")
    cols["criteria"] = crit
    return cols


class _ScoreRows:
    """The plan of a scores CSV, row by row."""

    def __init__(self, snap: Snapshot, cols: dict, name: str) -> None:
        self.snap, self.cols, self.name = snap, cols, name
        self.sch = snap.scheme
        self.by_code = {p.code: p for p in snap.participants.values() if p.code}
        self.problems: list[str] = []
        self.protocols: list[Protocol] = []
        self.participants: dict[str, Participant] = {}
        self.new_rooms: list[str] = []
        self.seen = Seen()
        self.summary = ScoresSummary(path=Path(name))

    def get(self, rec: dict, key: str) -> str:
        col = self.cols[key]
        return rec.get(col, "").strip() if col else ""

    def plan(self, line: int, rec: dict) -> None:
        where = f"{self.name}: строка {line}"
        p = self._participant(rec, where, f"строке {line}")
        if p is None:
            return
        status = self._status(rec, where)
        if status is False:
            return
        room, scores, errs = self._values(rec, p)
        if errs:
            self.problems.append(f"{where}: " + "; ".join(errs) + ".")
            return
        if status == "absent" or rec.get(self.cols["room"], "").strip().upper() == "Н":
            self._absent(p, room, scores, where)
            return
        self._protocol(p, room, scores, status, rec, where)

    def _participant(self, rec: dict, where: str, here: str) -> Optional[Participant]:
        guid = norm_guid(self.get(rec, "guid"))
        code = self.get(rec, "code")
        p = self.snap.participants.get(guid) if guid else self.by_code.get(code) if code else None
        if p is None:
            self.problems.append(f"{where}: участник с кодом «{(guid or code)[:40]}» не найден в "
                                 f"списке.")
            return None
        if guid and code and code != p.code:  # the row names two children: whose are the scores?
            other = self.by_code.get(code)
            whom = f" — это {other.short_fio}" if other is not None else " — такого кода в списке нет"
            self.problems.append(f"{where}: Код_в_базе — участник {p.short_fio} (код "
                                 f"{p.code or 'не указан'}), а Код_участника «{code[:20]}»{whom}: "
                                 f"строка указывает не на одного участника. Исправьте код в файле.")
            return None
        again = self.seen.check("участник", p.short_fio, here)
        if again:
            self.problems.append(f"{where}: {again}.")
            return None
        return p

    def _status(self, rec: dict, where: str):
        text = fold(self.get(rec, "status"))
        if text not in STATUSES:
            self.problems.append(f"{where}: статус «{text[:20]}»: допустимо «явился», «не явился», "
                                 f"«не завершил», «удален» или пусто.")
            return False
        return STATUSES[text]

    def _values(self, rec: dict, p: Participant) -> tuple[str, dict, list[str]]:
        errs: list[str] = []
        room = self.get(rec, "room")
        if room.upper() == "Н":
            room = ""
        elif room.upper() == "H" and "H" not in self.snap.rooms:  # typed on the Latin layout
            errs.append(f"аудитория «{room}» — латинская буква H: отметка «не явился» пишется "
                        f"русской буквой «Н»")
        for key in ("room", "variant", "expert"):
            problem = value_problem(key, room if key == "room" else self.get(rec, key))
            if problem:
                errs.append(problem[1])
        if room and not errs:
            fat = file_name_problem(room, "номер аудитории")
            if fat:
                errs.append(fat)
        if room and p.room and room != p.room:
            errs.append(f"в списке участник {p.short_fio} в аудитории {p.room}, в файле — {room}")
        scores: dict[str, Optional[int]] = {}
        for c, k in self.cols["criteria"].items():
            v, err = _int_cell(rec.get(k, ""))
            if err:
                errs.append(f"{c}: {err}")
            elif v is not None:
                scores[c] = v
        return room or p.room, scores, errs

    def _absent(self, p: Participant, room: str, scores: dict, where: str) -> None:
        had = self.snap.protocols.get(norm_guid(p.guid))
        if scores:
            self.problems.append(f"{where}: {p.short_fio} отмечен «не явился», но баллы заполнены.")
        elif had is not None:
            self.problems.append(f"{where}: для {p.short_fio} уже внесён протокол — отметку «не "
                                 f"явился» можно поставить только на экране протокола.")
        elif not p.absent:
            self.participants[p.guid] = p.model_copy(update={"attendance": Attendance.ABSENT,
                                                             "room": room})
            self.summary.absent_marked += 1
        else:
            self.summary.unchanged += 1

    def _protocol(self, p: Participant, room: str, scores: dict, status, rec: dict,
                  where: str) -> None:
        scheme_text = self.get(rec, "scheme") or "2"
        if scheme_text not in ("1", "2"):
            self.problems.append(f"{where}: схема «{scheme_text[:10]}»: допустимо 1 или 2.")
            return
        if not room:
            self.problems.append(f"{where}: не указана аудитория.")
            return
        if p.absent:
            self.problems.append(f"{where}: {p.short_fio} отмечен «Н» (не явился); снимите отметку "
                                 f"на экране участников, если это ошибка.")
            return
        proto = Protocol(participant=p.guid, room=room, source="file", variant=self.get(rec, "variant"),
                         scheme=int(scheme_text), expert=self.get(rec, "expert"),
                         status=status or ProtocolStatus.PRESENT, scores=scores)
        seated = p.model_copy(update={"attendance": Attendance.PRESENT, "room": room})
        errs = validate_protocol(self.sch, seated, proto)
        if errs:
            self.problems.append(f"{where}: " + "; ".join(errs) + ".")
            return
        had = self.snap.protocols.get(norm_guid(p.guid))
        if had is not None:
            if same_result(had, proto):
                self.summary.unchanged += 1
            else:
                self.problems.append(f"{where}: для {p.short_fio} протокол уже внесён и отличается — "
                                     f"внесённые результаты не перезаписываются; исправьте на экране "
                                     f"протокола.")
            return
        self.protocols.append(proto)
        if seated != p:
            self.participants[p.guid] = seated
        if room not in self.snap.rooms and room not in self.new_rooms:
            self.new_rooms.append(room)

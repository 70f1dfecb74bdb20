"""Import of a participants list: a B2P roster (Condition 10/11), one of our own saved B2P
files (12/13/19, reopened with its protocols) or a CSV roster from Excel.

All or nothing: the whole file is read and validated and a Plan made from a snapshot of the
workspace (services/import_plan.py) — nothing is written until then; the plan is written in
one store.transaction(). Re-import merges by GUID (CSV: by name and document): new
participants are added, missing ones reported (removed only if nothing was entered for them),
entered results are never overwritten. Every limit of domain/limits.py is checked, with the
row named; no two participants may share a GUID, a participant code or a document; a name
that mixes Latin and Cyrillic letters is named in the summary with its Cyrillic spelling.
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Optional

from ..domain.criteria import Scheme
from ..domain.limits import value_problem
from ..domain.models import (
    OVZ_RESERVE,
    Attendance,
    ExamDay,
    Participant,
    Protocol,
    guid_or_none,
    new_guid,
    norm_guid,
    share_fields_set,
)
from ..domain.names import document_key
from ..domain.ordering import fold, room_number_key
from ..domain.scoring import score_protocol, validate_protocol
from ..exchange import mapping
from ..exchange.b2p import STEM_RE, B2PError, B2PPackage, B2PRow, read_b2p, stem_for
from ..exchange.csvio import CsvError, CsvTable, find_key, read_table
from ..store.journal import no_gc
from ..store.workspace import Store
from .import_plan import (
    ImportRefused,
    Plan,
    Progress,
    Seen,
    Snapshot,
    apply_plan,
    document_problems,
    first_error,
    lookalike_notes,
    missing,
    now,
    refuse_if,
    same_result,
    snapshot,
)

__all__ = ["ImportRefused", "ImportSummary", "import_file", "plan_file"]


def _some(names: list[str], shown: int = 10) -> str:
    """«(N): first, second, … » — a count and the first names of a list, for a summary line."""
    more = " …" if len(names) > shown else ""
    return f"({len(names)}): {', '.join(names[:shown])}{more}"


@dataclass
class ImportSummary:
    path: Path
    kind: str  # "b2p" | "csv"
    condition: str = ""
    total: int = 0  # participants in the file
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    protocols_added: int = 0
    protocols_kept: list[str] = field(default_factory=list)  # workspace result kept over the file's
    missing_kept: list[str] = field(default_factory=list)  # not in the file, kept (results entered)
    removed: list[str] = field(default_factory=list)  # not in the file, nothing entered: removed
    ovz_unknown: list[str] = field(default_factory=list)  # РезервI=22, category to be set
    rooms_added: list[str] = field(default_factory=list)
    lookalikes: list[str] = field(default_factory=list)  # names mixing Latin and Cyrillic
    composed: int = 0  # values of the file in a decomposed Unicode form, composed (NFC)
    day_created: bool = False
    file_name: str = ""

    def lines(self) -> list[str]:
        out = [f"Загружен файл {self.path.name}" + (f" (статус {self.condition})" if self.condition else "")
               + f": участников в файле {self.total}."]
        out.append(f"Добавлено: {self.added}; обновлено: {self.updated}; без изменений: {self.unchanged}.")
        if self.day_created:
            out.append(f"Экзаменационный день заведён по файлу; имя файла для выгрузки: {self.file_name}.")
        if self.protocols_added:
            out.append(f"Протоколов загружено: {self.protocols_added}.")
        if self.rooms_added:
            out.append(f"Заведены аудитории: {', '.join(self.rooms_added)}.")
        if self.protocols_kept:
            out.append(f"Результаты в рабочей папке отличаются от файла и оставлены без изменений "
                       f"{_some(self.protocols_kept)}")
        if self.removed:
            out.append(f"Нет в новом списке и исключены (результатов не было) {_some(self.removed)}")
        if self.missing_kept:
            out.append(f"ВНИМАНИЕ: нет в новом списке, но оставлены — у них уже есть отметки или "
                       f"протоколы {_some(self.missing_kept)}")
        if self.ovz_unknown:
            out.append(f"ВНИМАНИЕ: участники с ОВЗ (Резерв 22), категория которых в файле не указана "
                       f"{_some(self.ovz_unknown)} — установите категорию ОВЗ в списке участников "
                       f"до ввода баллов.")
        if self.composed:
            out.append(f"Значений в «разложенной» записи Юникода (так сохраняют macOS и некоторые "
                       f"программы: «й» как «и» со знаком краткой): {self.composed} — записаны "
                       f"обычными буквами, буквы те же.")
        if self.lookalikes:
            out.append(f"ВНИМАНИЕ: латинские буквы в именах или классах, где должны быть русские "
                       f"({len(self.lookalikes)}) — исправьте написание в списке участников:")
            out.extend(f"  {n}" for n in self.lookalikes[:10])
        return out

    def count(self, snap: Snapshot, put: list[Participant], in_file: int) -> None:
        """The counts from what will be stored (never from the rows read)."""
        self.total = in_file
        self.added = sum(1 for p in put if norm_guid(p.guid) not in snap.participants)
        self.updated = len(put) - self.added
        self.unchanged = in_file - len(put)


def import_file(store: Store, path: Path | str, *, region: Optional[str] = None,
                msu: Optional[str] = None, oo: Optional[str] = None,
                exam_date: Optional[date | str] = None, progress: Progress = None,
                **codes) -> ImportSummary:
    """Import a .b2p or .csv list into the workspace; raises ImportRefused (nothing changed).

    The exam-day codes (region, msu, oo, exam_date — or date=) are used only by a CSV roster
    when the workspace has no exam day yet. progress: optional callable(fraction 0..1)."""
    exam_date = exam_date or codes.pop("date", None)
    if codes:
        raise TypeError(f"unknown arguments: {sorted(codes)}")
    plan = plan_file(snapshot(store), Path(path), region=region, msu=msu, oo=oo,
                     exam_date=exam_date, progress=progress)
    summary = apply_plan(store, plan)
    if progress:
        progress(1.0)
    return summary


def plan_file(snap: Snapshot, path: Path, *, region=None, msu=None, oo=None, exam_date=None,
              progress: Progress = None) -> Plan:
    """Read and check the file and plan the import from the snapshot (no store: this may run
    in a worker process). Raises ImportRefused."""
    with no_gc():
        if path.suffix.lower() == ".csv":
            return _plan_csv(snap, path, region=region, msu=msu, oo=oo, exam_date=exam_date)
        return _plan_b2p(snap, path, progress)


# ---------------------------------------------------------------------------------------
# B2P


def _read_package(path: Path, progress: Progress, on_rows=None) -> B2PPackage:
    step = (lambda f: progress(0.7 * f)) if progress else None
    try:
        return read_b2p(path, progress=step, on_rows=on_rows)
    except B2PError as e:
        raise ImportRefused([p.message for p in e.problems], e.kind, e.total, e.stopped) from None


def _check_day(day: Optional[ExamDay], region: str, msu: str, oo: str, d: date, file_name: str,
               name: str) -> None:
    if day is None:
        return
    diffs = []
    if day.region != region:
        diffs.append(f"регион {region} (в рабочей папке {day.region})")
    if day.msu != msu:
        diffs.append(f"МСУ {msu} (в рабочей папке {day.msu})")
    if day.oo != oo:
        diffs.append(f"ОО {oo} (в рабочей папке {day.oo})")
    if day.date != d:
        diffs.append(f"дата {d:%d.%m.%Y} (в рабочей папке {day.date:%d.%m.%Y})")
    if diffs:
        raise ImportRefused([f"{name}: файл другой школы или другого дня: {'; '.join(diffs)}. "
                             f"Для него нужна отдельная рабочая папка (--workspace ПАПКА)."], "other_day")
    if file_name and day.source_file and day.source_file != file_name:
        raise ImportRefused([f"{name}: в рабочую папку уже загружен файл «{day.source_file}», "
                             f"а этот — «{file_name}». Результаты выгружаются под именем "
                             f"исходного файла, поэтому смешивать файлы нельзя: откройте для "
                             f"него отдельную рабочую папку."], "other_file")


def _result_problems(sch: Scheme, p: Participant, proto: Protocol, row,
                     claimed_total: Optional[int], claimed_pass: Optional[bool]) -> list[str]:
    """What the file claims (D_, Итоговый_Балл, Зачёт) against the scores (one scoring)."""
    res = score_protocol(sch, p, proto)
    who = p.short_fio
    out = []
    for i, sub in enumerate(sch.subtotals[:3]):
        v = row.subtotals[i]
        if v and int(v) != res.subtotals.get(sub.code, 0):
            out.append(f"{who}: промежуточный итог {sub.code} ({sub.name}) {v} не равен "
                       f"сумме баллов {res.subtotals.get(sub.code, 0)}")
    if claimed_total is not None and claimed_total != res.total:
        out.append(f"{who}: итоговый балл {claimed_total} не равен сумме баллов {res.total}")
    if claimed_pass is not None:
        if res.passed is None:
            out.append(f"{who}: у участника нет результата, но указан "
                       f"«{'зачёт' if claimed_pass else 'незачёт'}»")
        elif claimed_pass != res.passed:
            out.append(f"{who}: результат «{'зачёт' if claimed_pass else 'незачёт'}» противоречит "
                       f"сумме {res.total} (минимум {res.pass_min})")
    return out


_ROSTER_FIELDS = ("local_guid", "code", "barcode", "kim", "surname", "name", "patronymic", "grade",
                  "doc_series", "doc_number", "reserve")


def _merge(old: Participant, new: Participant) -> Participant:
    """Roster fields from the file; the workspace's own work (category, room, attendance,
    order) kept, filled from the file only where the workspace has nothing."""
    update = {f: getattr(new, f) for f in _ROSTER_FIELDS}
    if new.birth_date and not old.birth_date:
        update["birth_date"] = new.birth_date
    if new.sex and not old.sex:
        update["sex"] = new.sex
    if not old.room and new.room:
        update["room"] = new.room
    if old.attendance is Attendance.UNKNOWN and new.attendance is not Attendance.UNKNOWN:
        update["attendance"] = new.attendance
    return old.model_copy(update=update)


def _plan_b2p(snap: Snapshot, path: Path, progress: Progress) -> Plan:
    """The rows are planned page by page as the reader checks them (the file's rows are
    never all in memory); the plan counts only if the whole file passes."""
    planner: Optional[_B2PRows] = None

    def start(head: B2PPackage) -> _B2PRows:
        _check_day(snap.day, head.region, head.msu, head.oo, head.exam_date, head.file_name,
                   path.name)
        summary = ImportSummary(path=path, kind="b2p", condition=head.condition,
                                file_name=head.file_name)
        return _B2PRows(snap, head, path.name, summary)

    def on_rows(head: B2PPackage, rows: list[B2PRow]) -> None:
        nonlocal planner
        planner = planner or start(head)
        for row in rows:
            planner.plan(row)
        if len(planner.problems) > 100:
            refuse_if(planner.problems, "invalid_results", stopped=True)

    pkg = _read_package(path, progress, on_rows)
    rows = planner or start(pkg)
    summary = rows.summary
    summary.composed = pkg.composed
    refuse_if(rows.problems, "invalid_results")
    if progress:
        progress(0.8)
    removed, summary.removed, summary.missing_kept = missing(snap, rows.in_file)
    refuse_if(document_problems(snap, rows.participants, removed, rows.lines), "duplicate_document")
    summary.count(snap, rows.participants, len(rows.in_file))
    summary.protocols_added = len(rows.protocols)
    summary.rooms_added = sorted(rows.new_rooms, key=room_number_key)
    if snap.day is None:
        day = ExamDay(date=pkg.exam_date, region=pkg.region, msu=pkg.msu, oo=pkg.oo,
                      source_file=pkg.file_name)
        summary.day_created = True
    else:
        day = snap.day.model_copy(update={"source_file": pkg.file_name})
    info = {"file": path.name, "kind": "b2p", "condition": pkg.condition, "rows": pkg.count}
    return Plan(summary=summary, participants=rows.participants, protocols=rows.protocols,
                rooms=summary.rooms_added, removed=removed, day=day,
                settings={"last_import": info}, source=path.name, stamp=rows.stamp)


class _B2PRows:
    """The plan of a B2P file's rows against the workspace, row by row."""

    def __init__(self, snap: Snapshot, pkg: B2PPackage, name: str, summary: ImportSummary) -> None:
        self.snap, self.pkg, self.name, self.summary = snap, pkg, name, summary
        self.sch = snap.scheme
        self.problems: list[str] = []
        self.participants: list[Participant] = []
        self.protocols: list[Protocol] = []
        self.new_rooms: list[str] = []
        self.in_file: set[str] = set()
        self.lines: dict[str, int] = {}
        self.stamp = now()

    def plan(self, row: B2PRow) -> None:
        self.in_file.add(row.guid)
        self.lines[row.guid] = row.line
        old = self.snap.participants.get(row.guid)
        try:
            p = mapping.row_to_participant(row, self._category(row, old))
        except ValueError as e:
            self.problems.append(f"{self.name}: {row.where()}: данные участника не приняты "
                                 f"({first_error(e)}).")
            return
        if (old is None and not self.pkg.is_roster and mapping.is_ovz_reserve(row)
                and mapping.guess_ovz_category(self.sch, row)):
            # a results file: the category follows from the criteria it scored (issue 17: the
            # choice is recorded, never a silent «Общая»)
            p = p.model_copy(update={"category_confirmed_by": f"файл {self.name}",
                                     "category_confirmed_at": self.stamp})
        self.summary.lookalikes += lookalike_notes(lambda: f"{self.name}: {row.where()}",
                                                   surname=p.surname, name=p.name,
                                                   patronymic=p.patronymic, grade=p.grade)
        proto = None if self.pkg.is_roster else mapping.row_to_protocol(self.sch, row,
                                                                        saved_at=self.stamp)
        if proto is not None:
            self._check_result(row, p, proto)
        if old is None:
            self.participants.append(share_fields_set(p))
            if proto is not None:
                self.protocols.append(share_fields_set(proto))
        else:
            self._merge(row, old, p, proto)
        for room in (p.room, proto.room if proto else ""):
            if room and room not in self.snap.rooms and room not in self.new_rooms:
                self.new_rooms.append(room)

    def _category(self, row: B2PRow, old: Optional[Participant]) -> str:
        if old is not None:
            return old.category
        if mapping.is_ovz_reserve(row):
            self.summary.ovz_unknown.append(f"{row.surname} {row.name[:1]}.")
            return mapping.guess_ovz_category(self.sch, row) or self.sch.default_category
        return self.sch.default_category

    def _check_result(self, row: B2PRow, p: Participant, proto: Protocol) -> None:
        claimed_total = int(row.total) if row.total else None
        claimed_pass = None if row.passed == "" else row.passed == "1"
        errs = validate_protocol(self.sch, p, proto)
        if not errs:
            errs = _result_problems(self.sch, p, proto, row, claimed_total, claimed_pass)
        self.problems.extend(f"{self.name}: {row.where()}: {msg}" for msg in errs)

    def _merge(self, row: B2PRow, old: Participant, p: Participant,
               proto: Optional[Protocol]) -> None:
        """A participant already in the workspace: the list's fields from the file, the
        school's work kept; a result only where the workspace has none."""
        merged = _merge(old, p)
        had = self.snap.protocols.get(row.guid)
        if proto is not None:
            if had is None and old.attendance is not Attendance.ABSENT:
                self.protocols.append(share_fields_set(proto))
                merged = merged.model_copy(update={"attendance": Attendance.PRESENT,
                                                   "room": merged.room or proto.room})
            elif had is None or not same_result(had, proto):
                self.summary.protocols_kept.append(old.short_fio)
        elif had is not None and (row.absent or not self.pkg.is_roster):
            self.summary.protocols_kept.append(old.short_fio)
        if merged != old:
            self.participants.append(share_fields_set(merged))


# ---------------------------------------------------------------------------------------
# CSV roster

REQUIRED = ("фамилия", "имя", "класс")
ALIASES = {
    "surname": ("Фамилия",),
    "name": ("Имя",),
    "patronymic": ("Отчество",),
    "grade": ("Класс",),
    "doc_series": ("Серия", "Серия документа", "Документ серия", "Документ_серия"),
    "doc_number": ("Номер", "Номер документа", "Документ номер", "Документ_номер"),
    "birth_date": ("Дата рождения", "ДР"),
    "sex": ("Пол",),
    "reserve": ("ОВЗ/Резерв", "ОВЗ", "Резерв", "РезервI"),
    "category": ("Категория", "Категория ОВЗ"),
    "code": ("Код участника", "Код_участника"),
    "guid": ("Код в базе", "Код_в_базе", "GUID"),
}
_YES = {"22", "да", "+", "1", "овз", "true", "yes", "д"}
_NO = {"", "нет", "0", "-", "false", "no", "н"}


_MIDNIGHT = re.compile(r"\s+0?0:00(:00)?$")  # Excel writes a date cell as «04.05.2011 0:00:00»
_DATE_SHAPE = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})|(\d{4})-(\d{1,2})-(\d{1,2})")


def _parse_date(text: str) -> Optional[date]:
    text = _MIDNIGHT.sub("", text.strip())
    if not text:
        return None
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if _DATE_SHAPE.fullmatch(text):
        raise ValueError(f"дата рождения «{text}»: такой даты нет")
    if text.isdigit() and 20000 <= int(text) <= 60000:
        raise ValueError(f"дата рождения «{text}» — число, а не дата (Excel записал ячейку без "
                         f"формата «Дата»): задайте столбцу формат «Дата» и сохраните CSV снова")
    raise ValueError(f"дата рождения «{text}» не в формате ДД.ММ.ГГГГ")


def _parse_sex(text: str) -> str:
    t = text.strip().lower()
    if t in ("", "-"):
        return ""
    if t in ("м", "муж", "мужской", "m"):
        return "М"
    if t in ("ж", "жен", "женский", "f"):
        return "Ж"
    raise ValueError(f"пол «{text}»: укажите М или Ж")


def _category_of(sch: Scheme, text: str) -> Optional[str]:
    t = text.strip().casefold()
    if not t:
        return None
    for c in sch.categories:
        if t in (c.id.casefold(), c.name.casefold(), (c.short or "\0").casefold()):
            return c.id
    raise ValueError(f"неизвестная категория ОВЗ «{text}» (возможны: "
                     f"{', '.join(c.short or c.name for c in sch.categories)})")


def _person_key(surname: str, name: str, patronymic: str, series: str, number: str,
                birth: Optional[date], grade: str) -> tuple:
    if series or number:
        return (fold(surname), fold(name), fold(patronymic), "doc", fold(series), fold(number))
    return (fold(surname), fold(name), fold(patronymic), "birth", str(birth or ""), fold(grade))


def _day_from_flags(day: Optional[ExamDay], name: str, region, msu, oo,
                    exam_date) -> tuple[ExamDay, bool]:
    if isinstance(exam_date, str) and exam_date:
        try:
            exam_date = date.fromisoformat(exam_date)
        except ValueError:
            raise ImportRefused([f"Дата «{exam_date}» не в формате ГГГГ-ММ-ДД."], "flags") from None
    given = {k: v for k, v in (("region", region), ("msu", msu), ("oo", oo), ("date", exam_date)) if v}
    if day is not None:
        if given:
            _check_day(day, given.get("region", day.region), given.get("msu", day.msu),
                       given.get("oo", day.oo), given.get("date", day.date), "", name)
        if not day.source_file:
            day = day.model_copy(update={"source_file": stem_for(day.region, day.oo, day.msu, day.date)})
        return day, False
    missing = [flag for key, flag in (("region", "--region"), ("msu", "--msu"), ("oo", "--oo"),
                                      ("date", "--date")) if key not in given]
    if missing:
        raise ImportRefused([f"{name}: в рабочей папке ещё нет экзаменационного дня, а в CSV нет "
                             f"кодов. Укажите {' '.join(missing)} (например: --region 47 --msu 005 "
                             f"--oo 470123 --date 2027-02-10)."], "flags")
    try:
        day = ExamDay(date=given["date"], region=given["region"], msu=given["msu"], oo=given["oo"])
    except ValueError:
        raise ImportRefused(["Коды указаны неверно: регион — 2 цифры, МСУ — 3 цифры, ОО — 6 цифр."],
                            "flags") from None
    day = day.model_copy(update={"source_file": stem_for(day.region, day.oo, day.msu, day.date)})
    assert STEM_RE.match(day.source_file)
    return day, True


def _read_csv(path: Path) -> CsvTable:
    try:
        return read_table(path)
    except CsvError as e:
        raise ImportRefused([f"{path.name}: {m}" if not m.startswith(path.name) else m
                             for m in e.problems], e.kind) from None


def _csv_preconditions(snap: Snapshot, table: CsvTable, path: Path) -> dict[str, Optional[str]]:
    """A CSV never goes over a B2P roster; the required columns are there. -> the columns."""
    if snap.last_import_kind == "b2p" and snap.participants:
        raise ImportRefused([f"{path.name}: список этой рабочей папки загружен из файла B2P РЦОИ "
                             f"({snap.last_import_file}); CSV-список с ним не смешивается — у его "
                             f"участников не было бы кодов РЦОИ. Загрузите исправленный файл B2P "
                             f"или добавьте участника на экране участников."], "other_file")
    missing_cols = [r.capitalize() for r in REQUIRED if r not in table.keys]
    if missing_cols:
        raise ImportRefused([f"{path.name}: строка 1: нет обязательных столбцов: "
                             f"{', '.join(missing_cols)}. Обязательны: Фамилия, Имя, Класс; по "
                             f"желанию: Отчество, Серия, Номер, Дата рождения, Пол, ОВЗ/Резерв, "
                             f"Категория."], "header")
    return {attr: find_key(table, *aliases) for attr, aliases in ALIASES.items()}


def _plan_csv(snap: Snapshot, path: Path, *, region=None, msu=None, oo=None,
              exam_date=None) -> Plan:
    table = _read_csv(path)
    cols = _csv_preconditions(snap, table, path)
    day, created = _day_from_flags(snap.day, path.name, region, msu, oo, exam_date)
    summary = ImportSummary(path=path, kind="csv", day_created=created, file_name=day.source_file,
                            composed=table.composed)
    rows = _CsvRows(snap, cols, path.name, summary)
    for line, rec in table.rows:
        rows.plan(line, rec)
    refuse_if(rows.problems, "invalid_rows")
    removed, summary.removed, summary.missing_kept = missing(snap, rows.matched)
    refuse_if(document_problems(snap, rows.put, removed, rows.lines), "duplicate_document")
    summary.count(snap, rows.put, len(table.rows))
    info = {"file": path.name, "kind": "csv", "rows": len(table.rows), "encoding": table.encoding}
    return Plan(summary=summary, participants=rows.put, removed=removed, day=day,
                settings={"last_import": info}, source=path.name)


_CSV_LIMITED = ("surname", "name", "patronymic", "grade", "doc_series", "doc_number", "code")


class _CsvRows:
    """The plan of a CSV roster's rows against the workspace, row by row."""

    def __init__(self, snap: Snapshot, cols: dict, name: str, summary: ImportSummary) -> None:
        self.snap, self.cols, self.name, self.summary = snap, cols, name, summary
        self.sch = snap.scheme
        self.by_key = {_person_key(p.surname, p.name, p.patronymic, p.doc_series, p.doc_number,
                                   p.birth_date, p.grade): p for p in snap.participants.values()}
        self.problems: list[str] = []
        self.put: list[Participant] = []
        self.matched: set[str] = set()  # GUIDs of the workspace found in the file (and new ones)
        self.lines: dict[str, int] = {}
        self.seen = Seen()
        self.person_line: dict[tuple, int] = {}

    def get(self, rec: dict, attr: str) -> str:
        key = self.cols[attr]
        return rec.get(key, "") if key else ""

    def plan(self, line: int, rec: dict) -> None:
        where = f"строка {line}"
        try:
            fields, category, guid = self._fields(rec)
        except ValueError as e:
            self.problems.append(f"{self.name}: {where}: {e}.")
            return
        key = _person_key(fields["surname"], fields["name"], fields["patronymic"],
                          fields["doc_series"], fields["doc_number"], fields["birth_date"],
                          fields["grade"])
        first = self.person_line.setdefault(key, line)
        if first != line:
            self.problems.append(f"{self.name}: {where}: участник {fields['surname']} "
                                 f"{fields['name']} повторяет строку {first}.")
            return
        here = f"строке {line}"
        dup = (self.seen.check("код участника (Код_в_базе)", guid, here)
               or self.seen.check("код участника (Код_участника)", fields.get("code", ""), here)
               or self.seen.check("документ (серия и номер)",
                                  document_key(fields["doc_series"], fields["doc_number"]), here))
        if dup:
            self.problems.append(f"{self.name}: {where}: {dup}.")
            return
        self.summary.lookalikes += lookalike_notes(f"{self.name}: {where}", surname=fields["surname"],
                                                   name=fields["name"],
                                                   patronymic=fields["patronymic"],
                                                   grade=fields["grade"])
        old = self.snap.participants.get(guid) if guid else self.by_key.get(key)
        try:
            p = self._new(fields, category, guid) if old is None else self._update(old, fields, category)
        except ValueError as e:
            self.problems.append(f"{self.name}: {where}: {first_error(e)}.")
            return
        self.lines[norm_guid(p.guid)] = line

    def _fields(self, rec: dict) -> tuple[dict, Optional[str], str]:
        """The participant's fields of one row; ValueError (Russian) for a bad value."""
        get = lambda attr: self.get(rec, attr)  # noqa: E731
        for attr, label in (("surname", "Фамилия"), ("name", "Имя"), ("grade", "Класс")):
            if not get(attr):
                raise ValueError(f"не заполнен столбец «{label}»")
        for attr in _CSV_LIMITED:
            p = value_problem(attr, get(attr))
            if p:
                raise ValueError(p[1])
        birth = _parse_date(get("birth_date"))
        sex = _parse_sex(get("sex"))
        reserve_text = get("reserve").strip().lower()
        if reserve_text in _YES:
            reserve = OVZ_RESERVE
        elif reserve_text in _NO:
            reserve = ""
        else:
            raise ValueError(f"ОВЗ/Резерв «{get('reserve')[:20]}»: укажите 22 (или «да») либо оставьте пусто")
        category = _category_of(self.sch, get("category"))
        if category and category != self.sch.default_category:
            reserve = OVZ_RESERVE
        guid = ""
        if get("guid"):
            guid = guid_or_none(get("guid")) or ""
            if not guid:
                raise ValueError(f"Код_в_базе «{get('guid')[:40]}» — не GUID")
        fields = dict(surname=get("surname"), name=get("name"), patronymic=get("patronymic"),
                      grade=get("grade"), doc_series=get("doc_series"), doc_number=get("doc_number"),
                      birth_date=birth, sex=sex, reserve=reserve)
        if get("code"):
            fields["code"] = get("code")
        return fields, category, guid

    def _new(self, fields: dict, category: Optional[str], guid: str) -> Participant:
        p = Participant(guid=guid or new_guid(), local_guid=new_guid(),
                        category=category or self.sch.default_category, **fields)
        if fields["reserve"] == OVZ_RESERVE and not category:
            self.summary.ovz_unknown.append(f"{fields['surname']} {fields['name'][:1]}.")
        self.put.append(p)
        self.matched.add(norm_guid(p.guid))
        return p

    def _update(self, old: Participant, fields: dict, category: Optional[str]) -> Participant:
        self.matched.add(norm_guid(old.guid))
        upd = {k: v for k, v in fields.items() if v not in (None, "") or k in ("patronymic", "reserve")}
        if category:
            upd["category"] = category
        p = old.model_copy(update=upd)
        Participant.model_validate(p.model_dump())
        if p != old:
            self.put.append(p)
        return p

"""Import of a participants list: a B2P roster (Condition 10/11), one of our own saved B2P
files (12/13/19, reopened with its protocols) or a CSV roster from Excel.

All or nothing: the whole file is read and validated first; then everything is written in
one store.transaction(). Re-import merges by GUID (CSV: by name and document): new
participants are added, missing ones reported (removed only if nothing was entered for them),
entered results are never overwritten.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Optional

from ..domain.ordering import fold
from ..domain.ordering import room_number_key
from ..errors import Refused
from ..domain.criteria import Scheme
from ..domain.models import (
    OVZ_RESERVE,
    Act,
    Attendance,
    ExamDay,
    Participant,
    Protocol,
    Room,
    RoomLogEntry,
    new_guid,
)
from ..domain.scoring import score_protocol, validate_protocol
from ..exchange import mapping
from ..exchange.b2p import STEM_RE, B2PError, B2PPackage, no_gc, read_b2p, stem_for
from ..exchange.csvio import CsvError, find_key, read_table
from ..store.audit import AuditEntry
from ..store.workspace import Store
from .data import scheme_for


class ImportRefused(Refused):
    """The file was not imported (nothing changed). .problems: Russian, with lines."""

    def __init__(self, problems: list[str], kind: str = "refused") -> None:
        self.problems = problems
        self.kind = kind
        super().__init__("\n".join(problems))


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
        return out


def import_file(store: Store, path: Path | str, *, region: Optional[str] = None,
                msu: Optional[str] = None, oo: Optional[str] = None,
                exam_date: Optional[date | str] = None, progress=None, **codes) -> ImportSummary:
    """Import a .b2p or .csv list into the workspace; raises ImportRefused (nothing changed).

    The exam-day codes (region, msu, oo, exam_date — or date=) are used only by a CSV roster
    when the workspace has no exam day yet. progress: optional callable(fraction 0..1) for a
    screen's progress bar (call import_file from a worker thread)."""
    exam_date = exam_date or codes.pop("date", None)
    if codes:
        raise TypeError(f"unknown arguments: {sorted(codes)}")
    path = Path(path)
    with no_gc():
        if path.suffix.lower() == ".csv":
            summary = import_csv_roster(store, path, region=region, msu=msu, oo=oo,
                                        exam_date=exam_date)
        else:
            summary = import_b2p(store, path, progress)
    if progress:
        progress(1.0)
    return summary


# ---------------------------------------------------------------------------------------
# B2P


def read_package(path: Path) -> B2PPackage:
    try:
        return read_b2p(path)
    except B2PError as e:
        raise ImportRefused([p.message for p in e.problems], e.kind) from None


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


def _has_entries(store: Store) -> tuple[set[str], set[str]]:
    acts = {a.participant for a in store.all(Act)}
    log = {e.participant for e in store.all(RoomLogEntry)}
    return acts, log


def import_b2p(store: Store, path: Path, progress=None) -> ImportSummary:
    pkg = read_package(path)
    if progress:
        progress(0.5)
    sch = scheme_for(store)
    day = store.exam_day()
    _check_day(day, pkg.region, pkg.msu, pkg.oo, pkg.exam_date, pkg.file_name, path.name)
    summary = ImportSummary(path=path, kind="b2p", condition=pkg.condition, total=len(pkg.rows),
                            file_name=pkg.file_name)
    existing = {p.guid: p for p in store.all(Participant)}
    protocols = store.protocols()
    known_rooms = {r.number for r in store.rooms()}
    problems: list[str] = []
    put_participants: list[Participant] = []
    put_protocols: list[Protocol] = []
    new_rooms: list[str] = []
    in_file: set[str] = set()
    for row in pkg.rows:
        in_file.add(row.guid)
        old = existing.get(row.guid)
        if old is not None:
            category = old.category
        elif mapping.is_ovz_reserve(row):
            category = mapping.guess_ovz_category(sch, row) or sch.default_category
            summary.ovz_unknown.append(f"{row.surname} {row.name[:1]}.")
        else:
            category = sch.default_category
        try:
            p = mapping.row_to_participant(row, category)
        except ValueError as e:
            problems.append(f"{path.name}: {row.where()}: данные участника не приняты ({_first_error(e)}).")
            continue
        if (old is None and not pkg.is_roster and mapping.is_ovz_reserve(row)
                and mapping.guess_ovz_category(sch, row)):
            # a results file: the category follows from the criteria it scored (issue 17: the
            # choice is recorded, never a silent «Общая»)
            p = p.model_copy(update={"category_confirmed_by": f"файл {path.name}",
                                     "category_confirmed_at": stamp_now()})
        proto = None if pkg.is_roster else mapping.row_to_protocol(sch, row)
        if proto is not None:
            claimed_total = int(row.total) if row.total else None
            claimed_pass = None if row.passed == "" else row.passed == "1"
            errs = validate_protocol(sch, p, proto)
            if not errs:
                errs = _result_problems(sch, p, proto, row, claimed_total, claimed_pass)
            for msg in errs:
                problems.append(f"{path.name}: {row.where()}: {msg}")
        if old is None:
            put_participants.append(p)
            summary.added += 1
            if proto is not None:
                put_protocols.append(proto)
        else:
            merged = _merge(old, p)
            had = protocols.get(row.guid)
            if proto is not None:
                if had is None and old.attendance is not Attendance.ABSENT:
                    put_protocols.append(proto)
                    merged = merged.model_copy(update={"attendance": Attendance.PRESENT,
                                                       "room": merged.room or proto.room})
                elif had is None or not _same_result(had, proto):
                    summary.protocols_kept.append(old.short_fio)
            elif had is not None and (row.absent or not pkg.is_roster):
                summary.protocols_kept.append(old.short_fio)
            if merged != old:
                put_participants.append(merged)
                summary.updated += 1
            else:
                summary.unchanged += 1
        for room in (p.room, proto.room if proto else ""):
            if room and room not in known_rooms and room not in new_rooms:
                if len(room) > 10:
                    problems.append(f"{path.name}: {row.where(f'Аудитория{row.nn:02d}')}: номер "
                                    f"аудитории «{room[:20]}» длиннее 10 знаков.")
                    continue
                new_rooms.append(room)
        if len(problems) > 100:
            break
    if problems:
        raise ImportRefused(problems[:100], "invalid_results")
    if progress:
        progress(0.8)
    acts, log = _has_entries(store)
    removed: list[str] = []
    for guid, old in existing.items():
        if guid in in_file or old.added_locally:
            continue
        if guid in protocols or guid in acts or guid in log or old.attendance is not Attendance.UNKNOWN:
            summary.missing_kept.append(old.short_fio)
        else:
            removed.append(guid)
            summary.removed.append(old.short_fio)
    summary.protocols_added = len(put_protocols)
    summary.rooms_added = sorted(new_rooms, key=room_number_key)
    if day is None:
        new_day = ExamDay(date=pkg.exam_date, region=pkg.region, msu=pkg.msu, oo=pkg.oo,
                          source_file=pkg.file_name)
        summary.day_created = True
    else:
        new_day = day.model_copy(update={"source_file": pkg.file_name})
    _write(store, new_day, put_participants, put_protocols, summary.rooms_added, removed,
           {"file": path.name, "kind": "b2p", "condition": pkg.condition, "rows": len(pkg.rows)})
    return summary


def _first_error(e: Exception) -> str:
    errs = getattr(e, "errors", None)
    if callable(errs):
        try:
            first = errs()[0]
            return f"{'.'.join(map(str, first.get('loc', ())))}: {first.get('msg', '')}"
        except Exception:  # noqa: BLE001 - best effort message
            pass
    return str(e).splitlines()[0]


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


def _same_result(a: Protocol, b: Protocol) -> bool:
    keys = ("room", "variant", "expert", "status", "scores")
    da, db = a.model_dump(include=set(keys)), b.model_dump(include=set(keys))
    da["scores"] = {k: v for k, v in da["scores"].items() if v is not None}
    db["scores"] = {k: v for k, v in db["scores"].items() if v is not None}
    return da == db


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


def import_audit_entries(store: Store, protocols: list[Protocol], source: str,
                         stamp: datetime) -> list[AuditEntry]:
    """One audit entry per protocol brought in by a file: field «import:<file>», old None,
    new = the whole protocol (a per-field diff of 36,000 new protocols would be 500,000 lines)."""
    at = stamp.isoformat(timespec="seconds")
    out = []
    for pr in protocols:
        d = pr.model_dump(mode="json")
        d.pop("saved_at", None)
        d.pop("participant", None)
        out.append(AuditEntry(at, store.operator, "protocol", pr.participant, f"import:{source}", None, d))
    return out


def _write(store: Store, day: ExamDay, participants: list[Participant], protocols: list[Protocol],
           rooms: list[str], removed: list[str], info: dict) -> None:
    stamp = datetime.now().replace(microsecond=0)
    protocols = [pr.model_copy(update={"saved_at": pr.saved_at or stamp}) for pr in protocols]
    entries = import_audit_entries(store, protocols, info.get("file", ""), stamp)
    with store.transaction():
        store.set_exam_day(day)
        if participants:
            store.put_many(participants)
        if protocols:
            store.put_many(protocols)
        if rooms:
            store.put_many([Room(number=r) for r in rooms])
        for guid in removed:
            store.delete(Participant, guid)
        store.update_settings(last_import={**info, "at": stamp.isoformat()})
        # the audit log is appended last inside the transaction: nothing above can fail after it
        store.audit.append(entries)


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


def _parse_date(text: str) -> Optional[date]:
    text = text.strip()
    if not text:
        return None
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
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


def _day_from_flags(store: Store, name: str, region, msu, oo, exam_date) -> tuple[ExamDay, bool]:
    day = store.exam_day()
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


def import_csv_roster(store: Store, path: Path, *, region=None, msu=None, oo=None,
                      exam_date=None) -> ImportSummary:
    try:
        table = read_table(path)
    except CsvError as e:
        raise ImportRefused([f"{path.name}: {m}" if not m.startswith(path.name) else m
                             for m in e.problems], e.kind) from None
    last = store.settings().last_import or {}
    if last.get("kind") == "b2p" and store.all(Participant):
        raise ImportRefused([f"{path.name}: список этой рабочей папки загружен из файла B2P РЦОИ "
                             f"({last.get('file', '')}); CSV-список с ним не смешивается — у его "
                             f"участников не было бы кодов РЦОИ. Загрузите исправленный файл B2P "
                             f"или добавьте участника на экране участников."], "other_file")
    sch = scheme_for(store)
    cols = {attr: find_key(table, *aliases) for attr, aliases in ALIASES.items()}
    missing = [r.capitalize() for r in REQUIRED if r not in table.keys]
    if missing:
        raise ImportRefused([f"{path.name}: строка 1: нет обязательных столбцов: {', '.join(missing)}. "
                             f"Обязательны: Фамилия, Имя, Класс; по желанию: Отчество, Серия, Номер, "
                             f"Дата рождения, Пол, ОВЗ/Резерв, Категория."], "header")
    day, created = _day_from_flags(store, path.name, region, msu, oo, exam_date)
    existing = store.all(Participant)
    by_key = {_person_key(p.surname, p.name, p.patronymic, p.doc_series, p.doc_number, p.birth_date,
                          p.grade): p for p in existing}
    by_guid = {p.guid: p for p in existing}
    problems: list[str] = []
    seen: dict[tuple, int] = {}
    put: list[Participant] = []
    summary = ImportSummary(path=path, kind="csv", total=len(table.rows), day_created=created,
                            file_name=day.source_file)
    matched: set[str] = set()
    for line, rec in table.rows:
        get = lambda attr: rec.get(cols[attr], "") if cols[attr] else ""  # noqa: E731
        try:
            birth = _parse_date(get("birth_date"))
            sex = _parse_sex(get("sex"))
            reserve_text = get("reserve").strip().lower()
            if reserve_text in _YES:
                reserve = OVZ_RESERVE
            elif reserve_text in _NO:
                reserve = ""
            else:
                raise ValueError(f"ОВЗ/Резерв «{get('reserve')}»: укажите 22 (или «да») либо оставьте пусто")
            category = _category_of(sch, get("category"))
            if category and category != sch.default_category:
                reserve = OVZ_RESERVE
            for attr, label in (("surname", "Фамилия"), ("name", "Имя"), ("grade", "Класс")):
                if not get(attr):
                    raise ValueError(f"не заполнен столбец «{label}»")
        except ValueError as e:
            problems.append(f"{path.name}: строка {line}: {e}.")
            continue
        key = _person_key(get("surname"), get("name"), get("patronymic"), get("doc_series"),
                          get("doc_number"), birth, get("grade"))
        if key in seen:
            problems.append(f"{path.name}: строка {line}: участник {get('surname')} {get('name')} "
                            f"повторяет строку {seen[key]}.")
            continue
        seen[key] = line
        guid = get("guid")
        old = by_guid.get(guid) if guid else by_key.get(key)
        fields = dict(surname=get("surname"), name=get("name"), patronymic=get("patronymic"),
                      grade=get("grade"), doc_series=get("doc_series"), doc_number=get("doc_number"),
                      birth_date=birth, sex=sex, reserve=reserve)
        if get("code"):
            fields["code"] = get("code")
        try:
            if old is None:
                if reserve == OVZ_RESERVE and not category:
                    summary.ovz_unknown.append(f"{fields['surname']} {fields['name'][:1]}.")
                p = Participant(guid=guid or new_guid(), local_guid=new_guid(),
                                category=category or sch.default_category, **fields)
                put.append(p)
                summary.added += 1
            else:
                matched.add(old.guid)
                upd = {k: v for k, v in fields.items() if v not in (None, "") or k in ("patronymic", "reserve")}
                if category:
                    upd["category"] = category
                p = old.model_copy(update=upd)
                Participant.model_validate(p.model_dump())
                if p != old:
                    put.append(p)
                    summary.updated += 1
                else:
                    summary.unchanged += 1
        except ValueError as e:
            problems.append(f"{path.name}: строка {line}: {_first_error(e)}.")
    if problems:
        raise ImportRefused(problems[:100], "invalid_rows")
    protocols = store.protocols()
    acts, log = _has_entries(store)
    removed = []
    for p in existing:
        if p.guid in matched or p.added_locally:
            continue
        if p.guid in protocols or p.guid in acts or p.guid in log or p.attendance is not Attendance.UNKNOWN:
            summary.missing_kept.append(p.short_fio)
        else:
            removed.append(p.guid)
            summary.removed.append(p.short_fio)
    _write(store, day, put, [], [], removed,
           {"file": path.name, "kind": "csv", "rows": len(table.rows), "encoding": table.encoding})
    return summary


def stamp_now() -> datetime:
    return datetime.now().replace(microsecond=0)

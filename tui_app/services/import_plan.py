"""What every import shares: read the workspace once (Snapshot), plan from the file without
touching the store (Plan), write the plan in one transaction (apply_plan).

The split is what lets a big file be planned in a worker process (services/jobs.py) while
the screen stays responsive and Esc can stop it: the plan is built from a picklable
snapshot, and only apply_plan touches the store (all or nothing, `store.transaction()`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from ..domain.criteria import Scheme
from ..domain.models import (
    Act,
    Attendance,
    ExamDay,
    Participant,
    Protocol,
    Room,
    RoomLogEntry,
    norm_guid,
)
from ..domain.names import (class_spelling, cyrillic_spelling, document_key, latin_letters,
                            mixes_scripts)
from ..errors import Refused
from ..exchange import untrusted
from ..store.audit import AuditEntry
from ..store.workspace import Store
from .data import scheme_for_day

Progress = Optional[Callable[[float], None]]
MAX_LISTED = 100  # problems listed in a refusal


class ImportRefused(Refused):
    """The file was not imported (nothing changed). .problems: Russian, with lines."""

    def __init__(self, problems: list[str], kind: str = "refused", total: int = 0,
                 stopped: bool = False) -> None:
        self.problems = problems
        self.kind = kind
        self.total = max(total, len(problems))  # problems found; the first MAX_LISTED listed
        self.stopped = stopped  # the check stopped there: the file may hold more
        super().__init__("\n".join(problems))

    def __reduce__(self):  # travels from a worker process
        return (self.__class__, (self.problems, self.kind, self.total, self.stopped))

    @property
    def count_text(self) -> str:
        """«40000», or «не меньше 101, проверка остановлена» when it stopped early."""
        return f"не меньше {self.total}, проверка остановлена" if self.stopped else str(self.total)

    def more_text(self, shown: int) -> str:
        """The line after the first `shown` problems when there are more, else ""."""
        rest = self.total - min(shown, len(self.problems))
        if rest <= 0:
            return ""
        more = f"ещё не меньше {rest}" if self.stopped else f"ещё {rest}"
        return f"… и {more}: исправьте показанные ошибки в файле и загрузите его снова."


def check_import_file(path: Path | str) -> None:
    """That the file to import is a file (not missing, not a folder, a pipe or a device), named
    for what it is: a stat, nothing opened — before a workspace is opened for it. Raises
    ImportRefused."""
    try:
        untrusted.check_file(Path(path))
    except untrusted.InputRefused as e:
        raise ImportRefused([str(e)], e.kind) from None


@dataclass
class Snapshot:
    """What a plan needs from the workspace, read once (picklable)."""

    day: Optional[ExamDay]
    participants: dict[str, Participant]  # by normalised GUID
    protocols: dict[str, Protocol]  # by normalised GUID
    entered: set[str]  # GUIDs with an act or a room-log entry
    rooms: set[str]
    last_import_kind: str = ""
    last_import_file: str = ""

    @property
    def scheme(self) -> Scheme:
        return scheme_for_day(self.day)


def snapshot(store: Store) -> Snapshot:
    last = store.settings().last_import or {}
    return Snapshot(
        day=store.exam_day(),
        participants={norm_guid(p.guid): p for p in store.all(Participant)},
        protocols={norm_guid(g): p for g, p in store.protocols().items()},
        entered={a.participant for a in store.all(Act)} | {e.participant for e in store.all(RoomLogEntry)},
        rooms={r.number for r in store.rooms()},
        last_import_kind=last.get("kind", ""),
        last_import_file=last.get("file", ""),
    )


@dataclass
class Plan:
    """Everything an import will write; built without the store, written by apply_plan."""

    summary: Any  # ImportSummary / ScoresSummary: .lines()
    participants: list[Participant] = field(default_factory=list)
    protocols: list[Protocol] = field(default_factory=list)
    rooms: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    day: Optional[ExamDay] = None
    settings: dict = field(default_factory=dict)  # e.g. {"last_import": {...}}
    source: str = ""  # the file's name, for the audit log
    stamp: Optional[datetime] = None  # when the protocols were read (their saved_at)


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def audited_docs(protocols: Iterable[Protocol], entries: list[AuditEntry], who: str,
                 source: str, stamp: datetime) -> Iterator[dict]:
    """The protocols brought in by a file as the documents stored, each with its audit entry
    appended to `entries`: field «import:<file>», old None, new = the whole protocol (a
    per-field diff of 36,000 new protocols would be 500,000 lines) — the entry shares the
    document's values (one dump a protocol, not two)."""
    at = stamp.isoformat(timespec="seconds")
    field = f"import:{source}"
    for pr in protocols:
        if not pr.saved_at:
            pr = pr.model_copy(update={"saved_at": stamp})
        doc = pr.model_dump(mode="json")
        entries.append(AuditEntry(at, who, "protocol", pr.participant, field, None,
                                  {k: v for k, v in doc.items()
                                   if k not in ("saved_at", "participant")}))
        yield doc


def drain(items: list) -> Iterator:
    """The list's items in order, each let go as it is taken (the list ends empty): a bulk
    write then holds each model and its document together only one at a time."""
    items.reverse()
    while items:
        yield items.pop()


def apply_plan(store: Store, plan: Plan) -> Any:
    """Write the plan in one transaction (all or nothing); returns its summary. The plan's
    lists are emptied as they are written (a region's models are let go one table at a
    time, not all held until the end)."""
    stamp = plan.stamp or now()
    protocols, plan.protocols = plan.protocols, []
    entries: list[AuditEntry] = []
    settings = {k: {**v, "at": stamp.isoformat()} for k, v in plan.settings.items()}
    with store.transaction():
        if plan.day is not None:
            store.set_exam_day(plan.day)
        participants, plan.participants = plan.participants, []
        if participants:
            store.put_many(drain(participants))
        if protocols:
            store.put_many(audited_docs(drain(protocols), entries, store.operator, plan.source,
                                        stamp), model=Protocol)
        if plan.rooms:
            store.put_many([Room(number=r) for r in plan.rooms])
        for guid in plan.removed:
            store.delete(Participant, guid)
        if settings:
            store.update_settings(**settings)
        # the audit log is appended last inside the transaction: nothing above can fail after it
        store.audit.append(entries)
        del entries  # the commit lets each go as it writes its line
    return plan.summary


# -- checks every import shares --------------------------------------------------------


class Seen:
    """No two rows of a file with the same key (GUID, code, document): the second is named
    with the first."""

    def __init__(self) -> None:
        self.first: dict[tuple[str, str], str] = {}

    def check(self, what: str, key: str, where: str) -> Optional[str]:
        """None the first time; later the Russian reason naming both places."""
        if not key:
            return None
        prev = self.first.setdefault((what, key), where)
        if prev is where:
            return None
        return f"{what} {key.replace('|', ' ').strip()} повторяется: уже был в {prev}"


def lookalike_notes(where: Callable[[], str], **names: str) -> list[str]:
    """«строка 5: фамилия «Ивaнова» — латинские буквы «a» среди русских; вероятно, «Иванова»»;
    for the class (grade=): «класс «9A» — латинские буквы «A» вместо русских; вероятно, «9А»».
    where() names the place (called only for a value that needs a note)."""
    labels = {"surname": "фамилия", "name": "имя", "patronymic": "отчество", "grade": "класс"}
    out = []
    for key, value in names.items():
        if not value:
            continue
        if key == "grade":
            fixed = class_spelling(value)
            if fixed is None:
                continue
            what = f"латинские буквы «{latin_letters(value)}» вместо русских"
        elif mixes_scripts(value):
            fixed = cyrillic_spelling(value)
            what = f"латинские буквы «{latin_letters(value)}» среди русских"
        else:
            continue
        if not isinstance(where, str):
            where = where()
        hint = f"; вероятно, «{fixed}»" if fixed else ""
        out.append(f"{where}: {labels.get(key, key)} «{value}» — {what}{hint}.")
    return out


def missing(snap: Snapshot, in_file: set[str]) -> tuple[list[str], list[str], list[str]]:
    """The participants of the workspace that the new list no longer has: (removed GUIDs,
    their names, names kept because something was entered for them). Added locally: kept."""
    removed, removed_names, kept = [], [], []
    for guid, old in snap.participants.items():
        if guid in in_file or old.added_locally:
            continue
        if guid in snap.protocols or guid in snap.entered or old.attendance is not Attendance.UNKNOWN:
            kept.append(old.short_fio)
        else:
            removed.append(old.guid)
            removed_names.append(old.short_fio)
    return removed, removed_names, kept


def document_problems(snap: Snapshot, put: list[Participant], removed: list[str],
                      lines: dict[str, int]) -> list[str]:
    """After the import no two participants of the workspace may hold the same document
    (a namesake typed with a Latin letter is still the same child). lines: GUID -> the line
    of the file it came from."""
    where = {g: f"строка {n}" for g, n in lines.items()}
    final = {g: p for g, p in snap.participants.items()}
    for g in removed:
        final.pop(norm_guid(g), None)
    for p in put:
        final[norm_guid(p.guid)] = p
    holder: dict[str, Participant] = {}
    out = []
    for g, p in final.items():
        key = document_key(p.doc_series, p.doc_number)
        if not key:
            continue
        other = holder.setdefault(key, p)
        if other is p:
            continue
        a = where.get(g) or "в рабочей папке"
        b = where.get(norm_guid(other.guid)) or "в рабочей папке"
        out.append(f"документ {p.doc_series} {p.doc_number} у двух участников: {p.short_fio} "
                   f"({a}) и {other.short_fio} ({b}). Один документ — один участник.")
    return out


def same_result(a: Protocol, b: Protocol) -> bool:
    keys = ("room", "variant", "expert", "status", "scores")
    da, db = a.model_dump(include=set(keys)), b.model_dump(include=set(keys))
    da["scores"] = {k: v for k, v in da["scores"].items() if v is not None}
    db["scores"] = {k: v for k, v in db["scores"].items() if v is not None}
    return da == db


def first_error(e: Exception) -> str:
    errs = getattr(e, "errors", None)
    if callable(errs):
        try:
            first = errs()[0]
            return f"{'.'.join(map(str, first.get('loc', ())))}: {first.get('msg', '')}"
        except Exception:  # noqa: BLE001 - best effort message
            pass
    return str(e).splitlines()[0]


def refuse_if(problems: list[str], kind: str, stopped: bool = False) -> None:
    """Refuse with the first MAX_LISTED problems and the count of all (`stopped`: the check
    gave up there, so the count is a floor)."""
    if problems:
        raise ImportRefused(problems[:MAX_LISTED], kind, len(problems), stopped)

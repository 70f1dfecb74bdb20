"""A workspace is a folder: the database, audio/, forms/, export/, backups/.

Workspace.open() takes the lock; the Store it returns is the only way to the data.

Opening always succeeds when the data can be read: on a write-protected disk the workspace
opens read-only (`store.read_only`, edits refused with a message); on a full disk the start-up
compaction and snapshot are skipped (with a notice) instead of failing; a damaged database is
recovered from the newest good copy with a notice (storage.py). `store.notices()` is what the
main screen and every CLI command show.
"""
from __future__ import annotations

import os
import shutil
from bisect import bisect_left
from itertools import chain
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Optional, TypeVar

from pydantic import BaseModel
from tinydb import TinyDB

from ..domain.models import (
    Act,
    ExamDay,
    Participant,
    PriorSitting,
    Protocol,
    RecheckApplication,
    Room,
    RoomLogEntry,
    StaffMember,
    ValidReason,
    share_fields_set,
)
from ..domain.ordering import name_key, room_key
from ..diskspace import low_space_warning, require_free
from ..domain.settings import Settings
from ..errors import DiskFull, ReadOnly, StorageError, from_os_error, os_error_kind
from .atomic import IS_WINDOWS, PRIVATE_FILE, SPACE_MARGIN, TEMP_SUFFIX, make_private_dir
from .audit import AuditLog, diff_entries
from .lock import WorkspaceLock
from .storage import DurableStorage, JournalTable, Notice

DB_NAME = "is-shtab.json"
AUDIT_NAME = "audit.jsonl"
SUBDIRS = ("audio", "forms", "export", "backups")
TEMP_DIRS = ("", "forms", "export", "backups", "retakes", "retention")  # audio/ is the recorder's
KEEP_SNAPSHOTS = 10
SNAPSHOT_BUDGET = 256 * 1024 * 1024  # the dated copies together, by unique file
NOTICE_KEY = "store_notice"  # meta: a recovery the user has not yet acknowledged

M = TypeVar("M", bound=BaseModel)

# model -> (table, key field)
TABLES: dict[type, tuple[str, str]] = {
    Participant: ("participants", "guid"),
    Room: ("rooms", "number"),
    StaffMember: ("staff", "id"),
    Protocol: ("protocols", "participant"),
    RoomLogEntry: ("room_log", "participant"),
    Act: ("acts", "id"),
    ValidReason: ("valid_reasons", "participant"),
    PriorSitting: ("prior_sittings", "id"),
    RecheckApplication: ("rechecks", "participant"),
}
META = "meta"  # the exam day and the settings


class _DB(TinyDB):
    table_class = JournalTable  # an update writes only the records it touched


def _sharing_strings(obj: Any, doc: dict) -> Any:
    """The validated object holding the stored document's own (equal) strings instead of the
    copies validation made: at 10,000 participants with protocols that is ~15 MB less. Strings
    are immutable, so sharing them is safe; the object is not otherwise changed."""
    values = obj.__dict__
    get = doc.get
    for name, value in values.items():
        kind = type(value)
        if kind is str:
            if value:  # "" is one object already
                raw = get(name)
                if raw == value and raw is not value and type(raw) is str:
                    values[name] = raw
        elif kind is dict:
            raw = get(name)
            if raw is not value and type(raw) is dict and value.keys() == raw.keys():
                values[name] = {k: value[k] for k in raw}  # the stored keys (e.g. «Ч1»), same values
    return share_fields_set(obj)


_NEW = object()


class _Repeats:
    """One object per repeated text of a field across a table's stored documents (a grade, a
    room, a category, an expert, a time: the JSON reader made a new string for each — ~1 KB a
    participant with a protocol). A field whose texts do not repeat (GUIDs, codes) is given
    up after LIMIT distinct ones. Equal strings are interchangeable: the documents' contents
    do not change."""

    LIMIT = 5000

    def __init__(self) -> None:
        self.by_field: dict[str, Optional[dict]] = {}

    def share(self, doc: dict) -> None:
        by_field, limit = self.by_field, self.LIMIT
        for k, v in doc.items():
            if type(v) is not str or not v:
                continue
            seen = by_field.get(k, _NEW)
            if seen is None:
                continue
            if seen is _NEW:
                seen = by_field[k] = {}
            one = seen.setdefault(v, v)
            if one is not v:
                doc[k] = one
            elif len(seen) > limit:
                by_field[k] = None


class _Validated:
    """A table's documents validated once: every read after the first is served from here
    (a copy of the list, the same frozen model objects), and a write of one object updates
    it in place (validated from the very document written, so it equals a re-read)."""

    def __init__(self, model: type, field: str, docs: Iterable[dict]) -> None:
        self.model = model
        self.field = field
        self.by_key: dict[str, Any] = {}
        repeats = _Repeats()  # the stored documents themselves: their repeated texts shared
        for d in docs:
            repeats.share(d)
            obj = _sharing_strings(model.model_validate(d), d)
            self.by_key[getattr(obj, field)] = obj
        self.order_key = None
        self.ordered: list = []

    def in_order(self, key) -> list:
        if self.order_key is not key:
            self.ordered = sorted(self.by_key.values(), key=key)
            self.order_key = key
        return self.ordered

    def replace(self, doc: dict) -> None:
        obj = _sharing_strings(self.model.model_validate(doc), doc)
        key = getattr(obj, self.field)
        old = self.by_key.get(key)
        self.by_key[key] = obj
        if self.order_key is None:
            return
        key_of = self.order_key
        if old is not None:
            i = bisect_left(self.ordered, key_of(old), key=key_of)
            while i < len(self.ordered) and self.ordered[i] is not old:
                i += 1
            if i == len(self.ordered):  # not found (cannot happen): order again when asked
                self.order_key = None
                return
            del self.ordered[i]
        self.ordered.insert(bisect_left(self.ordered, key_of(obj), key=key_of), obj)


_UNREAD = object()


class Store:
    """Typed access to the workspace database. Every put is durable when it returns; a put
    that fails (disk full, read-only, a write error) changes nothing, on disk or in memory.

    Reads are validated once per table and then served from memory (`_Validated`), so a
    screen that lists 36,000 participants does not validate them again on every open. Every
    write keeps it true: a single put updates it in place, a bulk put, a delete and clear()
    drop the table's set, a rollback or a failed commit drops them all (`_reset_index`).
    A single `get` from a table not validated whole is kept too (`_one`: a save reads its
    participant and the old protocol), and so is the exam day (`exam_day()`: every save
    reads it for the criteria scheme); every write forgets what it touched (`_forget`).
    """

    def __init__(self, root: Path, operator: str = "", *, read_only: bool = False,
                 read_only_reason: str = "") -> None:
        self.root = Path(root)
        self.operator = operator or os.environ.get("USER") or os.environ.get("USERNAME") or "оператор"
        self.storage: DurableStorage  # set by TinyDB
        self.db = _DB(self.root / DB_NAME, storage=_make_storage(self, read_only, read_only_reason))
        self.audit = AuditLog(self.root / AUDIT_NAME, self.storage)
        self._index: dict[str, dict[str, int]] = {}
        self._valid: dict[str, _Validated] = {}  # table -> its documents, validated
        self._one: dict[str, tuple[type, dict[str, Any]]] = {}  # table -> (model, key -> object)
        self._day: Any = _UNREAD  # the validated exam day (None: none set)
        self.start_notes: list[str] = []  # what the start-up could not do (no space for the copy…)

    # -- paths -------------------------------------------------------------
    def dir(self, name: str) -> Path:
        return self.root / name

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    # -- transactions ------------------------------------------------------
    def transaction(self):
        """All writes inside reach the disk once at the end, or not at all (and then memory
        is as it was before: the screen shows what is on disk)."""
        return _Txn(self)

    # -- the state of the workspace ------------------------------------------------
    @property
    def read_only(self) -> bool:
        return self.storage.read_only

    def recovery_notice(self) -> Optional[Notice]:
        """The recovery at open the user has not yet acknowledged (this one or an earlier)."""
        if self.storage.notice is not None:
            return self.storage.notice
        raw = self._meta(NOTICE_KEY)
        return Notice.from_dict(raw) if isinstance(raw, dict) else None

    def acknowledge_recovery(self) -> None:
        """The user has seen the recovery notice: older copies may be rotated again."""
        if self.read_only:
            self.storage.notice = None
            return
        if self._meta(NOTICE_KEY) is not None:
            name, field = "meta", "key"
            with self.transaction():
                doc_id = self._idx(name, field).get(NOTICE_KEY)
                if doc_id is not None:
                    self.db.table(name).remove(doc_ids=[doc_id])
                    self._idx(name, field).pop(NOTICE_KEY, None)
                    self._forget(name, NOTICE_KEY)
        self.storage.notice = None
        self.storage.hold_backups = False

    def notices(self, full: bool = False) -> list[str]:
        """What the user must know about the workspace itself (Russian): read-only, a
        recovery not yet acknowledged (`full`: its whole text, else one line), a disk about
        to fill, a start-up step skipped."""
        out = []
        if self.read_only:
            out.append(self.storage.read_only_message())
        n = self.recovery_notice()
        if n is not None:
            out.append(f"{n.title}. {n.text}" if full else f"{n.title}: {n.summary()}")
        low = low_space_warning(self.root)
        if low:
            out.append(low)
        out.extend(self.start_notes)
        return out

    def compact(self, *, forget_history: bool = False) -> None:
        """Write the whole database as one file now. `forget_history`: also delete the
        previous versions (.bak, the old journal) — after destroying data by an act, so that
        no copy of it stays beside the database."""
        self.storage.compact(force=True)
        if forget_history:
            for p in (self.root / f"{DB_NAME}.bak", self.root / f"{DB_NAME}.journal.bak"):
                try:
                    p.unlink(missing_ok=True)
                except OSError as e:
                    raise from_os_error(e, p) from e

    # -- meta: exam day and settings ------------------------------------
    def _meta(self, key: str) -> Optional[dict]:
        doc = self._get_raw(META, "key", key)
        return doc.get("value") if doc else None

    def _set_meta(self, key: str, value: Any) -> None:
        self._put_raw(META, "key", key, {"key": key, "value": value})

    def exam_day(self) -> Optional[ExamDay]:
        day = self._day
        if day is _UNREAD:  # validated once; a write of META forgets it (_forget)
            raw = self._meta("exam_day")
            day = self._day = ExamDay.model_validate(raw) if raw else None
        return day

    def set_exam_day(self, day: ExamDay) -> None:
        self._set_meta("exam_day", day.model_dump(mode="json"))

    def settings(self) -> Settings:
        """The workspace's settings and progress marks (typed; defaults where unset)."""
        return Settings.load(self._meta("settings"))

    def update_settings(self, **changes: Any) -> Settings:
        """Change some settings in one durable write; returns the new settings."""
        new = self.settings().updated(**changes)
        self._set_meta("settings", new.model_dump(mode="json", exclude_defaults=True))
        return new

    def record_progress(self, **changes: Any) -> Settings:
        """A progress mark of the day (printed, exported, handed off) after its file was
        written: written like update_settings, but on a read-only or full disk it is skipped
        (the file is the result; the checklist item then stays open) instead of turning a
        finished export or handoff into a failure."""
        if self.read_only:
            return self.settings()
        try:
            return self.update_settings(**changes)
        except StorageError:
            return self.settings()

    # -- typed tables --------------------------------------------------------
    def _validated(self, model: type, table: Optional[str] = None) -> _Validated:
        name, field = TABLES[model]
        name = table or name
        hit = self._valid.get(name)
        if hit is None or hit.model is not model:
            # the stored documents as they are (read, never changed but for equal strings)
            docs = self.storage.tables().get(name, {}).values()
            hit = self._valid[name] = _Validated(model, field, docs)
            self._one.pop(name, None)  # served from the whole table now
        return hit

    def all(self, model: type[M], table: Optional[str] = None) -> list[M]:
        """Every object of a table, in the order stored."""
        return list(self._validated(model, table).by_key.values())

    def documents(self, model: type) -> list[dict]:
        """The stored documents of a model's table as they are (JSON values: an enum as its
        value, a date as text), not validated: for a count over every row (the main screen's
        summary), where building 36,000 models would cost more than the counting. Read them,
        never change them; a field may be absent from a document older than the model. (A
        list: a write while it is read does not change it.)"""
        return list(self.storage.tables().get(TABLES[model][0], {}).values())

    def get(self, model: type[M], key: str, table: Optional[str] = None) -> Optional[M]:
        name = table or TABLES[model][0]
        hit = self._valid.get(name)
        if hit is not None and hit.model is model:
            return hit.by_key.get(key)
        one = self._one.get(name)
        if one is None or one[0] is not model:
            one = self._one[name] = (model, {})
        obj = one[1].get(key)
        if obj is None:
            doc = self._get_raw(name, TABLES[model][1], key)
            if not doc:
                return None
            doc = dict(doc)  # the stored values themselves (a shallow copy)
            obj = one[1][key] = _sharing_strings(model.model_validate(doc), doc)
        return obj

    def put(self, obj: BaseModel, table: Optional[str] = None) -> None:
        name, field = TABLES[type(obj)]
        with self.transaction():
            self._put_raw(table or name, field, getattr(obj, field), obj.model_dump(mode="json"))

    def put_many(self, objs: Iterable[BaseModel], table: Optional[str] = None, *,
                 model: Optional[type] = None) -> None:
        """Insert or replace many objects in one commit (a bulk import). `objs` may be an
        iterator that lets each object go once taken (services/import_plan.drain). With
        `model`, objs are that model's documents, each `model_dump(mode="json")` of a
        validated object (stored as they are: an import that also audits them dumps once)."""
        it = iter(objs)
        first = next(it, None)
        if first is None:
            return
        name, field = TABLES[model or type(first)]
        objs = chain([first], it)
        del first
        name = table or name
        self._forget(name)
        t = self.db.table(name)

        def write(table) -> None:
            # each object's document goes straight into the table (no copy of the table, no
            # second copy of the documents: a region's import is 36,000 of each); only the
            # records written are journalled, and a rollback puts back the replaced ones
            idx = self._idx(name, field)
            next_id = max(map(int, self.storage.tables().get(name, {})), default=0) + 1
            for obj in objs:
                key = obj[field] if model else getattr(obj, field)
                doc_id = idx.get(key)
                if doc_id is None:
                    doc_id = idx[key] = next_id
                    next_id += 1
                table[doc_id] = obj if model else obj.model_dump(mode="json")

        with self.transaction():
            t._update_table(write)
            t._next_id = None  # TinyDB's own next id: asked again

    def delete(self, model: type, key: str, table: Optional[str] = None) -> bool:
        name, field = TABLES[model]
        name = table or name
        with self.transaction():
            idx = self._idx(name, field)
            doc_id = idx.pop(key, None)
            if doc_id is None:
                return False
            self._forget(name, key)
            self.db.table(name).remove(doc_ids=[doc_id])
        return True

    def clear(self, *tables: type | str) -> None:
        """Empty whole tables in one durable write: a model's table, or a table by name
        (a second-pass table, META for the exam day and the settings)."""
        with self.transaction():
            for t in tables:
                self.db.drop_table(t if isinstance(t, str) else TABLES[t][0])
            self._reset_index()

    # -- convenience --------------------------------------------------------
    def participants(self) -> list[Participant]:
        """Every participant in alphabetical order (name_key)."""
        return list(self._validated(Participant).in_order(name_key))

    def participant(self, guid: str) -> Optional[Participant]:
        return self.get(Participant, guid)

    def rooms(self) -> list[Room]:
        return list(self._validated(Room).in_order(room_key))

    def protocols(self) -> dict[str, Protocol]:
        return {p.participant: p for p in self.all(Protocol)}

    def save_protocol(self, protocol: Protocol, table: Optional[str] = None) -> None:
        """Store a protocol and write every changed field to the audit log first."""
        name, field = TABLES[Protocol]
        key = protocol.participant
        old = self.get(Protocol, key, table)
        old_d = old.model_dump(mode="json") if old else {}
        doc = protocol.model_dump(mode="json")  # what is stored (put() would dump it again)
        entity = "protocol" if table is None else table
        with self.transaction():  # the audit lines are part of the same commit
            self.audit.append(diff_entries(entity, key, self.operator, old_d, doc,
                                           skip=("saved_at",)))
            self._put_raw(table or name, field, key, doc)

    # -- raw helpers -------------------------------------------------------
    def _idx(self, name: str, field: str) -> dict[str, int]:
        idx = self._index.get(name)
        if idx is None:
            idx = {d.get(field): d.doc_id for d in self.db.table(name).all()}
            self._index[name] = idx
        return idx

    def _get_raw(self, name: str, field: str, key: str) -> Optional[dict]:
        doc_id = self._idx(name, field).get(key)
        if doc_id is None:
            return None
        return self.db.table(name).get(doc_id=doc_id)

    def _put_raw(self, name: str, field: str, key: str, doc: dict) -> None:
        with self.transaction():
            t = self.db.table(name)
            idx = self._idx(name, field)
            doc_id = idx.get(key)
            if doc_id is None:
                idx[key] = t.insert(doc)
            else:  # the whole document replaced: the old one is kept as it is for a rollback
                t._update_table(lambda table: table.__setitem__(doc_id, doc))
            hit = self._valid.get(name)
            if hit is not None:  # a failed commit drops it (_Txn -> _reset_index)
                hit.replace(doc)
            self._forget(name, key, whole=False)

    def _forget(self, name: str, key: Optional[str] = None, *, whole: bool = True) -> None:
        """A write to a table: what was validated from it is no longer true (one key, or the
        whole table; `whole=False` keeps the whole table's set, which the caller updates)."""
        if whole:
            self._valid.pop(name, None)
        one = self._one.get(name)
        if one is not None:
            if key is None:
                del self._one[name]
            else:
                one[1].pop(key, None)
        if name == META:
            self._day = _UNREAD

    def _reset_index(self) -> None:
        self._index.clear()
        self._valid.clear()
        self._one.clear()
        self._day = _UNREAD
        self.db.clear_cache()

    def close(self) -> None:
        self.db.close()


class _Txn:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._cm = None

    def __enter__(self):
        self._cm = self.store.storage.transaction()
        self._cm.__enter__()
        return self.store

    def __exit__(self, et, ev, tb):
        ok = False
        try:
            result = self._cm.__exit__(et, ev, tb)
            ok = et is None
            return result
        finally:
            if not ok:  # rolled back (or the commit failed): the caches may hold the change
                self.store._reset_index()


def _make_storage(store: Store, read_only: bool, reason: str):
    def factory(path, **kw):
        s = DurableStorage(path, read_only=read_only, audit_path=store.root / AUDIT_NAME, **kw)
        s.read_only_reason = reason
        store.storage = s
        return s

    return factory


class Workspace:
    """An opened (locked) workspace folder."""

    def __init__(self, root: Path, store: Store, lock: Optional[WorkspaceLock]) -> None:
        self.root = root
        self.store = store
        self._lock = lock

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    @classmethod
    def open(cls, root: Path | str, *, snapshot: bool = True) -> "Workspace":
        root = Path(root).expanduser().resolve()
        # a missing folder that cannot be made: the family's error; one the user already had
        # keeps its rights (what the program writes in it is private: files 0600, folders 0700)
        make_private_dir(root)
        lock: Optional[WorkspaceLock] = WorkspaceLock(root)
        reason = ""
        try:
            lock.acquire()
        except OSError as e:  # a write-protected disk or folder: open it to read only
            if os_error_kind(e) is not ReadOnly and not isinstance(e, PermissionError):
                raise from_os_error(e, root) from e
            if not (root / DB_NAME).exists():
                raise from_os_error(e, root) from e
            lock, reason = None, _read_only_reason(e)
        try:
            if lock is not None and not IS_WINDOWS:
                os.umask(0o077)
            notes: list[str] = []
            if lock is not None:
                for sub in SUBDIRS:
                    try:
                        make_private_dir(root / sub, ours=True)
                    except StorageError:
                        pass  # a full disk: the folder is made when it is first needed
                remove_stale_temps(root)
            store = Store(root, read_only=lock is None, read_only_reason=reason)
            store.storage.load()
            _remember_notice(store)
            if lock is not None:
                notes += _startup_compaction(store)
                if snapshot:
                    notes += _snapshot(store)
            store.start_notes = notes
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return cls(root, store, lock)

    def close(self) -> None:
        try:
            self.store.close()
        finally:
            if self._lock is not None:
                self._lock.release()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _read_only_reason(e: OSError) -> str:
    if os_error_kind(e) is ReadOnly:
        return "диск защищён от записи"
    return "нет прав на запись в эту папку"


def _remember_notice(store: Store) -> None:
    """A recovery at this open is kept in the database until the user acknowledges it; an
    earlier one not yet acknowledged keeps the older copies from being rotated away."""
    st = store.storage
    if st.notice is not None:
        if not st.read_only:
            try:
                store._set_meta(NOTICE_KEY, st.notice.as_dict())
            except StorageError:
                pass  # shown this time all the same; the disk will be full next time too
    elif store._meta(NOTICE_KEY) is not None:
        st.hold_backups = True


def _startup_compaction(store: Store) -> list[str]:
    """The journal of the last session becomes part of the base (skipped on a full disk:
    nothing is lost, the journal stays)."""
    st = store.storage
    if st.compacted:
        return []
    try:
        st.compact(force=True)
    except DiskFull as e:
        return [f"Копия базы при запуске не записана: {e}"]
    except StorageError:
        return []
    return []


def remove_stale_temps(root: Path) -> int:
    """Temp files of writes a crash or a kill interrupted (the database's, an export's, a
    form's, a snapshot's): we hold the lock, nobody else writes here. Returns how many."""
    n = 0
    for sub in TEMP_DIRS:
        folder = root / sub if sub else root
        try:
            temps = list(folder.glob(f".*{TEMP_SUFFIX}"))
        except OSError:
            continue
        for tmp in temps:
            try:
                if tmp.is_file():
                    tmp.unlink()
                    n += 1
            except OSError:
                pass
    return n


def _snapshot(store: Store) -> list[str]:
    """Keep a dated copy of the database in backups/ at each start: a hard link of the base
    just compacted (no space taken while the base lives; a copy where links do not work),
    in a ring bounded by count and by size."""
    st = store.storage
    root = store.root
    db = root / DB_NAME
    if not st.compacted or not st.tables():
        return []
    backups = root / "backups"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backups / f"is-shtab-{stamp}.json"
    notes = []
    if not target.exists():
        try:
            os.link(db, target)
        except OSError:
            try:
                require_free(backups, db.stat().st_size + SPACE_MARGIN, "копии базы при запуске")
                tmp = backups / f".{target.name}{TEMP_SUFFIX}"
                shutil.copyfile(db, tmp)
                os.replace(tmp, target)
                if not IS_WINDOWS:
                    os.chmod(target, PRIVATE_FILE)
            except DiskFull as e:
                notes.append(f"Копия базы при запуске не сделана: {e}")
            except OSError:
                (backups / f".{target.name}{TEMP_SUFFIX}").unlink(missing_ok=True)
    if not st.hold_backups:
        prune_snapshots(backups)
    return notes


def prune_snapshots(backups: Path, keep: int = KEEP_SNAPSHOTS, budget: int = SNAPSHOT_BUDGET) -> None:
    """The ring of dated copies: at most `keep`, and at most `budget` bytes of distinct files
    (hard links to one file count once); the newest two stay whatever their size."""
    try:
        snaps = sorted(backups.glob("is-shtab-*.json"), reverse=True)
    except OSError:
        return
    seen: set[tuple[int, int]] = set()
    total = 0
    for i, p in enumerate(snaps):
        try:
            st = p.stat()
        except OSError:
            continue
        ident = (st.st_dev, st.st_ino)
        if ident not in seen:
            seen.add(ident)
            total += st.st_size
        if i >= keep or (i >= 2 and total > budget):
            try:
                p.unlink()
            except OSError:
                pass

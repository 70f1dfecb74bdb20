"""A workspace is a folder: the database, audio/, forms/, export/, backups/.

Workspace.open() takes the lock; the Store it returns is the only way to the data.
"""
from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Optional, TypeVar

from pydantic import BaseModel
from tinydb import TinyDB
from tinydb.table import Document

from ..domain.models import (
    Act,
    ExamDay,
    Participant,
    Protocol,
    Room,
    RoomLogEntry,
    StaffMember,
    ValidReason,
)
from ..domain.ordering import name_key, room_key
from ..domain.settings import Settings
from .atomic import IS_WINDOWS, PRIVATE_FILE, make_private_dir
from .audit import AuditLog, diff_entries
from .lock import WorkspaceLock
from .storage import DurableStorage

DB_NAME = "is-shtab.json"
AUDIT_NAME = "audit.jsonl"
SUBDIRS = ("audio", "forms", "export", "backups")
KEEP_SNAPSHOTS = 10

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
}
META = "meta"  # the exam day and the settings


class Store:
    """Typed access to the workspace database. Every put is durable when it returns."""

    def __init__(self, root: Path, operator: str = "") -> None:
        self.root = Path(root)
        self.operator = operator or os.environ.get("USER") or os.environ.get("USERNAME") or "оператор"
        self.storage: DurableStorage  # set by TinyDB
        self.db = TinyDB(self.root / DB_NAME, storage=_make_storage(self))
        self.audit = AuditLog(self.root / AUDIT_NAME)
        self._index: dict[str, dict[str, int]] = {}

    # -- paths -------------------------------------------------------------
    def dir(self, name: str) -> Path:
        return self.root / name

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    # -- transactions ------------------------------------------------------
    def transaction(self):
        """All writes inside reach the disk once at the end, or not at all."""
        return _Txn(self)

    # -- meta: exam day and settings ------------------------------------
    def _meta(self, key: str) -> Optional[dict]:
        doc = self._get_raw(META, "key", key)
        return doc.get("value") if doc else None

    def _set_meta(self, key: str, value: Any) -> None:
        self._put_raw(META, "key", key, {"key": key, "value": value})

    def exam_day(self) -> Optional[ExamDay]:
        raw = self._meta("exam_day")
        return ExamDay.model_validate(raw) if raw else None

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

    # -- typed tables --------------------------------------------------------
    def all(self, model: type[M], table: Optional[str] = None) -> list[M]:
        name = table or TABLES[model][0]
        return [model.model_validate(dict(d)) for d in self.db.table(name).all()]

    def get(self, model: type[M], key: str, table: Optional[str] = None) -> Optional[M]:
        name, field = TABLES[model]
        doc = self._get_raw(table or name, field, key)
        return model.model_validate(dict(doc)) if doc else None

    def put(self, obj: BaseModel, table: Optional[str] = None) -> None:
        name, field = TABLES[type(obj)]
        self._put_raw(table or name, field, getattr(obj, field), obj.model_dump(mode="json"))

    def put_many(self, objs: Iterable[BaseModel], table: Optional[str] = None) -> None:
        """Insert or replace many objects with one table rewrite (fast bulk import)."""
        objs = list(objs)
        if not objs:
            return
        name, field = TABLES[type(objs[0])]
        name = table or name
        t = self.db.table(name)
        current = {str(d.doc_id): dict(d) for d in t.all()}
        idx = self._idx(name, field)
        next_id = max((int(i) for i in current), default=0) + 1
        for obj in objs:
            key = getattr(obj, field)
            doc = obj.model_dump(mode="json")
            if key in idx:
                current[str(idx[key])] = doc
            else:
                idx[key] = next_id
                current[str(next_id)] = doc
                next_id += 1
        with self.transaction():
            t.truncate()
            t.insert_multiple(Document(doc, doc_id=int(i)) for i, doc in current.items())

    def delete(self, model: type, key: str, table: Optional[str] = None) -> bool:
        name, field = TABLES[model]
        name = table or name
        idx = self._idx(name, field)
        doc_id = idx.pop(key, None)
        if doc_id is None:
            return False
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
        return sorted(self.all(Participant), key=name_key)

    def participant(self, guid: str) -> Optional[Participant]:
        return self.get(Participant, guid)

    def rooms(self) -> list[Room]:
        return sorted(self.all(Room), key=room_key)

    def protocols(self) -> dict[str, Protocol]:
        return {p.participant: p for p in self.all(Protocol)}

    def save_protocol(self, protocol: Protocol, table: Optional[str] = None) -> None:
        """Store a protocol and write every changed field to the audit log first."""
        old = self.get(Protocol, protocol.participant, table)
        old_d = old.model_dump(mode="json") if old else {}
        new_d = protocol.model_dump(mode="json")
        old_d.pop("saved_at", None)
        new_d.pop("saved_at", None)
        entity = "protocol" if table is None else table
        self.audit.append(diff_entries(entity, protocol.participant, self.operator, old_d, new_d))
        self.put(protocol, table)

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
        t = self.db.table(name)
        idx = self._idx(name, field)
        doc_id = idx.get(key)
        if doc_id is None:
            idx[key] = t.insert(doc)
        else:
            # replace the whole document (update() would keep removed keys)
            t.upsert(Document(doc, doc_id=doc_id))

    def _reset_index(self) -> None:
        self._index.clear()
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
        try:
            return self._cm.__exit__(et, ev, tb)
        finally:
            if et is not None:
                self.store._reset_index()


def _make_storage(store: Store):
    def factory(path, **kw):
        s = DurableStorage(path, **kw)
        store.storage = s
        return s

    return factory


class Workspace:
    """An opened (locked) workspace folder."""

    def __init__(self, root: Path, store: Store, lock: WorkspaceLock) -> None:
        self.root = root
        self.store = store
        self._lock = lock

    @classmethod
    def open(cls, root: Path | str, *, snapshot: bool = True) -> "Workspace":
        root = Path(root).expanduser().resolve()
        make_private_dir(root)
        for sub in SUBDIRS:
            make_private_dir(root / sub)
        lock = WorkspaceLock(root)
        lock.acquire()
        try:
            if not IS_WINDOWS:
                os.umask(0o077)
            _remove_stale_temps(root)
            if snapshot:
                _snapshot(root)
            store = Store(root)
        except BaseException:
            lock.release()
            raise
        return cls(root, store, lock)

    def close(self) -> None:
        try:
            self.store.close()
        finally:
            self._lock.release()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _remove_stale_temps(root: Path) -> None:
    """Temp files of a write that a crash interrupted (we hold the lock: nobody writes)."""
    for tmp in root.glob(f".{DB_NAME}*.tmp"):
        tmp.unlink(missing_ok=True)


def _snapshot(root: Path) -> None:
    """Keep a dated copy of the database in backups/ at each start (last 10)."""
    db = root / DB_NAME
    if not db.exists() or db.stat().st_size == 0:
        return
    backups = root / "backups"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backups / f"is-shtab-{stamp}.json"
    if not target.exists():
        shutil.copy2(db, target)
        if not IS_WINDOWS:
            os.chmod(target, PRIVATE_FILE)
    snaps = sorted(backups.glob("is-shtab-*.json"))
    for old in snaps[:-KEEP_SNAPSHOTS]:
        old.unlink(missing_ok=True)

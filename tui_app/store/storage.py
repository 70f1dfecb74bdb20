"""The storage under TinyDB: the database in memory, each commit one fsync'd journal line.

- Reads hit memory: we hold the workspace lock, nobody else writes the files.
- A commit (a TinyDB write outside a transaction, or the end of `transaction()`) appends one
  line to the journal with the records it changed, the audit lines that describe them and a
  checksum, and fsyncs it: the cost of a save is the size of the change, not of the store.
- A compaction writes the whole database as a new checksummed base (temp file, fsync,
  durable replace; the previous base and journal kept as `.bak`) and starts an empty
  journal: at open, at close, and when the journal has grown past the base.
- A failed commit (disk full, a write error, a read-only disk) changes nothing on disk and
  nothing in memory: the records it touched are put back as they were, so the screen and
  the next save see exactly what is on disk.
- On open every file is verified. The main base with its journal loads as is; anything else
  (an empty, cut, unparsable or wrong-checksum file, a broken chain) is a recovery: the newest
  state that verifies, from the base, its `.bak`, the dated snapshots and the journals, with a
  `Notice` saying which copy was used and what may be missing (journal.py has the formats).

Audit lines are part of the commit (they travel in the journal line) and are appended to
audit.jsonl after it; a line the crash kept from audit.jsonl is restored from the journal on
open, and no line is ever written for a commit that failed.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from tinydb.storages import Storage
from tinydb.table import Table

from ..diskspace import free_bytes, require_free
from ..errors import DiskFull, FileBusy, ReadOnly, StorageError, from_os_error
from . import journal as jr
from .atomic import (IS_WINDOWS, PRIVATE_FILE, SPACE_MARGIN, file_size, fsync_dir, fsync_file,
                     keep_backup, replace, write_temp)

COMPACT_MIN_BYTES = 8 * 1024 * 1024  # compact once the journal outgrows max(this, the base)
SAVE_RESERVE = 1024 * 1024  # a save needs this much free (a change is a few KB)
PLENTY_BYTES = 64 * 1024 * 1024
SPACE_CHECK_SECONDS = 2.0
_ABSENT = object()


class StoreCorrupted(StorageError):
    """No copy of the database (main, backup, snapshots) could be read."""


@dataclass
class Notice:
    """What a recovery at open did: shown to the user until seen (Russian)."""

    title: str
    text: str
    complete: bool  # every committed change is in the loaded data
    source: str  # the copy that was used
    at: str  # the time of the loaded state (ISO)
    damaged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def summary(self) -> str:
        """One line for the main screen's banner."""
        if self.complete:
            return f"загружено «{self.source}», ничего не потеряно."
        return (f"загружено «{self.source}»; изменения после {_when(self.at)} могут "
                "отсутствовать — проверьте последние протоколы.")

    @classmethod
    def from_dict(cls, d: dict) -> "Notice":
        return cls(**{k: d.get(k) for k in ("title", "text", "complete", "source", "at")},
                   damaged=list(d.get("damaged") or []))


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%d.%m.%Y %H:%M:%S")
    except (TypeError, ValueError):
        return "неизвестное время"


def _copy_doc(doc: Any) -> Any:
    return jr.loads(jr.dumps(doc))


# -- TinyDB side -----------------------------------------------------------------------------

class _TableView(MutableMapping):
    """A table as TinyDB's updaters see it (int doc ids), recording what they touch."""

    __slots__ = ("_st", "_name")

    def __init__(self, st: "DurableStorage", name: str) -> None:
        self._st = st
        self._name = name

    def _raw(self, create: bool = False) -> dict:
        return self._st._table(self._name, create)

    def _touched(self, doc_id: int) -> tuple[str, dict]:
        """The key of an existing record, recorded as touched (its old value kept)."""
        key = str(doc_id)
        raw = self._raw()
        if key not in raw:
            raise KeyError(doc_id)
        self._st._touch(self._name, key, raw)
        return key, raw

    def __getitem__(self, doc_id: int) -> dict:
        key, raw = self._touched(doc_id)
        return raw[key]  # TinyDB's update() changes it in place

    def __setitem__(self, doc_id: int, doc: dict) -> None:
        key = str(doc_id)
        raw = self._raw(create=True)
        self._st._touch(self._name, key, raw, copy=False)  # replaced, not changed: kept as is
        raw[key] = doc

    def __delitem__(self, doc_id: int) -> None:
        key, raw = self._touched(doc_id)
        del raw[key]

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self._raw()

    def __iter__(self) -> Iterator[int]:
        return iter([int(k) for k in self._raw()])

    def __len__(self) -> int:
        return len(self._raw())

    def clear(self) -> None:
        self._st._clear(self._name)


class JournalTable(Table):
    """TinyDB's table, writing through the journal: an update touches only its records
    (TinyDB's own _update_table rebuilds the whole table and hands the storage all of it)."""

    def _update_table(self, updater: Callable[[dict], None]) -> None:
        st = self._storage
        if not isinstance(st, DurableStorage):  # pragma: no cover - another storage
            return super()._update_table(updater)
        try:
            with st.transaction():
                updater(st.view(self.name))
        finally:
            self.clear_cache()


# -- the storage ------------------------------------------------------------------------------

class _Transaction:
    """DurableStorage.transaction(): a plain context manager (a save nests five of them;
    a generator-based one costs a few µs each)."""

    __slots__ = ("_st",)

    def __init__(self, st: "DurableStorage") -> None:
        self._st = st

    def __enter__(self) -> None:
        st = self._st
        st._live()
        st._depth += 1

    def __exit__(self, et, ev, tb) -> bool:
        st = self._st
        st._depth -= 1
        if st._depth:
            return False
        if et is not None:
            st._rollback()
            return False
        try:
            st._commit()
        except BaseException:
            st._rollback()
            raise
        return False


class DurableStorage(Storage):
    def __init__(self, path: str | Path, *, read_only: bool = False,
                 audit_path: Optional[Path] = None, **_: Any) -> None:
        self.path = Path(path)
        self.root = self.path.parent
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.audit_path = audit_path
        self.read_only = read_only
        self.read_only_reason = ""
        self.hold_backups = False  # a recovery not yet seen: keep every older copy as it is
        self.notice: Optional[Notice] = None
        self.recovered_from_backup = False
        self.writes = 0  # commits written
        self.generation = 0  # +1 at every commit and every rollback (caches compare it)
        self.last_commit_bytes = 0
        self.compactions = 0
        self._data: Optional[dict] = None
        self.seq = 0
        self.head = ""
        self._base_seq = 0
        self._base_size = 0
        self._journal: Optional[jr.JournalWriter] = None
        self._burned = False
        self._depth = 0
        self._reset_txn()
        self._audit_backlog: list[bytes] = []
        self._audit_fd: Optional[int] = None
        self._space_ok_until = 0.0

    # -- transaction bookkeeping --------------------------------------------------------
    def _reset_txn(self) -> None:
        self._undo: dict[tuple[str, str], Any] = {}
        self._undo_tables: dict[str, Any] = {}
        self._touched: dict[str, set[str]] = {}
        self._cleared: set[str] = set()
        self._dropped: set[str] = set()
        self._pending_audit: list = []

    def _table(self, name: str, create: bool = False) -> dict:
        data = self._live()
        t = data.get(name)
        if t is None:
            if not create:
                return {}
            if name not in self._undo_tables:
                self._undo_tables[name] = _ABSENT
            t = data[name] = {}
            self._cleared.add(name)
        return t

    def _touch(self, name: str, key: str, raw: dict, copy: bool = True) -> None:
        """Record a record about to change; its old value is kept for a rollback (a copy when
        it is about to be changed in place, the object itself when it is about to be replaced)."""
        if name in self._cleared:
            return  # the whole table is written (and restored) at once
        keys = self._touched.setdefault(name, set())
        if key not in keys:
            keys.add(key)
            if name not in self._undo_tables:
                old = raw.get(key, _ABSENT)
                self._undo[(name, key)] = _copy_doc(old) if copy and old is not _ABSENT else old

    def _clear(self, name: str) -> None:
        data = self._live()
        if name not in self._undo_tables:
            self._undo_tables[name] = data.get(name, _ABSENT)
        data[name] = {}
        self._cleared.add(name)
        self._touched.pop(name, None)

    def view(self, name: str) -> _TableView:
        return _TableView(self, name)

    # -- public state (for the workspace's start-up, checks and tests) ----------------------
    def tables(self) -> dict:
        """The database as it is in memory, loading it first (TinyDB's tables by name;
        the live objects: read, do not change)."""
        return self._live()

    @property
    def compacted(self) -> bool:
        """The base file holds every commit and the journal is open and empty of commits."""
        return self._journal is not None and self.seq == self._base_seq

    def recheck_space(self) -> None:
        """Ask the disk for its free space again at the next commit (it is otherwise asked at
        most every SPACE_CHECK_SECONDS while plentiful): after the disk has changed."""
        self._space_ok_until = 0.0

    def in_transaction(self) -> bool:
        return self._depth > 0

    def add_audit(self, entries: list) -> None:
        """Audit entries that belong to the current commit."""
        self._pending_audit.extend(entries)

    # -- TinyDB's Storage interface -------------------------------------------------------
    def read(self) -> Optional[dict]:
        return dict(self._live())  # the tables themselves are shared; the mapping is not

    def write(self, data: dict) -> None:
        """A whole-database write from TinyDB itself (drop_table, drop_tables): tables that
        are gone are dropped, tables that are new objects are written whole."""
        with self.transaction():
            live = self._live()
            for name in list(live):
                if name not in data:
                    if name not in self._undo_tables:
                        self._undo_tables[name] = live[name]
                    del live[name]
                    self._dropped.add(name)
                    self._cleared.discard(name)
                    self._touched.pop(name, None)
            for name, table in data.items():
                if live.get(name) is not table:
                    if name not in self._undo_tables:
                        self._undo_tables[name] = live.get(name, _ABSENT)
                    live[name] = table
                    self._cleared.add(name)
                    self._touched.pop(name, None)

    def close(self) -> None:
        try:
            if self._data is not None and not self.read_only:
                self.compact_quietly()
        finally:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            if self._audit_fd is not None:
                os.close(self._audit_fd)
                self._audit_fd = None

    # -- transactions ---------------------------------------------------------------------
    def transaction(self) -> "_Transaction":
        """Writes inside reach the disk as one commit at the end, or not at all: on an
        exception (or a failed commit) memory is put back as it was."""
        return _Transaction(self)

    def _rollback(self) -> None:
        live = self._live()
        for name, old in self._undo_tables.items():
            if old is _ABSENT:
                live.pop(name, None)
            else:
                live[name] = old
        for (name, key), old in self._undo.items():
            t = live.get(name)
            if t is None:
                continue
            if old is _ABSENT:
                t.pop(key, None)
            else:
                t[key] = old
        self._reset_txn()
        self.generation += 1

    def _changes(self) -> Optional[dict]:
        live = self._live()
        t: dict[str, dict] = {}
        for name in self._cleared:
            if name in live:
                t[name] = dict(live[name])
        for name, keys in self._touched.items():
            if name in self._cleared or not keys:
                continue
            table = live.get(name, {})
            t.setdefault(name, {}).update({k: table.get(k) for k in keys})
        clr = sorted(n for n in self._cleared if n in live)
        drop = sorted(n for n in self._dropped if n not in live)
        if not t and not clr and not drop and not self._pending_audit:
            return None
        body: dict[str, Any] = {"t": t}
        if clr:
            body["clr"] = clr
        if drop:
            body["drop"] = drop
        return body

    def _commit(self) -> None:
        body = self._changes()
        if body is None:
            self._reset_txn()
            return
        if self.read_only:
            raise ReadOnly(self.read_only_message(), path=self.root)
        self._ensure_journal()
        seq = self.seq + 1
        body = {"seq": seq, "prev": self.head, "at": _now(), **body}
        if self._pending_audit:  # each entry let go as its line is made (a rollback drops them)
            pending, self._pending_audit = self._pending_audit, []
            pending.reverse()
            body["audit"] = texts = []
            while pending:
                texts.append(_audit_text(pending.pop(), seq))
            del texts
        line, s = jr.entry_line(body)
        journal = self._journal
        assert journal is not None
        self._check_space(max(len(line) + SPACE_MARGIN, SAVE_RESERVE))
        try:
            written = journal.append(line, seq, s, fsync_file)
        except OSError as e:
            if journal.broken:  # the seal could not be put back: start a new journal
                self._burn()
            raise from_os_error(e, self.root) from e
        self.seq, self.head = seq, s
        self.writes += 1
        self.generation += 1
        self.last_commit_bytes = written
        self._reset_txn()
        # a region's import is one commit of tens of MB: its line and texts are let go before
        # the audit lines are encoded and before a compaction serialises the whole store
        del line
        audit_lines = [t.encode("utf-8") for t in body.pop("audit", ())]
        del body
        self._write_audit(audit_lines)
        del audit_lines
        if journal.bytes > max(COMPACT_MIN_BYTES, self._base_size):
            self.compact_quietly()

    def _check_space(self, need: int) -> None:
        """DiskFull with figures before a commit that cannot fit. The free space is asked
        at most every SPACE_CHECK_SECONDS while it is plentiful (a statvfs per save is not
        free on a slow disk); a write that fails all the same is rolled back as well."""
        now = time.monotonic()
        if now < self._space_ok_until:
            return
        free = free_bytes(self.root)
        if free is not None and free < need:
            require_free(self.root, need, "сохранения")
        if free is None or free > PLENTY_BYTES:
            self._space_ok_until = now + SPACE_CHECK_SECONDS

    def _burn(self) -> None:
        """After a journal write that failed and could not be undone the line may or may not
        be on the disk: its number is never used again (the next base starts past it)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self._burned = True

    def _ensure_journal(self) -> None:
        if self._journal is None:
            self.compact(force=True)

    # -- audit.jsonl ------------------------------------------------------------------------
    def _write_audit(self, lines: list[bytes]) -> None:
        """After the commit: not fsync'd (the journal holds the lines until the next
        compaction, which syncs audit.jsonl first); a failure is retried later."""
        if self.audit_path is None or not (lines or self._audit_backlog):
            return
        self._audit_backlog.extend(lines)
        try:
            if self._audit_fd is None:
                flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
                self._audit_fd = os.open(self.audit_path, flags, PRIVATE_FILE)
            _write_all(self._audit_fd, self._audit_backlog)
            self._audit_backlog = []
        except OSError:
            self._close_audit()  # kept in the backlog (and in the journal)

    def _close_audit(self) -> None:
        if self._audit_fd is not None:
            try:
                os.close(self._audit_fd)
            except OSError:
                pass
            self._audit_fd = None

    def _sync_audit(self) -> bool:
        if self.audit_path is None:
            return True
        self._write_audit([])
        if self._audit_backlog:
            return False
        if self._audit_fd is not None:
            try:
                os.fsync(self._audit_fd)
            except OSError:
                self._close_audit()
                return False
        return True

    def _reconcile_audit(self, entries: list[jr.Entry], recovered_to: Optional[int] = None) -> None:
        """Make audit.jsonl agree with the commits: lines of committed changes that it lacks
        (a crash between the journal and the log) are appended from the journal, a cut last
        line is dropped; after a recovery to an older state a line marks the commits after
        it as not in the data (`recovered_to`)."""
        if self.audit_path is None or self.read_only:
            return
        want = [(e.seq, [ln.encode("utf-8") for ln in e.audit]) for e in entries if e.audit]
        tail = _audit_tail(self.audit_path)
        cut, missing = tail.torn_at, []
        for seq, lines in want:
            if seq < tail.last:
                continue
            if seq == tail.last:
                if tail.count >= len(lines):
                    continue
                cut = tail.last_start  # the lines of this commit were cut: write them again
            missing.extend(lines)
        if recovered_to is not None and tail.last > recovered_to:
            missing.append(_audit_line({"at": _now(), "who": "ИС-Штаб", "entity": "store",
                                        "key": "", "field": "recovered", "old": tail.last,
                                        "new": recovered_to}, recovered_to))
        if not missing and cut is None:
            return
        try:
            if cut is not None:
                with open(self.audit_path, "r+b") as f:
                    f.truncate(cut)
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
            fd = os.open(self.audit_path, flags, PRIVATE_FILE)
            try:
                os.write(fd, b"".join(missing))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            self._audit_backlog.extend(missing)

    # -- loading ----------------------------------------------------------------------------
    def _live(self) -> dict:
        if self._data is None:
            self.load()
        assert self._data is not None
        return self._data

    def load(self) -> None:
        """Read and verify the files; recover (with a Notice) when they do not verify."""
        main, main_err = _try_base(self.path, legacy_ok=self._legacy_ok())
        jread = _try_journal(self.journal_path)
        if main is not None and jread is not None and _clean(main, jread):
            tables = main.tables
            applied = [e for e in jread.entries if e.seq > main.seq]
            for e in applied:
                jr.apply_entry(tables, e.body)
            self._set_state(tables, jread.last_seq, jread.last_sum, main)
            self._open_journal(jread)
            self._reconcile_audit(applied)
            return
        if main is not None and main.legacy and jread is None:
            self._set_state(main.tables, 0, "", main)  # the first format: upgraded at compaction
            return
        if main is None and main_err is None and jread is None and not self._any_copy():
            self._set_state({}, 0, "", None)  # a new workspace
            return
        self._recover(main, main_err, jread)

    def _legacy_ok(self) -> bool:
        return not (self.journal_path.exists() or _jbak(self.journal_path).exists())

    def _any_copy(self) -> bool:
        return (self.path.with_name(self.path.name + ".bak").exists()
                or bool(self._snapshot_files()))

    def _snapshot_files(self) -> list[Path]:
        folder = self.root / "backups"
        try:
            return sorted(folder.glob("is-shtab-*.json"), reverse=True)
        except OSError:
            return []

    def _set_state(self, tables: dict, seq: int, head: str, base: Optional[jr.Base]) -> None:
        self._data = tables
        self.seq, self.head = seq, head
        self._base_seq = base.seq if base is not None and not base.legacy else -1
        try:
            self._base_size = self.path.stat().st_size
        except OSError:
            self._base_size = 0

    def _open_journal(self, jread: jr.JournalRead) -> None:
        if self.read_only:
            return
        try:
            self._journal = jr.JournalWriter(self.journal_path, jread)
        except OSError as e:
            err = from_os_error(e, self.journal_path)
            if isinstance(err, ReadOnly) or isinstance(e, PermissionError) and not isinstance(err, FileBusy):
                self.read_only = True
                self.read_only_reason = str(err)
            # anything else (a full disk, a write error): the first commit starts a new journal
            # by a compaction, and says why if it cannot

    def _recover(self, main: Optional[jr.Base], main_err: Optional[str],
                 jread: Optional[jr.JournalRead]) -> None:
        """Load the newest state that verifies; say which copy and what may be missing."""
        legacy_ok = self._legacy_ok()
        bak_path = self.path.with_name(self.path.name + ".bak")
        problems: list[str] = []
        damaged: list[str] = []
        if main_err:
            problems.append(f"файл базы «{self.path.name}»: {main_err}")
            damaged.append(self.path.name)
        elif main is None:
            problems.append(f"файла базы «{self.path.name}» нет")
        if jread is None:
            if not legacy_ok:
                problems.append("журнала изменений нет")
        elif jread.problem:
            problems.append(f"журнал изменений: {jread.problem}")
            damaged.append(self.journal_path.name)
        elif main is not None and not _clean(main, jread):
            problems.append("журнал изменений не подходит к файлу базы")
            damaged.append(self.journal_path.name)

        candidates: list[tuple[str, jr.Base]] = []
        if main is not None:
            candidates.append((self.path.name, main))
        bak, bak_err = _try_base(bak_path, legacy_ok=legacy_ok)
        if bak is not None:
            candidates.append((bak_path.name, bak))
        elif bak_err:
            problems.append(f"резервная копия «{bak_path.name}»: {bak_err}")
        for snap in self._snapshot_files():
            b, _ = _try_base(snap)
            if b is not None:
                candidates.append((f"backups/{snap.name}", b))
        pool: dict[int, list[jr.Entry]] = {}
        for j in (_try_journal(_jbak(self.journal_path)), jread):
            for e in (j.entries if j is not None else ()):
                same = pool.setdefault(e.seq, [])
                if all(x.sum != e.sum for x in same):
                    same.append(e)
        best = None
        for order, (label, base) in enumerate(candidates):
            chain = _chain(base, pool)
            key = (chain[-1].seq if chain else base.seq, -order)
            if best is None or key > best[0]:
                best = (key, label, base, chain)
        if best is None:
            raise StoreCorrupted(
                f"Файл базы «{self.path.name}» и его резервные копии повреждены или отсутствуют "
                f"({'; '.join(problems)}). Данные не загружены, ничего не изменено. Файлы "
                "лежат в рабочей папке и в папке backups: обратитесь к администратору.",
                path=self.root)
        _, label, base, chain = best
        tables = base.tables
        for e in chain:
            jr.apply_entry(tables, e.body)
        seq = chain[-1].seq if chain else base.seq
        head = chain[-1].sum if chain else base.head
        at = chain[-1].at if chain else base.at
        complete = (jread is not None and not jread.problem and jread.sealed
                    and seq == jread.last_seq)
        self._set_state(tables, seq, head, None)
        self.recovered_from_backup = label != self.path.name
        source = f"«{label}»" + (f" и журнал изменений ({len(chain)} зап.)" if chain else "")
        text = ("При открытии рабочей папки найдены повреждения: " + "; ".join(problems) + ". "
                f"Загружено: {source}, состояние на {_when(at)}. ")
        if complete:
            text += "Все сохранённые изменения на месте — ничего не потеряно."
        else:
            text += (f"Изменения, сохранённые после {_when(at)}, могут отсутствовать: проверьте "
                     "последние протоколы и отметки и при необходимости внесите их снова.")
        self.notice = Notice("База данных восстановлена" if complete else
                             "База данных восстановлена из резервной копии",
                             text, complete, label, at, damaged)
        self.hold_backups = True  # nothing older is rotated away until the user has seen it
        if self.read_only:
            return
        self._reconcile_audit(chain, recovered_to=None if complete else seq)
        self._keep_damaged(damaged)
        try:
            self.compact(force=True)
        except StorageError:
            pass  # e.g. a full disk: the next commit tries again and says why it cannot

    def _keep_damaged(self, names: list[str]) -> None:
        """Keep the damaged files for inspection (a hard link: no space; a copy elsewhere)."""
        if not names:
            return
        folder = self.root / "backups" / f"damaged-{datetime.now():%Y%m%d-%H%M%S}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        for name in names:
            src = self.root / name
            try:
                os.link(src, folder / name)
            except OSError:
                try:
                    require_free(folder, src.stat().st_size + SPACE_MARGIN)
                    shutil.copy2(src, folder / name)
                except (OSError, DiskFull):
                    pass
        self.notice.text += f" Повреждённые файлы сохранены в папке «backups/{folder.name}»."
        _prune_damaged(self.root / "backups")

    # -- compaction -----------------------------------------------------------------------
    def _tables_json(self) -> list[bytes]:
        """The JSON of every table, in pieces whose concatenation is the `tables` object of
        the base (each table serialised once per compaction; nothing kept afterwards)."""
        parts: list[bytes] = []
        for name, table in self._live().items():
            parts.append((b"{" if not parts else b",") + jr.dumps(name) + b":")
            parts.append(jr.dumps(table))
        parts.append(b"}" if parts else b"{}")
        return parts

    def verify_files(self) -> str:
        """Read the files again as a new start would: "" when the base and its journal
        verify and give exactly the data in memory, else why not (Russian)."""
        main, err = _try_base(self.path, legacy_ok=self._legacy_ok())
        if main is None:
            return f"файл базы {self.path.name}: {err or 'его нет'}"
        tables = main.tables
        jread = _try_journal(self.journal_path)
        if jread is not None:
            if not _clean(main, jread):
                return f"журнал {self.journal_path.name}: {jread.problem or 'не продолжает файл базы'}"
            for e in jread.entries:
                if e.seq > main.seq:
                    jr.apply_entry(tables, e.body)
        if tables != self._live():
            return "данные в файлах не совпадают с данными программы (файл изменён другой программой?)"
        return ""

    def compact_quietly(self) -> bool:
        """A compaction that may fail (a held file on Windows, a full disk): the journal
        then simply stays, nothing is lost; True when done."""
        try:
            self.compact()
            return True
        except (StorageError, OSError):
            return False

    def compact(self, force: bool = False) -> None:
        """Write the whole database as the new base and start an empty journal."""
        if self.read_only:
            raise ReadOnly(self.read_only_message(), path=self.root)
        if self._depth:
            return
        if not force and self._journal is not None and self.seq == self._base_seq:
            return
        if not self._sync_audit():
            raise StorageError("Журнал изменений протоколов (audit.jsonl) не записан: "
                               "сжатие базы отложено.", path=self.audit_path)
        if self._burned:
            self.seq += 1
            self.head = jr.checksum(f"burned {self.seq} {self.head}".encode())
        at = _now()
        data = jr.base_parts(self._tables_json(), self.seq, self.head, at)
        fresh = jr.fresh_journal(self.seq, self.head, at)
        try:
            self._write_base(data, fresh)
        except OSError as e:
            raise from_os_error(e, self.path) from e
        self._burned = False
        self._base_seq = self.seq
        self._base_size = sum(map(len, data))
        self.compactions += 1

    def _write_base(self, data: list[bytes], fresh: bytes) -> None:
        rotate = not self.hold_backups
        need = sum(map(len, data)) + len(fresh) + 2 * SPACE_MARGIN
        if rotate and IS_WINDOWS:
            need += file_size(self.path) + file_size(self.journal_path)
        require_free(self.root, need, "записи базы")
        tmp = write_temp(self.root, self.path.name, data)
        tmp_j = None
        try:
            tmp_j = write_temp(self.root, self.journal_path.name, fresh)
            if self._journal is not None:  # Windows cannot rename a file we hold open
                self._journal.close()
                self._journal = None
            if rotate:
                keep_backup(self.path)
                keep_backup(self.journal_path, _jbak(self.journal_path))
            replace(tmp, self.path)
            tmp = None
            replace(tmp_j, self.journal_path)
            tmp_j = None
            fsync_dir(self.root)
        finally:
            for t in (tmp, tmp_j):
                if t is not None:
                    try:
                        os.unlink(t)
                    except OSError:
                        pass
            if self._journal is None:
                try:
                    self._journal = jr.JournalWriter(self.journal_path, jr.read_journal(self.journal_path))
                except (OSError, ValueError):
                    self._journal = None

    # -- messages -------------------------------------------------------------------------
    def read_only_message(self) -> str:
        why = f" ({self.read_only_reason})" if self.read_only_reason else ""
        return ("Рабочая папка открыта только для чтения" + why + ": изменения не сохраняются. "
                "Просмотр, проверка, бланки и выгрузка в другую папку работают.")


def committed_tables(path: Path) -> dict:
    """What the files of a store hold (verified, recovered if need be), without the lock
    and without writing: for checks and tests that look at the disk, not at memory."""
    st = DurableStorage(path, read_only=True)
    st.load()
    return st.tables()


# -- helpers -------------------------------------------------------------------------------

def _jbak(journal: Path) -> Path:
    return journal.with_name(journal.name + ".bak")


def _try_base(path: Path, legacy_ok: bool = False) -> tuple[Optional[jr.Base], Optional[str]]:
    """(the verified base, None) or (None, why it is not usable); (None, None) when absent."""
    try:
        return jr.read_base(path, legacy_ok=legacy_ok), None
    except FileNotFoundError:
        return None, None
    except jr.Damaged as e:
        return None, e.reason
    except OSError as e:
        return None, from_os_error(e, path).__str__()


def _try_journal(path: Path) -> Optional[jr.JournalRead]:
    try:
        return jr.read_journal(path)
    except FileNotFoundError:
        return None
    except OSError as e:
        out = jr.JournalRead(path)
        out.problem = str(from_os_error(e, path))
        return out


def _clean(main: jr.Base, j: jr.JournalRead) -> bool:
    """The journal verifies to its seal and continues this base."""
    if j.problem or not j.sealed or main.legacy:
        return False
    if not (j.base_seq <= main.seq <= j.last_seq):
        return False
    if main.seq == j.base_seq:
        return main.head == j.base_head
    return any(e.seq == main.seq and e.sum == main.head for e in j.entries)


def _chain(base: jr.Base, pool: dict[int, list[jr.Entry]]) -> list[jr.Entry]:
    seq, head, out = base.seq, base.head, []
    while True:
        nxt = next((e for e in pool.get(seq + 1, ()) if e.prev == head), None)
        if nxt is None:
            return out
        out.append(nxt)
        seq, head = nxt.seq, nxt.sum


_AUDIT_JSON = json.JSONEncoder(ensure_ascii=False, default=str)  # = json.dumps(…, these)


def _audit_text(e: Any, seq: int) -> str:
    d = dict(e.__dict__) if not isinstance(e, dict) else dict(e)
    d["commit"] = seq
    return _AUDIT_JSON.encode(d) + "\n"


def _audit_line(e: Any, seq: int) -> bytes:
    return _audit_text(e, seq).encode("utf-8")


def _write_all(fd: int, lines: list[bytes], chunk: int = 1024 * 1024) -> None:
    """The lines written in order, about `chunk` bytes a write (never all joined at once:
    a region's import brings 36,000 audit lines)."""
    i = 0
    while i < len(lines):
        j, size = i, 0
        while j < len(lines) and (size < chunk or j == i):
            size += len(lines[j])
            j += 1
        data = memoryview(b"".join(lines[i:j]))
        while data:
            data = data[os.write(fd, data):]
        i = j


@dataclass
class _AuditTail:
    last: int = -1  # the commit number of the last line (-1: none)
    count: int = 0  # how many lines of that commit are at the end
    last_start: int = 0  # where they start
    torn_at: Optional[int] = None  # where a cut last line starts


def _audit_tail(path: Path) -> _AuditTail:
    """What the end of audit.jsonl holds: the last commit's lines (read from the end in
    growing windows until a line of another commit, or the start, is reached)."""
    try:
        size = path.stat().st_size
    except OSError:
        return _AuditTail()
    window = 256 * 1024
    while True:
        start = max(0, size - window)
        try:
            with open(path, "rb") as f:
                f.seek(start)
                tail = f.read(size - start)
        except OSError:
            return _AuditTail()
        out = _AuditTail()
        if tail and not tail.endswith(b"\n"):
            nl = tail.rfind(b"\n")
            out.torn_at = start + nl + 1 if nl >= 0 else start
            tail = tail[:nl + 1] if nl >= 0 else b""
        lines = tail.split(b"\n")[:-1] if tail else []
        end = start + len(tail)
        stopped = False
        for i in range(len(lines) - 1, -1, -1):
            line = lines[i]
            begin = end - len(line) - 1
            try:
                c = json.loads(line).get("commit") if line.strip() else None
            except (ValueError, AttributeError):
                c = None
            if i == 0 and start > 0:
                break  # maybe a partial line: look further back
            if not isinstance(c, int) or (out.count and c != out.last):
                stopped = True
                break
            out.last, out.count, out.last_start = c, out.count + 1, begin
            end = begin
        if stopped or start == 0:
            return out
        window *= 4


def _prune_damaged(backups: Path, keep: int = 3) -> None:
    try:
        olds = sorted(p for p in backups.glob("damaged-*") if p.is_dir())
    except OSError:
        return
    for old in olds[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


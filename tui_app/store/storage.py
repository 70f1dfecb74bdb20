"""A TinyDB storage that keeps the database in memory and writes it durably.

- Reads hit memory: we hold the workspace lock, nobody else writes the file.
- Every write is one durable_write() of the whole file (atomic replace, backup kept).
- Tables whose dict TinyDB did not replace keep their serialized form from the last write,
  so saving one protocol re-serializes only the protocols table.
- transaction(): writes inside are applied to memory and reach the disk once at the end,
  or not at all if an exception escapes (imports are all or nothing).
"""
from __future__ import annotations

import copy
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

from tinydb.storages import Storage

from .atomic import backup_path, durable_write


class StoreCorrupted(Exception):
    """Neither the database nor its backup could be read."""


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def _snapshot(data: dict) -> dict:
    """A copy for rollback, two levels deep (tables, then documents). TinyDB never mutates a
    table dict it has written (it builds a new one) and changes a document only by setting its
    top-level fields, so copying each document's dict suffices — and is ~50x cheaper than
    copy.deepcopy for a database of thousands of rows (every protocol save pays it)."""
    return {
        name: ({k: (dict(v) if isinstance(v, dict) else copy.deepcopy(v)) for k, v in table.items()}
               if isinstance(table, dict) else copy.deepcopy(table))
        for name, table in data.items()
    }


class DurableStorage(Storage):
    def __init__(self, path: str | Path, **_: Any) -> None:
        self.path = Path(path)
        self._data: Optional[dict] = None
        self._cache: dict[str, tuple[int, str]] = {}  # table -> (id of dict, json)
        self._depth = 0
        self._dirty = False
        self.recovered_from_backup = False
        self.writes = 0

    # -- reading ---------------------------------------------------------
    def _load(self) -> dict:
        for candidate in (self.path, backup_path(self.path)):
            if not candidate.exists():
                continue
            try:
                raw = candidate.read_bytes()
                data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
            except (ValueError, UnicodeDecodeError):
                continue
            if not isinstance(data, dict):
                continue
            if candidate != self.path:
                self.recovered_from_backup = True
            return data
        if self.path.exists() or backup_path(self.path).exists():
            raise StoreCorrupted(
                f"Файл базы «{self.path.name}» и его резервная копия повреждены."
            )
        return {}

    def read(self) -> Optional[dict]:
        if self._data is None:
            self._data = self._load()
        return self._data

    # -- writing ---------------------------------------------------------
    def write(self, data: dict) -> None:
        self._data = data
        if self._depth:
            self._dirty = True
            return
        self._flush()

    def _serialize(self) -> bytes:
        assert self._data is not None
        parts = []
        cache = {}
        for name, table in self._data.items():
            hit = self._cache.get(name)
            if hit is not None and hit[0] == id(table):
                text = hit[1]
            else:
                text = _dumps(table)
            cache[name] = (id(table), text)
            parts.append(f"{_dumps(name)}:{text}")
        self._cache = cache
        return ("{" + ",".join(parts) + "}").encode("utf-8")

    def _flush(self) -> None:
        durable_write(self.path, self._serialize())
        self.writes += 1

    def invalidate(self) -> None:
        """Forget the serialized cache (after in-place changes outside TinyDB)."""
        self._cache.clear()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth == 0:
            snapshot = _snapshot(self.read())
            self._dirty = False
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._data = snapshot
                self._cache.clear()
                self._dirty = False
            raise
        self._depth -= 1
        if self._depth == 0 and self._dirty:
            self._dirty = False
            self._flush()

    def close(self) -> None:
        pass

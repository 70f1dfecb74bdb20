"""A TinyDB storage that keeps the database in memory and writes it durably.

- Reads hit memory: we hold the workspace lock, nobody else writes the file.
- Every write is one durable_write() of the whole file (atomic replace, backup kept).
- Tables whose dict TinyDB did not replace keep their serialized form from the last write,
  so saving one protocol re-serializes only the protocols table.
- transaction(): writes inside are applied to memory and reach the disk once at the end,
  or not at all if an exception escapes (imports are all or nothing); a rollback reloads
  the last committed file.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

from tinydb.storages import Storage

from ..errors import ShtabError
from .atomic import backup_path, durable_write


class StoreCorrupted(ShtabError):
    """Neither the database nor its backup could be read."""


try:  # orjson serializes the store ~14x faster than json (bench/store_save.py)
    import orjson

    def _dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)

    _loads = orjson.loads
except ImportError:  # pragma: no cover - a platform without the wheel still works

    def _dumps(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def _loads(raw: bytes) -> Any:
        return json.loads(raw.decode("utf-8"))


class DurableStorage(Storage):
    def __init__(self, path: str | Path, **_: Any) -> None:
        self.path = Path(path)
        self._data: Optional[dict] = None
        self._cache: dict[str, tuple[dict, bytes]] = {}  # table -> (the dict, its json)
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
                data = _loads(raw) if raw.strip() else {}
            except (ValueError, UnicodeDecodeError):  # orjson.JSONDecodeError is a ValueError
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
            # the cache holds the dict itself, so its id cannot be reused by another
            text = hit[1] if hit is not None and hit[0] is table else _dumps(table)
            cache[name] = (table, text)
            parts.append(_dumps(name) + b":" + text)
        self._cache = cache
        return b"{" + b",".join(parts) + b"}"

    def _flush(self) -> None:
        durable_write(self.path, self._serialize())
        self.writes += 1

    def invalidate(self) -> None:
        """Forget the serialized cache (after in-place changes outside TinyDB)."""
        self._cache.clear()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth == 0:
            self.read()
            self._dirty = False
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0 and self._dirty:
                # nothing of the transaction reached the disk: the file holds the last
                # committed state, so forgetting memory is the whole rollback
                self._data = None
                self._cache.clear()
                self._dirty = False
            raise
        self._depth -= 1
        if self._depth == 0 and self._dirty:
            self._dirty = False
            self._flush()

    def close(self) -> None:
        pass

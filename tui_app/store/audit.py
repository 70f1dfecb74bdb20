"""Append-only audit log of every change to a protocol: when, who, which field, old → new.

One JSON object per line. A line describes a committed change, never one that was not: the
lines travel inside the change's own journal commit (storage.py) and reach audit.jsonl
after it, tagged with the commit's number (`commit`); a crash in between is mended from the
journal on the next open. After a recovery to an older copy a `store`/`recovered` line marks
the lines of the commits that are not in the data; reading skips them. Names are not
written: the participant is identified by GUID only.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Optional

from .atomic import append_durable


@dataclass(frozen=True)
class AuditEntry:
    at: str
    who: str
    entity: str  # "protocol", "act", …
    key: str  # participant GUID
    field: str
    old: Any
    new: Any
    commit: Optional[int] = None  # the journal commit it belongs to (None: older lines)


def is_recovery_mark(e: AuditEntry) -> bool:
    return e.entity == "store" and e.field == "recovered"


class AuditLog:
    def __init__(self, path: Path, storage: Any = None) -> None:
        self.path = Path(path)
        self.storage = storage

    def append(self, entries: list[AuditEntry]) -> None:
        """Entries of the change being committed: inside a transaction they go with its
        commit (and vanish with it if it fails); outside, they are a commit of their own."""
        if not entries:
            return
        if self.storage is None:
            data = "".join(
                json.dumps(e.__dict__, ensure_ascii=False, default=str) + "\n" for e in entries
            ).encode("utf-8")
            append_durable(self.path, data)
            return
        with self.storage.transaction():
            self.storage.add_audit(entries)

    def __iter__(self) -> Iterator[AuditEntry]:
        if not self.path.exists():
            return
        out: list[AuditEntry] = []
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    e = AuditEntry(**json.loads(line))
                except (ValueError, TypeError):
                    continue  # a torn last line after a power cut
                if is_recovery_mark(e):
                    out = [x for x in out if x.commit is None or x.commit <= e.new]
                    continue
                out.append(e)
        yield from out

    def for_key(self, key: str, field: Optional[str] = None) -> list[AuditEntry]:
        return [e for e in self if e.key == key and (field is None or e.field == field)]


def diff_entries(entity: str, key: str, who: str, old: dict, new: dict,
                 at: Optional[datetime] = None, skip: tuple[str, ...] = ()) -> list[AuditEntry]:
    """One entry per changed field (flat dicts; nested dicts are compared per key); the
    fields in `skip` are not compared."""
    stamp = (at or datetime.now()).isoformat(timespec="seconds")
    out = []
    # only the fields that differ are sorted and looked at (a whole dict compared at once)
    for field in sorted(f for f in old.keys() | new.keys()
                        if old.get(f) != new.get(f) and f not in skip):
        a, b = old.get(field), new.get(field)
        if isinstance(a, dict) or isinstance(b, dict):
            a, b = a or {}, b or {}
            for sub in sorted(s for s in a.keys() | b.keys() if a.get(s) != b.get(s)):
                out.append(AuditEntry(stamp, who, entity, key, f"{field}.{sub}", a.get(sub), b.get(sub)))
        else:
            out.append(AuditEntry(stamp, who, entity, key, field, a, b))
    return out

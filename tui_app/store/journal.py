"""The store's two file formats, each verifiable on its own.

**The base** (`is-shtab.json`): the whole database at one commit, written by a compaction.
Plain JSON, one line::

    {"is-shtab":2,"seq":N,"head":"H","at":"…","sha256":"…","tables":{…TinyDB tables…}}

`seq` is the number of the last commit it contains and `head` that commit's checksum (the
link to the journal); `sha256` covers seq, head, at and the exact bytes of `tables`.

**The journal** (`is-shtab.json.journal`): what was committed since, one line per commit::

    J <sum> {"base_seq":N,"base_head":"H","at":"…"}              the header
    E <sum> {"seq":N+1,"prev":"H","at":"…","t":{…},"clr":[…],…}  one commit
    …
    END <seq> <sum>                                              the seal

`<sum>` is the SHA-256 (32 hex digits) of the line's JSON. Each commit names the checksum of
the one before (`prev`), so the commits form a chain from the base that a damaged, missing
or foreign line breaks. A commit replaces the seal at the end of the file by itself and a new
seal (written together, one fsync): a file that does not end in a seal matching its last commit was
cut (a crash in the middle of a write, a truncation, a damage) — never silently shorter.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

FORMAT = 2
SUM_LEN = 32

try:  # orjson serializes the store ~14x faster than json (bench/store_save.py)
    import orjson

    def dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)

    loads = orjson.loads
except ImportError:  # pragma: no cover - a platform without the wheel still works

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def loads(raw: bytes) -> Any:
        if isinstance(raw, memoryview):
            raw = raw.tobytes()
        return json.loads(raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw)


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:SUM_LEN]


class Damaged(Exception):
    """A file of the store that does not verify; `reason` is a short Russian phrase."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- the base ------------------------------------------------------------------------------

_BASE_RE = re.compile(
    rb'\{"is-shtab":2,"seq":(\d{1,18}),"head":"([0-9a-f]{0,32})","at":"([0-9T:.+-]{0,40})",'
    rb'"sha256":"([0-9a-f]{64})","tables":')


def _base_digest(seq: int, head: str, at: str, tables: bytes) -> str:
    h = hashlib.sha256(f"{seq}|{head}|{at}|".encode("ascii"))
    h.update(tables)
    return h.hexdigest()


def base_parts(tables_json: list[bytes], seq: int, head: str, at: str) -> list[bytes]:
    """The base file as pieces to write one after another; `tables_json` is the JSON of the
    tables in pieces (a region's store is tens of MB: it is neither joined nor copied)."""
    h = hashlib.sha256(f"{seq}|{head}|{at}|".encode("ascii"))
    for part in tables_json:
        h.update(part)
    head_bytes = (b'{"is-shtab":2,"seq":%d,"head":"%s","at":"%s","sha256":"%s","tables":'
                  % (seq, head.encode(), at.encode(), h.hexdigest().encode()))
    return [head_bytes, *tables_json, b"}\n"]


@dataclass
class Base:
    path: Path
    seq: int
    head: str
    at: str
    tables: dict
    legacy: bool = False  # a file of the first format (no checksum): only ever the upgrade


def _check_tables(tables: Any) -> dict:
    if not isinstance(tables, dict) or not all(
            isinstance(t, dict) and all(isinstance(d, dict) for d in t.values())
            for t in tables.values()):
        raise Damaged("не та структура данных")
    return tables


@contextmanager
def no_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: bulk work (parsing a base, reading or writing a
    B2P file) makes millions of new, acyclic objects, and every few hundred of them set off
    a collection that walks all the objects made so far — quadratic time at 36,000
    participants, a third of the store's open at 2,500. Reference counting still frees what
    is dropped."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def parse_base(raw: bytes, path: Path, *, legacy_ok: bool = False) -> Base:
    if not raw.strip():
        raise Damaged("файл пустой")
    m = _BASE_RE.match(raw)
    if m is None:
        if legacy_ok and raw[:1] == b"{" and b'"is-shtab"' not in raw[:64]:
            try:
                return Base(path, 0, "", "", _check_tables(loads(raw)), legacy=True)
            except ValueError:
                raise Damaged("файл не читается (не JSON)") from None
        raise Damaged("файл не читается (нет заголовка)")
    if not raw.endswith(b"}\n"):
        raise Damaged("файл обрезан")
    seq, head, at, digest = int(m[1]), m[2].decode(), m[3].decode(), m[4].decode()
    tables_json = memoryview(raw)[m.end():-2]  # not a copy: a region's base is tens of MB
    if _base_digest(seq, head, at, tables_json) != digest:
        raise Damaged("контрольная сумма не совпадает")
    try:
        with no_gc():
            tables = _load_tables(tables_json)
    except ValueError:  # orjson.JSONDecodeError is a ValueError
        raise Damaged("файл не читается (не JSON)") from None
    return Base(path, seq, head, at, _check_tables(tables))


# where one table of the base ends and the next begins, as the base is written (a table's
# JSON, then ,"name": and the next table's): after a document ({...}}) or an empty table ({}),
# i.e. where the character before the match is «{» or «}» (checked apart: a look-behind
# here made the regex try every byte — a second of a region's start; the literal prefix
# «},"» is searched fast)
_NEXT_TABLE = re.compile(rb'\},"([^"\\0-9][^"\\]{0,99})":(?=\{)')
_FIRST_TABLE = re.compile(rb'\{"([^"\\]{1,100})":(?=\{)')


def _load_tables(tables_json: memoryview) -> Any:
    """loads(tables_json), table by table where the JSON is laid out as a base is written:
    the parser then holds one table's text and values at a time, not a region's whole store
    (~70 MB less at 36,000 participants). Any other layout — or a split that is not one
    (each table must parse on its own) — is parsed whole: the result is the same."""
    first = _FIRST_TABLE.match(tables_json)
    if first is None or bytes(tables_json[-1:]) != b"}":
        return loads(tables_json)
    names = [first[1]]
    starts = [first.end()]
    ends = []
    for m in _NEXT_TABLE.finditer(tables_json, first.end()):
        if tables_json[m.start() - 1] not in b"{}":
            continue
        ends.append(m.start() + 1)
        names.append(m[1])
        starts.append(m.end())
    ends.append(len(tables_json) - 1)
    tables: dict = {}
    try:
        for name, a, b in zip(names, starts, ends):
            key = loads(b'"' + name + b'"')
            table = loads(tables_json[a:b])
            if not isinstance(table, dict) or key in tables:
                return loads(tables_json)
            tables[key] = table
    except ValueError:
        return loads(tables_json)
    return tables


def read_base(path: Path, *, legacy_ok: bool = False) -> Base:
    """The verified base, or Damaged; FileNotFoundError when there is none."""
    with open(path, "rb") as f:
        raw = f.read()
    return parse_base(raw, path, legacy_ok=legacy_ok)


# -- the journal ---------------------------------------------------------------------------

@dataclass
class Entry:
    seq: int
    prev: str
    sum: str
    at: str
    body: dict  # t (table -> {doc_id: doc | None}), clr, drop, audit

    @property
    def audit(self) -> list:
        return self.body.get("audit") or []


@dataclass
class JournalRead:
    path: Path
    base_seq: int = 0
    base_head: str = ""
    entries: list[Entry] = field(default_factory=list)
    sealed: bool = False  # ends in the seal of its last commit
    problem: str = ""  # "" when the file verifies from the header to the seal
    end_offset: int = 0  # where the seal starts (the next commit is written there)

    @property
    def last_seq(self) -> int:
        return self.entries[-1].seq if self.entries else self.base_seq

    @property
    def last_sum(self) -> str:
        return self.entries[-1].sum if self.entries else self.base_head


def header_line(base_seq: int, base_head: str, at: str) -> bytes:
    body = dumps({"base_seq": base_seq, "base_head": base_head, "at": at})
    return b"J " + checksum(body).encode() + b" " + body + b"\n"


LONG_LINE_RECORDS = 1000  # documents + audit lines from which a commit line is made in pieces
_PIECE_RECORDS = 500


def entry_line(body: dict) -> tuple["bytes | LongLine", str]:
    """The commit's line and its checksum. A commit of many records (a region's import: tens
    of MB) is a LongLine: the same bytes, made piece by piece twice (once for the checksum,
    once as they are written), never held whole."""
    t = body.get("t")
    records = (sum(map(len, t.values())) if isinstance(t, dict) else 0) + len(body.get("audit") or ())
    if records >= LONG_LINE_RECORDS:
        line = LongLine(body)
        return line, line.sum
    raw = dumps(body)
    s = checksum(raw)
    return b"E " + s.encode() + b" " + raw + b"\n", s


def _dict_pieces(d: dict) -> Iterator[bytes]:
    """dumps(d), a few hundred items a piece."""
    if not d:
        yield b"{}"
        return
    keys = list(d)
    for i in range(0, len(keys), _PIECE_RECORDS):
        piece = dumps({k: d[k] for k in keys[i:i + _PIECE_RECORDS]})
        yield (b"{" if i == 0 else b",") + piece[1:-1]
    yield b"}"


def _list_pieces(items: list) -> Iterator[bytes]:
    """dumps(items), a few hundred items a piece."""
    if not items:
        yield b"[]"
        return
    for i in range(0, len(items), _PIECE_RECORDS):
        piece = dumps(items[i:i + _PIECE_RECORDS])
        yield (b"[" if i == 0 else b",") + piece[1:-1]
    yield b"]"


def body_pieces(body: dict) -> Iterator[bytes]:
    """dumps(body) piece by piece: the same bytes (the JSON is compact, without context)."""
    sep = b"{"
    for key, value in body.items():
        head = sep + dumps(key) + b":"
        sep = b","
        if key == "t" and isinstance(value, dict) and value:
            inner = b"{"
            for name, docs in value.items():
                yield head + inner + dumps(name) + b":"
                head, inner = b"", b","
                yield from (_dict_pieces(docs) if isinstance(docs, dict) else (dumps(docs),))
            yield b"}"
        elif key == "audit" and isinstance(value, list):
            yield head
            yield from _list_pieces(value)
        else:
            yield head + dumps(value)
    yield b"}" if sep == b"," else b"{}"


class LongLine:
    """A commit line too big to hold twice: its length and checksum from a first pass over
    the pieces of its JSON; parts() makes the same bytes again for the write."""

    def __init__(self, body: dict) -> None:
        self.body = body
        h = hashlib.sha256()
        n = 0
        for piece in body_pieces(body):
            h.update(piece)
            n += len(piece)
        self.sum = h.hexdigest()[:SUM_LEN]
        self.prefix = b"E " + self.sum.encode() + b" "
        self.size = len(self.prefix) + n + 1

    def __len__(self) -> int:
        return self.size

    def parts(self) -> Iterator[bytes]:
        yield self.prefix
        yield from body_pieces(self.body)
        yield b"\n"


def seal_line(seq: int, last_sum: str) -> bytes:
    return b"END %d %s\n" % (seq, checksum(f"END {seq} {last_sum}".encode()).encode())


def fresh_journal(base_seq: int, base_head: str, at: str) -> bytes:
    """The bytes of an empty journal that continues the base (seq, head)."""
    return header_line(base_seq, base_head, at) + seal_line(base_seq, base_head)


def _split(line: bytes, tag: bytes) -> Optional[dict]:
    if not line.startswith(tag + b" ") or len(line) < len(tag) + SUM_LEN + 3:
        return None
    s = line[len(tag) + 1:len(tag) + 1 + SUM_LEN]
    body = line[len(tag) + 2 + SUM_LEN:]
    if line[len(tag) + 1 + SUM_LEN:len(tag) + 2 + SUM_LEN] != b" " or checksum(body) != s.decode("ascii", "replace"):
        return None
    try:
        obj = loads(body)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def parse_journal(raw: bytes, path: Path) -> JournalRead:
    """Every commit that verifies and chains, in order; `problem` says what else was found."""
    out = JournalRead(path)
    if not raw:
        out.problem = "файл журнала пустой"
        return out
    lines = raw.split(b"\n")
    complete = lines[:-1]  # the part after the last newline is a torn line (or b"")
    torn = lines[-1]
    if not complete:
        out.problem = "заголовок журнала обрезан"
        return out
    head = _split(complete[0], b"J")
    if head is None or not isinstance(head.get("base_seq"), int) or not isinstance(head.get("base_head"), str):
        out.problem = "заголовок журнала повреждён"
        return out
    out.base_seq, out.base_head = head["base_seq"], head["base_head"]
    offset = len(complete[0]) + 1
    out.end_offset = offset
    seq, last = out.base_seq, out.base_head
    i = 1
    while i < len(complete):
        line = complete[i]
        if line.startswith(b"END "):
            if line + b"\n" == seal_line(seq, last) and i == len(complete) - 1 and not torn:
                out.sealed = True
            else:
                out.problem = "журнал повреждён после последней записи" if i < len(complete) - 1 or torn \
                    else "печать журнала не совпадает"
            return out
        body = _split(line, b"E")
        if (body is None or body.get("seq") != seq + 1 or body.get("prev") != last
                or not isinstance(body.get("t", {}), dict)):
            out.problem = "запись журнала повреждена"
            return out
        s = line[2:2 + SUM_LEN].decode()
        out.entries.append(Entry(body["seq"], body["prev"], s, str(body.get("at", "")), body))
        seq, last = body["seq"], s
        offset += len(line) + 1
        out.end_offset = offset
        i += 1
    out.problem = "журнал обрезан: последняя запись не завершена"
    return out


def read_journal(path: Path) -> JournalRead:
    with open(path, "rb") as f:
        raw = f.read()
    return parse_journal(raw, path)


def apply_entry(tables: dict, body: dict) -> None:
    """One commit onto the tables (in place)."""
    for name in body.get("drop") or ():
        tables.pop(name, None)
    for name in body.get("clr") or ():
        tables[name] = {}
    for name, docs in (body.get("t") or {}).items():
        table = tables.setdefault(name, {})
        for doc_id, doc in docs.items():
            if doc is None:
                table.pop(doc_id, None)
            else:
                table[doc_id] = doc


JOIN_MAX = 1024 * 1024  # a commit up to this size is written with its seal in one call


class JournalWriter:
    """The open journal: each commit overwrites the seal with itself and a new seal."""

    def __init__(self, path: Path, read: JournalRead) -> None:
        self.path = path
        self.seq = read.last_seq
        self.last_sum = read.last_sum
        self.end = read.end_offset
        self.bytes = read.end_offset
        flags = os.O_RDWR | getattr(os, "O_BINARY", 0)
        self.fd: Optional[int] = os.open(path, flags)
        self.broken = False

    def _write_at(self, offset: int, *parts: bytes) -> None:
        """The parts one after another from `offset` (a region's commit is tens of MB: it is
        not copied into one buffer with its seal)."""
        self._write_all_at(offset, parts)

    def _write_all_at(self, offset: int, parts: Iterable[bytes]) -> None:
        assert self.fd is not None
        for data in parts:
            view = memoryview(data)
            while view:
                if hasattr(os, "pwrite"):
                    n = os.pwrite(self.fd, view, offset)
                else:  # pragma: no cover - Windows
                    os.lseek(self.fd, offset, os.SEEK_SET)
                    n = os.write(self.fd, view)
                view = view[n:]
                offset += n

    def append(self, line: "bytes | LongLine", seq: int, s: str, sync) -> int:
        """Write one commit (`entry_line()`) and the new seal after it, then one fsync; the
        bytes written. On failure the seal of the last commit is put back (no new space is
        needed for that) and the OSError propagates."""
        if self.broken or self.fd is None:
            raise OSError(5, "журнал недоступен после ошибки записи", str(self.path))
        seal = seal_line(seq, s)
        try:
            if isinstance(line, LongLine):  # a region's commit: written as its pieces are made
                self._write_all_at(self.end, chain(line.parts(), (seal,)))
            elif len(line) <= JOIN_MAX:  # a save: one write of the commit and its seal
                self._write_at(self.end, line + seal)
            else:  # tens of MB: not copied to add 40 bytes
                self._write_at(self.end, line, seal)
            sync(self.fd)
        except OSError:
            self._restore()
            raise
        self.end += len(line)
        self.bytes = self.end
        self.seq, self.last_sum = seq, s
        return len(line) + len(seal)

    def _restore(self) -> None:
        try:
            seal = seal_line(self.seq, self.last_sum)
            self._write_at(self.end, seal)
            os.ftruncate(self.fd, self.end + len(seal))
            os.fsync(self.fd)
        except OSError:
            self.broken = True

    def close(self) -> None:
        if self.fd is not None:
            try:
                os.close(self.fd)
            finally:
                self.fd = None

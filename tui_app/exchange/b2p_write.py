"""Writing the B2P package page by page, each page's bytes checked before they are written.

Blocks are written as text from constant row templates, one block per line (so messages can
name lines); every value is escaped for XML. The CRC sits in the root element at the top of
the file but covers every value: the head is written with a placeholder of the same length,
the MD5 is fed page by page, and the placeholder is overwritten at the end. Nothing but the
current page is held in memory, so a region of 36,000 participants is written in a few MB.

The self-check (write_verified, write_b2p_file) proves on the bytes, page by page:
- an XML parser independent of the writer (expat, in C) reads every byte: the file is
  well-formed XML in UTF-8, and an escaping bug on an odd name cannot slip through;
- every page's block names are the contract's, in order, and the values read out of the
  bytes are exactly the values built from the rows (escaped), one per block: the file holds
  these rows and no others, and the CRC computed over them is right;
- the head as written (with the patched CRC) is read back and compared byte for byte.
A failure is B2PError kind "self_check" (a bug of ours): such a file is never put in place.
"""
from __future__ import annotations

import io
import operator
import re
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Optional
from xml.parsers import expat

from ..store.atomic import durable_stream
from .b2p import (
    N_SCORES,
    N_SUBTOTALS,
    OWNER,
    PAGE_BLOCKS,
    PROJECT_TYPE,
    ROW_TAIL_FIELDS,
    ROW_TEXT_FIELDS,
    ROWS_PER_PAGE,
    SUBJECT_CODE,
    SUBJECT_NAME,
    SUPPORTED_VERSIONS,
    B2PPackage,
    B2PRow,
    _row_names,
    crc_start,
    expected_block_names,
    fail,
    page_date,
)

_NEEDS_ESCAPE = re.compile(r'[&<>"\x00-\x1f\x7f]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_OF = operator.attrgetter(*(a for a, _ in ROW_TEXT_FIELDS))
_TAIL_OF = operator.attrgetter(*(a for a, _ in ROW_TAIL_FIELDS))
_N_ROW_BLOCKS = len(ROW_TEXT_FIELDS) + N_SCORES + N_SUBTOTALS + len(ROW_TAIL_FIELDS)
CRC_PLACEHOLDER = "0" * 32
FOOT = "  </Pages>\n</HwPackage>\n"

# a block line as the writer produces it: the name, and the value as written (still escaped)
_BLOCK_LINE = re.compile(rb'<Block BlockName="([^"]*)" Value="[^"]*"/>\n')
_BLOCK_VALUE = re.compile(rb'" Value="([^"]*)"/>\n')


def _attr(value: str) -> str:
    """An attribute value escaped for XML 1.0. Control characters (tab and line breaks too:
    a block value is one line, and the reader refuses them) are spaces, as in _clean."""
    if not _NEEDS_ESCAPE.search(value):
        return value
    value = _CONTROL.sub(" ", value)
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _clean(value: str) -> str:
    return _CONTROL.sub(" ", value) if _NEEDS_ESCAPE.search(value) else value


@lru_cache(maxsize=1)
def _row_templates() -> tuple[tuple[str, str], ...]:
    """Per NN: (the row's blocks as a str.format template, one {} per value; the row empty).
    Block names are constants without braces or characters to escape."""
    out = []
    for names in _row_names():
        tmpl = "".join(f'<Block BlockName="{n}" Value="{{}}"/>\n' for n in names)
        out.append((tmpl, tmpl.format(*([""] * len(names)))))
    return tuple(out)


@lru_cache(maxsize=1)
def _encoded_page_names() -> tuple[bytes, ...]:
    return tuple(n.encode("utf-8") for n in expected_block_names(1))


_HEAD_TMPL = "".join(f'<Block BlockName="{n}" Value="{{}}"/>\n' for n in PAGE_BLOCKS)


def _row_values(r: B2PRow) -> list[str]:
    """The values of one row in file order (before escaping)."""
    vals = [*_TEXT_OF(r), *r.scores, *r.subtotals, *_TAIL_OF(r)]
    if len(vals) != _N_ROW_BLOCKS:  # a bug of ours: never shift the following blocks
        fail("self_check", f"строка участника {r.guid}: {len(r.scores)} баллов и "
                           f"{len(r.subtotals)} промежуточных итогов, ожидается {N_SCORES} и "
                           f"{N_SUBTOTALS}.")
    return vals


def head_text(pkg: B2PPackage, crc: str) -> str:
    """Everything before the first page."""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n'
            f'<HwPackage Owner="{OWNER}" Condition="{_attr(pkg.condition)}" '
            f'Version="{_attr(pkg.version)}" CRC="{crc}">\n'
            f'  <Header ProjectType="{PROJECT_TYPE}" FileName="{_attr(pkg.file_name)}" '
            f'RegionCode="{_attr(pkg.region)}" StationCode="{_attr(pkg.oo)}" '
            f'SubjectCode="{SUBJECT_CODE}" AuditoriumCode="{_attr(pkg.msu)}" '
            f'ExamDate="{pkg.exam_date.isoformat()}">\n'
            f'    <SupportedVersions>'
            + "".join(f"<Version>{v}</Version>" for v in SUPPORTED_VERSIONS)
            + "</SupportedVersions>\n  </Header>\n  <Pages>\n")


class _Pages:
    """Serialises the pages of one package; with verify, checks each page's bytes."""

    def __init__(self, pkg: B2PPackage, verify: bool) -> None:
        self.fixed = [_clean(pkg.region), _clean(pkg.oo), SUBJECT_CODE, _clean(pkg.msu),
                      SUBJECT_NAME, page_date(pkg.exam_date)]
        self.fixed_esc = [_attr(v) for v in self.fixed]
        self.crc = crc_start(pkg.condition, pkg.version)
        self.verify = verify
        self.expat = expat.ParserCreate("utf-8") if verify else None
        self.pages = 0

    def bad(self, what: str) -> None:
        fail("self_check", f"выгруженный файл не совпадает с данными: {what}.")

    def feed_xml(self, data: bytes, final: bool = False) -> None:
        if not self.verify:
            return
        try:
            self.expat.Parse(data, final)
        except expat.ExpatError as e:
            self.bad(f"ошибка разметки XML, строка {e.lineno}: {expat.ErrorString(e.code)}")

    def page(self, rows: list[B2PRow]) -> bytes:
        """One page (up to 20 rows; the rest padded empty) as bytes, checked with verify."""
        self.pages += 1
        data, values = self.serialize(rows)
        self.crc.update("".join(values).encode("utf-8"))
        if self.verify:
            self.check_page(data, values)
        return data

    def serialize(self, rows: list[B2PRow]) -> tuple[bytes, list[str]]:
        """The page's bytes and its values in file order (what the CRC is computed over)."""
        pno = str(self.pages)
        out = [f'<Page PageTemplate="1" PageNumber="{pno}">\n',
               _HEAD_TMPL.format(*self.fixed_esc, pno, "", "")]
        values = [*self.fixed, pno, "", ""]
        for i, (tmpl, empty) in enumerate(_row_templates()):
            if i < len(rows):
                vals = _row_values(rows[i])
                if _NEEDS_ESCAPE.search("".join(vals)):  # rare: one test for the whole row
                    vals = [_clean(v) for v in vals]
                    out.append(tmpl.format(*[_attr(v) for v in vals]))
                else:
                    out.append(tmpl.format(*vals))
                values.extend(vals)
            else:
                out.append(empty)
                values.extend([""] * _N_ROW_BLOCKS)
        out.append("</Page>\n")
        return "".join(out).encode("utf-8"), values

    def check_page(self, data: bytes, values: list[str]) -> None:
        self.feed_xml(data)
        if tuple(_BLOCK_LINE.findall(data)) != _encoded_page_names():
            self.bad(f"имена блоков (страница {self.pages})")
        found = _BLOCK_VALUE.findall(data)
        if len(found) != len(values):
            self.bad(f"блоков {len(found)} вместо {len(values)} (страница {self.pages})")
        escaped = map(_attr, values) if _NEEDS_ESCAPE.search("".join(values)) else values
        if b"\0".join(found) != "\0".join(escaped).encode("utf-8"):
            first = next((i for i, (a, b) in enumerate(zip(found, values))
                          if a != _attr(b).encode("utf-8")), 0)
            self.bad(f"значение блока №{first + 1} (страница {self.pages})")


def _chunks(rows: Iterable[B2PRow]) -> Iterator[list[B2PRow]]:
    """Rows 20 at a time; at least one (possibly empty) page."""
    page: list[B2PRow] = []
    any_page = False
    for row in rows:
        page.append(row)
        if len(page) == ROWS_PER_PAGE:
            yield page
            any_page = True
            page = []
    if page or not any_page:
        yield page


def write_stream(out: BinaryIO, pkg: B2PPackage, rows: Optional[Iterable[B2PRow]] = None, *,
                 verify: bool = True, n_rows: Optional[int] = None,
                 progress: Optional[Callable[[float], None]] = None) -> str:
    """Write the package to `out` (seekable, readable with verify) page by page; rows default
    to pkg.rows (an iterator keeps only one page in memory). Sets and returns pkg.crc."""
    rows = pkg.rows if rows is None else rows
    n_rows = len(pkg.rows) if n_rows is None and rows is pkg.rows else n_rows
    total_pages = max(1, -(-n_rows // ROWS_PER_PAGE)) if n_rows is not None else 0
    pages = _Pages(pkg, verify)
    start = out.tell()
    head = head_text(pkg, CRC_PLACEHOLDER).encode("utf-8")
    pages.feed_xml(head)
    out.write(head)
    for chunk in _chunks(rows):
        out.write(pages.page(chunk))
        if progress and total_pages:
            progress(min(pages.pages / total_pages, 1.0))
    if total_pages and pages.pages != total_pages:
        pages.bad(f"страниц {pages.pages} вместо {total_pages}")
    foot = FOOT.encode("utf-8")
    pages.feed_xml(foot, final=True)
    out.write(foot)
    end = out.tell()
    crc = pkg.crc = pages.crc.hexdigest()
    final_head = head_text(pkg, crc).encode("utf-8")
    out.seek(start)
    out.write(final_head)  # the same length: only the placeholder changes
    if verify:
        out.flush()
        out.seek(start)
        if out.read(len(final_head)) != final_head:
            pages.bad("заголовок")
    out.seek(end)
    return crc


def write_b2p(pkg: B2PPackage) -> bytes:
    """The package's bytes, rows in the given order (sort before), 20 a page, last page
    padded. Sets pkg.crc. The export writes through write_b2p_file() (verified)."""
    buf = io.BytesIO()
    write_stream(buf, pkg, verify=False)
    return buf.getvalue()


def write_verified(pkg: B2PPackage) -> bytes:
    """write_b2p with the self-check (module docstring); raises B2PError "self_check"."""
    buf = io.BytesIO()
    write_stream(buf, pkg, verify=True)
    return buf.getvalue()


def write_b2p_file(path: Path | str, pkg: B2PPackage, rows: Optional[Iterable[B2PRow]] = None, *,
                   n_rows: Optional[int] = None,
                   progress: Optional[Callable[[float], None]] = None,
                   before_replace: Optional[Callable[[], None]] = None) -> str:
    """Write and verify the package into `path` durably (temp file, fsync, replace): the file
    appears only if every page passed the self-check (and `before_replace()`, called once
    every byte is written, did not raise). Returns the CRC."""
    with durable_stream(Path(path)) as f:
        crc = write_stream(f, pkg, rows, verify=True, n_rows=n_rows, progress=progress)
        if before_replace is not None:
            before_replace()
        return crc

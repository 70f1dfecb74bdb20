"""The B2P package as XML: the format (names, rows, package, CRC), shared by the reader and
the writer.

Only the file format lives here and in `b2p_read.py` (safe streaming reading of untrusted
files, validation) and `b2p_write.py` (streaming writing with a byte self-check); turning
rows into participants and protocols is in exchange/mapping.py, and the use cases in services/.
The reading and writing functions are re-exported here (`read_b2p`, `parse_b2p`,
`write_b2p`, `write_verified`, …): callers import them from `exchange.b2p`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from ..domain.checks import B2P_STEM
from ..domain.limits import MAX_B2P_BYTES, ROWS_PER_PAGE
from ..errors import Refused

OWNER = "Federal Test Center"
VERSION = "12.0.0.4"
BASE_VERSION = (12, 0, 0, 0)
SUPPORTED_VERSIONS = ("12.0.0.0", "12.0.0.4")
PROJECT_TYPE = "BSE"
SUBJECT_CODE = "20"
SUBJECT_NAME = "Итоговое собеседование по русскому языку"
N_SCORES = 13
N_SUBTOTALS = 3
ABSENT_MARK = "Н"  # CYRILLIC Н

STEM_RE = B2P_STEM  # the РЦОИ's file-name rule (one regex for the whole program)

MAX_FILE_BYTES = MAX_B2P_BYTES  # a region of 36,000 participants is ~64 MB; a school's < 1 MB

CONDITIONS = {
    "10": "выгружен в ОО (список участников)",
    "11": "выгружен повторно",
    "12": "сохранён без проверки",
    "13": "сохранён с ошибками после проверки",
    "19": "проверен, сохранён без ошибок",
    "20": "загружен в РЦОИ",
}
ROSTER_CONDITIONS = ("10", "11")
RESULT_CONDITIONS = ("12", "13", "19", "20")

PAGE_BLOCKS = ("Регион", "Код_ППЭ", "Код_предмета", "Код_МСУ", "Название_предмета", "Дата",
               "Номер_изображения", "Код_1", "Хеш_документа")
_PAGE_BLOCK_SET = frozenset(PAGE_BLOCKS)

# (row attribute, block-name prefix); the row number NN is appended to the prefix.
ROW_TEXT_FIELDS = (
    ("surname", "Фамилия"),
    ("name", "Имя"),
    ("patronymic", "Отчество"),
    ("short_fio", "ФИО_участника"),
    ("grade", "Класс"),
    ("room", "Аудитория"),
    ("doc_series", "Документ_серия"),
    ("doc_number", "Документ_номер"),
    ("variant", "Номер_варианта"),
)
ROW_TAIL_FIELDS = (
    ("total", "Итоговый_Балл"),
    ("passed", "Зачёт"),
    ("expert", "ФИО Эксперта"),  # with a space
    ("not_finished", "Не_закончил"),
    ("guid", "Код_в_базе"),
    ("local_guid", "Локальный_ID"),
    ("barcode", "Штрих_код"),
    ("kim", "Номер_КИМ_"),  # second underscore
    ("code", "Код_участника"),
    ("reserve", "РезервI"),  # CYRILLIC «Резерв» + LATIN I
)

_TEXT_ATTRS = tuple(a for a, _ in ROW_TEXT_FIELDS)
_TAIL_ATTRS = tuple(a for a, _ in ROW_TAIL_FIELDS)
_N_ROW_BLOCKS = len(_TEXT_ATTRS) + N_SCORES + N_SUBTOTALS + len(_TAIL_ATTRS)


def score_block(nn: int, cc: int) -> str:
    return f"С_{nn:02d}{cc:02d}"  # CYRILLIC С


def subtotal_block(nn: int, cc: int) -> str:
    return f"D_{nn:02d}{cc:02d}"  # LATIN D


@lru_cache(maxsize=1)
def _block_index() -> dict[str, tuple[int, str, int]]:
    """Block name -> (row NN, attribute, index in scores/subtotals or -1)."""
    idx: dict[str, tuple[int, str, int]] = {}
    for nn in range(1, ROWS_PER_PAGE + 1):
        for attr, prefix in ROW_TEXT_FIELDS + ROW_TAIL_FIELDS:
            idx[f"{prefix}{nn:02d}"] = (nn, attr, -1)
        for cc in range(1, N_SCORES + 1):
            idx[score_block(nn, cc)] = (nn, "scores", cc - 1)
        for cc in range(1, N_SUBTOTALS + 1):
            idx[subtotal_block(nn, cc)] = (nn, "subtotals", cc - 1)
    return idx


def block_name(attr: str, nn: int, i: int = -1) -> str:
    if attr == "scores":
        return score_block(nn, i + 1)
    if attr == "subtotals":
        return subtotal_block(nn, i + 1)
    return _field_blocks()[attr, nn]


@lru_cache(maxsize=1)
def _field_blocks() -> dict[tuple[str, int], str]:
    """(row attribute, NN) -> block name, for every text and tail field."""
    return {(a, nn): f"{prefix}{nn:02d}" for a, prefix in ROW_TEXT_FIELDS + ROW_TAIL_FIELDS
            for nn in range(1, ROWS_PER_PAGE + 1)}


@lru_cache(maxsize=1)
def _row_names() -> tuple[tuple[str, ...], ...]:
    """Per NN (index NN-1): the block names of one participant row, in file order."""
    return tuple(tuple([f"{p}{nn:02d}" for _, p in ROW_TEXT_FIELDS]
                       + [score_block(nn, cc) for cc in range(1, N_SCORES + 1)]
                       + [subtotal_block(nn, cc) for cc in range(1, N_SUBTOTALS + 1)]
                       + [f"{p}{nn:02d}" for _, p in ROW_TAIL_FIELDS])
                 for nn in range(1, ROWS_PER_PAGE + 1))


@lru_cache(maxsize=1)
def _row_offsets() -> tuple[dict[str, int], ...]:
    """Per NN: block name -> its position among the row's blocks (0 = Фамилия)."""
    return tuple({n: k for k, n in enumerate(names)} for names in _row_names())


@lru_cache(maxsize=1)
def _field_offsets() -> dict[str, int]:
    """Row field -> the position of its block among a row's blocks (the same for every NN)."""
    first = _row_offsets()[0]
    return {a: first[block_name(a, 1)] for a, _ in ROW_TEXT_FIELDS + ROW_TAIL_FIELDS}


def expected_block_names(n_pages: int) -> list[str]:
    """Every BlockName of a file of n_pages pages, in file order (pages are always full)."""
    page = list(PAGE_BLOCKS)
    for names in _row_names():
        page.extend(names)
    return page * n_pages


# ---------------------------------------------------------------------------------------
# data


@dataclass(slots=True)
class B2PRow:
    """One participant row; every value is the string of the file."""

    surname: str = ""
    name: str = ""
    patronymic: str = ""
    short_fio: str = ""
    grade: str = ""
    room: str = ""
    doc_series: str = ""
    doc_number: str = ""
    variant: str = ""
    scores: list[str] = field(default_factory=lambda: [""] * N_SCORES)
    subtotals: list[str] = field(default_factory=lambda: [""] * N_SUBTOTALS)
    total: str = ""
    passed: str = ""
    expert: str = ""
    not_finished: str = ""
    guid: str = ""
    local_guid: str = ""
    barcode: str = ""
    kim: str = ""
    code: str = ""
    reserve: str = ""
    # where it was read from (0 for rows built in memory): the page, the row on it, the
    # source line of its first block; `lines` maps block -> line only for a page whose
    # blocks are not one per line in the usual order (otherwise line + position)
    page: int = 0
    nn: int = 0
    line: int = field(default=0, compare=False)
    lines: Optional[dict] = field(default=None, repr=False, compare=False)

    def line_of(self, block: Optional[str] = None) -> int:
        """Source line of a block of this row (the first block's line when unknown)."""
        if not block or not self.line:
            return self.line
        if self.lines is not None:
            return self.lines.get(block, self.line)
        k = _row_offsets()[self.nn - 1].get(block) if 1 <= self.nn <= ROWS_PER_PAGE else None
        return self.line + k if k is not None else self.line

    def field_line(self, attr: str) -> int:
        """Source line of the block of field attr: line_of(block_name(attr, nn)) without
        building the block's name (a row of the usual layout is one block a line)."""
        if self.lines is None and self.line and 1 <= self.nn <= ROWS_PER_PAGE:
            return self.line + _field_offsets()[attr]
        return self.line_of(block_name(attr, self.nn))

    def is_empty(self) -> bool:
        return not any(getattr(self, a) for a, _ in ROW_TEXT_FIELDS + ROW_TAIL_FIELDS) and not any(
            self.scores) and not any(self.subtotals)

    @property
    def absent(self) -> bool:
        """«Н» (the contract); «101 Н» (the paper list of seed 004 marks «Н» next to the room
        number) is read as absent too."""
        r = self.room.upper()
        return r == ABSENT_MARK or r.endswith(" " + ABSENT_MARK)

    @property
    def room_number(self) -> str:
        """The room without the absence mark («101 Н» -> «101», «Н» -> «»)."""
        if self.absent:
            return self.room[:-1].strip()
        return self.room

    def has_result_fields(self) -> bool:
        return bool(any(self.scores) or any(self.subtotals) or self.total or self.passed
                    or self.variant or self.expert or self.not_finished)

    def where(self, block: Optional[str] = None) -> str:
        """«строка 123, блок С_0105 (страница 2)» for messages."""
        line = self.line_of(block)
        parts = []
        if line:
            parts.append(f"строка {line}")
        if block:
            parts.append(f"блок «{block}»")
        if self.page:
            parts.append(f"страница {self.page}, участник {self.nn:02d}")
        return ", ".join(parts)


@dataclass
class B2PPackage:
    condition: str
    file_name: str
    region: str
    oo: str  # StationCode
    msu: str  # AuditoriumCode
    exam_date: date
    rows: list[B2PRow]
    version: str = VERSION
    crc: str = ""
    path: Optional[Path] = None
    n_rows: int = -1  # rows read (when they went to a consumer instead of .rows)
    composed: int = 0  # values read in a decomposed Unicode form and composed (NFC, see b2p_read)

    @property
    def condition_label(self) -> str:
        return CONDITIONS.get(self.condition, self.condition)

    @property
    def is_roster(self) -> bool:
        return self.condition in ROSTER_CONDITIONS

    @property
    def count(self) -> int:
        """Participant rows of the file (also when they went to a consumer)."""
        return self.n_rows if self.n_rows >= 0 and not self.rows else len(self.rows)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // ROWS_PER_PAGE))


@dataclass(frozen=True)
class FileProblem:
    kind: str  # machine id, e.g. "doctype", "crc", "not_number"
    message: str  # Russian, names the line/block


class B2PError(Refused):
    """The file is refused; .problems lists every reason found (Russian)."""

    def __init__(self, problems: list[FileProblem], path: Optional[Path] = None,
                 total: int = 0, stopped: bool = False) -> None:
        self.problems = problems
        self.path = path
        self.total = max(total, len(problems))  # problems found (more than listed, maybe)
        self.stopped = stopped  # the reading stopped at that many: there may be more
        super().__init__("\n".join(p.message for p in problems))

    def __reduce__(self):  # travels from a worker process
        return (self.__class__, (self.problems, self.path, self.total, self.stopped))

    @property
    def kind(self) -> str:
        return self.problems[0].kind if self.problems else ""

    @property
    def kinds(self) -> set[str]:
        return {p.kind for p in self.problems}


def fail(kind: str, message: str, path: Optional[Path] = None):
    raise B2PError([FileProblem(kind, message)], path)


# ---------------------------------------------------------------------------------------
# helpers


def stem_for(region: str, oo: str, msu: str, day: date, klass: str = "") -> str:
    """The file-name rule: RR002090-06-SSSSSS-MMM[(9А)]-YYYYMMDD."""
    mmm = f"{msu}({klass})" if klass else msu
    return f"{region}002090-06-{oo}-{mmm}-{day:%Y%m%d}"


def crc_of(condition: str, version: str, values: Iterable[str]) -> str:
    h = hashlib.md5()
    h.update(condition.encode("utf-8"))
    h.update(version.encode("utf-8"))
    h.update("".join(values).encode("utf-8"))
    return h.hexdigest()


def crc_start(condition: str, version: str):
    """An MD5 fed page by page (`.update("".join(values).encode())`): = crc_of at the end."""
    h = hashlib.md5()
    h.update(condition.encode("utf-8"))
    h.update(version.encode("utf-8"))
    return h


def version_tuple(v: str) -> Optional[tuple[int, ...]]:
    try:
        t = tuple(int(x) for x in v.split("."))
    except ValueError:
        return None
    return t if len(t) == 4 else None


def page_date(d: date) -> str:
    return f"{d:%d-%m-%y}"


# the reader and the writer live beside this module (they import the definitions above);
# they are reachable from here too, loaded on first use (no import cycle)
_READ = ("parse_b2p", "read_b2p", "safe_parser", "schema")
_WRITE = ("write_b2p", "write_b2p_file", "write_verified")


def __getattr__(name: str):
    if name in _READ:
        from . import b2p_read
        return getattr(b2p_read, name)
    if name in _WRITE:
        from . import b2p_write
        return getattr(b2p_write, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The B2P package as XML: safe reading of untrusted files, validation, writing.

Only the file format lives here (strings in, strings out); turning rows into participants
and protocols is in exchange/mapping.py, and the use cases in services/.

Reading order (each step refuses with its own Russian message naming the line and block):
size limit -> "is it XML at all" -> encoding (UTF-8 only) -> no DOCTYPE/ENTITY -> parse
with a locked-down lxml parser -> header attributes -> file-name rule -> XSD -> pages and
blocks (codes on every page, one date, page numbers, duplicates) -> rows (numbers, marks,
unique GUIDs) -> CRC.
"""
from __future__ import annotations

import gc
import hashlib
import operator
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional
from xml.parsers import expat

from lxml import etree

from ..domain.checks import B2P_STEM
from ..errors import Refused

OWNER = "Federal Test Center"
VERSION = "12.0.0.4"
BASE_VERSION = (12, 0, 0, 0)
SUPPORTED_VERSIONS = ("12.0.0.0", "12.0.0.4")
PROJECT_TYPE = "BSE"
SUBJECT_CODE = "20"
SUBJECT_NAME = "Итоговое собеседование по русскому языку"
ROWS_PER_PAGE = 20
N_SCORES = 13
N_SUBTOTALS = 3
ABSENT_MARK = "Н"  # CYRILLIC Н

STEM_RE = B2P_STEM  # the РЦОИ's file-name rule (one regex for the whole program)

# A region of 36,000 participants is ~62 MiB in our serialization; a school's file is < 1 MB.
MAX_FILE_BYTES = 80 * 1024 * 1024

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
    for a, prefix in ROW_TEXT_FIELDS + ROW_TAIL_FIELDS:
        if a == attr:
            return f"{prefix}{nn:02d}"
    raise KeyError(attr)


# ---------------------------------------------------------------------------------------
# data


@dataclass
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
    # where it was read from (0 for rows built in memory)
    page: int = 0
    nn: int = 0
    page_el: Any = field(default=None, repr=False, compare=False)  # lxml Page, for line numbers

    def line_of(self, block: Optional[str] = None) -> int:
        """Source line of a block of this row (looked up only when a message needs it)."""
        if self.page_el is None:
            return 0
        block = block or f"Фамилия{self.nn:02d}"
        first = 0
        for b in self.page_el.iterchildren("Block"):
            name = b.get("BlockName") or ""
            if name == block:
                return b.sourceline or 0
            if not first and name in _block_index() and _block_index()[name][0] == self.nn:
                first = b.sourceline or 0
        return first

    @property
    def line(self) -> int:
        return self.line_of()

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

    @property
    def condition_label(self) -> str:
        return CONDITIONS.get(self.condition, self.condition)

    @property
    def is_roster(self) -> bool:
        return self.condition in ROSTER_CONDITIONS


@dataclass(frozen=True)
class FileProblem:
    kind: str  # machine id, e.g. "doctype", "crc", "not_number"
    message: str  # Russian, names the line/block


class B2PError(Refused):
    """The file is refused; .problems lists every reason found (Russian)."""

    def __init__(self, problems: list[FileProblem], path: Optional[Path] = None) -> None:
        self.problems = problems
        self.path = path
        super().__init__("\n".join(p.message for p in problems))

    @property
    def kind(self) -> str:
        return self.problems[0].kind if self.problems else ""

    @property
    def kinds(self) -> set[str]:
        return {p.kind for p in self.problems}


def _fail(kind: str, message: str, path: Optional[Path] = None):
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


def _version_tuple(v: str) -> Optional[tuple[int, ...]]:
    try:
        t = tuple(int(x) for x in v.split("."))
    except ValueError:
        return None
    return t if len(t) == 4 else None


def page_date(d: date) -> str:
    return f"{d:%d-%m-%y}"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    path = Path(__file__).with_name("b2p.xsd")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, dtd_validation=False, remove_comments=True,
                           remove_pis=True, collect_ids=False)


_EXTERNAL_ENTITY_RE = re.compile(rb"<!ENTITY[^>]*?\s(SYSTEM|PUBLIC)\s")
_DECL_RE = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")


def _check_bytes(data: bytes, path: Optional[Path]) -> bytes:
    """Encoding and prolog checks on raw bytes; returns the data without a UTF-8 BOM."""
    name = path.name if path else "файл"
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        _fail("encoding", f"{name}: файл в кодировке UTF-16; файл B2P должен быть в UTF-8.", path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:64].lstrip()
    if not head.startswith(b"<"):
        _fail("not_xml", f"{name}: это не файл B2P — в начале файла нет разметки XML "
                         f"(строка 1). Проверьте, что выбран нужный файл.", path)
    m = _DECL_RE.match(data[:200])
    if m:
        enc = m.group(1).decode("ascii").lower().replace("_", "-")
        if enc not in ("utf-8", "utf8"):
            _fail("encoding", f"{name}: строка 1, объявление XML: указана кодировка "
                              f"«{m.group(1).decode('ascii')}», а файл B2P должен быть в UTF-8.", path)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        _fail("encoding", f"{name}: строка {_line_of(data, e.start)}: байты не в кодировке UTF-8 "
                          f"(файл повреждён или сохранён в другой кодировке).", path)
    doctype = data.find(b"<!DOCTYPE")
    entity = data.find(b"<!ENTITY")
    if doctype >= 0 or entity >= 0:
        external = _EXTERNAL_ENTITY_RE.search(data)
        if external:
            _fail("xxe", f"{name}: строка {_line_of(data, external.start())}: внешняя сущность "
                         f"(ссылка на файл или сетевой адрес) — так пытаются прочитать чужие файлы. "
                         f"Файл B2P такого не содержит; файл не загружен, ничего не прочитано.", path)
        if entity >= 0:
            _fail("entity", f"{name}: строка {_line_of(data, entity)}: объявление сущностей ENTITY "
                            f"(так устроены «бомбы» из вложенных сущностей). Файл B2P такого не "
                            f"содержит; файл не загружен.", path)
        _fail("doctype", f"{name}: строка {_line_of(data, doctype)}: объявление DOCTYPE запрещено в "
                         f"файле B2P. Файл не загружен.", path)
    return data


def _syntax_message(name: str, e: etree.XMLSyntaxError, data: bytes) -> FileProblem:
    line = getattr(e, "lineno", 0) or 0
    text = str(getattr(e, "msg", "") or e)
    low = text.lower()
    last_line = data.rstrip().count(b"\n") + 1
    if "premature end" in low or "end of data" in low or line >= last_line:
        return FileProblem("truncated", f"{name}: строка {line}: файл обрезан — XML обрывается "
                                        f"раньше конца пакета. Возьмите файл заново.")
    if "entity" in low:
        return FileProblem("entity", f"{name}: строка {line}: ссылка на сущность запрещена в файле B2P.")
    return FileProblem("syntax", f"{name}: строка {line}: ошибка разметки XML ({text}).")


def _xsd_message(name: str, err) -> FileProblem:
    msg = err.message
    m_el = re.search(r"Element '([^']+)'", msg)
    m_attr = re.search(r"attribute '([^']+)'", msg)
    m_val = re.search(r"The value '([^']*)'", msg)
    parts = [f"{name}: строка {err.line}"]
    if m_el:
        parts.append(f"элемент {m_el.group(1)}")
    if m_attr:
        parts.append(f"атрибут {m_attr.group(1)}")
    if m_val:
        what = f"недопустимое значение «{m_val.group(1)}»"
    elif "missing" in msg.lower() or "required" in msg.lower():
        what = "не хватает обязательного элемента или атрибута"
    elif "not expected" in msg.lower():
        what = "элемент не на своём месте или лишний"
    else:
        what = "нарушена структура пакета"
    return FileProblem("xsd", ", ".join(parts) + f": {what} (схема B2P).")


# ---------------------------------------------------------------------------------------
# reading


def read_b2p(path: Path | str, *, max_bytes: Optional[int] = None,
             check_name: bool = True) -> B2PPackage:
    """Read and validate a B2P file; raises B2PError (Russian, with lines and blocks)."""
    path = Path(path)
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        _fail("not_found", f"Файл «{path}» не найден.", path)
    if size > limit:
        _fail("too_large", f"{path.name}: файл слишком большой ({size / 2**20:.0f} МБ, "
                           f"допустимо до {limit / 2**20:.0f} МБ) — это не файл B2P одной школы. "
                           f"Файл не загружен.", path)
    if size == 0:
        _fail("empty", f"{path.name}: файл пустой.", path)
    if check_name:
        stem = path.stem
        if path.suffix.lower() not in (".b2p", ".xml"):
            _fail("filename", f"{path.name}: у файла B2P должно быть расширение .b2p.", path)
        if not STEM_RE.match(stem):
            _fail("filename", f"{path.name}: имя файла не по правилу "
                              f"РР002090-06-ОООООО-МСУ-ГГГГММДД (например "
                              f"47002090-06-470123-005-20270210.b2p). Верните файлу исходное имя.", path)
    data = path.read_bytes()
    return parse_b2p(data, path=path, file_stem=path.stem if check_name else None)


@contextmanager
def no_gc() -> Iterator[None]:
    """Bulk work creates millions of objects; the cyclic GC rescanning them all is the
    difference between linear and quadratic time for 36,000 participants."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def parse_b2p(data: bytes, *, path: Optional[Path] = None,
              file_stem: Optional[str] = None) -> B2PPackage:
    """Parse and validate bytes (everything read_b2p checks except the file's size and name)."""
    with no_gc():
        return _parse_b2p(data, path, file_stem)


_PAGE_BLOCK_NAMES = etree.XPath("Block/@BlockName", smart_strings=False)
_PAGE_BLOCK_VALUES = etree.XPath("Block/@Value", smart_strings=False)


def _block_line(page, i: int) -> int:
    """Source line of the i-th Block of a page (for messages only)."""
    for k, b in enumerate(page.iterchildren("Block")):
        if k == i:
            return b.sourceline or 0
    return page.sourceline or 0


def _parse_b2p(data: bytes, path: Optional[Path], file_stem: Optional[str]) -> B2PPackage:
    name = path.name if path else "файл"
    data = _check_bytes(data, path)
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as e:
        raise B2PError([_syntax_message(name, e, data)], path) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        _fail("doctype", f"{name}: строка 1: объявление DOCTYPE запрещено в файле B2P.", path)
    if root.tag != "HwPackage":
        _fail("structure", f"{name}: строка {root.sourceline}: корневой элемент «{root.tag}», "
                           f"а в файле B2P должен быть «HwPackage».", path)
    # header attributes first: their own messages are clearer than the XSD's
    owner = root.get("Owner")
    if owner != OWNER:
        _fail("owner", f"{name}: строка {root.sourceline}: владелец пакета «{owner or ''}», "
                       f"ожидается «{OWNER}» — это не пакет ФЦТ.", path)
    version = root.get("Version") or ""
    vt = _version_tuple(version)
    if vt is None or vt < BASE_VERSION:
        _fail("version", f"{name}: строка {root.sourceline}: версия пакета «{version}» не "
                         f"поддерживается (нужна {'.'.join(map(str, BASE_VERSION))} или новее).", path)
    condition = root.get("Condition") or ""
    if condition not in CONDITIONS:
        _fail("condition", f"{name}: строка {root.sourceline}: неизвестный статус пакета "
                           f"Condition=«{condition}».", path)
    header = root.find("Header")
    if header is None:
        _fail("structure", f"{name}: нет блока Header (заголовок пакета).", path)
    file_name = header.get("FileName") or ""
    if not STEM_RE.match(file_name):
        _fail("filename", f"{name}: строка {header.sourceline}, Header/FileName: «{file_name}» не "
                          f"соответствует правилу имени файла РР002090-06-ОООООО-МСУ-ГГГГММДД.", path)
    if file_stem is not None and file_stem != file_name:
        _fail("filename", f"{name}: строка {header.sourceline}: имя файла «{file_stem}» не совпадает "
                          f"с именем в заголовке FileName «{file_name}». РЦОИ сопоставляет строки по "
                          f"имени файла — верните файлу имя «{file_name}.b2p».", path)
    # the XSD
    xsd = schema()
    if not xsd.validate(tree):
        errors = list(xsd.error_log)[:20]
        raise B2PError([_xsd_message(name, e) for e in errors], path)
    region, oo, msu = header.get("RegionCode"), header.get("StationCode"), header.get("AuditoriumCode")
    try:
        exam_date = date.fromisoformat(header.get("ExamDate"))
    except ValueError:
        _fail("date", f"{name}: строка {header.sourceline}: ExamDate «{header.get('ExamDate')}» "
                      f"не дата.", path)
    m = STEM_RE.match(file_name)
    assert m
    problems: list[FileProblem] = []
    if m.group(1)[:2] != region:
        problems.append(FileProblem("filename", f"{name}: строка {header.sourceline}: в имени файла "
                                    f"регион {m.group(1)[:2]}, в заголовке RegionCode {region}."))
    if m.group(3) != oo:
        problems.append(FileProblem("filename", f"{name}: строка {header.sourceline}: в имени файла "
                                    f"код ОО {m.group(3)}, в заголовке StationCode {oo}."))
    if m.group(4)[:3] != msu:
        problems.append(FileProblem("filename", f"{name}: строка {header.sourceline}: в имени файла "
                                    f"код МСУ {m.group(4)[:3]}, в заголовке AuditoriumCode {msu}."))
    if m.group(6) != f"{exam_date:%Y%m%d}":
        problems.append(FileProblem("date", f"{name}: строка {header.sourceline}: в имени файла дата "
                                    f"{m.group(6)}, в заголовке ExamDate {exam_date:%Y%m%d}."))
    if problems:
        raise B2PError(problems, path)

    expected_page = {"Регион": region, "Код_ППЭ": oo, "Код_предмета": SUBJECT_CODE,
                     "Код_МСУ": msu, "Дата": page_date(exam_date)}
    index = _block_index()
    index_get = index.get
    known_names = _PAGE_BLOCK_SET | index.keys()
    rows: list[B2PRow] = []
    values: list[str] = []
    canonical = expected_block_names(1)
    n_head = len(PAGE_BLOCKS)
    pages = root.find("Pages")
    for pno, page in enumerate(pages.iterchildren("Page"), start=1):
        if page.get("PageNumber") != str(pno):
            problems.append(FileProblem("page", f"{name}: строка {page.sourceline}: страница "
                                        f"№{page.get('PageNumber')} стоит {pno}-й — страницы "
                                        f"нумеруются подряд с 1."))
        page_rows: dict[int, B2PRow] = {}
        # names and values straight from C (the XSD made both attributes required on every
        # Block, so the two lists line up); elements are looked up only to name a line
        names = _PAGE_BLOCK_NAMES(page)
        vals = _PAGE_BLOCK_VALUES(page)
        values.extend(vals)
        if len(set(names)) != len(names):
            seen: set[str] = set()
            for i, bname in enumerate(names):
                if bname in seen:
                    problems.append(FileProblem("duplicate_block", f"{name}: строка "
                                                f"{_block_line(page, i)}, страница {pno}: блок "
                                                f"«{bname}» повторяется."))
                seen.add(bname)
            continue
        unknown = set(names) - known_names
        if unknown:
            for i, bname in enumerate(names):
                if bname in unknown:
                    problems.append(FileProblem("xsd", f"{name}: строка {_block_line(page, i)}, "
                                                f"страница {pno}: неизвестный блок «{bname}»."))
        page_values = dict(zip(names, vals))
        for bname, exp in expected_page.items():
            value = page_values.get(bname)
            if value is not None and value != exp:
                kind = "date" if bname == "Дата" else "codes"
                line = _block_line(page, names.index(bname))
                problems.append(FileProblem(kind, f"{name}: строка {line}, страница "
                                            f"{pno}, блок «{bname}»: «{value}», а в заголовке "
                                            f"— «{exp}». Коды и дата должны совпадать на всех "
                                            f"страницах."))
        value = page_values.get("Номер_изображения")
        if value not in (None, "", str(pno)):
            line = _block_line(page, names.index("Номер_изображения"))
            problems.append(FileProblem("page", f"{name}: строка {line}, блок "
                                        f"«Номер_изображения»: «{value}» на странице {pno}."))
        if names == canonical:  # the usual layout (ours and the federal one): rows by position
            for k in range(ROWS_PER_PAGE):
                at = n_head + k * _N_ROW_BLOCKS
                chunk = vals[at:at + _N_ROW_BLOCKS]
                if any(chunk):
                    row = _row_at(chunk, pno, k + 1, page)
                    if row is not None:
                        rows.append(row)
            if len(problems) > 50:
                break
            continue
        for bname, value in zip(names, vals):
            if not value:
                continue
            hit = index_get(bname)
            if hit is None:
                continue
            nn, attr, i = hit
            row = page_rows.get(nn)
            if row is None:
                row = page_rows[nn] = B2PRow(page=pno, nn=nn, page_el=page)
            value = value.strip()
            if i >= 0:
                getattr(row, attr)[i] = value
            else:
                setattr(row, attr, value)
        for nn in sorted(page_rows):
            row = page_rows[nn]
            if not row.is_empty():
                rows.append(row)
        if len(problems) > 50:
            break
    if problems:
        raise B2PError(problems[:50], path)
    problems.extend(_check_rows(name, condition, rows))
    if problems:
        raise B2PError(problems[:50], path)
    crc = root.get("CRC") or ""
    expected = crc_of(condition, version, values)
    if crc.lower() != expected:
        _fail("crc", f"{name}: строка {root.sourceline}: контрольная сумма CRC не сходится — файл "
                     f"изменён после сохранения или повреждён. Возьмите исходный файл.", path)
    return B2PPackage(condition=condition, file_name=file_name, region=region, oo=oo, msu=msu,
                      exam_date=exam_date, rows=rows, version=version, crc=crc.lower(), path=path)


def _row_at(chunk: list[str], pno: int, nn: int, page) -> Optional[B2PRow]:
    """The row of one participant from its values in the writer's order (text fields, scores,
    subtotals, tail fields: the order of B2PRow's own fields); None when all are blank."""
    v = [x.strip() for x in chunk]
    if not any(v):
        return None
    s1 = len(_TEXT_ATTRS)
    s2 = s1 + N_SCORES
    s3 = s2 + N_SUBTOTALS
    return B2PRow(*v[:s1], v[s1:s2], v[s2:s3], *v[s3:], page=pno, nn=nn, page_el=page)


_LOOKALIKE = {"З": "3", "з": "3", "О": "0", "о": "0", "б": "6", "Ч": "4"}


def _number_problem(value: str) -> Optional[tuple[str, str]]:
    """(kind, Russian reason) when a score-like value is not a non-negative integer."""
    if value.isascii() and value.isdigit():
        return None
    if value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
        return "negative", f"отрицательный балл «{value}»"
    hint = ""
    for ch in value:
        if ch in _LOOKALIKE:
            hint = f" (буква «{ch}» вместо цифры «{_LOOKALIKE[ch]}»?)"
            break
    return "not_number", f"значение «{value}» не является числом{hint}"


def _numeric_block(nn: int, i: int) -> str:
    """The block of the i-th value of (*scores, *subtotals, total, variant) of row NN."""
    if i < N_SCORES:
        return score_block(nn, i + 1)
    if i < N_SCORES + N_SUBTOTALS:
        return subtotal_block(nn, i - N_SCORES + 1)
    return block_name("total" if i == N_SCORES + N_SUBTOTALS else "variant", nn)


def _check_rows(name: str, condition: str, rows: list[B2PRow]) -> list[FileProblem]:
    out: list[FileProblem] = []
    guids: dict[str, B2PRow] = {}
    roster = condition in ROSTER_CONDITIONS
    for row in rows:
        def add(kind: str, block: str, text: str) -> None:
            out.append(FileProblem(kind, f"{name}: {row.where(block)}: {text}"))

        if not row.guid:
            add("no_guid", block_name("guid", row.nn), "нет кода участника (Код_в_базе).")
        elif row.guid in guids:
            first = guids[row.guid]
            add("duplicate_guid", block_name("guid", row.nn),
                f"код участника {row.guid} повторяется (уже был: {first.where(block_name('guid', first.nn))}).")
        else:
            guids[row.guid] = row
        if not row.surname:
            add("no_name", block_name("surname", row.nn), "не указана фамилия.")
        if not row.name:
            add("no_name", block_name("name", row.nn), "не указано имя.")
        for i, v in enumerate((*row.scores, *row.subtotals, row.total, row.variant)):
            if v and not (v.isdigit() and v.isascii()):  # the usual value decided without a call
                p = _number_problem(v)
                if p:
                    add(p[0], _numeric_block(row.nn, i), f"{p[1]}.")
        if row.passed not in ("", "0", "1"):
            add("bad_mark", block_name("passed", row.nn),
                f"«{row.passed}»: допустимо 1 (зачёт), 0 (незачёт) или пусто.")
        if row.not_finished not in ("", "1", "2"):
            add("bad_mark", block_name("not_finished", row.nn),
                f"«{row.not_finished}»: допустимо 1 (не завершил), 2 (удалён) или пусто.")
        if roster and (row.has_result_fields() or row.absent):
            add("roster_filled", block_name("variant", row.nn),
                f"в списке участников (статус {condition}) результаты не заполняются — "
                f"у участника {row.surname} {row.name[:1]}. они есть.")
        elif row.absent and row.has_result_fields():
            add("absent_with_result", block_name("room", row.nn),
                "участник отмечен «Н» (не явился), но у него заполнены результаты.")
        if len(out) > 50:
            break
    return out


# ---------------------------------------------------------------------------------------
# writing


_NEEDS_ESCAPE = re.compile(r'[&<>"\x00-\x1f]')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _attr(value: str) -> str:
    """An attribute value escaped for XML 1.0 (tabs and newlines as character references,
    other control characters, invalid in XML, replaced by spaces)."""
    if not _NEEDS_ESCAPE.search(value):
        return value
    value = _CONTROL.sub(" ", value)
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
            .replace("\r", "&#13;"))


def _clean(value: str) -> str:
    return _CONTROL.sub(" ", value) if _NEEDS_ESCAPE.search(value) else value


@lru_cache(maxsize=1)
def _row_names() -> tuple[tuple[str, ...], ...]:
    """Per NN (index NN-1): the block names of one participant row, in file order."""
    return tuple(tuple([f"{p}{nn:02d}" for _, p in ROW_TEXT_FIELDS]
                       + [score_block(nn, cc) for cc in range(1, N_SCORES + 1)]
                       + [subtotal_block(nn, cc) for cc in range(1, N_SUBTOTALS + 1)]
                       + [f"{p}{nn:02d}" for _, p in ROW_TAIL_FIELDS])
                 for nn in range(1, ROWS_PER_PAGE + 1))


@lru_cache(maxsize=1)
def _row_templates() -> tuple[tuple[str, str], ...]:
    """Per NN: (the row's blocks as a str.format template, one {} per value; the row empty).
    Block names are constants without braces or characters to escape."""
    out = []
    for names in _row_names():
        tmpl = "".join(f'<Block BlockName="{n}" Value="{{}}"/>\n' for n in names)
        out.append((tmpl, tmpl.format(*([""] * len(names)))))
    return tuple(out)


def expected_block_names(n_pages: int) -> list[str]:
    """Every BlockName of a file of n_pages pages, in file order (pages are always full)."""
    page = list(PAGE_BLOCKS)
    for names in _row_names():
        page.extend(names)
    return page * n_pages


_TEXT_OF = operator.attrgetter(*_TEXT_ATTRS)
_TAIL_OF = operator.attrgetter(*_TAIL_ATTRS)


def _row_values(r: B2PRow) -> list[str]:
    """The values of one row in file order (before escaping)."""
    vals = [*_TEXT_OF(r), *r.scores, *r.subtotals, *_TAIL_OF(r)]
    if len(vals) != _N_ROW_BLOCKS:  # a bug of ours: never shift the following blocks
        _fail("self_check", f"строка участника {r.guid}: {len(r.scores)} баллов и "
                            f"{len(r.subtotals)} промежуточных итогов, ожидается {N_SCORES} и "
                            f"{N_SUBTOTALS}.")
    return vals


def _serialize(pkg: B2PPackage) -> tuple[bytes, list[str]]:
    """The file's bytes and every Value in file order (what the CRC is computed over)."""
    values: list[str] = []
    out: list[str] = []
    rows = pkg.rows
    n_pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    templates = _row_templates()
    head_names = PAGE_BLOCKS
    head_fixed = [_clean(pkg.region), _clean(pkg.oo), SUBJECT_CODE, _clean(pkg.msu), SUBJECT_NAME,
                  page_date(pkg.exam_date)]
    head_tmpl = "".join(f'<Block BlockName="{n}" Value="{{}}"/>\n' for n in head_names)
    head_esc = [_attr(v) for v in head_fixed]
    for pno in range(1, n_pages + 1):
        page_no = str(pno)
        out.append(f'<Page PageTemplate="1" PageNumber="{pno}">\n')
        out.append(head_tmpl.format(*head_esc, page_no, "", ""))
        values.extend(head_fixed)
        values.extend((page_no, "", ""))
        base = (pno - 1) * ROWS_PER_PAGE
        for i, (tmpl, empty) in enumerate(templates):
            if base + i < len(rows):
                vals = _row_values(rows[base + i])
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
    crc = crc_of(pkg.condition, pkg.version, values)
    pkg.crc = crc
    head = (f'<?xml version="1.0" encoding="utf-8"?>\n'
            f'<HwPackage Owner="{OWNER}" Condition="{_attr(pkg.condition)}" '
            f'Version="{_attr(pkg.version)}" CRC="{crc}">\n'
            f'  <Header ProjectType="{PROJECT_TYPE}" FileName="{_attr(pkg.file_name)}" '
            f'RegionCode="{_attr(pkg.region)}" StationCode="{_attr(pkg.oo)}" '
            f'SubjectCode="{SUBJECT_CODE}" AuditoriumCode="{_attr(pkg.msu)}" '
            f'ExamDate="{pkg.exam_date.isoformat()}">\n'
            f'    <SupportedVersions>'
            + "".join(f"<Version>{v}</Version>" for v in SUPPORTED_VERSIONS)
            + "</SupportedVersions>\n  </Header>\n  <Pages>\n")
    out.insert(0, head)
    out.append("  </Pages>\n</HwPackage>\n")
    return "".join(out).encode("utf-8"), values


def write_b2p(pkg: B2PPackage) -> bytes:
    """Serialize: rows in the given order (sort before), 20 a page, last page padded.

    Blocks are written as text, one per line (so messages can name lines); every value is
    escaped for XML. Sets pkg.crc. The export writes through write_verified()."""
    return _serialize(pkg)[0]


# a block line as the writer produces it: the name, and the value as written (still escaped)
_BLOCK_LINE = re.compile(rb'<Block BlockName="([^"]*)" Value="[^"]*"/>\n')
_BLOCK_VALUE = re.compile(rb'" Value="([^"]*)"/>\n')


def write_verified(pkg: B2PPackage) -> bytes:
    """write_b2p, then the bytes checked before anything goes to disk:
    - an XML parser (expat, in C, independent of the writer) reads the whole file: it is
      well-formed XML in UTF-8, so an escaping bug on an odd name cannot slip through;
    - the values read out of the bytes are exactly the values built from the rows, in order
      and escaped, one per block: the file holds these rows and no others, and the CRC
      (computed over those values) is right;
    - the header, the page count, and the block names of the first and the last page (every
      page is written from the same constant templates).
    Reading bytes rather than building a tree keeps 36,000 participants within seconds.
    Raises B2PError (kind "self_check"): a bug of ours, such a file must never be written."""
    data, values = _serialize(pkg)

    def bad(what: str) -> None:
        _fail("self_check", f"выгруженный файл не совпадает с данными: {what}.")

    try:
        expat.ParserCreate("utf-8").Parse(data, True)
    except expat.ExpatError as e:
        bad(f"ошибка разметки XML, строка {e.lineno}: {expat.ErrorString(e.code)}")
    n_pages = max(1, -(-len(pkg.rows) // ROWS_PER_PAGE))
    starts = [m.start() for m in re.finditer(rb"<Page ", data)]
    if len(starts) != n_pages:
        bad(f"страниц {len(starts)} вместо {n_pages}")
    names = list(_encoded_page_names())
    for start in {starts[0], starts[-1]}:
        if _BLOCK_LINE.findall(data, start, data.index(b"</Page>", start)) != names:
            bad(f"имена блоков страницы {starts.index(start) + 1}")
    found = _BLOCK_VALUE.findall(data)
    if len(found) != len(values):
        bad(f"блоков {len(found)} вместо {len(values)}")
    escaped = map(_attr, values) if _NEEDS_ESCAPE.search("".join(values)) else values
    if b"\0".join(found) != "\0".join(escaped).encode("utf-8"):
        first = next((i for i, (a, b) in enumerate(zip(found, values))
                      if a != _attr(b).encode("utf-8")), 0)
        bad(f"значение блока №{first + 1} (страница {first // len(names) + 1})")
    head = data[:data.index(b"<Pages>")].decode("utf-8")
    for attr, want in (("Condition", pkg.condition), ("Version", pkg.version), ("CRC", pkg.crc),
                       ("FileName", pkg.file_name), ("ExamDate", pkg.exam_date.isoformat())):
        if f' {attr}="{_attr(want)}"' not in head:
            bad(f"заголовок: {attr}")
    return data


@lru_cache(maxsize=1)
def _encoded_page_names() -> tuple[bytes, ...]:
    return tuple(n.encode("utf-8") for n in expected_block_names(1))


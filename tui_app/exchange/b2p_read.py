"""Reading a B2P file that arrived from outside: bytes first, a parser that cannot reach out,
page by page (never the whole tree in memory).

Order (each step refuses with its own Russian message naming the line, block and page):
1. the input (`untrusted.read_chunks`): a regular file (no pipe, device, folder), at most
   MAX_B2P_BYTES, read in chunks with a time bound;
2. bytes first, before any parsing: a BOM or the shape of UTF-16/UTF-32 (with or without a
   BOM) or EBCDIC is refused by name; a NUL byte anywhere; "is it XML at all"; the declared
   encoding (UTF-8 only); every chunk strictly UTF-8 (the line of the first bad byte);
3. the prolog by the parser's own view: a pull parser over the first MAX_PROLOG_BYTES stops at
   the root's start tag, and any DOCTYPE libxml2 saw is refused — an external DTD, external
   entities, entity declarations («бомба») and a bare DOCTYPE each with its own message;
4. the package, streamed with the same locked-down parser: root attributes (owner, version,
   status) -> Header (file-name rule, FAT/NTFS rule, XSD of the Header, codes and date in the
   name = in the header) -> every Page as it ends (its place, XSD of the Page, page number,
   codes on the page, duplicate and unknown blocks, rows; the page is then dropped) -> the
   skeleton (root, Header, last Page) against the whole XSD -> CRC.

The parser (PARSER_OPTIONS) was verified, not assumed: with lxml 6 / libxml2 2.14 the switch
`collect_ids=False` (which an earlier version of this reader used) makes libxml2 open the
external DTD a file names even with `load_dtd=False` — a local file is read, a named pipe
hangs. PARSER_OPTIONS leaves it at its default, and every parser also gets a resolver that
answers any request for an external resource with an empty string, so nothing is ever
opened. tests/test_exchange_open_audit.py proves it under strace for every hostile file.
"""
from __future__ import annotations

import codecs
import operator
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Optional
from unicodedata import is_normalized, normalize

from lxml import etree

from ..domain.filenames import file_name_problem
from ..domain.limits import (
    BLOCKS_PER_PAGE,
    FIELDS,
    FORBIDDEN_CHARS,
    MAX_B2P_BYTES,
    MAX_FILE_NAME,
    MAX_PAGES,
    MAX_PROLOG_BYTES,
    MAX_VALUE_LEN,
    value_problem,
)
from ..domain.models import guid_or_none
from ..domain.names import document_key
from ..store.journal import no_gc
from . import untrusted
from .untrusted import encoding_form
from .b2p import (
    BASE_VERSION,
    CONDITIONS,
    N_SCORES,
    N_SUBTOTALS,
    OWNER,
    PAGE_BLOCKS,
    ROSTER_CONDITIONS,
    ROW_TAIL_FIELDS,
    ROW_TEXT_FIELDS,
    ROWS_PER_PAGE,
    STEM_RE,
    SUBJECT_CODE,
    B2PError,
    B2PPackage,
    B2PRow,
    FileProblem,
    _block_index,
    block_name,
    crc_start,
    expected_block_names,
    fail,
    page_date,
    score_block,
    subtotal_block,
    version_tuple,
)

PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False,
                      dtd_validation=False, attribute_defaults=False, huge_tree=False,
                      remove_comments=True, remove_pis=True, encoding="utf-8")
MAX_PROBLEMS = 50
_PROBE_STEP = 1024
_TEXT_ATTRS = tuple(a for a, _ in ROW_TEXT_FIELDS)
_TAIL_ATTRS = tuple(a for a, _ in ROW_TAIL_FIELDS)
_N_ROW_BLOCKS = len(_TEXT_ATTRS) + N_SCORES + N_SUBTOTALS + len(_TAIL_ATTRS)
_CHECKED_FIELDS = tuple(a for a in _TEXT_ATTRS + _TAIL_ATTRS
                        if a not in ("variant", "total", "passed", "not_finished"))
_CHECKED_OF = operator.attrgetter(*_CHECKED_FIELDS)
_CHECKED_MAX = tuple(FIELDS[a].max_len for a in _CHECKED_FIELDS)


class _NoExternal(etree.Resolver):
    """Every request for an external resource (DTD, entity, XInclude) gets an empty string:
    nothing is opened. The requests are kept (a non-empty list is itself a refusal)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def resolve(self, url, pubid, context):
        self.asked.append(str(url or pubid or ""))
        return self.resolve_string("", context)


def safe_parser() -> etree.XMLParser:
    """A tree parser with PARSER_OPTIONS and the deny-all resolver (for our own files)."""
    parser = etree.XMLParser(**PARSER_OPTIONS)
    parser.resolvers.add(_NoExternal())
    return parser


def _pull_parser(**kw) -> tuple[etree.XMLPullParser, _NoExternal]:
    parser = etree.XMLPullParser(**kw, **PARSER_OPTIONS)
    resolver = _NoExternal()
    parser.resolvers.add(resolver)
    return parser, resolver


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    path = Path(__file__).with_name("b2p.xsd")
    return etree.XMLSchema(etree.fromstring(path.read_bytes(), safe_parser()))


# ---------------------------------------------------------------------------------------
# 2. bytes first

_DECL_RE = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")


class _ByteGate:
    """Checks every chunk before the parser sees it (encoding, NUL, UTF-8 validity)."""

    def __init__(self, name: str, path: Optional[Path]) -> None:
        self.name, self.path = name, path
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.lines = 0  # newlines in the bytes before the current chunk

    def first(self, head: bytes, final: bool = False) -> bytes:
        """The checks on the start of the file; returns the chunk without a UTF-8 BOM."""
        name = self.name
        form = encoding_form(head)
        if form:
            fail("encoding", f"{name}: файл в кодировке {form}; файл B2P должен быть в "
                             f"кодировке UTF-8. Файл не загружен.", self.path)
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        if not head[:64].lstrip().startswith(b"<"):
            fail("not_xml", f"{name}: это не файл B2P — в начале файла нет разметки XML "
                            f"(строка 1). Проверьте, что выбран нужный файл.", self.path)
        self.check(head, final)
        m = _DECL_RE.match(head[:200])
        if m:
            enc = m.group(1).decode("ascii").lower().replace("_", "-")
            if enc not in ("utf-8", "utf8"):
                fail("encoding", f"{name}: строка 1, объявление XML: указана кодировка "
                                 f"«{m.group(1).decode('ascii')}», а файл B2P должен быть в "
                                 f"UTF-8.", self.path)
        return head

    def check(self, chunk: bytes, final: bool = False) -> None:
        nul = chunk.find(b"\x00")
        if nul >= 0:
            line = self.lines + chunk.count(b"\n", 0, nul) + 1
            fail("nul", f"{self.name}: строка {line}: нулевой байт (NUL) — в файле XML его быть "
                        f"не может: файл двоичный, повреждён или в кодировке UTF-16/UTF-32.",
                 self.path)
        try:
            self.decoder.decode(chunk, final)
        except UnicodeDecodeError as e:
            line = self.lines + e.object.count(b"\n", 0, e.start) + 1
            fail("encoding", f"{self.name}: строка {line}: байты не в кодировке UTF-8 (файл "
                             f"повреждён или сохранён в другой кодировке).", self.path)
        self.lines += chunk.count(b"\n")


# ---------------------------------------------------------------------------------------
# 3. the prolog by the parser's own view


def _line_at(head: bytes, needle: bytes, default: int = 1) -> int:
    """The line of a declaration the parser reported, for the message only."""
    at = head.find(needle)
    return head.count(b"\n", 0, at) + 1 if at >= 0 else default


def _refuse_for(kind: str, name: str, head: bytes, path: Optional[Path], entity: str = "",
                target: str = "") -> None:
    """Refuse the file for its DOCTYPE (`kind`: xxe, external_dtd, entity, doctype); `entity`
    and `target` name the declaration and what it points at, when the parser read them."""
    at = f" «{target[:80]}»" if target else ""
    if kind == "xxe":
        named = f" «{entity}»" if entity else ""
        fail(kind, f"{name}: строка {_line_at(head, b'<!ENTITY')}: внешняя сущность{named} (ссылка "
                   f"на файл, устройство или сетевой адрес{at}) — так пытаются прочитать чужие "
                   f"файлы. Файл B2P такого не содержит; файл не загружен, ничего не прочитано.",
             path)
    if kind == "external_dtd":
        fail(kind, f"{name}: строка {_line_at(head, b'<!DOCTYPE')}: DOCTYPE ссылается на внешний "
                   f"DTD{at} (файл, устройство или сетевой адрес). Файл B2P такого не содержит; "
                   f"файл не загружен, ничего не прочитано.", path)
    if kind == "entity":
        fail(kind, f"{name}: строка {_line_at(head, b'<!ENTITY')}: объявление сущностей ENTITY (так "
                   f"устроены «бомбы» из вложенных сущностей). Файл B2P такого не содержит; файл "
                   f"не загружен.", path)
    fail("doctype", f"{name}: строка {_line_at(head, b'<!DOCTYPE')}: объявление DOCTYPE запрещено в "
                    f"файле B2P. Файл не загружен.", path)


def _refuse_doctype(name: str, root, head: bytes, path: Optional[Path]) -> None:
    """Any DOCTYPE the parser read refuses the file, for its worst reason."""
    info = root.getroottree().docinfo
    dtd = info.internalDTD
    if not info.doctype and dtd is None and info.externalDTD is None:
        return
    entities = list(dtd.iterentities()) if dtd is not None else []
    external = [e for e in entities if e.system_url]
    if external:
        _refuse_for("xxe", name, head, path, external[0].name, external[0].system_url)
    if info.system_url or info.public_id:
        _refuse_for("external_dtd", name, head, path, target=info.system_url or info.public_id)
    _refuse_for("entity" if entities else "doctype", name, head, path)


_DOCTYPE_RE = re.compile(rb"<!DOCTYPE\s+[^\s>\[]+\s+(SYSTEM|PUBLIC)\b")
_EXTERNAL_ENTITY_RE = re.compile(rb"<!ENTITY\s+(?:%\s+)?[^\s>]+\s+(SYSTEM|PUBLIC)\b")


def _refuse_unparsed_doctype(name: str, head: bytes, path: Optional[Path]) -> None:
    """A DOCTYPE the parser stopped inside (libxml2 on Windows calls a backslashed path in
    SYSTEM an invalid URI): the same reasons as `_refuse_doctype`, read from the bytes."""
    if b"<!DOCTYPE" not in head:
        return
    kind = ("xxe" if _EXTERNAL_ENTITY_RE.search(head) else
            "external_dtd" if _DOCTYPE_RE.search(head) else
            "entity" if b"<!ENTITY" in head else "doctype")
    _refuse_for(kind, name, head, path)


def _probe(name: str, head: bytes, path: Optional[Path]) -> None:
    """Parse the start of the file up to the root's start tag and refuse any DOCTYPE."""
    parser, resolver = _pull_parser(events=("start",))
    root = None
    try:
        for at in range(0, min(len(head), MAX_PROLOG_BYTES), _PROBE_STEP):  # stop at the root
            parser.feed(head[at:min(at + _PROBE_STEP, MAX_PROLOG_BYTES)])
            root = next((el for _, el in parser.read_events()), None)
            if root is not None:
                break
    except etree.XMLSyntaxError as e:
        try:  # the root may have started before the error: its DOCTYPE is the better reason
            root = next((el for _, el in parser.read_events()), None)
        except etree.XMLSyntaxError:
            root = None
        if root is not None:
            _refuse_doctype(name, root, head, path)
        _refuse_unparsed_doctype(name, head, path)
        raise B2PError([_syntax_problem(name, e, at_end=False)], path) from None
    if resolver.asked:  # cannot happen with PARSER_OPTIONS; refuse rather than trust
        fail("xxe", f"{name}: файл ссылается на внешний ресурс «{resolver.asked[0][:80]}». Файл "
                    f"не загружен, ничего не прочитано.", path)
    if root is None:
        fail("structure", f"{name}: в первых {MAX_PROLOG_BYTES // 1024} КБ файла нет начала пакета "
                          f"HwPackage — это не файл B2P или он повреждён.", path)
    _refuse_doctype(name, root, head, path)
    if root.tag != "HwPackage":
        fail("structure", f"{name}: строка {root.sourceline}: корневой элемент «{root.tag}», "
                          f"а в файле B2P должен быть «HwPackage».", path)


def _syntax_problem(name: str, e: etree.XMLSyntaxError, at_end: bool) -> FileProblem:
    line = getattr(e, "lineno", 0) or 0
    text = str(getattr(e, "msg", "") or e)
    low = text.lower()
    if "external entity" in low:
        return FileProblem("xxe", f"{name}: строка {line}: ссылка на внешнюю сущность — файл не "
                                  f"загружен, ничего не прочитано.")
    if "amplification" in low or "entity" in low:
        return FileProblem("entity", f"{name}: строка {line}: ссылка на сущность запрещена в "
                                     f"файле B2P.")
    if "premature end" in low or "end of data" in low or (at_end and "extra content" not in low):
        return FileProblem("truncated", f"{name}: строка {line}: файл обрезан — XML обрывается "
                                        f"раньше конца пакета. Возьмите файл заново.")
    return FileProblem("syntax", f"{name}: строка {line}: ошибка разметки XML ({text[:200]}).")


def _xsd_problem(name: str, err) -> FileProblem:
    msg = err.message
    m_el = re.search(r"Element '([^']+)'", msg)
    m_attr = re.search(r"attribute '([^']+)'", msg)
    m_val = re.search(r"The value '([^']{0,120})", msg)
    parts = [f"{name}: строка {err.line}"]
    if m_el:
        parts.append(f"элемент {m_el.group(1)}")
    if m_attr:
        parts.append(f"атрибут {m_attr.group(1)}")
    m_len = re.search(r"maximum length of '(\d+)'", msg)
    # libxml2 cuts the message of a huge value short (on Windows' build before the limit)
    if m_len or "maxLength" in msg or len(msg) > 1000:
        limit = m_len.group(1) if m_len else str(MAX_VALUE_LEN)
        what = f"значение длиннее допустимого (не больше {limit} знаков)"
    elif m_val:
        what = f"недопустимое значение «{m_val.group(1)[:60]}»"
    elif "missing" in msg.lower() or "required" in msg.lower():
        what = "не хватает обязательного элемента или атрибута"
    elif "not expected" in msg.lower():
        what = "элемент не на своём месте или лишний"
    else:
        what = "нарушена структура пакета"
    return FileProblem("xsd", ", ".join(parts) + f": {what} (схема B2P).")


def _validate(name: str, el) -> list[FileProblem]:
    xsd = schema()
    try:
        if xsd.validate(el):
            return []
    except etree.XMLSchemaValidateError:  # libxml2 could not decide (an internal error): no
        return [FileProblem("xsd", f"{name}: нарушена структура пакета (схема B2P).")]
    return [_xsd_problem(name, e) for e in list(xsd.error_log)[:20]]


# ---------------------------------------------------------------------------------------
# 4. the package, streamed

_PAGE_BLOCK_NAMES = etree.XPath("Block/@BlockName", smart_strings=False)
_PAGE_BLOCK_VALUES = etree.XPath("Block/@Value", smart_strings=False)
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
# with $n = the blocks that have a BlockName (and a Value): every child is such a Block with
# no other attribute and no content, and the page's own text is XML whitespace only
_PAGE_SHAPE = etree.XPath("count(Block)=$n and count(Block/@*)=2*$n and "
                          "count(node())=$n+count(text()) and not(Block/node()) and "
                          "normalize-space(.)=''")


@lru_cache(maxsize=1)
def _known_block_names() -> frozenset[str]:
    return frozenset(_canonical())


def page_surely_valid(page, names: list[str], vals: list[str]) -> bool:
    """True only for a page the XSD's Page element is sure to accept (names, vals: its blocks'
    BlockName and Value attributes, `_PAGE_BLOCK_NAMES` / `_PAGE_BLOCK_VALUES`): a few
    C-level tests instead of the schema's ~1 ms a page. Never True where the schema says no
    (tests/test_exchange_xsd_fast.py holds it to the XSD); any other page is left to the
    schema, whose messages are the refusal, so what a file gets is the same either way."""
    n = len(names)
    attrs = page.attrib
    return (page.tag == "Page" and len(attrs) == 2 and attrs.get("PageTemplate") == "1"
            and _PAGE_NUMBER.fullmatch(attrs.get("PageNumber") or "") is not None
            and 0 < n <= BLOCKS_PER_PAGE and len(vals) == n
            and max(map(len, vals)) <= MAX_VALUE_LEN
            and (names == _canonical() or _known_block_names().issuperset(names))
            and _PAGE_SHAPE(page, n=n) is True)


_LOOKALIKE = {"З": "3", "з": "3", "О": "0", "о": "0", "б": "6", "Ч": "4"}


def _number_problem(value: str) -> Optional[tuple[str, str]]:
    """(kind, Russian reason) when a score-like value is not a non-negative integer."""
    if value.isascii() and value.isdigit():
        return None
    if value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
        return "negative", f"отрицательный балл «{value[:10]}»"
    hint = ""
    for ch in value:
        if ch in _LOOKALIKE:
            hint = f" (буква «{ch}» вместо цифры «{_LOOKALIKE[ch]}»?)"
            break
    return "not_number", f"значение «{value[:20]}» не является числом{hint}"


def _numeric_block(nn: int, i: int) -> str:
    """The block of the i-th value of (*scores, *subtotals, total, variant) of row NN."""
    if i < N_SCORES:
        return score_block(nn, i + 1)
    if i < N_SCORES + N_SUBTOTALS:
        return subtotal_block(nn, i - N_SCORES + 1)
    return block_name("total" if i == N_SCORES + N_SUBTOTALS else "variant", nn)


def _numeric_field(i: int) -> str:
    if i < N_SCORES:
        return "score"
    if i < N_SCORES + N_SUBTOTALS:
        return "subtotal"
    return "total" if i == N_SCORES + N_SUBTOTALS else "variant"


class _Reader:
    """The state of one streamed read. Steps: feed() -> events -> finish()."""

    def __init__(self, name: str, path: Optional[Path], file_stem: Optional[str],
                 on_rows: Optional[Callable] = None) -> None:
        self.name, self.path, self.file_stem = name, path, file_stem
        self.parser, self.resolver = _pull_parser(events=("start", "end"),
                                                  tag=("HwPackage", "Header", "Page"))
        self.problems: list[FileProblem] = []
        self.rows: list[B2PRow] = []
        self.root = None
        self.header: Optional[dict] = None
        self.last_page = None
        self.pno = 0
        self.crc = None
        self.seen: dict[str, dict[str, tuple]] = {k: {} for k in
                                                  ("guid", "local_guid", "code", "document")}
        self.on_rows = on_rows  # page by page to a consumer instead of kept in .rows
        self.count = 0
        self.composed = 0  # values composed to NFC (see _composed)
        self._head_pkg: Optional[B2PPackage] = None

    # -- feeding -------------------------------------------------------------------------
    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.feed(chunk)
            events = list(self.parser.read_events())
        except etree.XMLSyntaxError as e:
            raise B2PError([_syntax_problem(self.name, e, at_end=False)], self.path) from None
        for event, el in events:
            self._on(event, el)

    def _on(self, event: str, el) -> None:
        if event == "start" and el.tag == "HwPackage":
            self._on_root(el)
        elif event == "end" and el.tag == "Header":
            self._on_header(el)
        elif event == "end" and el.tag == "Page":
            self._on_page(el)
            if len(self.problems) > MAX_PROBLEMS:
                raise B2PError(self.problems[:MAX_PROBLEMS], self.path, len(self.problems),
                               stopped=True)

    # -- root and header -----------------------------------------------------------------
    def _on_root(self, root) -> None:
        name, path = self.name, self.path
        if self.root is not None:
            fail("structure", f"{name}: строка {root.sourceline}: второй пакет HwPackage внутри "
                              f"файла.", path)
        self.root = root
        owner = root.get("Owner")
        if owner != OWNER:
            fail("owner", f"{name}: строка {root.sourceline}: владелец пакета «{(owner or '')[:40]}», "
                          f"ожидается «{OWNER}» — это не пакет ФЦТ.", path)
        version = root.get("Version") or ""
        vt = version_tuple(version)
        if vt is None or vt < BASE_VERSION:
            fail("version", f"{name}: строка {root.sourceline}: версия пакета «{version[:20]}» не "
                            f"поддерживается (нужна {'.'.join(map(str, BASE_VERSION))} или "
                            f"новее).", path)
        condition = root.get("Condition") or ""
        if condition not in CONDITIONS:
            fail("condition", f"{name}: строка {root.sourceline}: неизвестный статус пакета "
                              f"Condition=«{condition[:20]}».", path)
        self.crc = crc_start(condition, version)
        self.condition = condition

    def _on_header(self, header) -> None:
        name, path = self.name, self.path
        if self.root is None or header.getparent() is not self.root or self.header is not None:
            fail("structure", f"{name}: строка {header.sourceline}: блок Header не на своём месте.",
                 path)
        file_name = header.get("FileName") or ""
        self._check_file_name(file_name, header.sourceline)
        problems = _validate(name, header)
        if problems:
            raise B2PError(problems, path)
        region, oo, msu = (header.get(k) for k in ("RegionCode", "StationCode", "AuditoriumCode"))
        try:
            exam_date = date.fromisoformat(header.get("ExamDate"))
        except ValueError:
            fail("date", f"{name}: строка {header.sourceline}: ExamDate «{header.get('ExamDate')}» "
                         f"не дата.", path)
        self._check_name_codes(file_name, region, oo, msu, exam_date, header.sourceline)
        self.header = dict(file_name=file_name, region=region, oo=oo, msu=msu, exam_date=exam_date)
        self.expected_page = {"Регион": region, "Код_ППЭ": oo, "Код_предмета": SUBJECT_CODE,
                              "Код_МСУ": msu, "Дата": page_date(exam_date)}

    def _check_file_name(self, file_name: str, line: int) -> None:
        name, path = self.name, self.path
        if not STEM_RE.match(file_name):
            fail("filename", f"{name}: строка {line}, Header/FileName: «{file_name[:120]}» не "
                             f"соответствует правилу имени файла РР002090-06-ОООООО-МСУ-ГГГГММДД.",
                 path)
        fat = file_name_problem(file_name + ".b2p", "имя файла результатов")
        if fat or len(file_name) > MAX_FILE_NAME:
            why = fat or f"имя файла длиннее {MAX_FILE_NAME} знаков"
            fail("filename_fat", f"{name}: строка {line}, Header/FileName: {why}. Файл результатов "
                                 f"пишется под этим именем на флешку — попросите у РЦОИ файл с "
                                 f"правильным именем.", path)
        if self.file_stem is not None and self.file_stem != file_name:
            fail("filename", f"{name}: строка {line}: имя файла «{self.file_stem}» не совпадает "
                             f"с именем в заголовке FileName «{file_name}». РЦОИ сопоставляет "
                             f"строки по имени файла — верните файлу имя «{file_name}.b2p».", path)

    def _check_name_codes(self, file_name, region, oo, msu, exam_date, line) -> None:
        m = STEM_RE.match(file_name)
        name = self.name
        problems = []
        for got, want, kind, label, attr in (
                (m.group(1)[:2], region, "filename", "регион", "RegionCode"),
                (m.group(3), oo, "filename", "код ОО", "StationCode"),
                (m.group(4)[:3], msu, "filename", "код МСУ", "AuditoriumCode"),
                (m.group(6), f"{exam_date:%Y%m%d}", "date", "дата", "ExamDate")):
            if got != want:
                problems.append(FileProblem(kind, f"{name}: строка {line}: в имени файла {label} "
                                                  f"{got}, в заголовке {attr} {want}."))
        if problems:
            raise B2PError(problems, self.path)

    # -- pages ---------------------------------------------------------------------------
    def _on_page(self, page) -> None:
        name = self.name
        self.pno += 1
        pno = self.pno
        self._check_page_place(page)
        if pno > MAX_PAGES:
            fail("too_many_pages", f"{name}: строка {page.sourceline}: страниц больше "
                                   f"{MAX_PAGES} (участников больше {MAX_PAGES * ROWS_PER_PAGE}) — "
                                   f"это больше любого региона. Файл не загружен.", self.path)
        names = _PAGE_BLOCK_NAMES(page)
        vals = _PAGE_BLOCK_VALUES(page)
        problems = [] if page_surely_valid(page, names, vals) else _validate(name, page)
        if problems:
            self.problems.extend(problems)
        else:
            self._read_page(page, pno, names, vals)
        if self.last_page is not None:  # the page before is done: drop it (memory)
            self.last_page.getparent().remove(self.last_page)
        self.last_page = page

    def _check_page_place(self, page) -> None:
        parent = page.getparent()
        prev = page.getprevious()
        ok = (self.header is not None and parent is not None and parent.tag == "Pages"
              and parent.getparent() is self.root and prev is self.last_page)
        if not ok:
            what = f"перед ней «{prev.tag}»" if prev is not None and prev is not self.last_page else ""
            fail("structure", f"{self.name}: строка {page.sourceline}: страница Page не на своём "
                              f"месте{(' (' + what + ')') if what else ''} — нарушена структура "
                              f"пакета (схема B2P).", self.path)

    def _read_page(self, page, pno: int, names: list[str], vals: list[str]) -> None:
        joined = "".join(vals)
        self.crc.update(joined.encode("utf-8"))  # over the file's own text
        if not joined.isascii() and not is_normalized("NFC", joined):
            vals = self._composed(vals)
        if page.get("PageNumber") != str(pno):
            self.problems.append(FileProblem("page", f"{self.name}: строка {page.sourceline}: "
                                             f"страница №{page.get('PageNumber')} стоит {pno}-й — "
                                             f"страницы нумеруются подряд с 1."))
        lines = _Lines(page, len(names))
        if not self._page_blocks_ok(names, vals, pno, lines):
            return
        rows = self._page_rows(names, vals, pno, lines)
        for row in rows:
            self._check_row(row)
        self.count += len(rows)
        if self.on_rows is None:
            self.rows.extend(rows)
        elif not self.problems:
            self.on_rows(self.header_package(), rows)

    def _composed(self, vals: list[str]) -> list[str]:
        """The values in Unicode's composed form (NFC). A file written on a Mac (or by a
        program that decomposes) holds «й» as «и» + U+0306 and «ё» as «е» + U+0308: the same
        letters to a reader, another string to a search, a sort, a duplicate check and a
        font. Composed here, after the CRC (over the file's text) and before any check; the
        summary says how many values were."""
        out = [normalize("NFC", v) for v in vals]
        self.composed += sum(map(operator.ne, vals, out))
        return out

    def _page_blocks_ok(self, names, vals, pno: int, lines: "_Lines") -> bool:
        name = self.name
        if len(set(names)) != len(names):
            seen: set[str] = set()
            for i, bname in enumerate(names):
                if bname in seen:
                    self.problems.append(FileProblem("duplicate_block", f"{name}: строка "
                                                     f"{lines.at(i)}, страница {pno}: блок "
                                                     f"«{bname}» повторяется."))
                seen.add(bname)
            return False
        if tuple(names[:len(PAGE_BLOCKS)]) == PAGE_BLOCKS:  # the usual page: by position
            page_values = dict(zip(PAGE_BLOCKS, vals))
        else:
            page_values = dict(zip(names, vals))
        for bname, exp in self.expected_page.items():
            value = page_values.get(bname)
            if value is not None and value != exp:
                kind = "date" if bname == "Дата" else "codes"
                what = ("дата экзамена на странице" if kind == "date" else
                        "код на странице")
                self.problems.append(FileProblem(kind, f"{name}: строка "
                                                 f"{lines.at(names.index(bname))}, страница {pno}, "
                                                 f"блок «{bname}»: {what} «{value}», а в заголовке "
                                                 f"— «{exp}». Коды и дата должны совпадать на всех "
                                                 f"страницах."))
        value = page_values.get("Номер_изображения")
        if value not in (None, "", str(pno)):
            self.problems.append(FileProblem("page", f"{name}: строка "
                                             f"{lines.at(names.index('Номер_изображения'))}, блок "
                                             f"«Номер_изображения»: «{value}» на странице {pno}."))
        return True

    def _page_rows(self, names, vals, pno: int, lines: "_Lines") -> list[B2PRow]:
        """The rows of a page: by position in the usual layout (ours and the federal one),
        by block names in any other order the XSD allows (the same result)."""
        if names == _canonical() and lines.consecutive:
            n_head = len(PAGE_BLOCKS)
            out = []
            for k in range(ROWS_PER_PAGE):
                at = n_head + k * _N_ROW_BLOCKS
                row = _row_at(vals[at:at + _N_ROW_BLOCKS], pno, k + 1, lines.first + at)
                if row is not None:
                    out.append(row)
            return out
        return _rows_by_name(names, vals, pno, lines)

    # -- rows ----------------------------------------------------------------------------
    def _check_row(self, row: B2PRow) -> None:
        out = self.problems
        name = self.name

        def add(kind: str, block: str, text: str) -> None:
            out.append(FileProblem(kind, f"{name}: {row.where(block)}: {text}"))

        self._check_identity(row, add)
        texts = _CHECKED_OF(row)
        joined = "".join(texts)
        # the usual row decided by a few C-level tests; the field by field look only otherwise
        if (any(map(operator.gt, map(len, texts), _CHECKED_MAX)) or FORBIDDEN_CHARS.search(joined)
                or (not joined.isascii() and not is_normalized("NFKC", joined))
                or (row.barcode and not (row.barcode.isdigit() and row.barcode.isascii()))):
            for attr, value in zip(_CHECKED_FIELDS, texts):
                p = value_problem(attr, value)
                if p:
                    add(p[0], block_name(attr, row.nn), f"{p[1]}.")
        numbers = (*row.scores, *row.subtotals, row.total, row.variant)
        joined = "".join(numbers)
        if not (joined.isdigit() and joined.isascii() and max(map(len, numbers)) <= 2) and joined:
            for i, v in enumerate(numbers):
                if v and not (v.isdigit() and v.isascii() and len(v) <= 2):
                    p = _number_problem(v) or value_problem(_numeric_field(i), v)
                    if p:
                        add(p[0], _numeric_block(row.nn, i), f"{p[1]}.")
        self._check_marks(row, add)

    def _check_identity(self, row: B2PRow, add) -> None:
        """GUIDs (format, normalised), names; no two rows with the same GUID, local id,
        participant code or document."""
        nn = row.nn
        if not row.guid:
            add("no_guid", block_name("guid", nn), "нет кода участника (Код_в_базе).")
        else:
            guid = guid_or_none(row.guid)
            if guid is None:
                add("not_guid", block_name("guid", nn), f"код участника «{row.guid[:40]}» — не GUID.")
            else:
                row.guid = guid
        if row.local_guid:
            guid = guid_or_none(row.local_guid)
            if guid is None:
                add("not_guid", block_name("local_guid", nn),
                    f"Локальный_ID «{row.local_guid[:40]}» — не GUID.")
            else:
                row.local_guid = guid
        if not row.surname:
            add("no_name", block_name("surname", nn), "не указана фамилия.")
        if not row.name:
            add("no_name", block_name("name", nn), "не указано имя.")
        keys = (("guid", row.guid, "guid", "код участника (Код_в_базе)"),
                ("local_guid", row.local_guid, "local_guid", "Локальный_ID"),
                ("code", row.code, "code", "код участника (Код_участника)"),
                ("document", document_key(row.doc_series, row.doc_number), "doc_number",
                 "документ (серия и номер)"))
        for table, key, attr, label in keys:
            if not key:
                continue
            first = self.seen[table].get(key)
            if first is None:  # a small record, not the row: rows may be let go page by page
                self.seen[table][key] = (row.field_line(attr), row.page, row.nn,
                                         row.surname, row.name[:1])
                continue
            line, page, first_nn, surname, initial = first
            block = block_name(attr, nn)
            kind = "duplicate_guid" if table == "guid" else f"duplicate_{table}"
            add(kind, block, f"{label} {key.replace('|', ' ').strip()} повторяется (уже был: "
                             f"строка {line}, блок «{block_name(attr, first_nn)}», страница {page}, "
                             f"участник {first_nn:02d}, {surname} {initial}.).")

    def _check_marks(self, row: B2PRow, add) -> None:
        nn = row.nn
        if row.passed not in ("", "0", "1"):
            add("bad_mark", block_name("passed", nn),
                f"«{row.passed[:10]}»: допустимо 1 (зачёт), 0 (незачёт) или пусто.")
        if row.not_finished not in ("", "1", "2"):
            add("bad_mark", block_name("not_finished", nn),
                f"«{row.not_finished[:10]}»: допустимо 1 (не завершил), 2 (удалён) или пусто.")
        room = row.room_number
        if room:
            fat = file_name_problem(room, "номер аудитории")
            if fat:
                add("room_name", block_name("room", nn), f"{fat}.")
        condition = self.condition
        if condition in ROSTER_CONDITIONS and (row.has_result_fields() or row.absent):
            add("roster_filled", block_name("variant", nn),
                f"в списке участников (статус {condition}) результаты не заполняются — "
                f"у участника {row.surname[:60]} {row.name[:1]}. они есть.")
        elif row.absent and row.has_result_fields():
            add("absent_with_result", block_name("room", nn),
                "участник отмечен «Н» (не явился), но у него заполнены результаты.")

    def header_package(self) -> B2PPackage:
        """The package as known from its head (no rows): for a consumer of pages."""
        if self._head_pkg is None:
            self._head_pkg = B2PPackage(condition=self.condition, rows=[],
                                        version=self.root.get("Version"), path=self.path,
                                        **self.header)
        return self._head_pkg

    # -- the end -------------------------------------------------------------------------
    def finish(self) -> B2PPackage:
        name, path = self.name, self.path
        try:
            self.parser.close()
        except etree.XMLSyntaxError as e:
            raise B2PError([_syntax_problem(name, e, at_end=True)], path) from None
        if self.root is None or self.header is None:
            fail("structure", f"{name}: нет заголовка пакета (HwPackage/Header).", path)
        if self.resolver.asked:
            fail("xxe", f"{name}: файл ссылается на внешний ресурс «{self.resolver.asked[0][:80]}».",
                 path)
        skeleton = _validate(name, self.root)  # root, Header and the last page left in the tree
        problems = self.problems + [p for p in skeleton if p not in self.problems]
        if problems:
            raise B2PError(problems[:MAX_PROBLEMS], path, len(problems))
        condition, version = self.root.get("Condition"), self.root.get("Version")
        crc = (self.root.get("CRC") or "").lower()
        if crc != self.crc.hexdigest():
            fail("crc", f"{name}: строка {self.root.sourceline}: контрольная сумма CRC не "
                        f"сходится — файл изменён после сохранения или повреждён. Возьмите "
                        f"исходный файл.", path)
        pkg = B2PPackage(condition=condition, rows=self.rows, version=version, crc=crc,
                         path=path, **self.header)
        pkg.n_rows = self.count
        pkg.composed = self.composed
        return pkg


class _Lines:
    """Source lines of a page's blocks without touching every element: when the blocks are
    one per line (every file we write, the federal ones), line = first + index."""

    def __init__(self, page, n: int) -> None:
        self.page = page
        self.first = page[0].sourceline or 0 if n else 0
        last = page[-1].sourceline or 0 if n else 0
        self.consecutive = bool(n) and last - self.first == n - 1
        self._all: Optional[list[int]] = None

    def at(self, i: int) -> int:
        if self.consecutive:
            return self.first + i
        if self._all is None:
            self._all = [b.sourceline or 0 for b in self.page]
        return self._all[i] if i < len(self._all) else 0


@lru_cache(maxsize=1)
def _canonical() -> list[str]:
    return expected_block_names(1)


def _row_at(chunk: list[str], pno: int, nn: int, line: int) -> Optional[B2PRow]:
    """The row of one participant from its values in the writer's order (text fields, scores,
    subtotals, tail fields: the order of B2PRow's own fields); None when all are blank."""
    if not any(chunk):
        return None
    v = list(map(str.strip, chunk))
    if not any(v):
        return None
    s1 = len(_TEXT_ATTRS)
    s2 = s1 + N_SCORES
    s3 = s2 + N_SUBTOTALS
    return B2PRow(*v[:s1], v[s1:s2], v[s2:s3], *v[s3:], page=pno, nn=nn, line=line)


def _rows_by_name(names, vals, pno: int, lines: _Lines) -> list[B2PRow]:
    index_get = _block_index().get
    rows: dict[int, B2PRow] = {}
    for i, (bname, value) in enumerate(zip(names, vals)):
        hit = index_get(bname)
        if hit is None:
            continue
        nn, attr, k = hit
        row = rows.get(nn)
        if row is None:
            row = rows[nn] = B2PRow(page=pno, nn=nn, lines={})
        row.lines[bname] = lines.at(i)
        value = value.strip()
        if not value:
            continue
        if k >= 0:
            getattr(row, attr)[k] = value
        else:
            setattr(row, attr, value)
    out = []
    for nn in sorted(rows):
        row = rows[nn]
        if not row.is_empty():
            row.line = min(row.lines.values())
            out.append(row)
    return out


# ---------------------------------------------------------------------------------------
# entry points


def _read(chunks: Iterable[bytes], name: str, path: Optional[Path], file_stem: Optional[str],
          size: int = 0, progress: Optional[Callable[[float], None]] = None,
          on_rows: Optional[Callable] = None) -> B2PPackage:
    it = iter(chunks)
    head = b""
    for chunk in it:  # the start of the file: decided on before anything is parsed
        head += chunk
        if len(head) >= MAX_PROLOG_BYTES:
            break
    if not head:
        fail("empty", f"{name}: файл пустой.", path)
    gate = _ByteGate(name, path)
    done = len(head)
    nxt = next(it, None)  # one chunk ahead: the last one is checked as the end of the bytes
    head = gate.first(head, final=nxt is None)
    _probe(name, head, path)
    reader = _Reader(name, path, file_stem, on_rows)
    reader.feed(head)
    while nxt is not None:
        if progress and size:
            progress(min(done / size, 1.0))
        chunk, nxt = nxt, next(it, None)
        gate.check(chunk, final=nxt is None)
        reader.feed(chunk)
        done += len(chunk)
    if progress and size:
        progress(min(done / size, 1.0))
    return reader.finish()


def read_b2p(path: Path | str, *, max_bytes: Optional[int] = None, check_name: bool = True,
             progress: Optional[Callable[[float], None]] = None,
             on_rows: Optional[Callable[[B2PPackage, list[B2PRow]], None]] = None) -> B2PPackage:
    """Read and validate a B2P file; raises B2PError (Russian, with lines and blocks).
    progress(fraction) is called after every chunk (it may raise to cancel). With on_rows,
    each page's checked rows go to on_rows(package head, rows) as the page is read and are
    not kept (pkg.rows stays empty, pkg.n_rows counts them): a consumer that builds its own
    objects never holds the file's rows — but it must discard its work if this raises."""
    path = Path(path)
    limit = MAX_B2P_BYTES if max_bytes is None else max_bytes
    try:
        size = untrusted.check_input(path, limit).st_size
    except untrusted.InputRefused as e:
        fail(e.kind, str(e), path)
    if check_name:
        _check_path_name(path)
    try:
        with no_gc():
            return _read(untrusted.read_chunks(path, max_bytes=limit), path.name, path,
                         path.stem if check_name else None, size, progress, on_rows)
    except untrusted.InputRefused as e:
        fail(e.kind, str(e), path)


def _check_path_name(path: Path) -> None:
    sheet = untrusted.spreadsheet_form(path.name)
    if sheet:
        fail("spreadsheet", f"{path.name}: это файл таблицы {sheet}, а не B2P и не CSV. Список "
                            f"из таблицы: {untrusted.SAVE_AS_CSV}.", path)
    if path.suffix.lower() not in (".b2p", ".xml"):
        fail("filename", f"{path.name}: у файла B2P должно быть расширение .b2p.", path)
    if not STEM_RE.match(path.stem):
        fail("filename", f"{path.name}: имя файла не по правилу РР002090-06-ОООООО-МСУ-ГГГГММДД "
                         f"(например 47002090-06-470123-005-20270210.b2p). Верните файлу исходное "
                         f"имя.", path)


def parse_b2p(data: bytes, *, path: Optional[Path] = None,
              file_stem: Optional[str] = None) -> B2PPackage:
    """Parse and validate bytes (everything read_b2p checks except the file's size and name)."""
    name = path.name if path else "файл"
    if not data:
        fail("empty", f"{name}: файл пустой.", path)
    with no_gc():
        return _read(untrusted.chunks_of(data), name, path, file_stem)


__all__ = ["BLOCKS_PER_PAGE", "PARSER_OPTIONS", "encoding_form", "parse_b2p", "read_b2p",
           "safe_parser", "schema"]

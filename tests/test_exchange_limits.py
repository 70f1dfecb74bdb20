"""The limits of an incoming file (tui_app/domain/limits.py) are one contract in three places
— the code, the XSD's annotation and docs/b2p.md «Ограничения входных файлов» — and each
is tested at the limit (accepted) and one past it (refused, naming the place)."""
from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pytest

from support import hostile
from tui_app.domain.limits import (
    BLOCKS_PER_PAGE,
    FIELDS,
    FORBIDDEN_CHARS,
    MAX_B2P_BYTES,
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    MAX_FILE_NAME,
    MAX_PAGES,
    MAX_PROLOG_BYTES,
    MAX_VALUE_LEN,
    READ_STALL_SECONDS,
    READ_TOTAL_SECONDS,
    value_problem,
)
from tui_app.exchange import untrusted
from tui_app.exchange.b2p import B2PError, block_name, read_b2p, write_b2p
from tui_app.exchange.csvio import CsvError, read_table

ROOT = Path(__file__).resolve().parents[1]
XSD = ROOT / "tui_app" / "exchange" / "b2p.xsd"
DOC = ROOT / "docs" / "b2p.md"
ROW_FIELDS = ("surname", "name", "patronymic", "short_fio", "grade", "room", "doc_series",
              "doc_number", "expert", "guid", "local_guid", "barcode", "kim", "code", "reserve",
              "variant", "total", "passed", "not_finished")


# -- one contract in three places -------------------------------------------------------

def _annotation() -> str:
    return re.search(r"<xs:documentation xml:lang=\"ru\">(.*?)</xs:documentation>",
                     XSD.read_text(encoding="utf-8"), re.S).group(1)


def test_the_xsd_states_every_field_limit_as_the_code_has_it():
    text = _annotation()
    for attr, lim in FIELDS.items():
        m = re.search(rf"\({attr}\): (\d+)( \(цифры\))?", text)
        assert m, attr
        assert int(m.group(1)) == lim.max_len, attr
        assert bool(m.group(2)) == lim.digits, attr
    xsd = XSD.read_text(encoding="utf-8")
    assert f'maxOccurs="{MAX_PAGES}"' in xsd and f'maxOccurs="{BLOCKS_PER_PAGE}"' in xsd
    assert re.search(rf'name="ValueType">\s*<xs:restriction base="xs:string">\s*'
                     rf'<xs:maxLength value="{MAX_VALUE_LEN}"/>', xsd)
    assert f"не больше {MAX_B2P_BYTES // (1024 * 1024)} МБ" in text
    assert f"страниц не больше {MAX_PAGES}" in text
    assert f"FileName не длиннее {MAX_FILE_NAME}" in text


def _doc_section() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split("## Ограничения входных файлов", 1)[1].split("\n## ", 1)[0]


def test_docs_state_every_limit_as_the_code_has_it():
    section = _doc_section()
    rows = dict(re.findall(r"^\| [^|]+ \(`(\w+)`\) \| (\d+[^|]*?) \|", section, re.M))
    for attr, lim in FIELDS.items():
        assert attr in rows, attr
        assert rows[attr].split()[0] == str(lim.max_len), attr
        assert ("цифры" in rows[attr]) == lim.digits, attr
    for figure in (f"{MAX_B2P_BYTES // (1024 * 1024)} МБ", f"{MAX_CSV_BYTES // (1024 * 1024)} МБ",
                   f"{MAX_PROLOG_BYTES // 1024} КБ", f"{MAX_PAGES:,}".replace(",", " "),
                   f"{MAX_CSV_ROWS:,}".replace(",", " "), f"{BLOCKS_PER_PAGE}",
                   f"{MAX_FILE_NAME} знаков", f"{READ_STALL_SECONDS:.0f} с",
                   f"{READ_TOTAL_SECONDS:.0f} с"):
        assert figure in section, figure


# -- each field: at the limit and one past it -------------------------------------------

def _at(attr: str, n: int) -> str:
    lim = FIELDS[attr]
    if attr in ("guid", "local_guid"):
        g = "8f1e0000-0000-4000-8000-000000000009"
        return "{" + g + "}" if n == 38 else "{" + g + "}9"
    return ("1" if lim.digits else "Я") * n


def _b2p_with(tmp_path: Path, attr: str, value: str) -> Path:
    results = attr in ("expert", "variant", "total", "passed", "not_finished", "room")
    pkg = hostile.results_pkg(attr) if results else hostile.roster_pkg(attr)
    setattr(pkg.rows[0], attr, value)
    tmp_path.mkdir()
    path = tmp_path / f"{pkg.file_name}.b2p"
    path.write_bytes(write_b2p(pkg))
    return path


def _length_problems(path: Path) -> list[str]:
    """The reader's problems about a value's length or form (none when the file reads)."""
    try:
        read_b2p(path)
    except B2PError as e:
        return [p.message for p in e.problems if p.kind in ("too_long", "xsd", "bad_mark")]
    return []


@pytest.mark.parametrize("attr", ROW_FIELDS)
def test_a_b2p_value_at_its_limit_reads_and_one_past_it_is_refused_with_the_block(tmp_path, attr):
    n = FIELDS[attr].max_len
    assert _length_problems(_b2p_with(tmp_path / "at", attr, _at(attr, n))) == []
    past = _length_problems(_b2p_with(tmp_path / "past", attr, _at(attr, n + 1)))
    assert past, attr
    # the block by name; past the XSD's longest value (ФИО эксперта) the schema names its line
    want = block_name(attr, 1) if n < MAX_VALUE_LEN else f"не больше {MAX_VALUE_LEN} знаков"
    assert any(want in m and "строка" in m for m in past), (want, past)


@pytest.mark.parametrize("attr", ["score", "subtotal"])
def test_a_b2p_number_at_its_limit_reads_and_one_past_it_is_refused(tmp_path, attr):
    n = FIELDS[attr].max_len
    for length, refused in ((n, False), (n + 1, True)):
        pkg = hostile.results_pkg(f"{attr}{length}")
        getattr(pkg.rows[0], f"{attr}s")[0] = "1" * length
        path = tmp_path / f"{length}" / f"{pkg.file_name}.b2p"
        path.parent.mkdir()
        path.write_bytes(write_b2p(pkg))
        assert bool(_length_problems(path)) == refused, (attr, length)


@pytest.mark.parametrize("attr", ["surname", "name", "patronymic", "grade", "doc_series",
                                  "doc_number", "code"])
def test_a_csv_value_at_its_limit_reads_and_one_past_it_is_refused_with_the_row(attr):
    n = FIELDS[attr].max_len
    assert value_problem(attr, "Я" * n) is None
    kind, text = value_problem(attr, "Я" * (n + 1))
    assert kind == "too_long" and str(n) in text and FIELDS[attr].label in text


# -- the file: size, prolog, pages, rows, name ------------------------------------------

def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        f.truncate(size)
    return path


@pytest.mark.parametrize("limit", [MAX_B2P_BYTES, MAX_CSV_BYTES])
def test_a_file_of_the_limit_passes_the_size_check_and_one_byte_more_does_not(tmp_path, limit):
    untrusted.check_input(_sparse(tmp_path / "at", limit), limit)
    with pytest.raises(untrusted.InputRefused) as ei:
        untrusted.check_input(_sparse(tmp_path / "past", limit + 1), limit)
    assert ei.value.kind == "too_large" and "слишком большой" in str(ei.value)


def _with_prolog_padding(tag: str, end_at: int) -> bytes:
    """A good roster whose HwPackage start tag ends at byte end_at (a comment before it)."""
    data = write_b2p(hostile.roster_pkg(tag))
    decl, rest = data.split(b"\n", 1)
    tag_end = rest.index(b">", rest.index(b"<HwPackage")) + 1
    pad = end_at - (len(decl) + 1 + tag_end) - len(b"<!--  -->\n")
    assert pad > 0
    return decl + b"\n<!-- " + b"x" * pad + b" -->\n" + rest


def test_the_package_may_start_at_the_end_of_the_prolog_limit_not_after(tmp_path):
    stem = hostile.STEM.format("prolog")
    at = tmp_path / "at" / f"{stem}.b2p"
    past = tmp_path / "past" / f"{stem}.b2p"
    for path, end in ((at, MAX_PROLOG_BYTES), (past, MAX_PROLOG_BYTES + 1)):
        path.parent.mkdir()
        path.write_bytes(_with_prolog_padding("prolog", end))
    assert len(read_b2p(at).rows) == 3
    with pytest.raises(B2PError) as ei:
        read_b2p(past)
    assert ei.value.kind == "structure" and f"{MAX_PROLOG_BYTES // 1024} КБ" in str(ei.value)


def test_pages_at_the_limit_read_and_one_more_is_refused(tmp_path):
    for pages, ok in ((MAX_PAGES, True), (MAX_PAGES + 1, False)):
        path = tmp_path / f"{pages}" / f"{hostile.STEM.format('pages')}.b2p"
        path.parent.mkdir()
        path.write_bytes(hostile._heads_only("pages", pages))
        if ok:
            assert read_b2p(path).count == 0
        else:
            with pytest.raises(B2PError) as ei:
                read_b2p(path)
            assert ei.value.kind == "too_many_pages" and str(MAX_PAGES) in str(ei.value)


def test_csv_rows_at_the_limit_read_and_one_more_is_refused(tmp_path):
    head = ";".join(hostile.ROSTER_HEAD)
    for rows, ok in ((MAX_CSV_ROWS, True), (MAX_CSV_ROWS + 1, False)):
        path = tmp_path / f"{rows}.csv"
        path.write_bytes((head + "\r\n" + "".join(f"Ф{i};И;;9А;;;;\r\n" for i in range(rows)))
                         .encode("utf-8"))  # bytes: text mode on Windows would double the \r
        if ok:
            assert len(read_table(path).rows) == MAX_CSV_ROWS
        else:
            with pytest.raises(CsvError) as ei:
                read_table(path)
            assert ei.value.kind == "too_many_rows" and f"строка {rows + 1}" in str(ei.value)


def test_a_file_name_of_the_limit_reads_and_one_longer_is_refused(tmp_path):
    fixed = len(hostile.STEM.format(""))
    for length, ok in ((MAX_FILE_NAME, True), (MAX_FILE_NAME + 1, False)):
        pkg = hostile.roster_pkg("x")
        pkg.file_name = hostile.STEM.format("9" * (length - fixed))
        assert len(pkg.file_name) == length
        path = tmp_path / f"{length}" / f"{pkg.file_name}.b2p"
        path.parent.mkdir()
        path.write_bytes(write_b2p(pkg))
        if ok:
            assert len(read_b2p(path).rows) == 3
        else:
            with pytest.raises(B2PError) as ei:
                read_b2p(path)
            assert f"длиннее {MAX_FILE_NAME} знаков" in str(ei.value)


# -- characters no value may hold -------------------------------------------------------

def test_every_control_format_separator_and_private_character_is_forbidden():
    """FORBIDDEN_CHARS against the running Python's Unicode database: every Cc, Cf, Zl, Zp
    and Co character; and no letter, digit, punctuation or space a name may hold."""
    missed = []
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Zl", "Zp", "Co"):
            if not FORBIDDEN_CHARS.match(ch):
                missed.append(f"U+{code:04X} {cat}")
        elif cat[0] in "LNPSZM" and FORBIDDEN_CHARS.match(ch) and cat != "Cn":
            missed.append(f"U+{code:04X} {cat} forbidden but ordinary")
    assert missed == []
    for ok in ("Иванов-Петров", "Д'Артаньян", "Лёвушкина Ё.", "O'Neil", "9А", "IV-АБ", "№ 12"):
        assert FORBIDDEN_CHARS.search(ok) is None, ok


@pytest.mark.parametrize("ch,kind", [("\x1b", "control_char"), ("\x85", "control_char"),
                                     ("\u200b", "invisible_char"), ("\u202e", "invisible_char"),
                                     ("\xad", "invisible_char"), ("\ufeff", "invisible_char"),
                                     ("\u2028", "invisible_char"), ("\ue000", "invisible_char")])
def test_a_forbidden_character_is_named_by_its_code(ch, kind):
    got, text = value_problem("surname", "Ива" + ch + "нов")
    assert got == kind
    assert (f"код {ord(ch)}" if kind == "control_char" else f"U+{ord(ch):04X}") in text


def test_a_document_is_one_however_its_spaces_and_dashes_are_typed():
    """The duplicate-document check compares document_key: an Excel cell's no-break space,
    «№», dashes, case and Cyrillic look-alike letters make no other document."""
    from tui_app.domain.names import document_key

    one = document_key("IV-АБ", "123456")
    for series, number in (("IV АБ", "123 456"), ("iv-аб", "№ 123456"), ("IV-AБ", "123\xa0456"),
                           ("ІV—АБ".replace("І", "I"), "123–456")):
        assert document_key(series, number) == one, (series, number)
    assert document_key("IV-АБ", "123457") != one

"""The project's hostile corpus: files made to break an import, one a case, by class.

Every case is a file (written by `build(folder)`) and what the program must do with it: be
refused with a given kind and words of its Russian message, or be accepted with given
counts. Classes: encodings (with and without BOM), DTD/entity variants pointing at files,
pipes, devices, UNC and network addresses, XML structure, the limits of domain/limits.py,
duplicates, case and braces of GUIDs, look-alike letters, FAT/NTFS names, CSV quoting and
NUL bytes, invisible characters and decomposed Unicode, formula cells, special files (a pipe, a folder, a device — POSIX only).

tests/test_exchange_corpus.py imports each into a workspace (the database bytes must not
change where refused); tests/test_exchange_open_audit.py parses each under strace and an
audit hook (no file but the input may be opened). `python -m support.hostile FOLDER` (from
tests/) writes the corpus for a look by hand.
"""
from __future__ import annotations

import gzip
import os
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from support.generate import make_results, make_roster
from tui_app.domain.limits import FIELDS, MAX_CSV_BYTES, MAX_CSV_ROWS, MAX_PAGES, MAX_PROLOG_BYTES
from tui_app.exchange.b2p import B2PPackage, write_b2p

CODES = dict(region="47", msu="005", oo="470123", exam_date="2027-02-10")
STEM = "47002090-06-470123-005({})-20270210"


@dataclass
class Case:
    name: str  # the file name in the corpus folder
    cls: str  # the class of damage (for the coverage check)
    importer: str  # "b2p" | "csv" (roster, with CODES) | "scores" (into a workspace with ROSTER)
    make: Callable[[Path], None]  # writes the file at the given path
    refuse: str = ""  # the ImportRefused kind, or "" when the file is accepted
    words: tuple[str, ...] = ()  # in the message (refused) — or in the summary (accepted)
    accept: dict = field(default_factory=dict)  # summary attribute -> value (accepted)
    posix: bool = False  # a special file: made only where the OS has it

    @property
    def refused(self) -> bool:
        return bool(self.refuse)


CASES: list[Case] = []


def case(name, cls, importer, make, refuse="", words=(), posix=False, **accept) -> None:
    CASES.append(Case(name, cls, importer, make, refuse, tuple(words), accept, posix))


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


# -- B2P bases -------------------------------------------------------------------------

def roster_pkg(tag: str, n: int = 3) -> B2PPackage:
    pkg = make_roster(n, seed=11)
    pkg.file_name = STEM.format(tag)
    return pkg


def results_pkg(tag: str, n: int = 5) -> B2PPackage:
    pkg, _, _ = make_results(n, seed=12)
    pkg.file_name = STEM.format(tag)
    return pkg


def roster_text(tag: str, n: int = 3) -> str:
    return write_b2p(roster_pkg(tag, n)).decode("utf-8")


def b2p(tag: str, cls: str, make_text: Callable[[str], bytes], refuse: str = "", words=(),
        **accept) -> None:
    """A B2P case named after its tag; make_text(tag) gives the bytes."""
    case(f"{STEM.format(tag)}.b2p", cls, "b2p", lambda p, t=tag: p.write_bytes(make_text(t)),
         refuse, words, **accept)


def with_rows(tag: str, change: Callable[[B2PPackage], None], results: bool = False) -> bytes:
    pkg = results_pkg(tag) if results else roster_pkg(tag)
    change(pkg)
    return write_b2p(pkg)


def insert_doctype(text: str, doctype: str, value_ref: str = "") -> str:
    """The DOCTYPE after the XML declaration; optionally an entity reference in a Value."""
    decl, rest = text.split("\n", 1)
    if value_ref:
        rest = rest.replace('Value="Итоговое собеседование по русскому языку"',
                            f'Value="{value_ref}"', 1)
    return f"{decl}\n{doctype}\n{rest}"


# the places a DTD or an entity may point at: files, pipes, devices, UNC and network
FIFO_NAME = "pipe-that-never-answers"
TARGETS = {
    "passwd": "file:///etc/passwd",
    "shadow": "/etc/shadow",
    "fifo": "@FIFO@",  # replaced by the corpus folder's named pipe
    "stdin": "/dev/stdin",
    "zero": "/dev/zero",
    "random": "/dev/random",
    "unc": "//host/share/x.dtd",
    "uncback": "\\\\host\\share\\x.dtd",
    "http": "http://127.0.0.1:9/x.dtd",
    "https": "https://example.invalid/x.dtd",
    "ftp": "ftp://example.invalid/x.dtd",
    "relative": "x.dtd",
}


def _target(folder: Path, key: str) -> str:
    t = TARGETS[key]
    return str(folder / FIFO_NAME) if t == "@FIFO@" else t


def dtd_case(tag: str, cls: str, build: Callable[[str], str], refuse: str, words=()) -> None:
    """A DTD/entity case whose text needs the corpus folder (the pipe's path)."""
    def make(path: Path, t=tag) -> None:
        data = build(str(path.parent))
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data.replace("@TAG@".encode("utf-8"), t.encode("utf-8"))
                         if b"@\x00" not in data else _retag(data, t))
    case(f"{STEM.format(tag)}.b2p", cls, "b2p", make, refuse, words)


# -- encodings -------------------------------------------------------------------------

def _retag(data: bytes, tag: str) -> bytes:
    """@TAG@ replaced in bytes of a UTF-16/32 text (the codec is told by the BOM or shape)."""
    for codec in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
        marker = "@TAG@".encode(codec)
        if marker in data:
            return data.replace(marker, tag.encode(codec))
    return data


def _encodings() -> None:
    forms = {"u16le-bom": ("utf-16-le", b"\xff\xfe"), "u16be-bom": ("utf-16-be", b"\xfe\xff"),
             "u16le": ("utf-16-le", b""), "u16be": ("utf-16-be", b""),
             "u32le-bom": ("utf-32-le", b"\xff\xfe\x00\x00"),
             "u32be-bom": ("utf-32-be", b"\x00\x00\xfe\xff"),
             "u32le": ("utf-32-le", b""), "u32be": ("utf-32-be", b"")}
    for tag, (codec, bom) in forms.items():
        word = "UTF-32" if "32" in codec else "UTF-16"
        b2p(f"enc-{tag}", "encoding", lambda t, c=codec, b=bom: b + roster_text(t).encode(c),
            "encoding", [word])
        # the original hole: a DOCTYPE naming a file, in an encoding the byte search missed
        dtd_case(f"enc-{tag}-dtd", "encoding",
                 lambda folder, c=codec, b=bom: (b + insert_doctype(
                     roster_text("@TAG@"), f'<!DOCTYPE HwPackage SYSTEM "{folder}/{FIFO_NAME}">'
                 ).encode(c)), "encoding", [word])
    b2p("enc-ebcdic", "encoding", lambda t: roster_text(t).encode("cp500", "replace"), "encoding", ["EBCDIC"])
    for enc in ("windows-1251", "koi8-r", "ISO-8859-1", "UTF-16"):
        b2p(f"decl-{enc.lower()}", "encoding",
            lambda t, e=enc: roster_text(t).replace('encoding="utf-8"', f'encoding="{e}"', 1).encode(),
            "encoding", ["строка 1", enc])
    b2p("bytes-cp1251", "encoding", lambda t: roster_text(t).encode("cp1251"), "encoding",
        ["не в кодировке UTF-8"])
    b2p("bytes-koi8", "encoding", lambda t: roster_text(t).encode("koi8-r"), "encoding",
        ["не в кодировке UTF-8"])
    for tag, bad in (("bad-byte", b"\xff"), ("overlong", b"\xc0\xaf"), ("surrogate", b"\xed\xa0\x80")):
        b2p(tag, "encoding", lambda t, x=bad: roster_text(t).encode().replace(
            "Итоговое собеседование".encode(), b"\xd0\x98" + x, 1), "encoding", ["строка 12"])
    b2p("cut-multibyte", "encoding", lambda t: roster_text(t).encode() + b"\xd0", "encoding", ["UTF-8"])
    b2p("utf8-bom", "encoding", lambda t: b"\xef\xbb\xbf" + roster_text(t).encode(), added=3)
    for tag, at in (("nul-start", 0), ("nul-middle", 2000), ("nul-end", -1)):
        def nul(t, at=at):
            d = roster_text(t).encode()
            at = len(d) if at < 0 else at
            return d[:at] + b"\x00" + d[at:]
        b2p(tag, "nul", nul, "nul" if at else "not_xml", ["нулевой байт"] if at else [])


# -- DTD and entities -----------------------------------------------------------------

def _dtds() -> None:
    for key in TARGETS:
        dtd_case(f"dtd-{key}", "dtd", lambda folder, k=key: insert_doctype(
            roster_text("@TAG@"), f'<!DOCTYPE HwPackage SYSTEM "{_target(Path(folder), k)}">'),
            "external_dtd", ["внешний DTD", "ничего не прочитано"])
        dtd_case(f"xxe-{key}", "entity", lambda folder, k=key: insert_doctype(
            roster_text("@TAG@"),
            f'<!DOCTYPE HwPackage [\n  <!ENTITY x SYSTEM "{_target(Path(folder), k)}">\n]>', "&x;"),
            "xxe", ["внешняя сущность", "строка 3"])
    for key in ("passwd", "fifo", "unc", "http"):
        dtd_case(f"public-{key}", "dtd", lambda folder, k=key: insert_doctype(
            roster_text("@TAG@"),
            f'<!DOCTYPE HwPackage PUBLIC "-//x//y" "{_target(Path(folder), k)}">'),
            "external_dtd", ["внешний DTD"])
        dtd_case(f"pentity-{key}", "entity", lambda folder, k=key: insert_doctype(
            roster_text("@TAG@"),
            f'<!DOCTYPE HwPackage [\n  <!ENTITY % p SYSTEM "{_target(Path(folder), k)}">\n  %p;\n]>'),
            "xxe", ["внешняя сущность"])
        dtd_case(f"xxe-unused-{key}", "entity", lambda folder, k=key: insert_doctype(
            roster_text("@TAG@"),
            f'<!DOCTYPE HwPackage [\n  <!ENTITY x SYSTEM "{_target(Path(folder), k)}">\n]>'),
            "xxe", ["внешняя сущность"])
    lol = "\n".join(['  <!ENTITY lol0 "lol">'] + [
        f'  <!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10)])
    b2p("bomb", "entity", lambda t: insert_doctype(roster_text(t), f"<!DOCTYPE HwPackage [\n{lol}\n]>",
                                                   "&lol9;").encode(), "entity", ["ENTITY", "строка 3"])
    big = "x" * 50000
    b2p("quadratic", "entity", lambda t: insert_doctype(
        roster_text(t), f'<!DOCTYPE HwPackage [<!ENTITY a "{big}">]>', "&a;" * 100).encode(),
        "entity", ["ENTITY"])
    b2p("internal-entity", "entity", lambda t: insert_doctype(
        roster_text(t), '<!DOCTYPE HwPackage [<!ENTITY s "Итоговое">]>').encode(), "entity")
    b2p("doctype-bare", "dtd", lambda t: insert_doctype(roster_text(t), "<!DOCTYPE HwPackage>").encode(),
        "doctype", ["DOCTYPE запрещено"])
    b2p("doctype-empty", "dtd", lambda t: insert_doctype(
        roster_text(t), "<!DOCTYPE HwPackage []>").encode(), "doctype", ["DOCTYPE"])
    b2p("doctype-after-comment", "dtd", lambda t: insert_doctype(
        roster_text(t), "<!-- a comment -->\n<!DOCTYPE HwPackage>").encode(), "doctype")
    dtd_case("attr-xxe", "entity", lambda folder: insert_doctype(
        roster_text("@TAG@"), f'<!DOCTYPE HwPackage [<!ENTITY x SYSTEM "{folder}/{FIFO_NAME}">]>'
    ).replace('Owner="Federal Test Center"', 'Owner="&x;"'), "xxe")
    # look like declarations to a byte search, are none to the parser: accepted
    b2p("doctype-in-comment", "dtd", lambda t: roster_text(t).replace(
        "<HwPackage", '<!-- <!DOCTYPE HwPackage SYSTEM "/etc/passwd"> <!ENTITY x SYSTEM "/dev/zero"> -->\n'
        "<HwPackage", 1).encode(), added=3)
    dtd_case("stylesheet-pi", "dtd", lambda folder: roster_text("@TAG@").replace(
        "<HwPackage", f'<?xml-stylesheet href="{folder}/{FIFO_NAME}"?>\n<HwPackage', 1), "", ())
    CASES[-1].accept = {"added": 3}
    dtd_case("xinclude", "dtd", lambda folder: roster_text("@TAG@").replace(
        '<Block BlockName="Код_1" Value=""/>',
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{folder}/{FIFO_NAME}"/>', 1),
        "xsd", ["схема B2P"])
    dtd_case("schema-location", "dtd", lambda folder: roster_text("@TAG@").replace(
        "<HwPackage ", f'<HwPackage xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:noNamespaceSchemaLocation="{folder}/{FIFO_NAME}" ', 1), "", ())
    CASES[-1].accept = {"added": 3}  # libxml2 never follows the hint (the audit proves it)


# -- XML structure ---------------------------------------------------------------------

def _structure() -> None:
    for tag, frac in (("cut-10", 0.1), ("cut-50", 0.5), ("cut-90", 0.9), ("cut-2", -1)):
        b2p(tag, "structure", lambda t, f=frac: (lambda d: d[:-2] if f < 0 else d[:int(len(d) * f)])(
            roster_text(t).encode()), "truncated", ["обрезан"])
    junk = {"random": bytes(range(256)) * 16,
            "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "pdf": b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n",
            "zip": b"PK\x03\x04" + b"\x14" * 60}
    for tag, data in junk.items():
        b2p(f"junk-{tag}", "structure", _const(data), "not_xml")
    b2p("gzip", "structure", lambda t: gzip.compress(roster_text(t).encode()), "not_xml", ["не файл B2P"])
    b2p("spaces", "structure", _const(b" \n\t " * 100), "not_xml")
    case(f"{STEM.format('empty')}.b2p", "structure", "b2p", _bytes(b""), "empty", ["пустой"])
    edits = {
        "root-other": (("<HwPackage ", "<Package "), ("</HwPackage>", "</Package>"), "structure"),
        "two-roots": (("</HwPackage>\n", "</HwPackage>\n<HwPackage/>\n"), None, "syntax"),
        "no-header": (("<Header ", "<Headr "), ("</Header>", "</Headr>"), "structure"),
        "no-pages": (("<Pages>", "<Pagez>"), ("</Pages>", "</Pagez>"), "structure"),
        "block-child": (('<Block BlockName="Код_1" Value=""/>',
                         '<Block BlockName="Код_1" Value=""><x/></Block>'), None, "xsd"),
        "block-novalue": (('<Block BlockName="Код_1" Value=""/>', '<Block BlockName="Код_1"/>'),
                          None, "xsd"),
        "block-extra-attr": (('<Block BlockName="Код_1" Value=""/>',
                              '<Block BlockName="Код_1" Value="" Extra="1"/>'), None, "xsd"),
        "text-in-page": (('<Block BlockName="Код_1" Value=""/>',
                          '<Block BlockName="Код_1" Value=""/>текст'), None, "xsd"),
        "dup-block": (('<Block BlockName="Код_1" Value=""/>', '<Block BlockName="Регион" Value="47"/>'),
                      None, "duplicate_block"),
        "latin-c": (('BlockName="С_0101"', 'BlockName="C_0101"'), None, "xsd"),
        "owner": (('Owner="Federal Test Center"', 'Owner="Somebody"'), None, "owner"),
        "version": (('Version="12.0.0.4"', 'Version="11.9.0.0"'), None, "version"),
        "condition": (('Condition="10"', 'Condition="77"'), None, "condition"),
        "crc": (('Value="Итоговое собеседование по русскому языку"',
                 'Value="Итоговое собеседование по русскому языку!"'), None, "crc"),
        "crc-hex": (('CRC="', 'CRC="zz'), None, "xsd"),
        "page-number": (('PageNumber="1"', 'PageNumber="7"'), None, "page"),
        "region": (('<Block BlockName="Регион" Value="47"/>', '<Block BlockName="Регион" Value="78"/>'),
                   None, "codes"),
        "date": (('<Block BlockName="Дата" Value="10-02-27"/>', '<Block BlockName="Дата" Value="11-02-27"/>'),
                 None, "date"),
        "junk-between": (("</Page>\n", "</Page>\n<Junk/>\n"), None, "xsd"),
        "page-outside": (("<Pages>\n", "<Page PageTemplate=\"1\" PageNumber=\"1\"/>\n<Pages>\n"), None,
                         "structure"),
    }
    for tag, (a, b, kind) in edits.items():
        def text(t, a=a, b=b):
            s = roster_text(t).replace(*a, 1)
            return (s.replace(*b, 1) if b else s).encode()
        b2p(tag, "structure", text, kind)
    b2p("crc-wrong", "structure", lambda t: _crc_wrong(t), "crc", ["контрольная сумма CRC"])
    b2p("deep", "structure", lambda t: roster_text(t).replace(
        '<Block BlockName="Код_1" Value=""/>', "<a>" * 5000 + "</a>" * 5000, 1).encode(), "syntax")
    b2p("huge-value", "structure", lambda t: roster_text(t).replace(
        'Value="Итоговое собеседование по русскому языку"', 'Value="' + "я" * 300000 + '"', 1).encode(),
        "xsd", ["длиннее допустимого"])
    b2p("many-attrs", "structure", lambda t: roster_text(t).replace(
        '<Block BlockName="Код_1" Value=""/>',
        '<Block BlockName="Код_1" Value="" ' + " ".join(f'a{i}="1"' for i in range(3000)) + "/>", 1
    ).encode(), "xsd")
    b2p("prolog-64k", "structure", lambda t: roster_text(t).replace(
        "<HwPackage", "<!--" + " " * MAX_PROLOG_BYTES + "-->\n<HwPackage", 1).encode(), "structure",
        ["HwPackage"])
    b2p("pages-2001", "limits", lambda t: _heads_only(t, MAX_PAGES + 1), "too_many_pages",
        [str(MAX_PAGES)])
    b2p("blocks-710", "limits", lambda t: roster_text(t).replace(
        "</Page>", '<Block BlockName="Фамилия01" Value=""/>\n</Page>', 1).encode(), "xsd")
    case("результаты школы 7.b2p", "filename", "b2p", lambda p: p.write_bytes(
        write_b2p(roster_pkg("ok"))), "filename", ["не по правилу"])
    case(f"{STEM.format('renamed')}.b2p", "filename", "b2p",
         lambda p: p.write_bytes(write_b2p(roster_pkg("other"))), "filename", ["не совпадает"])
    case(f"{STEM.format('ext')}.txt", "filename", "b2p",
         lambda p: p.write_bytes(write_b2p(roster_pkg("ext"))), "filename", ["расширение"])
    for tag, bad in (("colon", "9:А"), ("qmark", "9?"), ("backslash", "9\\А"), ("pipe", "9|А"),
                     ("star", "9*"), ("quote", '9"А')):
        def fat(t, bad=bad):
            pkg = roster_pkg(t)
            pkg.file_name = f"47002090-06-470123-005({bad})-20270210"
            return write_b2p(pkg)
        b2p(f"fat-{tag}", "filename", fat, "filename_fat" if tag != "quote" else "filename_fat",
            ["запрещены в именах файлов"])
    b2p("fat-long", "filename", lambda t: _long_name(t), "filename_fat", ["длиннее"])


def _const(data: bytes) -> Callable[[str], bytes]:
    return lambda t: data


def _crc_wrong(tag: str) -> bytes:
    pkg = roster_pkg(tag)
    text = write_b2p(pkg).decode()
    return text.replace(f'Value="{pkg.rows[1].surname}"', f'Value="{pkg.rows[1].surname}а"', 1).encode()


def _extra_blocks(n: int) -> str:
    return "".join(f'<Block BlockName="Фамилия{nn:02d}" Value=""/>\n' for nn in range(1, n + 1))


def _heads_only(tag: str, pages: int) -> bytes:
    """A file of `pages` pages that hold only the page blocks (no participant): the smallest
    file with that many pages."""
    from tui_app.exchange.b2p import PAGE_BLOCKS, crc_of, page_date
    pkg = roster_pkg(tag, 0)
    fixed = [pkg.region, pkg.oo, "20", pkg.msu, "Итоговое собеседование по русскому языку",
             page_date(pkg.exam_date)]
    values, out = [], []
    for pno in range(1, pages + 1):
        vals = [*fixed, str(pno), "", ""]
        values += vals
        out.append(f'<Page PageTemplate="1" PageNumber="{pno}">\n' + "".join(
            f'<Block BlockName="{n}" Value="{v}"/>\n' for n, v in zip(PAGE_BLOCKS, vals)) + "</Page>\n")
    head = write_b2p(pkg).decode().split("  <Pages>\n", 1)[0]
    crc = crc_of(pkg.condition, pkg.version, values)
    head = head.replace(f'CRC="{pkg.crc}"', f'CRC="{crc}"')
    return (head + "  <Pages>\n" + "".join(out) + "  </Pages>\n</HwPackage>\n").encode()


def _long_name(tag: str) -> bytes:
    pkg = roster_pkg(tag)
    pkg.file_name = "47002090-06-470123-005(" + "9" * 120 + ")-20270210"
    return write_b2p(pkg)


# -- rows: duplicates, GUIDs, limits, look-alikes ---------------------------------------

def _set(attr: str, value: str, row: int = 0):
    def change(pkg: B2PPackage) -> None:
        setattr(pkg.rows[row], attr, value)
    return change


def _rows() -> None:
    def dup(attr, transform=lambda v: v):
        def change(pkg):
            setattr(pkg.rows[2], attr, transform(getattr(pkg.rows[0], attr)))
        return change

    for tag, change, kind in (
            ("dup-guid", dup("guid"), "duplicate_guid"),
            ("dup-guid-case", dup("guid", str.upper), "duplicate_guid"),
            ("dup-guid-braces", dup("guid", lambda g: "{" + g.upper() + "}"), "duplicate_guid"),
            ("dup-local", dup("local_guid"), "duplicate_local_guid"),
            ("dup-code", dup("code"), "duplicate_code")):
        b2p(tag, "duplicates", lambda t, c=change: with_rows(t, c), kind, ["повторяется"])

    def same_doc(lookalike):
        def change(pkg):
            a, b = pkg.rows[0], pkg.rows[2]
            b.doc_series, b.doc_number = a.doc_series, a.doc_number
            if lookalike:  # the same child typed again with a Latin «а»: still refused
                b.surname, b.name = a.surname.replace("а", "a", 1), a.name
        return change
    b2p("dup-document", "duplicates", lambda t: with_rows(t, same_doc(False)), "duplicate_document",
        ["документ", "повторяется"])
    b2p("dup-document-lookalike", "lookalike", lambda t: with_rows(t, same_doc(True)),
        "duplicate_document", ["документ"])

    def series_twin(pkg):
        a, b = pkg.rows[0], pkg.rows[2]
        a.doc_series, b.doc_series = "IV-АБ", "IV-AБ"  # Cyrillic А / Latin A
        b.doc_number = a.doc_number
    b2p("dup-document-series", "lookalike", lambda t: with_rows(t, series_twin), "duplicate_document")

    def upper_braces(pkg):
        for r in pkg.rows:
            r.guid = "{" + r.guid.upper() + "}"
    b2p("guid-upper", "case", lambda t: with_rows(t, upper_braces), added=3)
    b2p("guid-not", "case", lambda t: with_rows(t, _set("guid", "12345")), "not_guid", ["не GUID"])
    b2p("guid-none", "case", lambda t: with_rows(t, _set("guid", "")), "no_guid")
    b2p("local-not", "case", lambda t: with_rows(t, _set("local_guid", "L-1")), "not_guid")
    b2p("no-surname", "limits", lambda t: with_rows(t, _set("surname", "")), "no_name")
    b2p("lookalike-name", "lookalike", lambda t: with_rows(t, lambda p: setattr(
        p.rows[1], "surname", p.rows[1].surname.replace("о", "o").replace("а", "a"))),
        added=3, words=["латинские буквы", "вероятно"])
    for attr in ("surname", "name", "patronymic", "grade", "doc_series", "doc_number", "kim",
                 "code", "expert", "reserve", "short_fio"):
        lim = FIELDS[attr].max_len
        b2p(f"long-{attr}", "limits", lambda t, a=attr, n=lim: with_rows(
            t, _set(a, "Я" * (n + 1)), results=a == "expert"), "too_long" if attr != "expert"
            else "xsd", [str(lim)])
    b2p("long-room", "limits", lambda t: with_rows(t, _set("room", "1" * 11), True), "too_long")
    b2p("control-in-name", "limits", lambda t: roster_text(t).replace(
        f'Value="{roster_pkg(t).rows[0].surname}"', 'Value="Ива&#9;нов"', 1).encode(), "control_char",
        ["управляющий символ"])
    for tag, ch in (("zwsp-in-name", "\u200b"), ("bidi-in-name", "\u202e"), ("bom-in-name", "\ufeff")):
        b2p(tag, "invisible", lambda t, c=ch: with_rows(t, lambda p: setattr(
            p.rows[1], "surname", p.rows[1].surname[:2] + c + p.rows[1].surname[2:])),
            "invisible_char", [f"U+{ord(ch):04X}", "невидимый символ", "строка"])
    b2p("nfd-name", "invisible", lambda t: with_rows(t, _set("surname", unicodedata.normalize(
        "NFD", "Семёнов-Соловьёв"))), added=3, composed=1, words=["разложенной"])
    b2p("room-fullwidth", "lookalike", lambda t: with_rows(t, _set("room", "１０１"), True),
        "compat_char", ["выглядит как «101»"])
    b2p("series-roman", "lookalike", lambda t: with_rows(t, _set("doc_series", "Ⅳ-АБ")), "compat_char",
        ["«IV-АБ»"])
    b2p("barcode-letters", "limits", lambda t: with_rows(t, _set("barcode", "20A")), "not_digits")
    b2p("score-3digits", "limits", lambda t: with_rows(t, _set_score("100"), True), "too_long")
    b2p("score-100digits", "limits", lambda t: with_rows(t, _set_score("9" * 100), True), "too_long")
    b2p("score-letter", "limits", lambda t: with_rows(t, _set_score("З"), True), "not_number",
        ["вместо цифры «3»"])
    b2p("score-negative", "limits", lambda t: with_rows(t, _set_score("-1"), True), "negative")
    b2p("variant-4digits", "limits", lambda t: with_rows(t, _set("variant", "1234"), True), "too_long")
    b2p("total-4digits", "limits", lambda t: with_rows(t, _set("total", "1234"), True), "too_long")
    b2p("passed-2", "limits", lambda t: with_rows(t, _set("passed", "2"), True), "bad_mark")
    b2p("notfinished-3", "limits", lambda t: with_rows(t, _set("not_finished", "3"), True), "bad_mark")
    b2p("roster-filled", "structure", lambda t: with_rows(t, _set("variant", "3")), "roster_filled")
    b2p("total-wrong", "results", lambda t: with_rows(t, _set("total", "1"), True), "invalid_results",
        ["итоговый балл"])
    for tag, room in (("room-colon", "1:0"), ("room-con", "CON"), ("room-dot", "101."),
                      ("room-slash", "1/2")):
        b2p(tag, "filename", lambda t, r=room: with_rows(t, _set("room", r), True), "room_name",
            ["номер аудитории"])
    b2p("results-ok", "results", lambda t: with_rows(t, lambda p: None, True), added=5)
    b2p("roster-ok", "results", lambda t: with_rows(t, lambda p: None), added=3)
    b2p("pages-2000", "limits", lambda t: _heads_only(t, MAX_PAGES), added=0)
    b2p("formula-names", "formula", lambda t: with_rows(t, lambda p: [
        setattr(p.rows[i], "surname", s) for i, s in enumerate(("=HYPERLINK(\"x\")", "+cmd|' /C calc'!A0",
                                                                 "@SUM(1+1)"))]), added=3)


def _set_score(value: str):
    def change(pkg):
        row = next(r for r in pkg.rows if r.scores[0])
        row.scores[0] = value
    return change


# -- CSV rosters and scores --------------------------------------------------------------

ROSTER_HEAD = ["Фамилия", "Имя", "Отчество", "Класс", "Серия", "Номер", "Код_в_базе", "Код_участника"]
ROSTER_ROWS = [
    ["Иванов", "Иван", "Иванович", "9А", "4010", "123456", "8f1e0000-0000-4000-8000-000000000001", "100001"],
    ["Пономарёва", "Алёна", "Фёдоровна", "9Б", "4011", "654321", "8f1e0000-0000-4000-8000-000000000002", "100002"],
    ["Ли", "Ан", "", "9А", "4012", "111111", "8f1e0000-0000-4000-8000-000000000003", "100003"],
]


def _csv_text(rows=None, head=None, sep=";") -> str:
    rows = ROSTER_ROWS if rows is None else rows
    return "\r\n".join(sep.join(r) for r in [head or ROSTER_HEAD, *rows]) + "\r\n"


def csv(tag: str, cls: str, make: Callable[[], bytes], refuse: str = "", words=(),
        importer: str = "csv", **accept) -> None:
    case(f"{importer}-{tag}.csv", cls, importer, lambda p, m=make: p.write_bytes(m()), refuse,
         words, **accept)


def _with(row: int, col: int, value: str) -> list[list[str]]:
    rows = [list(r) for r in ROSTER_ROWS]
    rows[row][col] = value
    return rows


def _csvs() -> None:
    text = _csv_text()
    csv("utf8", "encoding", lambda: text.encode(), added=3)
    csv("utf8-bom", "encoding", lambda: b"\xef\xbb\xbf" + text.encode(), added=3)
    csv("cp1251", "encoding", lambda: text.encode("cp1251"), added=3)
    csv("comma", "csv", lambda: _csv_text(sep=",").encode(), added=3)
    csv("tab", "csv", lambda: _csv_text(sep="\t").encode(), added=3)
    for tag, codec, bom in (("u16le-bom", "utf-16-le", b"\xff\xfe"), ("u16be-bom", "utf-16-be", b"\xfe\xff"),
                            ("u16le", "utf-16-le", b""), ("u16be", "utf-16-be", b""),
                            ("u32le-bom", "utf-32-le", b"\xff\xfe\x00\x00"),
                            ("u32be-bom", "utf-32-be", b"\x00\x00\xfe\xff"),
                            ("u32le", "utf-32-le", b""), ("u32be", "utf-32-be", b"")):
        csv(tag, "encoding", lambda c=codec, b=bom: b + text.encode(c), "encoding",
            ["UTF-32" if "32" in codec else "UTF-16"])
    csv("mixed", "encoding", lambda: (_csv_text(ROSTER_ROWS[:2]).encode()
                                      + ";".join(ROSTER_ROWS[2]).replace("Ли", "Лиев").encode("cp1251")
                                      + b"\r\n"), "encoding", ["строка 4", "смешаны"])
    csv("bom-then-1251", "encoding", lambda: b"\xef\xbb\xbf" + _csv_text(ROSTER_ROWS[:1]).encode()
        + "Петров;Пётр;;9В;;;;\r\n".encode("cp1251"), "encoding", ["строка 3"])
    csv("byte-98", "encoding", lambda: text.encode("cp1251").replace("Ли".encode("cp1251"), b"\x98", 1),
        "encoding", ["строка 4"])
    for tag, at in (("nul-start", 0), ("nul-5k", 5000), ("nul-end", -1)):
        def nul(at=at):
            d = _csv_text(ROSTER_ROWS * 40 if at > 0 else None).encode()
            at2 = len(d) if at < 0 else min(at, len(d) - 1)
            return d[:at2] + b"\x00" + d[at2:]
        csv(tag, "nul", nul, "nul", ["нулевой байт"])
    csv("quote-open-last", "csv", lambda: _csv_text(_with(0, 7, '"100001') + [
        [f"Фам{i}", "Имя", "", "9А", "", "", "", ""] for i in range(30)]).encode(), "quote",
        ["строка 2", "кавычка"])
    csv("quote-open-middle", "csv", lambda: _csv_text(_with(1, 0, '"Пономарёва')).encode(), "quote")
    csv("quote-text-after", "csv", lambda: _csv_text(_with(0, 0, '"Иванов"ич')).encode(), "quote")
    csv("quote-newline", "csv", lambda: _csv_text(_with(0, 0, '"Ива\r\nнов"')).encode(), "quote",
        ["несколько строк"])
    csv("quote-inside", "csv", lambda: _csv_text(_with(0, 0, 'Ив"анов')).encode(), added=3)
    csv("no-separator", "csv", lambda: "Фамилия\r\nИванов\r\n".encode(), "not_csv")
    csv("dup-columns", "csv", lambda: _csv_text(head=ROSTER_HEAD[:-1] + ["Фамилия"]).encode(), "header")
    csv("no-class", "csv", lambda: _csv_text([r[:3] for r in ROSTER_ROWS], ROSTER_HEAD[:3]).encode(),
        "header", ["Класс"])
    csv("too-many-values", "csv", lambda: _csv_text(_with(0, 7, "100001;лишнее")).encode(), "columns")
    csv("header-only", "csv", lambda: ";".join(ROSTER_HEAD).encode() + b"\r\n", added=0)
    case("csv-empty.csv", "csv", "csv", _bytes(b""), "empty", ["пустой"])
    guid0 = ROSTER_ROWS[0][6]
    for tag, rows, words in (
            ("dup-guid", _with(2, 6, guid0), ["строке 2"]),
            ("dup-guid-case", _with(2, 6, guid0.upper()), ["строке 2"]),
            ("dup-guid-braces", _with(2, 6, "{" + guid0 + "}"), ["строке 2"]),
            ("dup-code", _with(2, 7, "100001"), ["Код_участника"]),
            ("dup-document", [*ROSTER_ROWS[:2], [*ROSTER_ROWS[2][:4], "4010", "123456", *ROSTER_ROWS[2][6:]]],
             ["документ"]),
            ("dup-person", [*ROSTER_ROWS, ["Иванов", "Иван", "Иванович", "9А", "4010", "123456", "", ""]],
             ["повторяет строку 2"])):
        csv(tag, "duplicates", lambda r=rows: _csv_text(r).encode(), "invalid_rows", words)
    csv("dup-lookalike", "lookalike", lambda: _csv_text(
        [*ROSTER_ROWS, ["Ивaнов", "Иван", "Иванович", "9А", "4010", "123456", "", ""]]).encode(),
        "invalid_rows", ["документ"])
    csv("lookalike", "lookalike", lambda: _csv_text(_with(1, 0, "Пoномарёва")).encode(), added=3,
        words=["латинские буквы «o»", "вероятно, «Пономарёва»"])
    csv("class-latin", "lookalike", lambda: _csv_text(_with(0, 3, "9A")).encode(), added=3,
        words=["класс «9A» — латинские буквы «A» вместо русских", "вероятно, «9А»"])
    csv("guid-upper", "case", lambda: _csv_text([[*r[:6], "{" + r[6].upper() + "}", r[7]]
                                                 for r in ROSTER_ROWS]).encode(), added=3)
    csv("guid-bad", "case", lambda: _csv_text(_with(0, 6, "xyz")).encode(), "invalid_rows", ["не GUID"])
    for attr, col in (("surname", 0), ("name", 1), ("patronymic", 2), ("grade", 3), ("doc_series", 4),
                      ("doc_number", 5), ("code", 7)):
        n = FIELDS[attr].max_len
        csv(f"long-{attr}", "limits", lambda c=col, n=n: _csv_text(_with(0, c, "Я" * (n + 1))).encode(),
            "invalid_rows", [str(n)])
    for tag, ch in (("zwsp", "\u200b"), ("bidi", "\u202e"), ("soft-hyphen", "\xad"),
                    ("line-separator", "\u2028"), ("private-use", "\ue000")):
        csv(tag, "invisible", lambda c=ch: _csv_text(_with(1, 0, "Поно" + c + "марёва")).encode(),
            "invalid_rows", ["строка 3", f"U+{ord(ch):04X}", "невидимый символ"])
    # two UTF-8 files with a BOM each, joined: the second BOM starts a row
    csv("bom-joined", "invisible", lambda: b"\xef\xbb\xbf" + _csv_text(ROSTER_ROWS[:1]).encode()
        + b"\xef\xbb\xbf" + ";".join(ROSTER_ROWS[1]).encode() + b"\r\n", "invalid_rows",
        ["строка 3", "U+FEFF"])
    csv("nfd", "invisible", lambda: unicodedata.normalize("NFD", _csv_text()).encode(), added=3,
        composed=3, words=["разложенной", "буквы те же"])
    csv("doc-fullwidth", "lookalike", lambda: _csv_text(_with(0, 5, "１２３４５６")).encode(),
        "invalid_rows", ["строка 2", "выглядит как «123456»"])
    csv("doc-nbsp", "lookalike", lambda: _csv_text(_with(0, 5, "123\xa0456")).encode(), added=3)
    # Excel's «sep=;» first line names the delimiter; the lines keep their numbers
    csv("sep-hint", "csv", lambda: b"sep=;\r\n" + _csv_text().encode(), added=3)
    csv("sep-hint-quote", "csv", lambda: b"sep=;\r\n" + _csv_text(_with(2, 0, '"Ли')).encode(),
        "quote", ["строка 5"])
    # a workbook where a CSV is wanted: by its name, and renamed to .csv (by its bytes)
    zip_head = b"PK\x03\x04\x14\x00\x06\x00" + bytes(200)
    for name, data, words in (("roster.xlsx", zip_head, ["Excel (.xlsx)", "CSV UTF-8"]),
                              ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
                               ["Excel 97–2003 (.xls)"]),
                              ("roster.ods", zip_head, ["LibreOffice (.ods)"]),
                              ("csv-workbook-renamed.csv", zip_head, ["архив .xlsx/.ods", "CSV UTF-8"])):
        case(name, "spreadsheet", "csv", _bytes(data), "spreadsheet", words)
    # birth dates as Excel writes them
    head_bd = ROSTER_HEAD + ["Дата рождения"]
    csv("date-impossible", "csv", lambda: _csv_text([[*ROSTER_ROWS[0], "31.02.2011"]], head_bd).encode(),
        "invalid_rows", ["строка 2", "такой даты нет"])
    csv("date-excel-number", "csv", lambda: _csv_text([[*ROSTER_ROWS[0], "40667"]], head_bd).encode(),
        "invalid_rows", ["число, а не дата", "формат «Дата»"])
    csv("date-with-midnight", "csv", lambda: _csv_text([[*ROSTER_ROWS[0], "04.05.2011 0:00:00"]],
                                                       head_bd).encode(), added=1)
    csv("formula-names", "formula", lambda: _csv_text([
        ["=HYPERLINK(\"http://x\")", "Иван", "", "9А", "", "", "", ""],
        ["+cmd|' /C calc'!A0", "Пётр", "", "9А", "", "", "", ""],
        ["@SUM(1+1)", "Анна", "", "9А", "", "", "", ""],
        ["-2+3", "Олег", "", "9А", "", "", "", ""]]).encode(), added=4)
    csv("rows-40001", "limits", lambda: _csv_text([[f"Ф{i}", "И", "", "9А", "", "", "", ""]
                                                   for i in range(MAX_CSV_ROWS + 1)]).encode(),
        "too_many_rows", [str(MAX_CSV_ROWS)])
    case("csv-too-large.csv", "limits", "csv",
         lambda p: (p.write_bytes(_csv_text().encode()), os.truncate(p, MAX_CSV_BYTES + 1)),
         "too_large", ["слишком большой"])
    # scores into a workspace holding ROSTER_ROWS
    crit = ["Ч1", "Ч2", "Ч3", "П1", "П2", "П3", "М1", "М2", "Д1", "Р1", "Р2", "Р3", "Р4"]
    head = ["Код_в_базе", "Аудитория", "Вариант", *crit, "Эксперт", "Статус"]
    full = ["1", "1", "1", "2", "1", "1", "2", "1", "3", "2", "2", "2", "1"]

    def scores(*rows) -> bytes:
        return _csv_text([list(r) for r in rows], head).encode()

    def row(score0="1", room="101", variant="3", expert="Петрова Е. А.", guid=guid0):
        return [guid, room, variant, score0, *full[1:], expert, "явился"]

    csv("ok", "results", lambda: scores(row()), importer="scores", protocols_added=1)
    csv("number-5000", "limits", lambda: scores(row("9" * 5000)), "invalid_rows", ["длиннее 2"],
        importer="scores")
    csv("number-3", "limits", lambda: scores(row("100")), "invalid_rows", importer="scores")
    csv("negative", "limits", lambda: scores(row("-1")), "invalid_rows", ["отрицательный"],
        importer="scores")
    csv("letter", "limits", lambda: scores(row("З")), "invalid_rows", ["буква"], importer="scores")
    csv("variant-long", "limits", lambda: scores(row(variant="1234")), "invalid_rows",
        importer="scores")
    csv("expert-long", "limits", lambda: scores(row(expert="Я" * 101)), "invalid_rows",
        importer="scores")
    csv("room-colon", "filename", lambda: scores(row(room="1:0")), "invalid_rows",
        ["запрещены в именах файлов"], importer="scores")
    csv("room-long", "limits", lambda: scores(row(room="1" * 11)), "invalid_rows", importer="scores")
    both = ["Код_в_базе", "Код_участника", *head[1:]]  # a row naming a child twice
    csv("guid-code-disagree", "duplicates", lambda: _csv_text(
        [[guid0, ROSTER_ROWS[1][7], *row()[1:]]], both).encode(), "invalid_rows",
        ["не на одного участника", "Пономарёва"], importer="scores")
    csv("guid-code-agree", "results", lambda: _csv_text(
        [[guid0, ROSTER_ROWS[0][7], *row()[1:]]], both).encode(), importer="scores",
        protocols_added=1)
    csv("absent-latin-h", "lookalike", lambda: _csv_text([[guid0, "H", "", *[""] * 13, "", ""]], head).encode(),
        "invalid_rows", ["латинская буква H", "русской буквой «Н»"], importer="scores")
    csv("absent-cyrillic-n", "results", lambda: _csv_text([[guid0, "н", "", *[""] * 13, "", ""]], head).encode(),
        importer="scores", protocols_added=0, absent_marked=1)
    csv("room-fullwidth", "lookalike", lambda: scores(row(room="１０１")), "invalid_rows",
        ["выглядит как «101»"], importer="scores")
    csv("unknown", "results", lambda: scores(row(guid="8f1e0000-0000-4000-8000-0000000000ff")),
        "invalid_rows", ["не найден"], importer="scores")
    csv("guid-upper", "case", lambda: scores(row(guid="{" + guid0.upper() + "}")), importer="scores",
        protocols_added=1)
    csv("dup-participant", "duplicates", lambda: scores(row(), row(guid=guid0.upper())),
        "invalid_rows", ["повторяется"], importer="scores")
    csv("formula-expert", "formula", lambda: scores(row(expert="=1+1")), importer="scores",
        protocols_added=1)
    csv("u16", "encoding", lambda: b"\xff\xfe" + _csv_text(None, head).encode("utf-16-le"), "encoding",
        importer="scores")
    csv("nul", "nul", lambda: scores(row()) + b"\x00", "nul", importer="scores")
    csv("quote", "csv", lambda: scores(row(expert='"Петрова')), "quote", importer="scores")


# -- special files ------------------------------------------------------------------------

def _specials() -> None:
    def fifo(path: Path) -> None:
        os.mkfifo(path)

    def folder(path: Path) -> None:
        path.mkdir()

    def device(path: Path) -> None:
        path.symlink_to("/dev/zero")

    def stdin(path: Path) -> None:
        path.symlink_to("/dev/stdin")

    def passwd(path: Path) -> None:
        path.symlink_to("/etc/passwd")

    for name, make, kind, importer in (
            (f"{STEM.format('fifo')}.b2p", fifo, "not_regular", "b2p"),
            (f"{STEM.format('folder')}.b2p", folder, "not_regular", "b2p"),
            (f"{STEM.format('dev-zero')}.b2p", device, "not_regular", "b2p"),
            (f"{STEM.format('dev-stdin')}.b2p", stdin, "not_regular", "b2p"),
            (f"{STEM.format('to-passwd')}.b2p", passwd, "not_xml", "b2p"),
            ("csv-fifo.csv", fifo, "not_regular", "csv"),
            ("csv-dev-zero.csv", device, "not_regular", "csv"),
            ("scores-fifo.csv", fifo, "not_regular", "scores")):
        case(name, "special", importer, make, kind, posix=True)


_encodings()
_dtds()
_structure()
_rows()
_csvs()
_specials()

CLASSES = sorted({c.cls for c in CASES})


def build(folder: Path, cases: Optional[list[Case]] = None) -> Path:
    """Write the corpus (and the named pipe the DTD cases point at) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    if hasattr(os, "mkfifo") and not (folder / FIFO_NAME).exists():
        os.mkfifo(folder / FIFO_NAME)
    for c in cases or CASES:
        if c.posix and not hasattr(os, "mkfifo"):
            continue
        path = folder / c.name
        if not path.exists() and not path.is_symlink():
            c.make(path)
    return folder


def by_name(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


if __name__ == "__main__":  # python -m support.hostile FOLDER (from tests/)
    out = build(Path(sys.argv[1]))
    print(f"{len(CASES)} files in {out}")

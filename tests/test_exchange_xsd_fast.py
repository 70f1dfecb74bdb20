"""The reader's fast test of a page (`b2p_read.page_surely_valid`) against the XSD it stands in
for: it may say «not sure» where the schema accepts (the schema then decides, with its own
messages), but never «valid» where the schema refuses. And it does say «valid» for the pages
of every file we write, so the schema is not run per page on them."""
from __future__ import annotations

import copy

from hypothesis import given, settings, strategies as st
from lxml import etree

from support.generate import make_results, make_roster
from tui_app.domain.limits import BLOCKS_PER_PAGE, MAX_VALUE_LEN
from tui_app.exchange import b2p_read
from tui_app.exchange.b2p import write_b2p
from tui_app.exchange.b2p_read import (_PAGE_BLOCK_NAMES, _PAGE_BLOCK_VALUES, page_surely_valid,
                                       parse_b2p, safe_parser, schema)


def _pages(data: bytes) -> list:
    root = etree.fromstring(data, safe_parser())
    return root.findall("Pages/Page")


_RESULTS = write_b2p(make_results(45)[0])
_ROSTER = write_b2p(make_roster(25))
_TWO_PAGES = write_b2p(make_results(21)[0])  # the whole reader: a mutated page and a valid one
BASE = _pages(_RESULTS) + _pages(_ROSTER)


def _fast(page) -> bool:
    return page_surely_valid(page, _PAGE_BLOCK_NAMES(page), _PAGE_BLOCK_VALUES(page))


def test_every_page_we_write_is_valid_by_the_fast_test_and_by_the_schema():
    for page in BASE:
        assert schema().validate(page)
        assert _fast(page)


def test_a_file_we_wrote_is_read_without_the_schema_per_page(monkeypatch):
    calls = []
    real = b2p_read._validate
    monkeypatch.setattr(b2p_read, "_validate", lambda name, el: calls.append(el.tag) or real(name, el))
    pkg = parse_b2p(_RESULTS)
    assert pkg.count == 45
    assert calls == ["Header", "HwPackage"]  # once each; no page on its own


_TEXT = st.text(st.sampled_from(list("ab 1\t\n\r\x85\xa0\u2028\u3000ёЖ&<")), max_size=6)
_NAMES = st.sampled_from(["Фамилия01", "С_0101", "D_0103", "Регион", "Фамилия21", "Block",
                          "С_0114", "D_0104", "ФИО Эксперта05", "Номер_КИМ_07", "X", "",
                          "фамилия01", "Фамилия1", "Регион "])
_ATTRS = st.sampled_from(["PageTemplate", "PageNumber", "BlockName", "Value", "Other",
                          "{urn:x}Value", "{http://www.w3.org/XML/1998/namespace}lang"])
_VALUES = st.one_of(st.sampled_from(["1", "0", "01", "+1", " 1", "1 ", "-1", "2", "x", "",
                                     "999999999", "1000000000", "99999999999999999999999"]),
                    st.integers(MAX_VALUE_LEN - 2, MAX_VALUE_LEN + 2).map(lambda k: "ё" * k))


def _mutate(page, data) -> None:
    """One change of the kinds a hostile or broken file may hold."""
    kind = data.draw(st.integers(0, 12))
    # the page's elements (not an inserted comment), counted and picked by XPath: a page holds
    # ~700 blocks, and a Python list of them for every mutation was most of this test's time
    count = int(page.xpath("count(*)"))
    i = data.draw(st.integers(0, max(count - 1, 0)))
    el = page.xpath(f"*[{i + 1}]")[0] if count else page
    target = data.draw(st.sampled_from([page, el]))
    if kind == 0:
        target.set(data.draw(_ATTRS), data.draw(_VALUES))
    elif kind == 1:
        key = data.draw(_ATTRS)
        if key in target.attrib:
            del target.attrib[key]
    elif kind == 2:
        el.set("BlockName", data.draw(_NAMES))
    elif kind == 3:
        el.set("Value", data.draw(_VALUES))
    elif kind == 4:
        target.text = data.draw(_TEXT)
    elif kind == 5:
        el.tail = data.draw(_TEXT)
    elif kind == 6:
        etree.SubElement(target, data.draw(st.sampled_from(["Block", "Page", "{urn:x}Block", "Y"])),
                         BlockName="Регион", Value="47")
    elif kind == 7 and count:
        page.remove(el)
    elif kind == 8:  # no entity node: the reader's parser resolves the predefined ones and
        # refuses any DOCTYPE, so a read page never holds one (and Windows' libxml2 answers
        # an entity node with an internal error of the schema, not a yes or no)
        page.insert(i, data.draw(st.sampled_from([etree.Comment("c"), etree.PI("p", "q")])))
    elif kind == 9 and count:
        el.tag = data.draw(st.sampled_from(["Blocks", "{urn:x}Block", "block"]))
    elif kind == 10:  # up to and past the most blocks a page may hold
        extra = data.draw(st.integers(0, 2)) + BLOCKS_PER_PAGE - len(page)
        for _ in range(extra):
            etree.SubElement(page, "Block", BlockName="Регион", Value="47")
    elif kind == 11:
        for b in page.xpath("*"):
            page.remove(b)
    elif kind == 12:
        page.tag = data.draw(st.sampled_from(["Page", "{urn:x}Page", "Pages"]))


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.data())
def test_the_fast_test_never_accepts_a_page_the_schema_refuses(data):
    page = copy.deepcopy(data.draw(st.sampled_from(BASE)))
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(page, data)
    if _fast(page):
        assert schema().validate(page), [e.message for e in schema().error_log][:3]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.data())
def test_reading_pages_gives_the_same_outcome_with_and_without_the_fast_test(data):
    """The whole reader, file bytes in: the same package or the same refusal either way."""
    page = copy.deepcopy(data.draw(st.sampled_from(_pages(_TWO_PAGES)[:1])))
    _mutate(page, data)
    root = etree.fromstring(_TWO_PAGES, safe_parser())
    pages = root.find("Pages")
    pages.replace(pages[0], page)
    raw = etree.tostring(root, xml_declaration=True, encoding="utf-8")

    def outcome():
        try:
            pkg = parse_b2p(raw)
        except b2p_read.B2PError as e:
            return ("refused", [(p.kind, p.message) for p in e.problems])
        return ("read", pkg.count, pkg.crc, [r.guid for r in pkg.rows])

    fast = outcome()
    real_fast = b2p_read.page_surely_valid
    b2p_read.page_surely_valid = lambda *a: False
    try:
        slow = outcome()
    finally:
        b2p_read.page_surely_valid = real_fast
    assert fast == slow


def test_the_first_line_of_a_field_is_line_of_its_block():
    """The reader's record of a first GUID/code/document names the line row.line_of names."""
    from tui_app.exchange.b2p import ROW_TAIL_FIELDS, ROW_TEXT_FIELDS, B2PRow, block_name

    for nn in range(1, 21):
        for line in (0, 1, 777):
            for lines in (None, {}, {block_name("guid", nn): 5}):
                row = B2PRow(nn=nn, line=line, lines=lines)
                for attr, _ in ROW_TEXT_FIELDS + ROW_TAIL_FIELDS:
                    assert row.field_line(attr) == row.line_of(block_name(attr, nn))


def test_a_schema_that_cannot_decide_refuses_the_page(monkeypatch):
    """Windows' libxml2 answers some trees with «Internal error in XML Schema validation»
    instead of yes or no (seen in the Windows leg): the page is refused with a Russian
    message, never accepted and never a traceback."""
    from tui_app.exchange import b2p_read

    class Undecided:
        error_log = []

        def validate(self, el):
            raise etree.XMLSchemaValidateError("Internal error in XML Schema validation.")

    monkeypatch.setattr(b2p_read, "schema", lambda: Undecided())
    problems = b2p_read._validate("f.xml", etree.fromstring("<Page/>"))
    assert [p.message for p in problems] == ["f.xml: нарушена структура пакета (схема B2P)."]

"""Hostile and broken files: each refused with its own Russian message naming the place,
and the workspace left byte for byte unchanged."""
from __future__ import annotations

import os
import time

import pytest

from support import EXCHANGE_FIXTURES as FIX
from support.workspaces import db_fingerprint
from tui_app.exchange.b2p import MAX_FILE_BYTES, B2PError, read_b2p
from tui_app.services.import_roster import ImportRefused, import_file

S = "47002090-06-470123-005({})-20270210.b2p"

# file -> (kind, words the message must contain)
CASES = {
    S.format("xxe"): ("xxe", ["строка 3", "внешняя сущность"]),
    S.format("bomb"): ("entity", ["строка 3", "ENTITY"]),
    S.format("truncated"): ("truncated", ["обрезан", "строка"]),
    S.format("decl1251"): ("encoding", ["строка 1", "windows-1251", "UTF-8"]),
    S.format("cp1251"): ("encoding", ["строка 8", "не в кодировке UTF-8"]),
    S.format("utf16"): ("encoding", ["UTF-16"]),
    S.format("crc"): ("crc", ["контрольная сумма CRC"]),
    "результаты школы 7.b2p": ("filename", ["имя файла не по правилу"]),
    S.format("renamed"): ("filename", ["не совпадает с именем в заголовке FileName"]),
    S.format("dupguid"): ("duplicate_guid", ["Код_в_базе08", "повторяется", "Код_в_базе04"]),
    S.format("letter3"): ("not_number", ["«С_0105»", "«З» не является числом", "вместо цифры «3»"]),
    S.format("negative"): ("negative", ["«С_0101»", "отрицательный балл «-1»"]),
    S.format("oldver"): ("version", ["11.0.0.9", "не поддерживается"]),
    S.format("codes"): ("codes", ["страница 2", "Код_ППЭ", "470999"]),
    S.format("unknownblock"): ("xsd", ["BlockName", "C_0101"]),
    S.format("junk"): ("not_xml", ["не файл B2P"]),
    S.format("overmax"): ("invalid_results", ["Ч1", "вне диапазона 0–1", "строка"]),
    S.format("total"): ("invalid_results", ["итоговый балл", "не равен сумме", "строка"]),
}


@pytest.fixture
def busy_ws(ws):
    """A workspace whose database file exists (so «unchanged» compares real bytes)."""
    ws.store.update_settings(roster_reviewed=True)
    return ws


def test_every_fixture_is_covered():
    on_disk = {p.name for p in FIX.glob("*.b2p")} - {S.format("ok")}
    assert on_disk == set(CASES)


def test_the_good_one_reads():
    pkg = read_b2p(FIX / S.format("ok"))
    assert len(pkg.rows) == 21 and pkg.condition == "19"


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_refused_workspace_unchanged(busy_ws, name):
    kind, words = CASES[name]
    before = db_fingerprint(busy_ws.root)
    with pytest.raises(ImportRefused) as ei:
        import_file(busy_ws.store, FIX / name)
    text = str(ei.value)
    assert ei.value.kind == kind, text
    for w in words:
        assert w in text, (w, text)
    assert "Traceback" not in text
    assert "root:" not in text  # nothing of /etc/passwd leaked into a message
    assert db_fingerprint(busy_ws.root) == before
    assert busy_ws.store.exam_day() is None and busy_ws.store.participants() == []


def test_messages_are_distinct():
    messages = {}
    for name in CASES:
        try:
            read_b2p(FIX / name)
        except B2PError as e:
            messages[name] = e.problems[0].message.split(": ", 1)[1]
    assert len(set(messages.values())) == len(messages)


def test_xxe_never_reads_the_local_file(busy_ws):
    with pytest.raises(ImportRefused):
        import_file(busy_ws.store, FIX / S.format("xxe"))
    for f in busy_ws.root.glob("is-shtab.json*"):  # the base and its journal
        assert b"root:" not in f.read_bytes()


def test_100mb_junk_refused_quickly_without_reading(busy_ws, tmp_path):
    path = tmp_path / "47002090-06-470123-005-20270210.b2p"
    chunk = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for _ in range(100):
            f.write(chunk)
    assert path.stat().st_size > MAX_FILE_BYTES
    before = db_fingerprint(busy_ws.root)
    t = time.perf_counter()
    with pytest.raises(ImportRefused) as ei:
        import_file(busy_ws.store, path)
    elapsed = time.perf_counter() - t
    assert ei.value.kind == "too_large"
    assert "слишком большой" in str(ei.value) and "100 МБ" in str(ei.value)
    assert db_fingerprint(busy_ws.root) == before
    assert elapsed < 5  # it is refused by its size, not parsed (generous: shared machine)
    path.unlink()


def test_entity_bomb_not_expanded_even_by_the_parser():
    """Belt and braces: even past our DOCTYPE refusal the parser does not expand entities."""
    from lxml import etree

    from tui_app.exchange.b2p import safe_parser

    data = (FIX / S.format("bomb")).read_bytes()
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:
        return
    assert len(etree.tostring(root)) < 10 * len(data)


def test_first_import_of_a_bad_file_leaves_no_day(ws):
    with pytest.raises(ImportRefused):
        import_file(ws.store, FIX / S.format("crc"))
    assert ws.store.exam_day() is None


@pytest.mark.parametrize("doctype, kind", [
    ('<!DOCTYPE HwPackage [<!ENTITY x SYSTEM "C:\\Users\\secret.txt"> <!BROKEN>]>', "xxe"),
    ('<!DOCTYPE HwPackage SYSTEM "C:\\dtd\\b2p.dtd" [ <!BROKEN> ]>', "external_dtd"),
    ('<!DOCTYPE HwPackage [<!ENTITY a "aaaa"> <!BROKEN>]>', "entity"),
    ('<!DOCTYPE HwPackage [ <!BROKEN> ]>', "doctype"),
])
def test_a_doctype_the_parser_stops_inside_is_refused_for_its_reason(tmp_path, doctype, kind):
    """libxml2 on Windows stops inside a DOCTYPE whose SYSTEM path has backslashes («Invalid
    URI»): the reason is then read from the bytes, not reported as a mere syntax error."""
    good = (FIX / S.format("ok")).read_text(encoding="utf-8")
    f = tmp_path / S.format("ok")
    f.write_text(good.replace("<HwPackage", doctype + "\n<HwPackage", 1), encoding="utf-8")
    with pytest.raises(B2PError) as ei:
        read_b2p(f)
    assert ei.value.problems[0].kind == kind, str(ei.value)

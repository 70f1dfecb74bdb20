"""The writer's own guarantees: the XSD's block names, the fast and the general row reading,
and the export's check of its own bytes (each check shown failing on a broken writer)."""
from __future__ import annotations

import dataclasses
import os

import pytest
from lxml import etree

from support.generate import make_results, make_roster
from support.workspaces import db_fingerprint
from tui_app.domain.checks import results_rows_problems
from tui_app.domain.models import Attendance, Participant, Protocol
from tui_app.exchange import b2p, b2p_write, mapping
from tui_app.exchange.b2p import (
    B2PError,
    crc_of,
    expected_block_names,
    parse_b2p,
    read_b2p,
    schema,
    write_b2p,
    write_verified,
)
from tui_app.services.export_results import ExportRefused, export_results


def _tree(pkg):
    return etree.fromstring(write_b2p(pkg), b2p.safe_parser())


def _rename_first_row_block(root, new_name: str) -> None:
    page = root.find("Pages/Page")
    page[len(b2p.PAGE_BLOCKS)].set("BlockName", new_name)


def test_xsd_accepts_every_contract_name():
    pkg = make_roster(20)
    root = _tree(pkg)
    names = [b.get("BlockName") for b in root.iter("Block")]
    assert sorted(set(names)) == sorted(set(expected_block_names(1)))
    assert len(set(names)) == 9 + 20 * (9 + 13 + 3 + 10)
    assert schema().validate(root.getroottree()), schema().error_log


@pytest.mark.parametrize("wrong", [
    "C_0101",          # LATIN C where the contract has a CYRILLIC С
    "С_0114", "С_0100", "С_2101",  # criterion 14, criterion 00, row 21
    "D_0104", "Д_0101",  # subtotal 4; CYRILLIC Д
    "ФИО_Эксперта01",  # the contract has a space
    "Номер_КИМ01",     # the contract has a second underscore
    "РезервИ01", "Резерв01",  # the contract has a LATIN I
    "Фамилия00", "Фамилия21", "Фамилия1", "Фамилия",
    "Код_2", "Регион01", "Фамилия01 ",
])
def test_xsd_refuses_a_near_miss(wrong):
    root = _tree(make_roster(3))
    _rename_first_row_block(root, wrong)
    assert not schema().validate(root.getroottree())


def test_row_fields_in_file_order():
    """_row_at builds a B2PRow positionally: its fields must be the file's order."""
    got = [f.name for f in dataclasses.fields(b2p.B2PRow)][:21]
    want = [a for a, _ in b2p.ROW_TEXT_FIELDS] + ["scores", "subtotals"] + [a for a, _ in b2p.ROW_TAIL_FIELDS]
    assert got == want


def test_blocks_in_another_order_read_the_same(tmp_path):
    """Our pages are read by position; a file whose blocks come in another order (allowed by
    the XSD) goes the general way and gives the same rows."""
    pkg, _, _ = make_results(45, seed=3)
    data = write_b2p(pkg)
    root = etree.fromstring(data, b2p.safe_parser())
    values = []
    for page in root.find("Pages"):
        blocks = list(page)
        for b in blocks:
            page.remove(b)
        for b in reversed(blocks):
            page.append(b)
            values.append(b.get("Value"))
    root.set("CRC", crc_of(pkg.condition, pkg.version, values))
    shuffled = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    a = parse_b2p(data, file_stem=pkg.file_name)
    b = parse_b2p(shuffled, file_stem=pkg.file_name)
    assert len(a.rows) == 45
    assert a.rows == b.rows
    assert a.rows[0].scores == pkg.rows[0].scores and a.rows[7].guid == pkg.rows[7].guid


def test_a_blank_row_in_the_middle_is_skipped_either_way():
    pkg = make_roster(5)
    pkg.rows.insert(2, b2p.B2PRow())
    back = parse_b2p(write_b2p(pkg), file_stem=pkg.file_name)
    assert [r.guid for r in back.rows] == [r.guid for r in pkg.rows if r.guid]
    assert [r.nn for r in back.rows] == [1, 2, 4, 5, 6]


HOSTILE_NAME = 'О\'Нил "<&>" \t x\ny\rz \x01'


def test_odd_characters_survive_the_writer():
    """Markup characters are escaped and come back as they were; control characters (tab,
    line breaks, \x01: never part of a value, refused by the reader) are written as spaces."""
    pkg = make_roster(3)
    pkg.rows[0].surname = HOSTILE_NAME
    data = write_verified(pkg)
    back = parse_b2p(data, file_stem=pkg.file_name)
    assert back.rows[0].surname == 'О\'Нил "<&>"   x y z'


def test_self_check_catches_missing_escaping(monkeypatch):
    pkg = make_roster(3)
    pkg.rows[0].surname = 'О"Нил <&>'
    monkeypatch.setattr(b2p_write, "_attr", lambda v: v)
    with pytest.raises(B2PError) as ei:
        write_verified(pkg)
    assert ei.value.kind == "self_check" and "разметки XML" in str(ei.value)


def test_self_check_catches_a_lost_block(monkeypatch):
    real = b2p_write._row_templates()
    broken = ((real[0][0].split("\n", 1)[1], real[0][1]),) + real[1:]  # row 1 loses a block
    monkeypatch.setattr(b2p_write, "_row_templates", lambda: broken)
    with pytest.raises(B2PError) as ei:
        write_verified(make_roster(3))
    assert ei.value.kind == "self_check"


def test_self_check_catches_bytes_that_differ_from_the_rows(monkeypatch):
    pkg = make_roster(25)
    real = b2p_write._Pages.serialize

    def swapped(self, rows):
        data, values = real(self, rows)
        # a bug that writes one participant's code in place of another's
        a, b = pkg.rows[21].guid.encode(), pkg.rows[22].guid.encode()
        return data.replace(a, b"\0").replace(b, a).replace(b"\0", b), values

    monkeypatch.setattr(b2p_write._Pages, "serialize", swapped)
    with pytest.raises(B2PError) as ei:
        write_verified(pkg)
    assert ei.value.kind == "self_check" and "страница 2" in str(ei.value)


def test_export_writes_nothing_when_the_self_check_fails(demo_results_ws, tmp_path, monkeypatch):
    store = demo_results_ws.store
    first = store.participants()[0]
    store.put(first.model_copy(update={"surname": 'О"Нил'}))
    # a writer bug: escaping that forgets the quote
    monkeypatch.setattr(b2p_write, "_attr", lambda v: v.replace("&", "&amp;").replace("<", "&lt;"))
    before = db_fingerprint(demo_results_ws.root)
    with pytest.raises(ExportRefused) as ei:
        export_results(store, tmp_path / "out")
    assert ei.value.kind == "self_check"
    assert not (tmp_path / "out").exists()
    assert db_fingerprint(demo_results_ws.root) == before
    monkeypatch.undo()
    res = export_results(store, tmp_path / "out")
    assert any(r.surname == 'О"Нил' for r in read_b2p(res.path).rows)


def test_export_refuses_rows_that_disagree_with_the_workspace(demo_results_ws, tmp_path, monkeypatch):
    """SPEC §7: never a file whose rows differ from who sat the exam without the user told."""
    real = mapping.participant_to_row
    victim = next(p.guid for p in demo_results_ws.store.participants()
                  if p.attendance is Attendance.PRESENT)

    def lose_result(scheme, p, proto):
        return real(scheme, p, None if p.guid == victim else proto)

    monkeypatch.setattr(mapping, "participant_to_row", lose_result)
    with pytest.raises(ExportRefused) as ei:
        export_results(demo_results_ws.store, tmp_path / "out")
    assert ei.value.kind == "rows" and "сдававших" in str(ei.value)
    assert not (tmp_path / "out").exists()
    forced = export_results(demo_results_ws.store, tmp_path / "out", force=True)
    assert forced.condition == "13" and forced.forced  # never «checked, without errors»
    assert any(p.kind == "rows_sat" for p in forced.problems)  # and the user is told why
    assert read_b2p(forced.path).condition == "13"


def _p(guid: str, attendance: Attendance) -> Participant:
    return Participant(guid=guid, surname="Иванов", name="Иван", attendance=attendance, room="101")


def test_results_rows_problems_counts():
    parts = [_p("a", Attendance.PRESENT), _p("b", Attendance.PRESENT), _p("c", Attendance.ABSENT)]
    protos = {g: Protocol(participant=g, room="101", variant="1", expert="Петрова") for g in "ab"}
    good = [("a", False, True), ("b", False, True), ("c", True, False)]
    assert results_rows_problems(parts, protos, good) == []
    kinds = lambda rows: {p.kind for p in results_rows_problems(parts, protos, rows)}  # noqa: E731
    assert kinds([("a", False, True), ("b", False, False), ("c", True, False)]) == {"rows_sat"}
    assert kinds([("a", False, True), ("b", False, True), ("c", False, False)]) == {"rows_absent"}
    assert kinds([("a", False, True), ("b", False, True)]) == {"rows_roster", "rows_absent"}
    assert "rows_duplicate" in kinds(good + [("a", False, True)])


def test_a_row_with_a_wrong_number_of_scores_is_refused_not_shifted():
    pkg = make_roster(2)
    pkg.rows[1].scores = ["1"] * 12  # one short: every later block would move by one
    with pytest.raises(B2PError) as ei:
        write_verified(pkg)
    assert ei.value.kind == "self_check" and "12 баллов" in str(ei.value)


# the export of this generated workspace as main wrote it before the page-by-page export
# (issue 19, fe3d734): the same workspace must give the same bytes
GOLDEN_300 = "3da9663e2f3450f5e10c95f744d093cf434d13499a73ba6ba0aea9b51accb98e"


def test_export_of_a_generated_workspace_is_byte_for_byte_as_before(tmp_path):
    import hashlib

    from tui_app.services.import_roster import import_file
    from tui_app.store.workspace import Workspace

    pkg = make_results(300)[0]
    (tmp_path / "in").mkdir()
    src = tmp_path / "in" / f"{pkg.file_name}.b2p"
    src.write_bytes(write_b2p(pkg))
    with Workspace.open(tmp_path / "ws", snapshot=False) as ws:
        import_file(ws.store, src)
        res = export_results(ws.store, tmp_path / "out", force=True)
    assert (res.rows, res.condition) == (300, "19")
    assert hashlib.sha256(res.path.read_bytes()).hexdigest() == GOLDEN_300


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_export_into_a_folder_of_the_users_leaves_its_rights_as_they_were(demo_results_ws, tmp_path):
    """`export --out` a folder that exists (the desktop, a shared folder, a stick): the file
    is written into it and the folder's rights are not touched (a folder the program makes
    for it, and the workspace's own, are private)."""
    import stat as st

    shared = tmp_path / "общая"
    shared.mkdir()
    os.chmod(shared, 0o755)
    r = export_results(demo_results_ws.store, shared)
    assert r.path.parent == shared and r.path.is_file()
    assert st.S_IMODE(shared.stat().st_mode) == 0o755
    made = tmp_path / "новая" / "папка"
    r = export_results(demo_results_ws.store, made)
    assert st.S_IMODE(made.stat().st_mode) == 0o700
    assert st.S_IMODE(demo_results_ws.root.stat().st_mode) == 0o700

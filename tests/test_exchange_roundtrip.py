"""Round trip and merge rules: roster -> scores -> export -> fresh import = identical data."""
from __future__ import annotations

import re

import pytest

from support.generate import make_results, make_roster, scores_csv, write_roster
from support.workspaces import comparable, confirm_ovz_categories, db_fingerprint
from tui_app.domain.models import Attendance, Participant, Protocol, ProtocolStatus
from tui_app.exchange.b2p import STEM_RE, read_b2p, write_b2p
from tui_app.services.data import scheme
from tui_app.services.export_results import ExportRefused, export_results
from tui_app.services.import_roster import ImportRefused, import_file
from tui_app.services.import_scores import import_scores
from tui_app.store.workspace import Workspace

N = 45


def _fill_scores(tmp_path, store) -> None:
    """Results for the roster's participants through import-scores (as experts would)."""
    sch = scheme()
    _, seated, protocols = make_results(N, seed=7)
    by_guid = {p.guid: p for p in seated}
    mine = [by_guid[p.guid] for p in store.participants()]
    csv = tmp_path / "баллы.csv"
    csv.write_bytes(scores_csv(mine, protocols, sch.b2p_order))
    import_scores(store, csv)
    confirm_ovz_categories(store, seated)


def test_roundtrip_identical(tmp_path):
    roster = write_roster(tmp_path, N)
    a = Workspace.open(tmp_path / "a")
    s = import_file(a.store, roster)
    assert s.added == N and s.day_created
    _fill_scores(tmp_path, a.store)
    assert any(p.absent for p in a.store.participants())
    statuses = {pr.status for pr in a.store.protocols().values()}
    assert ProtocolStatus.PRESENT in statuses
    r1 = export_results(a.store, tmp_path / "out-a")
    assert r1.condition == "19" and r1.rows == N
    assert r1.path.name == roster.name  # FileName unchanged
    b = Workspace.open(tmp_path / "b")
    s2 = import_file(b.store, r1.path)
    assert s2.added == N and s2.protocols_added == len(a.store.protocols())
    assert comparable(a.store) == comparable(b.store)
    # and the file B writes is byte for byte the file A wrote
    r2 = export_results(b.store, tmp_path / "out-b")
    assert r2.path.read_bytes() == r1.path.read_bytes()
    a.close()
    b.close()


def test_every_guid_and_the_name_survive(tmp_path):
    roster = write_roster(tmp_path, N)
    ws = Workspace.open(tmp_path / "w")
    import_file(ws.store, roster)
    _fill_scores(tmp_path, ws.store)
    res = export_results(ws.store, tmp_path / "out")
    src, out = read_b2p(roster), read_b2p(res.path)
    assert out.file_name == src.file_name and STEM_RE.match(res.path.stem)
    assert [r.guid for r in out.rows] == [r.guid for r in src.rows]
    assert [r.local_guid for r in out.rows] == [r.local_guid for r in src.rows]
    assert ws.store.settings().export_done is True
    ws.close()


def test_export_layout_follows_the_contract(demo_results_ws, tmp_path):
    res = export_results(demo_results_ws.store, tmp_path)
    data = res.path.read_bytes()
    text = data.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    # the federal quirks, exactly
    assert 'BlockName="С_0101"' in text and "С_0101".encode("utf-8")[:2] == "С".encode("utf-8")
    assert 'BlockName="C_0101"' not in text  # never a Latin C
    assert 'BlockName="D_0101"' in text
    assert 'BlockName="РезервI01"' in text and "РезервI"[-1] == "I"
    assert 'BlockName="ФИО Эксперта01"' in text
    assert 'BlockName="Номер_КИМ_01"' in text and 'BlockName="Зачёт01"' in text
    assert 'Owner="Federal Test Center"' in text and 'Condition="19"' in text
    pkg = read_b2p(res.path)
    n = len(demo_results_ws.store.participants())
    pages = re.findall(r'<Page PageTemplate="1" PageNumber="(\d+)">', text)
    assert pages == [str(i) for i in range(1, -(-n // 20) + 1)]
    assert text.count('BlockName="Фамилия') == 20 * len(pages)  # padded with empty rows
    assert len(pkg.rows) == n == res.rows
    surnames = [r.surname for r in pkg.rows]
    assert surnames == sorted(surnames, key=lambda s: s.casefold().replace("ё", "е"))
    protocols = demo_results_ws.store.protocols()
    absentees = [p for p in demo_results_ws.store.participants() if p.absent]
    assert res.absent == len(absentees) > 0 and res.sat == len(protocols)
    for row in pkg.rows:
        for v in row.scores + row.subtotals + [row.total]:
            assert v == "" or v.isdigit()  # never a non-numeric score
        if row.absent:
            assert row.room == "Н" and not any(row.scores) and not row.total and not row.passed
    early = [g for g, p in protocols.items() if p.status is not ProtocolStatus.PRESENT]
    for row in pkg.rows:
        if row.guid in early:
            assert row.not_finished in ("1", "2") and not any(row.scores) and row.passed == ""


def test_export_refused_with_problems_then_forced_13(demo_ws, tmp_path):
    before = db_fingerprint(demo_ws.root)
    with pytest.raises(ExportRefused) as ei:
        export_results(demo_ws.store, tmp_path / "x")
    assert ei.value.kind == "check" and ei.value.problems
    assert not (tmp_path / "x").exists()
    assert db_fingerprint(demo_ws.root) == before
    res = export_results(demo_ws.store, tmp_path / "x", force=True)
    assert res.condition == "13" and res.forced and res.problems
    assert "статус 13" in "\n".join(res.lines())
    assert read_b2p(res.path).condition == "13"


def test_export_states_rows_sat_absent(demo_results_ws, tmp_path):
    res = export_results(demo_results_ws.store, tmp_path)
    text = "\n".join(res.lines())
    assert f"Строк участников: {res.rows}" in text and f"сдавали {res.sat}" in text
    assert f"не явились «Н» {res.absent}" in text


def test_reimport_roster_merges_and_never_overwrites(tmp_path):
    roster = write_roster(tmp_path, N)
    ws = Workspace.open(tmp_path / "w")
    import_file(ws.store, roster)
    _fill_scores(tmp_path, ws.store)
    protos = ws.store.protocols()
    s = import_file(ws.store, roster)
    assert s.added == 0 and s.unchanged == N and not s.removed
    assert ws.store.protocols() == protos
    # a corrected roster: one participant gone (has results), one new
    pkg = make_roster(N)
    gone = next(r for r in pkg.rows if r.guid in protos)
    pkg.rows.remove(gone)
    new = make_roster(1, seed=99).rows[0]
    pkg.rows.append(new)
    (tmp_path / "fix").mkdir()
    path = tmp_path / "fix" / roster.name
    path.write_bytes(write_b2p(pkg))
    s = import_file(ws.store, path)
    assert s.added == 1 and len(s.missing_kept) == 1 and not s.removed
    assert ws.store.participant(gone.guid) is not None  # never deleted: it has a protocol
    assert ws.store.protocols() == protos
    assert "нет в новом списке" in "\n".join(s.lines())
    ws.close()


def test_reimport_removes_only_those_without_anything(tmp_path):
    roster = write_roster(tmp_path, N)
    ws = Workspace.open(tmp_path / "w")
    import_file(ws.store, roster)
    pkg = make_roster(N)
    gone = pkg.rows.pop(5)
    (tmp_path / "fix").mkdir()
    path = tmp_path / "fix" / roster.name
    path.write_bytes(write_b2p(pkg))
    s = import_file(ws.store, path)
    assert s.removed and ws.store.participant(gone.guid) is None
    ws.close()


def test_ovz_category_kept_and_new_ones_reported(tmp_path):
    roster = write_roster(tmp_path, N)
    ws = Workspace.open(tmp_path / "w")
    s = import_file(ws.store, roster)
    ovz = [p for p in ws.store.participants() if p.reserve == "22"]
    assert ovz and len(s.ovz_unknown) == len(ovz)
    assert all(p.category == "general" for p in ovz)
    assert "установите категорию ОВЗ" in "\n".join(s.lines())
    ws.store.put(ovz[0].model_copy(update={"category": "deaf"}))
    s = import_file(ws.store, roster)
    assert ws.store.participant(ovz[0].guid).category == "deaf"
    assert not s.ovz_unknown
    ws.close()


def test_saved_file_with_ovz_scores_reopens_with_a_fitting_category(demo_results_ws, tmp_path):
    """РезервI=22 and the category not in the file: guessed from the filled criteria, reported."""
    res = export_results(demo_results_ws.store, tmp_path / "out")
    fresh = Workspace.open(tmp_path / "fresh")
    s = import_file(fresh.store, res.path)
    assert s.ovz_unknown
    src = {p.guid: p for p in demo_results_ws.store.participants()}
    for p in fresh.store.participants():
        if p.reserve == "22" and p.guid in demo_results_ws.store.protocols():
            cat = scheme().category(p.category)
            assert set(cat.criteria) == set(scheme().category(src[p.guid].category).criteria) or \
                demo_results_ws.store.protocols()[p.guid].status is not ProtocolStatus.PRESENT
    fresh.close()


def test_saved_file_protocols_do_not_overwrite_entered_ones(demo_results_ws, tmp_path):
    res = export_results(demo_results_ws.store, tmp_path / "out")
    protos = demo_results_ws.store.protocols()
    guid = next(g for g, p in protos.items() if p.status is ProtocolStatus.PRESENT)
    changed = protos[guid].model_copy(update={"expert": "Другой Э. Э."})
    demo_results_ws.store.put(changed)
    s = import_file(demo_results_ws.store, res.path)
    assert demo_results_ws.store.protocols()[guid].expert == "Другой Э. Э."
    assert s.protocols_kept


def test_other_school_refused(demo_ws, tmp_path):
    from datetime import date

    from tui_app.domain.models import ExamDay
    from tui_app.exchange.b2p import stem_for

    day = ExamDay(date=date(2027, 2, 10), region="47", msu="005", oo="470999",
                  source_file=stem_for("47", "470999", "005", date(2027, 2, 10)))
    pkg = make_roster(5, day=day)
    path = tmp_path / f"{pkg.file_name}.b2p"
    path.write_bytes(write_b2p(pkg))
    before = db_fingerprint(demo_ws.root)
    with pytest.raises(ImportRefused) as ei:
        import_file(demo_ws.store, path)
    assert ei.value.kind == "other_day" and "ОО 470999" in str(ei.value)
    assert db_fingerprint(demo_ws.root) == before


def test_writer_never_writes_non_numeric(tmp_path):
    from tui_app.exchange.mapping import participant_to_row

    sch = scheme()
    p = Participant(surname="Тест", name="Тест", attendance=Attendance.PRESENT, room="101")
    pr = Protocol(participant=p.guid, room="101", variant="1", expert="Э", scores={"Ч1": 1, "Ч2": -3})
    row = participant_to_row(sch, p, pr)
    assert row.scores[0] == "1" and row.scores[1] == ""
    assert all(v == "" or v.isdigit() for v in row.scores + row.subtotals + [row.total])


def test_values_with_xml_specials_survive(tmp_path):
    pkg = make_roster(3)
    pkg.rows[0].surname = 'О\'Нил-"Кавычкин" & <Ко>'
    pkg.rows[1].patronymic = "с\tтабуляцией"
    path = tmp_path / f"{pkg.file_name}.b2p"
    path.write_bytes(write_b2p(pkg))
    back = read_b2p(path)
    assert back.rows[0].surname == 'О\'Нил-"Кавычкин" & <Ко>'
    assert back.rows[1].patronymic == "с\tтабуляцией"


def test_generator_makes_a_realistic_roster(tmp_path):
    path = write_roster(tmp_path, 41)
    assert STEM_RE.match(path.stem)
    pkg = read_b2p(path)
    assert pkg.condition == "10" and len(pkg.rows) == 41
    text = path.read_text(encoding="utf-8")
    assert text.count("<Page ") == 3 and text.count('BlockName="Фамилия') == 60
    r = pkg.rows[0]
    assert r.guid and r.local_guid and len(r.barcode) == 13 and r.kim and r.code
    assert r.room == "" and not any(r.scores) and r.variant == ""
    assert sum(1 for x in pkg.rows if x.reserve == "22") >= 1
    # deterministic, and bigger sizes keep GUIDs unique
    assert write_roster(tmp_path / "again" if (tmp_path / "again").mkdir() is None else tmp_path, 41
                        ).read_bytes() == path.read_bytes()
    big = make_roster(1200)
    assert len({r.guid for r in big.rows}) == 1200


def test_absence_mark_next_to_the_room_is_read(tmp_path):
    """Seed 004 puts «Н» next to the room number on the paper list; a file saying «101 Н»
    is read as an absentee in room 101 (we write plain «Н», as the contract says)."""
    pkg, seated, _ = make_results(21, seed=3, condition="12")
    row = next(r for r in pkg.rows if not r.has_result_fields() or r.absent) if any(
        r.absent for r in pkg.rows) else None
    row = row or pkg.rows[0]
    row.room, row.variant, row.expert, row.not_finished = "101 Н", "", "", ""
    row.scores = [""] * 13
    row.subtotals = [""] * 3
    row.total = row.passed = ""
    path = tmp_path / f"{pkg.file_name}.b2p"
    path.write_bytes(write_b2p(pkg))
    ws = Workspace.open(tmp_path / "w")
    import_file(ws.store, path)
    p = ws.store.participant(row.guid)
    assert p.absent and p.room == "101" and row.guid not in ws.store.protocols()
    ws.close()


def test_check_names_a_bad_file_name(demo_results_ws):
    from tui_app.services.checks import run_checks

    day = demo_results_ws.store.exam_day()
    demo_results_ws.store.set_exam_day(day.model_copy(update={"source_file": "results"}))
    kinds = {p.kind for p in run_checks(demo_results_ws.store)}
    assert "bad_file_name" in kinds


def test_progress_is_reported(tmp_path):
    seen = []
    roster = write_roster(tmp_path, 21)
    ws = Workspace.open(tmp_path / "w")
    import_file(ws.store, roster, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 3
    ws.close()

"""CSV rosters (Excel: UTF-8 with/without BOM or windows-1251, «;» or «,») and CSV scores."""
from __future__ import annotations

from datetime import date

import pytest

from support.workspaces import db_fingerprint
from tui_app.domain.models import ProtocolStatus
from tui_app.exchange.b2p import STEM_RE
from tui_app.services.export_results import export_results
from tui_app.services.import_roster import ImportRefused, import_file
from tui_app.services.import_scores import import_scores

ROSTER = [
    ["Фамилия", "Имя", "Отчество", "Класс", "Серия", "Номер", "Дата рождения", "Пол", "ОВЗ/Резерв"],
    ["Иванов", "Иван", "Иванович", "9А", "4010", "123456", "01.03.2011", "М", ""],
    ["Пономарёва", "Алёна", "Фёдоровна", "9Б", "4011", "654321", "2011-05-02", "ж", "22"],
    ["Ли", "Ан", "", "9А", "", "", "", "", "нет"],
]
CODES = dict(region="47", msu="005", oo="470123", exam_date="2027-02-10")


def _csv(path, rows, enc="utf-8", sep=";"):
    text = "\r\n".join(sep.join(r) for r in rows) + "\r\n"
    path.write_bytes(text.encode(enc))
    return path


@pytest.mark.parametrize("enc,sep", [("utf-8", ";"), ("utf-8-sig", ","), ("cp1251", ";")])
def test_csv_roster_encodings_and_separators(ws, tmp_path, enc, sep):
    s = import_file(ws.store, _csv(tmp_path / "список.csv", ROSTER, enc, sep), **CODES)
    assert s.added == 3 and s.day_created
    people = {p.surname: p for p in ws.store.participants()}
    assert people["Пономарёва"].name == "Алёна" and people["Пономарёва"].reserve == "22"
    assert people["Пономарёва"].birth_date == date(2011, 5, 2) and people["Пономарёва"].sex == "Ж"
    assert people["Иванов"].doc_number == "123456"
    assert len({p.guid for p in people.values()}) == 3 and all(p.local_guid for p in people.values())
    day = ws.store.exam_day()
    assert day.source_file == "47002090-06-470123-005-20270210" and STEM_RE.match(day.source_file)
    assert len(s.ovz_unknown) == 1


def test_csv_roster_needs_codes_when_the_workspace_has_none(ws, tmp_path):
    with pytest.raises(ImportRefused) as ei:
        import_file(ws.store, _csv(tmp_path / "a.csv", ROSTER))
    assert "--region" in str(ei.value) and ei.value.kind == "flags"


def test_csv_roster_missing_required_column(ws, tmp_path):
    rows = [r[:3] for r in ROSTER]  # Фамилия, Имя, Отчество: no Класс
    with pytest.raises(ImportRefused) as ei:
        import_file(ws.store, _csv(tmp_path / "a.csv", rows), **CODES)
    assert "Класс" in str(ei.value) and "строка 1" in str(ei.value)


def test_csv_roster_bad_rows_listed_with_lines_nothing_written(ws, tmp_path):
    ws.store.update_settings(roster_reviewed=True)
    before = db_fingerprint(ws.root)
    rows = ROSTER + [["Петров", "", "", "9В", "", "", "", "", ""],
                     ["Сидоров", "Пётр", "", "9В", "", "", "31.02.2011", "", ""],
                     ["Козлов", "Олег", "", "9В", "", "", "", "X", "может быть"],
                     ["Иванов", "Иван", "Иванович", "9А", "4010", "123456", "", "", ""]]
    with pytest.raises(ImportRefused) as ei:
        import_file(ws.store, _csv(tmp_path / "a.csv", rows), **CODES)
    text = str(ei.value)
    for line in ("строка 5", "строка 6", "строка 7", "строка 8"):
        assert line in text, text
    assert "повторяет строку 2" in text
    assert db_fingerprint(ws.root) == before


def test_csv_roster_reimport_merges_by_person(ws, tmp_path):
    import_file(ws.store, _csv(tmp_path / "a.csv", ROSTER), **CODES)
    guids = {p.surname: p.guid for p in ws.store.participants()}
    rows = ROSTER[:3] + [["Новиков", "Олег", "", "9В", "4012", "111111", "", "", ""]]
    s = import_file(ws.store, _csv(tmp_path / "b.csv", rows))
    assert s.added == 1 and s.unchanged == 2 and len(s.removed) == 1
    after = {p.surname: p.guid for p in ws.store.participants()}
    assert after["Иванов"] == guids["Иванов"] and "Ли" not in after


def test_csv_codes_must_match_the_workspace(demo_ws, tmp_path):
    with pytest.raises(ImportRefused) as ei:
        import_file(demo_ws.store, _csv(tmp_path / "a.csv", ROSTER), region="47", msu="005",
                    oo="470999", exam_date="2027-02-10")
    assert "ОО 470999" in str(ei.value)


# -- scores ------------------------------------------------------------------------------

HEAD = ["Код_в_базе", "Аудитория", "Вариант", "Ч1", "Ч2", "Ч3", "П1", "П2", "П3", "М1", "М2",
        "Д1", "Р1", "Р2", "Р3", "Р4", "Эксперт", "Статус"]
FULL = ["1", "1", "1", "2", "1", "1", "2", "1", "3", "2", "2", "2", "1"]


@pytest.fixture
def roster_ws(ws, tmp_path):
    import_file(ws.store, _csv(tmp_path / "r.csv", ROSTER), **CODES)
    return ws


def _people(store):
    return {p.surname: p for p in store.participants()}


def test_scores_import_statuses(roster_ws, tmp_path):
    p = _people(roster_ws.store)
    rows = [HEAD,
            [p["Иванов"].guid, "101", "3", *FULL, "Петрова Е. А.", "явился"],
            [p["Пономарёва"].guid, "101", "", *[""] * 13, "", "не явился"],
            [p["Ли"].guid, "102", "4", *[""] * 13, "Петрова Е. А.", "не завершил"]]
    s = import_scores(roster_ws.store, _csv(tmp_path / "s.csv", rows))
    assert s.protocols_added == 2 and s.absent_marked == 1
    protos = roster_ws.store.protocols()
    assert protos[p["Иванов"].guid].scores["Д1"] == 3 and protos[p["Иванов"].guid].scheme == 2
    assert protos[p["Ли"].guid].status is ProtocolStatus.EARLY
    assert _people(roster_ws.store)["Пономарёва"].absent
    assert {r.number for r in roster_ws.store.rooms()} == {"101", "102"}
    res = export_results(roster_ws.store, tmp_path / "out")
    assert res.condition == "19" and res.sat == 2 and res.absent == 1
    # the same file again: nothing changes, nothing is overwritten
    s = import_scores(roster_ws.store, tmp_path / "s.csv")
    assert s.protocols_added == 0 and s.unchanged == 3


def test_scores_bad_rows_all_listed_and_nothing_written(roster_ws, tmp_path):
    p = _people(roster_ws.store)
    bad_z = list(FULL)
    bad_z[8] = "З"  # Cyrillic З
    neg = list(FULL)
    neg[0] = "-1"
    over = list(FULL)
    over[0] = "2"
    rows = [HEAD,
            [p["Иванов"].guid, "101", "3", *bad_z, "Э", "явился"],
            [p["Пономарёва"].guid, "101", "3", *neg, "Э", ""],
            [p["Ли"].guid, "101", "3", *over, "", ""],
            ["нет-такого", "101", "3", *FULL, "Э", ""]]
    before = db_fingerprint(roster_ws.root)
    with pytest.raises(ImportRefused) as ei:
        import_scores(roster_ws.store, _csv(tmp_path / "s.csv", rows))
    text = str(ei.value)
    assert "строка 2" in text and "Д1: «З» не является числом" in text
    assert "строка 3" in text and "отрицательный балл «-1»" in text
    assert "строка 4" in text and "вне диапазона" in text and "ФИО эксперта" in text
    assert "строка 5" in text and "не найден" in text
    assert db_fingerprint(roster_ws.root) == before
    assert roster_ws.store.protocols() == {}


def test_scores_never_overwrite_entered_results(roster_ws, tmp_path):
    p = _people(roster_ws.store)
    rows = [HEAD, [p["Иванов"].guid, "101", "3", *FULL, "Э", ""]]
    import_scores(roster_ws.store, _csv(tmp_path / "s.csv", rows))
    other = list(FULL)
    other[0] = "0"
    rows = [HEAD, [p["Иванов"].guid, "101", "3", *other, "Э", ""]]
    with pytest.raises(ImportRefused) as ei:
        import_scores(roster_ws.store, _csv(tmp_path / "s2.csv", rows))
    assert "не перезаписываются" in str(ei.value)
    assert roster_ws.store.protocols()[p["Иванов"].guid].scores["Ч1"] == 1


def test_scores_category_rules_apply(roster_ws, tmp_path):
    p = _people(roster_ws.store)
    ovz = p["Пономарёва"]
    roster_ws.store.put(ovz.model_copy(update={"category": "deaf"}))
    rows = [HEAD, [ovz.guid, "101", "3", *FULL, "Э", ""]]  # deaf: Ч1-Ч3, Р1-Р4 not scored
    with pytest.raises(ImportRefused) as ei:
        import_scores(roster_ws.store, _csv(tmp_path / "s.csv", rows))
    assert "не оценивается для категории" in str(ei.value)


def test_csv_not_mixed_into_a_b2p_roster(ws, tmp_path):
    from support.generate import write_roster

    import_file(ws.store, write_roster(tmp_path, 21))
    before = db_fingerprint(ws.root)
    with pytest.raises(ImportRefused) as ei:
        import_file(ws.store, _csv(tmp_path / "a.csv", ROSTER))
    assert "загружен из файла B2P" in str(ei.value)
    assert db_fingerprint(ws.root) == before

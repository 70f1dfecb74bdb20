"""Retention: dates around 1 March, the month for КИМ, reminders, destruction by act."""
from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from tui_app.domain.models import Protocol
from tui_app.domain.retention import Material, add_month, classify_file, due, is_due, keep_until
from tui_app.services import retention

EXAM = date(2027, 2, 10)  # the demo day
MARCH = [Material.AUDIO, Material.LISTS, Material.PROTOCOLS, Material.ROOM_LOGS,
         Material.B2P, Material.WRITTEN]


@pytest.mark.parametrize("today,expected", [
    (date(2028, 2, 28), False),
    (date(2028, 2, 29), False),  # 2028 is a leap year: still the last day of keeping
    (date(2028, 3, 1), True),  # «до 1 марта года, следующего за годом проведения»
    (date(2028, 3, 2), True),
    (date(2027, 3, 1), False),  # 1 March of the exam's own year is not the date
])
@pytest.mark.parametrize("material", MARCH)
def test_march_materials_around_1_march(material, today, expected):
    assert keep_until(material, EXAM) == date(2028, 3, 1)
    assert is_due(material, EXAM, today) is expected


def test_non_leap_year_28_february_then_1_march():
    exam = date(2026, 2, 11)
    assert not is_due(Material.AUDIO, exam, date(2027, 2, 28))
    assert is_due(Material.AUDIO, exam, date(2027, 3, 1))


def test_retake_dates_in_march_and_april_keep_to_next_1_march():
    assert keep_until(Material.AUDIO, date(2027, 3, 10)) == date(2028, 3, 1)
    assert keep_until(Material.PROTOCOLS, date(2027, 4, 19)) == date(2028, 3, 1)


@pytest.mark.parametrize("exam,until", [
    (date(2027, 2, 10), date(2027, 3, 10)),
    (date(2028, 1, 31), date(2028, 2, 29)),  # leap year: clamped to 29 Feb
    (date(2027, 1, 31), date(2027, 2, 28)),
    (date(2028, 1, 29), date(2028, 2, 29)),
    (date(2027, 1, 29), date(2027, 2, 28)),
    (date(2027, 12, 15), date(2028, 1, 15)),
])
def test_kim_one_month_after_the_exam(exam, until):
    assert add_month(exam) == until
    assert keep_until(Material.KIM, exam) == until
    assert not is_due(Material.KIM, exam, date.fromordinal(until.toordinal() - 1))
    assert is_due(Material.KIM, exam, until)


def test_due_on_a_given_date():
    assert due(EXAM, date(2027, 3, 9)) == []
    assert due(EXAM, date(2027, 3, 10)) == [Material.KIM, Material.OTHER]
    assert set(due(EXAM, date(2028, 3, 1))) == set(Material)
    assert due(EXAM, date(2028, 3, 1), frozenset({Material.KIM, Material.OTHER})) == MARCH


def test_classify_files():
    assert classify_file("audio", "x.mp3") is Material.AUDIO
    assert classify_file("export", "a.b2p") is Material.B2P
    assert classify_file("forms", "ИС-02 аудитория 101.pdf") is Material.ROOM_LOGS
    assert classify_file("forms", "IS-01_list.pdf") is Material.LISTS
    assert classify_file("forms", "ИС-09_акт.pdf") is Material.OTHER
    assert classify_file("forms", "unknown.pdf") is Material.PROTOCOLS  # kept longest


def _put_files(root):
    files = {"audio/101/a.mp3": b"a" * 100, "export/r.b2p": b"<x/>",
             "forms/ИС-03 Иванов.pdf": b"%PDF", "forms/ИС-08 акт.pdf": b"%PDF act"}
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


def test_reminders_appear_when_due(demo_results_ws):
    store = demo_results_ws.store
    assert retention.due_reminders(store, date(2027, 3, 9)) == []
    kim = retention.due_reminders(store, date(2027, 3, 10))
    assert len(kim) == 1 and "10.03.2027" in kim[0] and "КИМ" in kim[0]
    march = retention.due_reminders(store, date(2028, 3, 1))
    assert len(march) == 2 and "01.03.2028" in march[1] and "аудиозаписи" in march[1]


def test_no_day_no_reminders(ws):
    assert retention.due_reminders(ws.store, date(2030, 1, 1)) == []


def test_destroy_month_materials_then_march(demo_results_ws):
    ws = demo_results_ws
    store = ws.store
    _put_files(ws.root)
    with pytest.raises(retention.RetentionError, match="нечего"):
        retention.destroy(store, date(2027, 3, 1), ["Петрова А. А."])
    res = retention.destroy(store, date(2027, 3, 10), ["Петрова А. А.", "Сидоров Б. Б."], "Иванова В. В.")
    assert res.materials == [Material.KIM, Material.OTHER]
    assert not (ws.root / "forms/ИС-08 акт.pdf").exists()
    assert (ws.root / "forms/ИС-03 Иванов.pdf").exists()
    assert store.participants() and not res.db_cleared
    text = "".join(p.extract_text() for p in PdfReader(res.act).pages)
    assert "АКТ" in text and "уничтожении" in text and "КИМ" in text and "Петрова А. А." in text
    assert "10.03.2027" in text and "470123" in text
    assert retention.due_reminders(store, date(2027, 6, 1)) == []

    res2 = retention.destroy(store, date(2028, 3, 1), ["Петрова А. А."])
    assert set(res2.materials) == set(MARCH)
    assert res2.db_cleared
    assert "записи в базе" in "".join(p.extract_text() for p in PdfReader(res2.act).pages)
    for rel in ("audio/101/a.mp3", "export/r.b2p", "forms/ИС-03 Иванов.pdf"):
        assert not (ws.root / rel).exists()
    assert not list((ws.root / "backups").glob("*.json"))
    assert store.participants() == [] and store.all(Protocol) == []
    # no personal data left in the database file or its backup
    for f in ws.root.glob("is-shtab.json*"):
        assert "Константинопольская" not in f.read_text(encoding="utf-8")
    assert res.act.exists() and res2.act.exists()  # the acts are kept
    assert retention.due_reminders(store, date(2029, 1, 1)) == []
    acts = store.settings().retention_acts
    assert [a["date"] for a in acts] == ["2027-03-10", "2028-03-01"]


def test_status_lists_files_per_material(demo_ws):
    _put_files(demo_ws.root)
    rows = {r.material: r for r in retention.status(demo_ws.store, date(2027, 2, 11))}
    assert len(rows[Material.AUDIO].files) == 1 and rows[Material.AUDIO].bytes == 100
    assert not rows[Material.AUDIO].due

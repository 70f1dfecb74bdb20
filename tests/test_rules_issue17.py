"""The right result in every case the regulations name (issue 17): ОВЗ, acts, schemes,
sittings, forms, handoff, typing sheet, results rows, re-check, the remote form."""
from __future__ import annotations

import asyncio
import os
import re
from datetime import date, time

import pytest
from pypdf import PdfReader

from tui_app.cli import main
from tui_app.domain.models import OVZ_RESERVE, Act, ProtocolStatus, RoomLogEntry
from tui_app.domain.scoring import score
from tui_app.services.acts import ActRejected, create_act, delete_act
from tui_app.services.checks import run_checks
from tui_app.services.data import scheme
from tui_app.services.export_results import ExportRefused, export_results
from tui_app.services.forms import build_form
from tui_app.services.protocols import ProtocolRejected, save_protocol
from test_scoring import _fill

S = scheme("2025")


def _text(path) -> str:
    return " ".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)


def _kinds(store):
    return {(p.kind, p.participant) for p in run_checks(store) if p.is_error}


def _scored(store):
    protos = store.protocols()
    return [p for p in store.participants() if p.guid in protos
            and protos[p.guid].status is ProtocolStatus.PRESENT and p.category == "general"]


_full = _fill  # scores over a category's criteria that add up to a total


# -- ОВЗ: never silently «Общая» ---------------------------------------------------------

def test_unset_ovz_category_blocks_status_19(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    p = _scored(store)[0]
    store.put(p.model_copy(update={"reserve": OVZ_RESERVE}))  # «22» from the file, no category
    assert ("ovz_no_category", p.guid) in _kinds(store)
    with pytest.raises(ExportRefused):
        export_results(store, tmp_path)
    forced = export_results(store, tmp_path, force=True)
    assert forced.condition == "13"
    # the entry refuses a score until a category is chosen or «Общая» confirmed
    proto = store.protocols()[p.guid]
    with pytest.raises(ProtocolRejected, match="категория не выбрана"):
        save_protocol(store, proto)


def test_general_confirmed_explicitly_from_the_cli_records_who_and_when(demo_results_ws, capsys):
    store = demo_results_ws.store
    p = _scored(store)[0]
    store.put(p.model_copy(update={"reserve": OVZ_RESERVE}))
    root = demo_results_ws.root
    demo_results_ws.close()
    assert main(["-w", str(root), "participant", p.code, "--category", "general"]) == 0
    out = capsys.readouterr().out
    assert "Общая" in out and "выбрал" in out
    assert main(["-w", str(root), "check"]) == 0  # nothing blocks 19 any more


def test_basis_and_conditions_are_recorded(demo_results_ws, capsys):
    p = demo_results_ws.store.participants()[0]
    root = demo_results_ws.root
    demo_results_ws.close()
    assert main(["-w", str(root), "participant", p.code, "--category", "speech", "--basis", "ПМПК",
                 "--basis-number", "77/5", "--basis-date", "12.12.2026",
                 "--condition", "written", "--condition", "extra_time"]) == 0
    out = capsys.readouterr().out
    assert "ПМПК № 77/5 от 12.12.2026" in out and "письменная форма" in out
    assert main(["-w", str(root), "participant", p.code, "--condition", "levitation"]) == 2
    assert "Неизвестные условия" in capsys.readouterr().err


# -- blind and visually impaired: «только задания 3–4» -----------------------------------

def test_tasks_3_4_variant_scores_9_of_its_maximum():
    cat = S.category("blind_34")
    assert set(cat.criteria) == {"М1", "М2", "Д1", "Р1", "Р2", "Р3"} and cat.max == 12
    assert score(S, cat, _full("blind_34", 9)).passed is True  # 9 of 12: зачёт (min 9)
    assert score(S, cat, _full("blind_34", 8)).passed is False
    assert score(S, cat, _full("blind_34", 12)).total == 12
    assert S.category("low_vision_34").max == 12 and S.category("blind").max == 19


def test_the_invented_exclusion_is_printed_as_uточните_в_рцои(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    blind = next(p for p in store.participants() if p.category == "blind")
    [path] = build_form(store, "ИС-03", participant=blind.code, blank=True, out_dir=tmp_path)
    text = _text(path)
    assert "УТОЧНИТЕ В РЦОИ" in text and "Оцениваются критерии" not in text
    warnings = [p for p in run_checks(store) if p.kind == "category_to_confirm"]
    assert warnings and all(not w.is_error for w in warnings)


def test_a_region_confirming_the_data_drops_the_note():
    from tui_app.domain.regions import rules_from

    rules = rules_from({"confirmed_categories": ["blind"]}, None)
    assert rules.category_note(S.category("blind")) == ""
    assert rules.category_note(S.category("low_vision")).startswith("уточните в РЦОИ")


# -- acts and protocol marks, both ways ----------------------------------------------------

def test_a_mark_without_an_act_is_a_check_error(demo_results_ws):
    store = demo_results_ws.store
    p = _scored(store)[0]
    proto = store.protocols()[p.guid]
    store.put(proto.model_copy(update={"status": ProtocolStatus.EARLY, "scores": {}}))
    assert ("mark_without_act", p.guid) in _kinds(store)


def test_an_act_with_a_result_is_a_check_error(demo_results_ws):
    store = demo_results_ws.store
    p = _scored(store)[0]
    store.put(Act(kind="ИС-08", participant=p.guid, reason="плохое самочувствие", time=time(10, 0)))
    assert ("act_with_result", p.guid) in _kinds(store)


def test_after_an_act_a_result_on_the_same_sitting_is_refused(demo_results_ws):
    store = demo_results_ws.store
    p = _scored(store)[0]
    before = store.protocols()[p.guid]
    act = create_act(store, p, "ИС-08", "плохое самочувствие", "10:00")
    with pytest.raises(ProtocolRejected, match="составлен акт ИС-08"):
        save_protocol(store, before)
    delete_act(store, act.id)  # taking the act back restores the protocol, scores included
    back = store.protocols()[p.guid]
    assert back.status is ProtocolStatus.PRESENT and back.scores == before.scores


def test_the_act_time_never_overwrites_the_is02_end_time(demo_results_ws):
    store = demo_results_ws.store
    p = _scored(store)[0]
    entry = store.get(RoomLogEntry, p.guid)
    create_act(store, p, "ИС-09", "телефон", "11:55")
    assert store.get(RoomLogEntry, p.guid) == entry


def test_a_same_day_retake_with_another_variant_is_its_own_sitting(demo_results_ws):
    from tui_app.domain.models import PriorSitting
    from tui_app.services.acts import retake_today

    store = demo_results_ws.store
    p = _scored(store)[0]
    first = store.protocols()[p.guid]
    create_act(store, p, "ИС-08", "некачественная аудиозапись", "10:20")
    with pytest.raises(ActRejected, match="уже выполнял"):
        retake_today(store, p, first.variant)
    other = str(int(first.variant) % 9 + 1)
    new = retake_today(store, p, other)
    assert new.sitting == 2 and new.variant == other
    [prior] = store.all(PriorSitting)
    assert prior.variant == first.variant and prior.protocol["status"] == "early"
    assert len([a for a in store.all(Act) if a.participant == p.guid]) == 1  # the act stays
    done = save_protocol(store, new.model_copy(update={"scores": _full("general", 12),
                                                       "expert": "Эксперт Э. Э."}))
    assert done.passed is True
    assert not {k for k, g in _kinds(store) if g == p.guid}
    # the same variant again is an error of the check too
    store.put(store.protocols()[p.guid].model_copy(update={"variant": first.variant}))
    assert ("retake_same_variant", p.guid) in _kinds(store)


# -- schemes ----------------------------------------------------------------------------

def test_autism_with_scheme_1_is_a_check_error(demo_results_ws):
    store = demo_results_ws.store
    p = next(x for x in store.participants() if x.category == "autism")
    proto = store.protocols()[p.guid]
    assert proto.scheme == 2 and ("scheme_required", p.guid) not in _kinds(store)
    store.put(proto.model_copy(update={"scheme": 1}))
    assert ("scheme_required", p.guid) in _kinds(store)


def test_scheme_per_room_is_on_is02_and_is03(demo_results_ws, tmp_path, capsys):
    root = demo_results_ws.root
    store = demo_results_ws.store
    p = next(x for x in store.participants() if x.room == "101" and not x.absent)
    demo_results_ws.close()
    assert main(["-w", str(root), "room", "101", "--scheme", "2"]) == 0
    assert main(["-w", str(root), "forms", "ИС-02", "--room", "101", "--out", str(tmp_path)]) == 0
    assert main(["-w", str(root), "forms", "ИС-03", "--participant", p.code, "--blank",
                 "--out", str(tmp_path)]) == 0
    texts = {f.name: _text(f) for f in tmp_path.glob("*.pdf")}
    is02 = next(t for n, t in texts.items() if n.startswith("IS-02"))
    is03 = next(t for n, t in texts.items() if n.startswith("IS-03"))
    assert "вторая (по аудиозаписи" in is02 and "Схема оценивания" in is03


# -- forms completeness ---------------------------------------------------------------------

def test_acts_carry_the_work_code_birth_date_and_the_school(demo_results_ws, tmp_path, capsys):
    root = demo_results_ws.root
    p = _scored(demo_results_ws.store)[0]
    demo_results_ws.close()
    assert main(["-w", str(root), "school", "--name", "МОУ «Школа № 7»",
                 "--address", "г. Сосновый Бор, ул. Ленина, 1"]) == 0
    assert main(["-w", str(root), "participant", p.code, "--birth-date", "01.03.2011"]) == 0
    assert main(["-w", str(root), "act", "ИС-09", "--participant", p.code, "--time", "10:40",
                 "--reason", "телефон", "--out", str(tmp_path)]) == 0
    text = _text(next(tmp_path.glob("IS-09*.pdf")))
    assert "(код работы)" in text and (p.barcode or p.code) in text
    assert "01.03.2011" in text and "МОУ «Школа № 7», г. Сосновый Бор, ул. Ленина, 1" in text


def test_is04_screen_and_paper_list_the_same_rows(demo_results_ws, tmp_path):
    from tui_app.services.form04 import missing, rows

    store = demo_results_ws.store
    screen = rows(store)
    protos = store.protocols()
    assert {r.participant.guid for r in screen} == {p.guid for p in store.participants()
                                                    if not p.absent and p.guid in protos}
    assert len(screen) == 117 and missing(store) == (3, 0)
    [path] = build_form(store, "ИС-04", out_dir=tmp_path)
    text = _text(path)
    for r in screen:
        assert r.participant.surname in text
    for p in store.participants():
        if p.absent:
            assert p.fio not in text


# -- results rows ---------------------------------------------------------------------------

def test_both_counts_before_export_and_the_region_setting(demo_results_ws, tmp_path, monkeypatch):
    from tui_app.services.export_results import row_counts

    store = demo_results_ws.store
    c = row_counts(store)
    assert (c.rows, c.sat, c.absent) == (120, 117, 3) and "неявившиеся" in c.rule_text
    from tui_app.services import calendar

    rules = calendar.region_rules("47").model_copy(update={"results_rows": "sat"})
    monkeypatch.setattr(calendar, "rules_for", lambda _store: rules)
    c2 = row_counts(store)
    assert (c2.rows, c2.sat, c2.absent) == (117, 117, 0)
    res = export_results(store, tmp_path)
    assert res.clean and res.rows == 117 and res.absent == 0


# -- handoff contents -------------------------------------------------------------------------

def test_handoff_leaves_test_recordings_and_service_json_out(demo_results_ws):
    from tui_app.services.handoff import plan_for

    root = demo_results_ws.root
    (root / "audio" / "test").mkdir(parents=True)
    (root / "audio" / "test" / "test_2027-02-09_150000_aud101.wav").write_bytes(b"RIFF" * 10)
    (root / "audio" / "2027-02-10_OO470123_aud101").mkdir()
    (root / "audio" / "2027-02-10_OO470123_aud101" / "markers.json").write_text("{}")
    rec = root / "audio" / "2027-02-10_OO470123_aud101" / "2027-02-10_OO470123_aud101_001_090000.mp3"
    rec.write_bytes(b"ID3" * 10)
    plan = plan_for(demo_results_ws.store)
    rels = [i.rel for i in plan.items]
    assert any(r.endswith("_001_090000.mp3") for r in rels)
    assert not any("test_" in r or r.endswith(".json") for r in rels)
    assert len(plan.left_out) == 2
    assert any("102" in q for q in plan.questions) and any("ИС-02" in q for q in plan.questions)


# -- the typing sheet -------------------------------------------------------------------------

def test_typing_sheet_column_order_row_totals_and_control_sum(demo_results_ws, tmp_path):
    from tui_app.services.sheets import typing_sheet, write_typing_sheet

    store = demo_results_ws.store
    sheet = typing_sheet(store, "federal")
    crit = ["Ч1", "Ч2", "Ч3", "П1", "П2", "П3", "М1", "М2", "Д1", "Р1", "Р2", "Р3", "Р4"]
    assert sheet.header[:5] == ["№", "ФИО участника", "Класс", "Аудитория", "Вариант"]
    assert sheet.header[5:18] == crit  # the B2P row's order С_01 … С_13
    sch = scheme("2025")
    protos = store.protocols()
    expected = sum(score(sch, sch.category(p.category), protos[p.guid].scores).total
                   for p in store.participants() if not p.absent and p.guid in protos
                   and protos[p.guid].status is ProtocolStatus.PRESENT)
    assert sheet.control_sum == expected == sum(sheet.totals)
    pdf, csv_path, _ = write_typing_sheet(store, "47", tmp_path)
    raw = csv_path.read_bytes().decode("utf-8-sig")
    head = raw.splitlines()[0].split(";")
    assert head[:5] == ["№", "Код участника", "ФИО участника", "Аудитория", "Вариант"]
    assert f"контрольная сумма {expected}" in raw
    assert "Контрольная сумма" in _text(pdf)


# -- re-check and «ознакомление» ----------------------------------------------------------

def test_recheck_application_rules_and_deadline(demo_results_ws):
    from tui_app.services.recheck import RecheckRefused, record_application

    store = demo_results_ws.store
    sch = scheme("2025")
    protos = store.protocols()
    failed = [p for p in store.participants() if p.guid in protos
              and score(sch, sch.category(p.category), protos[p.guid].scores,
                        protos[p.guid].status).passed is False]
    p = failed[0]
    with pytest.raises(RecheckRefused, match="повторном"):  # seed 004: a repeated незачёт only
        record_application(store, p, date(2027, 2, 17))
    store.put(p.model_copy(update={"prior_fails": 1}))
    p = store.participant(p.guid)
    ok = record_application(store, p, date(2027, 2, 17), "мать", date(2027, 2, 17))
    assert not ok.late
    late = record_application(store, p, date(2027, 2, 19))
    assert late.late  # the deadline is 18.02.2027 (2 working days after 16.02)


def test_acquaintance_list_per_class(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    grade = store.participants()[0].grade
    [path] = build_form(store, "ознакомление", grade=grade, out_dir=tmp_path)
    text = _text(path)
    assert "Дата ознакомления" in text and f"Класс {grade}" in text


# -- the remote form ----------------------------------------------------------------------

def test_remote_participant_connection_schedule(demo_results_ws, tmp_path, capsys):
    root = demo_results_ws.root
    p = next(x for x in demo_results_ws.store.participants() if x.room == "101" and not x.absent)
    demo_results_ws.close()
    assert main(["-w", str(root), "participant", p.code, "--remote"]) == 0
    assert main(["-w", str(root), "timetable", "--room", "101"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if p.short_fio in x)
    m = re.search(r"подключение и проверка (\d\d):(\d\d) \(за 15 мин\), ответ (\d\d):(\d\d)", line)
    assert m and (int(m[3]) * 60 + int(m[4])) - (int(m[1]) * 60 + int(m[2])) == 15
    assert "тест 09.02" in line  # the working day before
    assert main(["-w", str(root), "forms", "график", "--out", str(tmp_path)]) == 0
    text = _text(next(tmp_path.glob("connection-schedule*.pdf")))
    assert p.fio in text and "09.02.2027 15:00" in text


def test_remote_recording_is_imported_under_the_naming_rule(demo_results_ws, tmp_path, capsys):
    root = demo_results_ws.root
    p = demo_results_ws.store.participants()[0]
    demo_results_ws.close()
    src = tmp_path / "Запись встречи.mp4"
    src.write_bytes(b"\x00" * 100)
    assert main(["-w", str(root), "recording-import", str(src), "--room", "101",
                 "--participant", p.code]) == 0
    [f] = list((root / "audio").rglob("*.mp4"))
    assert re.fullmatch(rf"2027-02-10_OO470123_aud101_distant_uch{p.code}_\d{{6}}\.mp4", f.name)



@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="a named pipe (POSIX)")
def test_a_recording_that_is_not_a_file_is_named_as_such(demo_results_ws, tmp_path, capsys):
    """A folder or a pipe given as the recording is refused for what it is, not as «не найден»,
    and the pipe is never opened (a read from it would hang the program)."""
    root = demo_results_ws.root
    demo_results_ws.close()
    pipe = tmp_path / "запись.mp4"
    os.mkfifo(pipe)
    folder = tmp_path / "папка.mp4"
    folder.mkdir()
    for src, says in ((pipe, "не обычный файл"), (folder, "папка"), (tmp_path / "нет.mp4", "не найден")):
        assert main(["-w", str(root), "recording-import", str(src), "--room", "101"]) == 2
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err, err
    assert not list((root / "audio").rglob("*.mp4"))


# -- every edit a screen can make is a command ----------------------------------------------

def test_room_staff_log_commands(demo_results_ws, capsys):
    root = demo_results_ws.root
    p = next(x for x in demo_results_ws.store.participants() if x.room == "101" and not x.absent)
    entry = demo_results_ws.store.get(RoomLogEntry, p.guid)
    demo_results_ws.close()
    assert main(["-w", str(root), "room", "301", "--capacity", "12", "--accessible",
                 "--interlocutor", "Новикова Н. Н.", "--expert", "Орлов О. О."]) == 0
    assert "Аудитория 301: мест 12, доступна" in capsys.readouterr().out
    assert main(["-w", str(root), "staff", "list"]) == 0
    out = capsys.readouterr().out
    assert "Новикова Н. Н." in out and "301" in out
    start = entry.start.strftime("%H:%M")
    assert main(["-w", str(root), "log", p.code, "--end", "23:59"]) == 2  # past the day's window
    assert "Ошибка" in capsys.readouterr().err
    assert main(["-w", str(root), "log", p.code, "--start", start]) == 0
    assert f"{start}–" in capsys.readouterr().out
    assert main(["-w", str(root), "participant", p.code, "--absent"]) == 2  # it has a protocol
    assert "протокол" in capsys.readouterr().err


def test_category_set_from_the_cli_shows_on_the_roster_screen(demo_results_ws):
    from tui_app.app import ShtabApp

    root = demo_results_ws.root
    p = demo_results_ws.store.participants()[0]
    assert p.category == "general"
    demo_results_ws.close()
    assert main(["-w", str(root), "participant", p.code, "--category", "zpr"]) == 0
    from tui_app.store.workspace import Workspace

    ws = Workspace.open(root, snapshot=False)
    try:
        async def run():
            app = ShtabApp(ws)
            async with app.run_test(size=(80, 25)) as pilot:
                await pilot.press("f2")
                await pilot.pause()
                table = app.screen.query_one("LineTable")
                row = table.get_row_at(0)
                assert "ЗПР" in [str(c) for c in row]
        asyncio.run(run())
    finally:
        ws.close()

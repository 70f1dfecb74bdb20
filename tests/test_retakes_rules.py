"""Retakes (seed 004, п. 15): each rule, the additional dates, the next roster."""
from __future__ import annotations

from datetime import date, time

import pytest

from support.workspaces import drop_demo_acts

from tui_app.domain.models import (Act, ActKind, Attendance, ExamKind, Participant, Protocol,
                                   ProtocolStatus, ValidReason)
from tui_app.domain.retakes import Ground, carry, decide
from tui_app.services.calendar import next_additional, year_dates


def additional_dates(year, region=""):
    return [e.day for e in year_dates(date(year, 2, 1), region) if e.kind == "additional"]


def next_additional_date(d, region=""):
    return next_additional(d, region)
from tui_app.services import retakes
from tui_app.store.workspace import Workspace


def _p(**kw) -> Participant:
    base = dict(surname="Иванов", name="Иван", patronymic="Иванович",
                attendance=Attendance.PRESENT, room="101", kim="123456", order=3)
    base.update(kw)
    return Participant(**base)


def _proto(p, status=ProtocolStatus.PRESENT) -> Protocol:
    return Protocol(participant=p.guid, room="101", variant="1", status=status)


def test_fail_first_time_may_retake():
    p = _p()
    v = decide(p, _proto(p), passed=False)
    assert v.eligible and v.ground is Ground.FAILED and "1 из 2" in v.note


def test_fail_second_time_may_retake_once_more():
    p = _p(prior_fails=1)
    v = decide(p, _proto(p), passed=False)
    assert v.eligible and "2 из 2" in v.note


def test_fail_third_time_no_more_retakes():
    p = _p(prior_fails=2)
    v = decide(p, _proto(p), passed=False)
    assert not v.eligible and v.ground is Ground.FAILED and "использованы" in v.note


def test_passed_is_not_admitted_again():
    p = _p(prior_fails=1)
    assert not decide(p, _proto(p), passed=True).eligible


def test_incomplete_protocol_has_no_result():
    p = _p()
    v = decide(p, _proto(p), passed=None)
    assert not v.eligible and "не полностью" in v.note


def test_removed_may_retake():
    p = _p(prior_fails=2)  # the незачёт limit does not apply to a removal
    v = decide(p, _proto(p, ProtocolStatus.REMOVED), passed=None)
    assert v.eligible and v.ground is Ground.REMOVED


def test_absent_with_document_may_retake():
    p = _p(attendance=Attendance.ABSENT)
    v = decide(p, None, None, document="справка № 5")
    assert v.eligible and v.ground is Ground.ABSENT and "справка № 5" in v.note


def test_absent_without_document_may_not():
    p = _p(attendance=Attendance.ABSENT)
    v = decide(p, None, None)
    assert not v.eligible and "документ" in v.note


def test_early_with_act_or_document_may_retake():
    p = _p()
    assert decide(p, _proto(p, ProtocolStatus.EARLY), None, has_act=True).eligible
    assert decide(p, _proto(p, ProtocolStatus.EARLY), None, document="справка").eligible
    v = decide(p, _proto(p, ProtocolStatus.EARLY), None)
    assert not v.eligible and "ИС-08" in v.note


def test_no_protocol_no_result():
    p = _p()
    assert not decide(p, None, None).eligible


def test_carry_keeps_guids_and_clears_the_day():
    p = _p(local_guid="L-1", code="123", barcode="2000000000015", prior_fails=0)
    v = decide(p, _proto(p), passed=False)
    q = carry(p, v)
    assert (q.guid, q.local_guid, q.code, q.barcode) == (p.guid, "L-1", "123", "2000000000015")
    assert q.room == "" and q.attendance is Attendance.UNKNOWN and q.kim == "" and q.order == 0
    assert q.prior_fails == 1
    r = carry(p, decide(p, _proto(p, ProtocolStatus.REMOVED), None))
    assert r.prior_fails == 0


def test_additional_dates():
    assert additional_dates(2025) == [date(2025, 3, 12), date(2025, 4, 21)]
    assert additional_dates(2027) == [date(2027, 3, 10), date(2027, 4, 19)]
    # 2028: 8 March is a Wednesday and a holiday, so the 2nd WORKING Wednesday is the 15th
    assert additional_dates(2028) == [date(2028, 3, 15), date(2028, 4, 17)]
    assert next_additional_date(date(2027, 2, 10)) == date(2027, 3, 10)
    assert next_additional_date(date(2027, 3, 10)) == date(2027, 4, 19)
    assert next_additional_date(date(2027, 4, 19)) is None


def test_service_verdicts_on_the_demo_day(demo_results_ws):
    store = demo_results_ws.store
    rows = retakes.verdicts(store)
    assert len(rows) == len(store.participants())
    by_ground = {}
    for r in rows:
        by_ground.setdefault((r.verdict.ground, r.verdict.eligible), []).append(r)
    protocols = store.protocols()
    removed = [g for g, pr in protocols.items() if pr.status is ProtocolStatus.REMOVED]
    assert removed and all(
        next(r for r in rows if r.participant.guid == g).verdict.eligible for g in removed)
    absent = [r for r in rows if r.participant.absent]
    assert absent and not any(r.verdict.eligible for r in absent)  # no documents yet
    p = retakes.record_document(store, absent[0].participant.guid, "справка о болезни № 7")
    assert store.get(ValidReason, p.guid).document == "справка о болезни № 7"
    assert next(r for r in retakes.verdicts(store) if r.participant.guid == p.guid).verdict.eligible
    with pytest.raises(retakes.RetakeError, match="не найден"):
        retakes.record_document(store, "нет-такого", "справка")
    with pytest.raises(retakes.RetakeError, match="Укажите документ"):
        retakes.record_document(store, p.guid, "  ")


def test_early_needs_the_act_in_the_store(demo_results_ws):
    store = demo_results_ws.store
    drop_demo_acts(store)
    early = [g for g, pr in store.protocols().items() if pr.status is ProtocolStatus.EARLY]
    assert early
    g = early[0]
    before = {r.participant.guid: r.verdict for r in retakes.verdicts(store)}[g]
    store.put(Act(kind=ActKind.EARLY, participant=g, reason="плохое самочувствие", time=time(10, 5)))
    after = {r.participant.guid: r.verdict for r in retakes.verdicts(store)}[g]
    assert not before.eligible and before.ground is Ground.EARLY  # the demo has no acts
    assert after.eligible and after.ground is Ground.EARLY


def test_next_roster_csv_and_workspace(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    want = {r.participant.guid for r in retakes.eligible(store)}
    assert want
    out = tmp_path / "next.csv"
    day, n = retakes.write_roster_csv(store, out)
    assert day.date == date(2027, 3, 10) and day.kind is ExamKind.ADDITIONAL
    assert day.source_file == "47002090-06-470123-005-20270310"
    back = retakes.read_roster_csv(out)
    assert n == len(back) == len(want) and {p.guid for p in back} == want
    assert out.read_bytes().startswith("\ufeff".encode())
    assert all(p.room == "" for p in back)

    day2, n2 = retakes.create_next_workspace(store, tmp_path / "march", date(2027, 3, 10))
    w = Workspace.open(tmp_path / "march")
    try:
        assert w.store.exam_day().date == date(2027, 3, 10)
        assert {p.guid for p in w.store.participants()} == want
        assert len(w.store.rooms()) == len(store.rooms())
        failed = [p for p in w.store.participants() if p.prior_fails == 1]
        assert failed  # the demo has незачёт results; they carry the count
    finally:
        w.close()
    with pytest.raises(retakes.RetakeError, match="уже содержит"):
        retakes.create_next_workspace(store, tmp_path / "march")
    with pytest.raises(retakes.RetakeError, match="не позже"):
        retakes.next_day(store, date(2027, 2, 1))


def test_carry_prior_fails_into_an_imported_roster(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    out = tmp_path / "next.csv"
    retakes.write_roster_csv(store, out)
    failed = {p.guid for p in retakes.read_roster_csv(out) if p.prior_fails == 1}
    assert failed
    # the official March roster arrives without our counter: same GUIDs, prior_fails 0
    w = Workspace.open(tmp_path / "march-official")
    try:
        day = store.exam_day().model_copy(update={"date": date(2027, 3, 10)})
        w.store.set_exam_day(day)
        w.store.put_many([p.model_copy(update={"prior_fails": 0}) for p in store.participants()
                          if p.guid in failed])
        assert retakes.carry_prior_fails(w.store, out) == len(failed)
        assert all(p.prior_fails == 1 for p in w.store.participants())
        assert retakes.carry_prior_fails(w.store, out) == 0
    finally:
        w.close()

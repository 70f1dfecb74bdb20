"""Acts ИС-08 / ИС-09 (services/acts.py) and the `forms` / `act` commands."""
from __future__ import annotations

from datetime import time

import pytest
from pypdf import PdfReader

from support.cli import run_cli
from tui_app.cli import main
from tui_app.domain.models import Act, Attendance, Protocol, ProtocolStatus, RoomLogEntry
from tui_app.services.acts import ActRejected, create_act, delete_act, parse_kind
from tui_app.services.demo import create_demo
from tui_app.store.workspace import Workspace


def _attendee_without_protocol(store):
    protos = store.protocols()
    p = next(x for x in store.participants() if not x.absent and x.guid in protos)
    store.delete(Protocol, p.guid)
    return p


def test_act_sets_status_and_creates_an_empty_protocol(demo_results_ws):
    store = demo_results_ws.store
    p = _attendee_without_protocol(store)
    act = create_act(store, p, "ИС-08", "  Плохое   самочувствие ", "10:15")
    assert act.kind.value == "ИС-08" and act.reason == "Плохое самочувствие"
    assert act.time == time(10, 15) and act.signed_by[0] and act.signed_by[1]
    assert str(act.act_date) == "2027-02-10"
    proto = store.get(Protocol, p.guid)
    assert proto.status is ProtocolStatus.EARLY and proto.scores == {} and proto.room == p.room
    # the act's time is the act's: the ИС-02 end time is not overwritten (issue 17)
    entry = store.get(RoomLogEntry, p.guid)
    assert entry is None or entry.end != time(10, 15)
    # the audit log has the change of status
    assert any("early" in line for line in (demo_results_ws.root / "audit.jsonl").read_text(
        encoding="utf-8").splitlines())


def test_act_drops_scores_of_an_existing_protocol(demo_results_ws):
    store = demo_results_ws.store
    p = next(x for x in store.participants()
             if x.guid in store.protocols() and store.protocols()[x.guid].scores)
    create_act(store, p, "IS-09", "Подсказки", "11:00", signed_by=["Организатор О. О.", ""])
    proto = store.get(Protocol, p.guid)
    assert proto.status is ProtocolStatus.REMOVED and proto.scores == {}
    assert proto.variant  # what was typed before stays
    [act] = [a for a in store.all(Act) if a.participant == p.guid]
    assert act.signed_by[0] == "Организатор О. О." and act.signed_by[1]  # head from staff


def test_same_kind_again_replaces_the_act(demo_results_ws):
    store = demo_results_ws.store
    p = next(x for x in store.participants() if not x.absent and store.protocols()[x.guid].status
             is ProtocolStatus.PRESENT)
    a1 = create_act(store, p, "ИС-08", "первая причина", "10:00")
    a2 = create_act(store, p, "ИС-08", "уточнённая причина", "10:05")
    assert a1.id == a2.id
    assert [a.reason for a in store.all(Act) if a.participant == p.guid] == ["уточнённая причина"]


@pytest.mark.parametrize("kind,reason,at,msg", [
    ("ИС-08", "", "10:00", "Укажите причину"),
    ("ИС-08", "причина", "25:00", "не в формате ЧЧ:ММ"),
    ("ИС-07", "причина", "10:00", "Вид акта"),
])
def test_bad_acts_are_refused(demo_results_ws, kind, reason, at, msg):
    store = demo_results_ws.store
    p = next(x for x in store.participants() if not x.absent)
    before = store.all(Act)
    with pytest.raises(ActRejected, match=msg):
        create_act(store, p, kind, reason, at)
    assert store.all(Act) == before


def test_absentee_and_second_kind_are_refused(demo_results_ws):
    store = demo_results_ws.store
    absent = next(x for x in store.participants() if x.attendance is Attendance.ABSENT)
    with pytest.raises(ActRejected, match="не явившийся"):
        create_act(store, absent, "ИС-09", "причина", "10:00")
    p = next(x for x in store.participants() if not x.absent and x.guid in store.protocols()
             and store.protocols()[x.guid].status is ProtocolStatus.PRESENT)
    create_act(store, p, "ИС-08", "причина", "10:00")
    with pytest.raises(ActRejected, match="уже составлен акт ИС-08"):
        create_act(store, p, "ИС-09", "причина", "10:10")
    assert store.get(Protocol, p.guid).status is ProtocolStatus.EARLY


def test_delete_act_restores_the_protocol(demo_results_ws):
    store = demo_results_ws.store
    p = _attendee_without_protocol(store)
    act = create_act(store, p, "ИС-08", "причина", "10:00")
    delete_act(store, act.id)
    assert store.get(Protocol, p.guid) is None and not [a for a in store.all(Act) if a.participant == p.guid]
    q = next(x for x in store.participants() if x.guid in store.protocols()
             and store.protocols()[x.guid].variant)
    act = create_act(store, q, "ИС-09", "причина", "10:00")
    delete_act(store, act.id)
    assert store.get(Protocol, q.guid).status is ProtocolStatus.PRESENT


@pytest.fixture
def demo_root(tmp_path):
    """A closed demo workspace with results (for the commands, which open it themselves)."""
    root = tmp_path / "demo-closed"
    w = Workspace.open(root, snapshot=False)
    create_demo(w.store, with_results=True)
    w.close()
    return root


def test_acts_survive_reopening(demo_root):
    w = Workspace.open(demo_root)
    p = next(x for x in w.store.participants() if not x.absent
             and w.store.protocols()[x.guid].status is ProtocolStatus.PRESENT)
    before = len(w.store.all(Act))
    create_act(w.store, p, "ИС-09", "причина", "10:00")
    w.close()
    w = Workspace.open(demo_root)
    try:
        assert w.store.get(Protocol, p.guid).status is ProtocolStatus.REMOVED
        assert len(w.store.all(Act)) == before + 1
    finally:
        w.close()


def test_parse_kind():
    assert parse_kind("is-08").value == "ИС-08" and parse_kind("ИС09").value == "ИС-09"


# -- the commands --------------------------------------------------------------------
def test_cli_forms_and_act(demo_root, tmp_path, capsys):
    root = str(demo_root)
    w = Workspace.open(demo_root)
    p = next(x for x in w.store.participants() if not x.absent)
    w.close()
    out = tmp_path / "usb"
    assert main(["-w", root, "forms", "IS-01", "--room", "201", "--out", str(out)]) == 0
    assert "Готово" in capsys.readouterr().out
    assert (out / "IS-01_470123_20270210_room201.pdf").exists()
    assert main(["-w", root, "act", "IS-08", "--participant", p.code, "--time", "10:20",
                 "--reason", "Плохое самочувствие", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "Акт ИС-08 составлен" in said and "не завершил по объективным причинам" in said
    pdf = out / f"IS-08_470123_20270210_{p.code}.pdf"
    assert "Плохое самочувствие" in PdfReader(str(pdf)).pages[0].extract_text()
    assert main(["-w", root, "act", "IS-09", "--participant", p.code, "--time", "10:20",
                 "--reason", "x"]) == 2
    assert "уже составлен акт ИС-08" in capsys.readouterr().err
    assert main(["-w", root, "forms", "ИС-05"]) == 2
    assert "не печатается" in capsys.readouterr().err
    assert main(["-w", root, "forms", "заявление", "--participant", "нет такого"]) == 2
    assert "не найден" in capsys.readouterr().err


def test_cli_help_is_russian():
    r = run_cli("forms", "--help")
    assert r.returncode == 0 and "пустой бланк" in r.stdout and "IS-01" in r.stdout

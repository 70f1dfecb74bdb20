"""The store: durable writes with a backup, all-or-nothing transactions, the lock, the audit
log, private files."""
import json
import os
import stat
import subprocess
import sys
from datetime import date

import pytest

from tui_app.domain.models import ExamDay, Participant, Protocol, Room
from tui_app.services.protocols import ProtocolRejected, save_protocol
from tui_app.store.atomic import backup_path, durable_write
from tui_app.store.lock import WorkspaceLocked
from tui_app.store.storage import StoreCorrupted
from tui_app.store.workspace import DB_NAME, Workspace

POSIX = not sys.platform.startswith("win")
DAY = ExamDay(date=date(2027, 2, 10), region="47", msu="005", oo="470123")


def test_durable_write_replaces_and_keeps_previous_as_backup(tmp_path):
    f = tmp_path / "x.json"
    durable_write(f, b"one")
    durable_write(f, b"two")
    assert f.read_bytes() == b"two"
    assert backup_path(f).read_bytes() == b"one"
    assert not list(tmp_path.glob(".*.tmp"))


def test_store_roundtrip_and_backup_recovery(tmp_path):
    root = tmp_path / "ws"
    with Workspace.open(root) as w:
        w.store.set_exam_day(DAY)
        p = Participant(surname="Фёдорова-Ким", name="Алёна")
        w.store.put(p)
        w.store.put(Room(number="101", accessible=True))
    # a torn main file (impossible with os.replace, but a disk may lie): the backup loads
    (root / DB_NAME).write_bytes(b'{"participants": {"1": {"gu')
    with Workspace.open(root) as w:
        assert w.store.exam_day() == DAY
        assert [x.surname for x in w.store.participants()] == ["Фёдорова-Ким"]
        assert w.store.storage.recovered_from_backup


def test_both_copies_broken_is_a_clear_error(tmp_path):
    root = tmp_path / "ws"
    with Workspace.open(root) as w:
        w.store.set_exam_day(DAY)
        w.store.set_exam_day(DAY)
    (root / DB_NAME).write_bytes(b"\x00garbage")
    backup_path(root / DB_NAME).write_bytes(b"{broken")
    with pytest.raises(StoreCorrupted, match="повреждены"):
        with Workspace.open(root) as w:
            w.store.exam_day()


def test_transaction_is_all_or_nothing(ws):
    s = ws.store
    s.put(Participant(surname="Иванов", name="Иван"))
    before = (ws.root / DB_NAME).read_bytes()
    writes = s.storage.writes
    with pytest.raises(RuntimeError):
        with s.transaction():
            s.put_many([Participant(surname=f"Новый{i}", name="Н") for i in range(50)])
            s.set_exam_day(DAY)
            raise RuntimeError("refused half-way")
    assert (ws.root / DB_NAME).read_bytes() == before
    assert s.storage.writes == writes
    assert [p.surname for p in s.participants()] == ["Иванов"]
    assert s.exam_day() is None
    with s.transaction():
        s.put_many([Participant(surname=f"Новый{i}", name="Н") for i in range(50)])
        s.set_exam_day(DAY)
    assert s.storage.writes == writes + 1
    assert len(s.participants()) == 51


def test_put_many_updates_in_place_and_delete(ws):
    s = ws.store
    people = [Participant(surname=f"П{i}", name="И") for i in range(10)]
    s.put_many(people)
    s.put_many([people[0].model_copy(update={"room": "101"})])
    assert s.participant(people[0].guid).room == "101"
    assert len(s.participants()) == 10
    assert s.delete(Participant, people[1].guid)
    assert not s.delete(Participant, people[1].guid)
    assert s.participant(people[1].guid) is None
    s.put(people[1])
    assert len(s.participants()) == 10


def test_saving_a_protocol_writes_the_audit_log(demo_results_ws):
    s = demo_results_ws.store
    proto = next(p for p in s.protocols().values() if p.scores)
    old = proto.scores["Д1"]
    new = 0 if old else 1
    save_protocol(s, proto.model_copy(update={"scores": {**proto.scores, "Д1": new}}))
    entries = s.audit.for_key(proto.participant, "scores.Д1")
    assert entries[-1].old == old and entries[-1].new == new
    assert entries[-1].who
    text = (demo_results_ws.root / "audit.jsonl").read_text(encoding="utf-8")
    person = s.participant(proto.participant)
    assert person.surname not in text  # no names in the log


def test_impossible_score_is_never_saved(demo_results_ws):
    s = demo_results_ws.store
    proto = next(p for p in s.protocols().values() if p.scores)
    before = (demo_results_ws.root / DB_NAME).read_bytes()
    with pytest.raises(ProtocolRejected) as e:
        save_protocol(s, proto.model_copy(update={"scores": {**proto.scores, "Ч1": 3}}))
    assert "вне диапазона 0–1" in str(e.value)
    assert (demo_results_ws.root / DB_NAME).read_bytes() == before


def test_second_program_on_the_same_workspace_is_refused(ws):
    with pytest.raises(WorkspaceLocked, match="уже открыта другой копией"):
        Workspace.open(ws.root)


def test_second_process_gets_a_russian_message_and_no_traceback(ws):
    r = subprocess.run([sys.executable, "-m", "tui_app", "-w", str(ws.root), "info"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "уже открыта другой копией ИС-Штаба" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_lock_is_released_when_the_holder_dies(tmp_path):
    root = tmp_path / "ws"
    code = ("import os, sys; from tui_app.store.workspace import Workspace;"
            f"w = Workspace.open({str(root)!r}); os._exit(0)")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    with Workspace.open(root):
        pass


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_workspace_files_are_private(demo_results_ws):
    root = demo_results_ws.root
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for sub in ("audio", "forms", "export", "backups"):
        assert stat.S_IMODE((root / sub).stat().st_mode) == 0o700
    s = demo_results_ws.store
    proto = next(p for p in s.protocols().values() if p.scores)
    save_protocol(s, proto.model_copy(update={"variant": "99"}))
    for f in [root / DB_NAME, backup_path(root / DB_NAME), root / "audit.jsonl"]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_a_folder_the_user_had_keeps_its_rights_and_what_is_written_in_it_is_private(tmp_path):
    """`-w` an existing folder (say, «Документы» with other things in it): its rights stay as
    they were; the base, its copies and the program's folders in it are private."""
    root = tmp_path / "Документы"
    root.mkdir()
    os.chmod(root, 0o755)
    with Workspace.open(root) as ws:
        ws.store.put(Room(number="101"))  # a first save: the base
    assert stat.S_IMODE(root.stat().st_mode) == 0o755
    for sub in ("audio", "forms", "export", "backups"):
        assert stat.S_IMODE((root / sub).stat().st_mode) == 0o700
    assert stat.S_IMODE((root / DB_NAME).stat().st_mode) == 0o600


def test_start_snapshot_and_stale_temp_cleanup(tmp_path):
    root = tmp_path / "ws"
    with Workspace.open(root) as w:
        w.store.set_exam_day(DAY)
    (root / f".{DB_NAME}.abc.tmp").write_bytes(b"half a write")
    with Workspace.open(root) as w:
        assert w.store.exam_day() == DAY
    assert not list(root.glob(".*.tmp"))
    snaps = list((root / "backups").glob("is-shtab-*.json"))
    assert snaps and json.loads(snaps[0].read_text(encoding="utf-8"))["tables"]["meta"]


def test_a_save_writes_only_what_changed(ws):
    """One protocol saved in a store of 300 participants: one journal line of that record
    (and its audit lines), not the database; the base is rewritten only by a compaction."""
    s = ws.store
    people = [Participant(surname=f"П{i}", name="И") for i in range(300)]
    s.put_many(people)
    s.set_exam_day(DAY)
    s.compact()
    base = (ws.root / DB_NAME).read_bytes()
    journal = (ws.root / f"{DB_NAME}.journal").stat().st_size
    s.put(Protocol(participant=people[7].guid, variant="3", scores={"Ч1": 1}))
    assert (ws.root / DB_NAME).read_bytes() == base
    grown = (ws.root / f"{DB_NAME}.journal").stat().st_size - journal
    assert 0 < grown < 1500 < len(base) // 20
    assert grown < s.storage.last_commit_bytes < grown + 60  # the line and its seal
    data = json.loads(base.decode("utf-8"))
    assert len(data["tables"]["participants"]) == 300

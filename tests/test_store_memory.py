"""What keeps a region's store small in memory (issue 19) without changing what is stored:
the validated models share one set of set fields, a bulk write puts each document straight
into its table and journals only what it wrote, and a failed bulk write still puts back
exactly what was there. (The figures are printed by bench/b2p_memory.py and bench/memory.py;
no test asserts memory.)"""
from __future__ import annotations

import errno
import os

import pytest

from tui_app.domain.models import Participant, Protocol
from tui_app.errors import StorageError
from tui_app.store import journal as jr
from tui_app.store.storage import committed_tables
from tui_app.store.workspace import Workspace


def test_validated_models_share_one_fields_set_and_a_copy_gets_its_own(demo_results_ws):
    s = demo_results_ws.store
    people = s.all(Participant)
    a, b = people[0], people[1]
    assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__
    shared = set(a.__pydantic_fields_set__)
    protos = s.all(Protocol)
    assert protos[0].__pydantic_fields_set__ is protos[1].__pydantic_fields_set__

    changed = a.model_copy(update={"room": "999"})
    assert changed.__pydantic_fields_set__ is not a.__pydantic_fields_set__
    assert a.__pydantic_fields_set__ == shared == b.__pydantic_fields_set__
    with pytest.raises(ValueError):  # frozen: nothing can change the shared set in place
        a.room = "998"
    assert b.model_dump(exclude_unset=True) == b.model_dump()

    s.put(changed)
    assert s.participant(a.guid).room == "999"
    assert s.participant(b.guid) == b


def _last_commit(root) -> dict:
    return jr.read_journal(root / "is-shtab.json.journal").entries[-1].body


def test_bulk_write_journals_only_the_records_it_wrote(demo_ws):
    s = demo_ws.store
    people = s.all(Participant)
    s.put_many([people[0].model_copy(update={"grade": "11Б"}),
                Participant(surname="Новикова", name="Ольга", grade="9А")])
    body = _last_commit(s.root)
    assert "clr" not in body
    assert len(body["t"]["participants"]) == 2  # one replaced, one added: not the table
    assert s.participant(people[0].guid).grade == "11Б"
    assert len(s.all(Participant)) == len(people) + 1
    demo_ws.close()
    again = Workspace.open(s.root)
    try:
        assert [p.model_dump() for p in again.store.all(Participant)] == \
            [p.model_dump() for p in s.all(Participant)]
    finally:
        again.close()


def test_failed_bulk_write_puts_back_the_replaced_records(demo_ws, monkeypatch):
    s = demo_ws.store
    before = [p.model_dump() for p in s.all(Participant)]
    on_disk = committed_tables(s.db_path)["participants"]
    renamed = [p.model_copy(update={"surname": p.surname + "ова"}) for p in s.all(Participant)]

    def full(*a, **kw):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as m:
        m.setattr(jr.JournalWriter, "append", full)
        with pytest.raises(StorageError):
            s.put_many(iter(renamed + [Participant(surname="Лишний", name="Л")]))
    assert [p.model_dump() for p in s.all(Participant)] == before
    assert s.storage.tables()["participants"] == on_disk
    s.put_many(renamed[:1])  # the next write works and sees the records as they were
    assert s.participant(renamed[0].guid).surname == renamed[0].surname
    assert len(s.all(Participant)) == len(before)


def _tables_bytes(s) -> bytes:
    out = s.storage._tables_json()
    return out if isinstance(out, bytes) else b"".join(out)


def test_reading_shares_repeated_texts_of_the_stored_documents_without_changing_them(tmp_path):
    from tui_app.services.demo import create_demo

    w = Workspace.open(tmp_path / "ws")
    try:
        create_demo(w.store, with_results=True)
        w.close()
        w = Workspace.open(tmp_path / "ws")
        s = w.store
        before = _tables_bytes(s)
        people = s.all(Participant)
        s.all(Protocol)
        docs = list(s.storage.tables()["participants"].values())
        by_grade: dict = {}
        for d in docs:
            by_grade.setdefault(d["grade"], []).append(d["grade"])
        same = [g for g in by_grade.values() if len(g) > 1]
        assert same and all(all(x is g[0] for x in g) for g in same)
        assert _tables_bytes(s) == before  # the same data, byte for byte
        assert [p.model_dump() for p in people] == [p.model_dump() for p in s.all(Participant)]
        assert s.storage.verify_files() == ""
    finally:
        w.close()


@pytest.mark.parametrize("body", [
    {"seq": 3, "prev": "ab", "at": "2027-02-10T09:00:00", "t": {}},
    {"seq": 3, "prev": "ab", "at": "x", "t": {"a": {}, "b": {"1": None}}, "clr": ["a"], "drop": ["z"]},
    {"seq": 4, "prev": "", "at": "x", "t": {"p": {str(i): {"guid": f"g{i}", "имя": "Ёжик\n\"\\",
                                                        "s": {"Ч1": i % 3, "Ч2": None}}
                                                  for i in range(1, 1234)},
                                            "q": {"7": {"x": [1, 2.5, True, None]}}},
     "audit": [f'{{"at": "x", "n": {i}, "t": "«кавычки» \\"q\\""}}\n' for i in range(1100)]},
    {"seq": 5, "prev": "", "at": "x", "t": {"p": {}}, "audit": []},
])
def test_a_commit_line_made_in_pieces_is_byte_for_byte_the_whole_line(body):
    assert b"".join(jr.body_pieces(body)) == jr.dumps(body)
    raw = jr.dumps(body)
    long = jr.LongLine(body)
    whole = b"E " + jr.checksum(raw).encode() + b" " + raw + b"\n"
    assert long.sum == jr.checksum(raw)
    assert len(long) == len(whole)
    assert b"".join(long.parts()) == whole


def test_a_region_sized_commit_is_written_in_pieces_and_reads_back(tmp_path, monkeypatch):
    """A bulk write of more than LONG_LINE_RECORDS records is a LongLine (never one buffer);
    the journal holds the very line a single buffer would have held and reopens the same."""
    made = []
    real = jr.LongLine.__init__

    def spy(self, body):
        made.append(self)
        real(self, body)

    monkeypatch.setattr(jr.LongLine, "__init__", spy)
    ws = Workspace.open(tmp_path / "ws", snapshot=False)
    people = [Participant(surname=f"Фамилия{i}", name="Имя", grade="9А") for i in range(1500)]
    ws.store.put_many(people)
    assert len(made) == 1
    body = _last_commit(ws.store.root)
    raw = (ws.store.root / "is-shtab.json.journal").read_bytes().split(b"\n")[1]
    assert raw == b"E " + jr.checksum(jr.dumps(body)).encode() + b" " + jr.dumps(body)
    ws.close()
    again = Workspace.open(tmp_path / "ws", snapshot=False)
    try:
        assert [p.model_dump() for p in again.store.all(Participant)] == [p.model_dump() for p in people]
    finally:
        again.close()


@pytest.mark.parametrize("tables", [
    {},
    {"a": {}},
    {"meta": {"1": {"key": "settings", "value": {"x": {"y": {}}, "z": {"w": 1}}}},
     "participants": {str(i): {"guid": f"g{i}", "s": {"Ч1": 1}} for i in range(1, 50)},
     "empty": {}, "protocols": {"3": {"scores": {}}, "4": {"a": {"b": {}}, "c": {}}}},
    {'na"me': {"1": {}}, "b": {"2": {"x": "},\"c\":{"}}},  # escapes: parsed whole
])
def test_the_base_read_table_by_table_is_the_base_read_whole(tables):
    raw = jr.dumps(tables)
    assert jr._load_tables(memoryview(raw)) == jr.loads(raw) == tables


def test_the_base_is_split_into_its_tables_not_parsed_whole(monkeypatch):
    """The split is found (each table parsed alone), after a document, a nested empty dict
    and an empty table alike; the scan for it is a literal search, not a look-behind tried at
    every byte (a second at 36,000 participants)."""
    tables = {"meta": {"1": {"key": "settings", "value": {"x": {}}}}, "empty": {},
              "participants": {str(i): {"guid": f"g{i}", "s": {}} for i in range(1, 20)},
              "protocols": {"3": {"scores": {"Ч1": 1}}}}
    raw = jr.dumps(tables)
    parsed = []
    real = jr.loads
    monkeypatch.setattr(jr, "loads", lambda b: parsed.append(len(b)) or real(b))
    assert jr._load_tables(memoryview(raw)) == tables
    assert len(parsed) == 2 * len(tables) and sum(parsed) < len(raw)  # a name and a table each


def test_a_store_reopened_from_its_base_reads_every_table(tmp_path):
    ws = Workspace.open(tmp_path / "ws", snapshot=False)
    ws.store.put_many([Participant(surname=f"Ф{i}", name="И", grade="9А") for i in range(30)])
    ws.store.compact(forget_history=True)
    want = {k: dict(v) for k, v in ws.store.storage.tables().items()}
    ws.close()
    base = jr.read_base(tmp_path / "ws" / "is-shtab.json")
    assert base.tables == want and len(base.tables["participants"]) == 30

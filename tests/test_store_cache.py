"""The validated participant set of the Store (issue 19): validated once, served from
memory, kept true by every write (a single write updates it in place; a bulk write, a delete
and a failed transaction drop it), and the same after a reopen of the workspace."""
from __future__ import annotations

import pytest

from tui_app.domain.models import Attendance, Participant
from tui_app.domain.ordering import name_key
from tui_app.services import roster as svc
from tui_app.store.workspace import Workspace


@pytest.fixture
def validations(monkeypatch):
    """How many participants pydantic validates."""
    count = {"n": 0}
    real = Participant.model_validate.__func__

    def counting(cls, *a, **kw):
        count["n"] += 1
        return real(cls, *a, **kw)

    monkeypatch.setattr(Participant, "model_validate", classmethod(counting))
    return count


def test_reading_twice_validates_once(demo_ws, validations):
    store = demo_ws.store
    first = store.participants()
    assert validations["n"] == 120 and first == sorted(first, key=name_key)
    validations["n"] = 0
    assert store.participants() == first and store.all(Participant)
    assert store.participant(first[7].guid) == first[7]
    assert validations["n"] == 0


def test_a_write_updates_the_set_in_place_and_keeps_the_order(demo_ws, validations):
    store = demo_ws.store
    before = store.participants()
    target = before[10]
    validations["n"] = 0
    svc.set_absent(store, target.guid)  # one durable put
    after = store.participants()
    assert validations["n"] <= 2  # the written document, not the 120
    assert store.participant(target.guid).attendance is Attendance.ABSENT
    assert [p.guid for p in after] == [p.guid for p in before]
    renamed = svc.edit_participant(store, target.guid, surname="Ааронов")
    assert store.participants()[0].guid == renamed.guid  # moved to its new place
    assert store.participants() == sorted(store.participants(), key=name_key)


def test_the_set_equals_a_fresh_read_after_every_kind_of_write(demo_ws):
    store = demo_ws.store
    people = store.participants()
    svc.set_absent(store, people[0].guid)
    store.delete(Participant, people[1].guid)
    store.put_many([people[2].model_copy(update={"grade": "11Б"})])
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put(people[3].model_copy(update={"room": "999"}))
            raise RuntimeError("откат")
    cached = store.participants()
    root = demo_ws.root
    demo_ws.close()
    with Workspace.open(root, snapshot=False) as w:
        fresh = w.store.participants()
    assert cached == fresh
    assert {p.guid for p in fresh} == {p.guid for p in people} - {people[1].guid}
    assert next(p for p in fresh if p.guid == people[3].guid).room == people[3].room


def test_shared_objects_cannot_be_changed_by_accident(demo_ws):
    p = demo_ws.store.participants()[0]
    with pytest.raises(Exception):
        p.room = "999"  # frozen models: change a copy (model_copy) and put it
    assert demo_ws.store.participant(p.guid).room == p.room


async def test_opening_the_roster_again_validates_nobody(demo_ws, validations):
    from tui_app.app import ShtabApp

    app = ShtabApp(demo_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        validations["n"] = 0
        await pilot.press("f2", "escape", "f5", "escape", "f2")
        await pilot.pause()
        assert validations["n"] == 0
        assert len(app.screen._shown) == 120


def test_a_failed_single_write_leaves_the_set_as_on_disk(demo_ws, monkeypatch):
    from support.faults import fail_syncs
    from tui_app.errors import StorageError

    store = demo_ws.store
    target = store.participants()[5]  # the set is warm: the write would update it in place
    with monkeypatch.context() as m:
        fail_syncs(m)
        with pytest.raises(StorageError):
            svc.set_absent(store, target.guid)
    assert store.participant(target.guid).attendance is target.attendance
    assert store.participants()[5] == target


def test_clear_and_an_import_replace_the_set(demo_ws, tmp_path):
    from tui_app.domain.models import Protocol, Room
    from tui_app.services.import_roster import import_file
    from support.generate import make_roster
    from tui_app.exchange.b2p import write_b2p

    store = demo_ws.store
    assert len(store.participants()) == 120 and store.rooms() and store.protocols() == {}
    store.clear(Participant, Protocol)
    assert store.participants() == [] and store.all(Participant) == []
    assert store.rooms()  # the other tables are untouched
    roster = make_roster(37)
    path = tmp_path / f"{roster.file_name}.b2p"
    path.write_bytes(write_b2p(roster))
    import_file(store, path)
    root = demo_ws.root
    cached = store.participants()
    cached_rooms = store.all(Room)
    demo_ws.close()
    with Workspace.open(root, snapshot=False) as w:
        assert w.store.participants() == cached and len(cached) == 37
        assert w.store.all(Room) == cached_rooms

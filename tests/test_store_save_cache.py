"""What a protocol save keeps from one save to the next (issue 15, the cost of a save): the
exam day (for the criteria scheme) and a participant read by `get` are validated once and
then served from memory. Every change of them between two saves must reach the second save:
a new exam day (another criteria scheme), a new ОВЗ category, «Н», an import of the roster,
and a change that was rolled back must not."""
from __future__ import annotations

import json

import pytest

from tui_app.domain.criteria import load_scheme_file
from tui_app.domain.models import Attendance, Participant, Protocol
from tui_app.paths import data_path, scheme_year_for
from tui_app.services import data, roster
from tui_app.services.protocols import ProtocolRejected, save_protocol
from tui_app.store.workspace import Store

STRICT_YEAR = "2099"  # a scheme made here: Д1 scored 0–1 instead of 0–3


@pytest.fixture
def schemes(tmp_path, monkeypatch):
    """The shipped scheme, and a STRICT_YEAR one that differs only in Д1's maximum."""
    real = data.scheme
    raw = json.loads(data_path("criteria", f"{scheme_year_for()}.json").read_text("utf-8"))
    for c in raw["criteria"]:
        if c["code"] == "Д1":
            assert c["max"] == 3
            c["max"] = 1
    for cat in raw["categories"]:  # the category totals follow the criterion's maximum
        if "Д1" in cat["criteria"]:
            cat["max"] -= 2
    path = tmp_path / f"{STRICT_YEAR}.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    strict = load_scheme_file(path)
    monkeypatch.setattr(data, "scheme", lambda year=None: strict if year == STRICT_YEAR else real(year))
    return real(), strict


def _person(store: Store) -> Participant:
    """A participant of the general category, present, never read whole-table (so that the
    save reads it through the single-get cache, not through the validated table)."""
    docs = store.storage.tables()["participants"].values()
    doc = next(d for d in docs if d["category"] == "general" and not d.get("reserve")
               and d.get("attendance") != "absent")
    p = store.participant(doc["guid"])
    assert p is not None and p.category == "general" and not p.category_unset
    return p


def _protocol(p: Participant, **scores: int) -> Protocol:
    full = {c: 1 for c in "Ч1 Ч2 Ч3 П1 П2 П3 М1 М2 Д1 Р1 Р2 Р3 Р4".split()}
    full.update(scores)
    return Protocol(participant=p.guid, variant="3", expert="Петрова А. А.", scores=full)


def exam_day_scenario(store: Store) -> tuple[int, list[str]]:
    """Save, switch the exam day to the strict scheme, save again: (the first save's
    maximum, the second save's refusals)."""
    p = _person(store)
    first = save_protocol(store, _protocol(p, Д1=2))  # reads and keeps the exam day
    assert store.exam_day() is store.exam_day()  # served from memory
    day = store.exam_day().model_copy(update={"scheme_year": STRICT_YEAR})
    store.set_exam_day(day)
    try:
        save_protocol(store, _protocol(p, Д1=2, Р4=0))
    except ProtocolRejected as e:
        return first.max, e.problems
    return first.max, []


def test_a_new_exam_day_reaches_the_next_save(demo_ws, schemes):
    store = demo_ws.store
    first_max, problems = exam_day_scenario(store)
    assert first_max == 20
    assert problems and problems[0].endswith("Д1: балл 2 вне диапазона 0–1")
    # the refused save changed nothing; within the new scheme's range it is saved
    p = _person(store)
    assert store.get(Protocol, p.guid).scores["Р4"] == 1
    res = save_protocol(store, _protocol(p, Д1=1))
    assert res.max == 18 and store.get(Protocol, p.guid).scores["Д1"] == 1


def test_the_exam_day_check_fails_when_the_cache_is_never_forgotten(demo_ws, schemes, monkeypatch):
    """The scenario above catches a cache that a write does not invalidate."""
    monkeypatch.setattr(Store, "_forget", lambda self, *a, **kw: None)
    _, problems = exam_day_scenario(demo_ws.store)
    assert problems == []  # the stale exam day: the old scheme let Д1 = 2 through


def test_the_exam_day_cleared_and_a_rolled_back_change(demo_ws, schemes):
    store = demo_ws.store
    p = _person(store)
    strict = store.exam_day().model_copy(update={"scheme_year": STRICT_YEAR})
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.set_exam_day(strict)
            assert store.exam_day().scheme_year == STRICT_YEAR  # seen inside the transaction
            raise RuntimeError("rolled back")
    assert store.exam_day().scheme_year == ""  # as on disk
    assert save_protocol(store, _protocol(p, Д1=2)).max == 20
    store.set_exam_day(strict)
    with pytest.raises(ProtocolRejected, match="Д1: балл 2 вне диапазона 0–1"):
        save_protocol(store, _protocol(p, Д1=2))
    store.clear("meta")  # no exam day at all: the newest shipped scheme
    assert store.exam_day() is None
    assert save_protocol(store, _protocol(p, Д1=2)).max == 20


def category_scenario(store: Store) -> list[str]:
    """Save for a general-category participant, make them «deaf» (six criteria scored),
    save the thirteen scores again: the second save's refusals."""
    p = _person(store)
    save_protocol(store, _protocol(p))  # reads and keeps the participant
    assert store.participant(p.guid) is store.participant(p.guid)  # served from memory
    roster.edit_participant(store, p.guid, category="deaf")
    try:
        save_protocol(store, _protocol(p))
    except ProtocolRejected as e:
        return e.problems
    return []


def test_a_new_category_reaches_the_next_save(demo_ws):
    store = demo_ws.store
    p = _person(store)
    problems = category_scenario(store)
    assert problems and all(m.startswith(p.short_fio) for m in problems)
    assert any("не оценивается для категории" in m for m in problems)
    assert store.participant(p.guid).category == "deaf"
    deaf = data.scheme_for(store).category("deaf").criteria
    res = save_protocol(store, Protocol(participant=p.guid, variant="3", expert="Петрова А. А.",
                                        scores={c: 1 for c in deaf}))
    assert res.max == 10 and res.total == len(deaf)


def test_the_category_check_fails_when_the_cache_is_never_forgotten(demo_ws, monkeypatch):
    monkeypatch.setattr(Store, "_forget", lambda self, *a, **kw: None)
    assert category_scenario(demo_ws.store) == []  # the stale participant: still «general»


def test_absent_an_import_and_a_rolled_back_change_reach_the_next_save(demo_ws):
    store = demo_ws.store
    p = _person(store)
    save_protocol(store, _protocol(p))
    # a change rolled back: the next save sees the participant as on disk
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put(store.participant(p.guid).model_copy(update={"category": "deaf"}))
            assert store.participant(p.guid).category == "deaf"
            raise RuntimeError("rolled back")
    assert store.participant(p.guid).category == "general"
    save_protocol(store, _protocol(p, Д1=3))
    # a bulk write (an import of the roster) replaces the participant
    store.put_many([store.participant(p.guid).model_copy(update={"category": "deaf"})])
    with pytest.raises(ProtocolRejected, match="не оценивается для категории"):
        save_protocol(store, _protocol(p))
    store.put_many([store.participant(p.guid).model_copy(update={"category": "general"})])
    save_protocol(store, _protocol(p))
    # «Н» between two saves
    store.put(store.participant(p.guid).model_copy(update={"attendance": Attendance.ABSENT}))
    with pytest.raises(ProtocolRejected, match="отмечен как не явившийся"):
        save_protocol(store, _protocol(p))
    # deleted between two saves
    store.delete(Participant, p.guid)
    with pytest.raises(ProtocolRejected, match="не найден"):
        save_protocol(store, _protocol(p))


def test_a_wrong_score_is_still_refused_and_the_audit_names_each_change(demo_ws):
    store = demo_ws.store
    p = _person(store)
    save_protocol(store, _protocol(p))
    with pytest.raises(ProtocolRejected) as e:
        save_protocol(store, _protocol(p, Д1=7))
    assert e.value.problems == [f"{p.short_fio}: Д1: балл 7 вне диапазона 0–3"]
    save_protocol(store, _protocol(p, Д1=3, Р4=0).model_copy(update={"expert": "Иванов И. И."}))
    lines = [(e.field, e.old, e.new) for e in store.audit.for_key(p.guid)]
    assert lines[-3:] == [("expert", "Петрова А. А.", "Иванов И. И."),
                          ("scores.Д1", 1, 3), ("scores.Р4", 1, 0)]
    assert not any(f == "saved_at" for f, _, _ in lines)
    # what the cache serves equals a fresh read from the disk
    got = store.get(Protocol, p.guid)
    store._reset_index()
    assert store.get(Protocol, p.guid) == got and store.participant(p.guid) == _person(store)

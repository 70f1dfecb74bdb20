"""Headless rules of results entry: entry state, ИС-02 room log, double entry, statistics."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, time

import pytest

from support.workspaces import present_in
from tui_app.domain.models import Attendance, Protocol, ProtocolStatus, RoomLogEntry
from tui_app.domain.ordering import fold
from tui_app.domain.scoring import score_protocol
from tui_app.services import double_entry as de
from tui_app.services import form04
from tui_app.services import room_log as rl
from tui_app.services import stats
from tui_app.services.data import scheme, scheme_for
from tui_app.services.entry import (
    PASS2_TABLE,
    EntryState,
    next_in_stack,
    remaining,
    room_list,
)
from tui_app.services.picker import find
from tui_app.services.protocols import ProtocolRejected, save_protocol

FULL = dict(zip(["Ч1", "Ч2", "Ч3", "П1", "П2", "П3", "М1", "М2", "Д1", "Р1", "Р2", "Р3", "Р4"],
                [1, 1, 0, 2, 1, 1, 2, 0, 3, 2, 1, 2, 1]))


def _proto(p, **kw) -> Protocol:
    base = dict(participant=p.guid, room=p.room, variant="3", expert="Громова Н. С.", scores=dict(FULL))
    base.update(kw)
    return Protocol(**base)


# -- entry state ---------------------------------------------------------------

def test_entry_state_digits_advance_and_refuse(typing_ws):
    p = present_in(typing_ws.store, "102")[0]
    st = EntryState.start(scheme(), p, variant="3")
    assert st.current == "variant" and st.variant == "3"
    assert st.type_digit("1").accepted and st.type_digit("2").accepted  # the first digit replaces
    assert st.variant == "12"
    st.backspace()
    assert st.variant == "1" and not st.type_digit("ю").accepted
    assert st.enter() and st.current == "Ч1"
    st.left()
    assert st.current == "variant"
    st.enter()
    assert not st.type_digit("2").accepted and st.current == "Ч1"
    out = st.type_digit("9")
    assert not out.accepted and "0–1" in out.message
    for d in "1102":
        assert st.type_digit(d).accepted
    assert st.current == "П2" and st.result().subtotals["D1"] == 4
    st.backspace()  # П2 empty: clears П1 and stands on it
    assert st.current == "П1" and "П1" not in st.scores
    assert st.result().total == 2


def test_entry_state_ovz_autism_only_four_criteria(typing_ws):
    p = next(x for x in typing_ws.store.participants() if x.category == "autism")
    st = EntryState.start(scheme(), p)
    st.enter()
    visited = []
    while st.cursor is not None:
        visited.append(st.current)
        st.type_digit("1")
    assert visited == ["Ч1", "М1", "М2", "Д1"]
    res = st.result()
    assert res.max == 7 and res.pass_min == 3 and res.total == 4 and res.passed is True
    assert set(st.protocol().scores) == {"Ч1", "М1", "М2", "Д1"}


def test_pick_by_number_and_surname(typing_ws):
    store = typing_ws.store
    stack = room_list(store, "201")
    third = stack[2]
    everyone = store.participants()
    assert find(everyone, str(third.order), stack).people == [third]
    assert third in find(everyone, third.surname[:3].upper(), stack).people
    yo = next(x for x in everyone if x.surname.startswith("Пономарёва"))
    assert yo in find(everyone, "пономаре", room_list(store, yo.room)).people  # ё typed as е
    other_room = room_list(store, "202")[0]
    assert other_room in find(everyone, other_room.surname, stack).people
    assert not find(everyone, "999", stack)


def test_next_in_stack_skips_absentees(typing_ws):
    store = typing_ws.store
    room = next(p.room for p in store.participants() if p.attendance is Attendance.ABSENT)
    stack = room_list(store, room)
    i = next(i for i, p in enumerate(stack) if p.attendance is Attendance.ABSENT and i > 0)
    assert next_in_stack(stack, stack[i - 1].guid) is not stack[i]
    nxt = next_in_stack(stack, stack[i - 1].guid)
    assert nxt is None or nxt.attendance is not Attendance.ABSENT


def test_the_stack_is_what_is_left(typing_ws):
    """Saved protocols and «Н» are skipped; after the last one the stack goes round to a
    skipped participant; nothing left — None."""
    store = typing_ws.store
    stack = room_list(store, "102")
    present = [p for p in stack if not p.absent]
    done = {p.guid: object() for p in present[2:]}  # all typed but the first two
    assert [p.guid for p in remaining(stack, done)] == [p.guid for p in present[:2]]
    assert next_in_stack(stack, present[-1].guid, done) is present[0]  # round to the top
    assert next_in_stack(stack, present[0].guid, done) is present[1]  # saved ones skipped
    done[present[0].guid] = done[present[1].guid] = object()
    assert next_in_stack(stack, present[0].guid, done) is None and remaining(stack, done) == []


# -- room log ИС-02 --------------------------------------------------------------

def test_room_log_times_validated(typing_ws):
    store = typing_ws.store
    a, b = present_in(store, "102")[:2]
    rl.set_times(store, a.guid, "0900", "9:16")
    e = store.get(RoomLogEntry, a.guid)
    assert (e.start, e.end) == (time(9, 0), time(9, 16))
    with pytest.raises(rl.RoomLogRejected, match="позже начала"):
        rl.set_times(store, b.guid, "09:30", "09:20")
    with pytest.raises(rl.RoomLogRejected, match="пересекается"):
        rl.set_times(store, b.guid, "09:10", "09:30")
    with pytest.raises(rl.RoomLogRejected, match="вне экзаменационного дня"):
        rl.set_times(store, b.guid, "23:10", "23:30")
    with pytest.raises(rl.RoomLogRejected, match="ЧЧ:ММ"):
        rl.set_times(store, b.guid, "9 ч", "")
    rl.set_times(store, b.guid, "09:16", "09:33")  # back to back is fine
    assert store.get(RoomLogEntry, b.guid).end == time(9, 33)
    # a different room may overlap
    c = present_in(store, "201")[0]
    rl.set_times(store, c.guid, "09:05", "09:20")
    assert any(x.field == "end" for x in store.audit.for_key(a.guid))
    assert rl.now_hhmm(lambda: datetime(2027, 2, 10, 9, 7)) == "09:07"


def test_room_log_marks_live_in_protocol_status(typing_ws):
    store = typing_ws.store
    p, q = present_in(store, "201")[:2]
    proto = rl.set_mark(store, p.guid, ProtocolStatus.REMOVED)
    assert proto.status is ProtocolStatus.REMOVED and proto.expert
    assert rl.rows(store, "201")[[r.participant.guid for r in rl.rows(store, "201")].index(p.guid)].status \
        is ProtocolStatus.REMOVED
    assert store.participant(p.guid).attendance is Attendance.PRESENT
    # clearing the mark of a protocol without scores removes it (to be typed later)
    assert rl.set_mark(store, p.guid, ProtocolStatus.PRESENT) is None
    assert store.get(Protocol, p.guid) is None
    # a scored protocol marked early loses its scores (no result for a marked participant)
    save_protocol(store, _proto(q))
    marked = rl.set_mark(store, q.guid, ProtocolStatus.EARLY)
    assert marked.status is ProtocolStatus.EARLY and marked.scores == {}
    assert score_protocol(scheme_for(store), q, marked).passed is None
    absent = next(x for x in store.participants() if x.attendance is Attendance.ABSENT)
    with pytest.raises(rl.RoomLogRejected, match="Н"):
        rl.set_mark(store, absent.guid, ProtocolStatus.EARLY)


# -- double entry --------------------------------------------------------------

def test_double_entry_agreement(typing_ws):
    store = typing_ws.store
    ps = present_in(store, "102")[:3]
    for p in ps:
        save_protocol(store, _proto(p))
    for p in ps[:2]:
        de.save_second(store, _proto(p, expert="  громова н. с. "))  # spacing/case do not matter
    assert de.compare(store) == []
    c = de.counts(store)
    assert (c.single, c.double, c.agreed) == (1, 2, 2)
    # the exported table is untouched by the second pass
    assert len(store.protocols()) == 3 and len(de.pass2(store)) == 2


def test_double_entry_disagreement_found_and_settled(typing_ws):
    store = typing_ws.store
    p, q = present_in(store, "201")[:2]
    save_protocol(store, _proto(p))
    save_protocol(store, _proto(q))
    de.save_second(store, _proto(p, scores={**FULL, "М2": 1, "Р4": 0}))
    de.save_second(store, _proto(q, variant="4"))
    diffs = de.compare(store)
    found = {(d.participant, d.field, d.first, d.second) for d in diffs}
    assert found == {(p.guid, "М2", 0, 1), (p.guid, "Р4", 1, 0), (q.guid, "variant", "3", "4")}
    assert de.counts(store).agreed == 0
    # settle one by one: М2 — the second pass was right; Р4 — the first; variant — the second
    de.settle(store, p.guid, "М2", 2)
    assert store.get(Protocol, p.guid).scores["М2"] == 1
    assert len(de.compare(store)) == 2
    de.settle(store, p.guid, "Р4", 1)
    assert store.get(Protocol, p.guid, PASS2_TABLE).scores["Р4"] == 1
    de.settle(store, q.guid, "variant", 2)
    assert de.compare(store) == []
    c = de.counts(store)
    assert (c.double, c.agreed) == (2, 2)
    assert store.get(Protocol, q.guid).variant == "4"
    # settled changes are audited in the exported table
    assert any(e.field == "scores.М2" and e.old == 0 and e.new == 1 and e.entity == "protocol"
               for e in store.audit.for_key(p.guid))


def test_double_entry_status_disagreement_takes_whole_protocol(typing_ws):
    store = typing_ws.store
    p = present_in(store, "202")[0]
    save_protocol(store, _proto(p))
    de.save_second(store, _proto(p, status=ProtocolStatus.EARLY, scores={}))
    assert [d.field for d in de.compare(store)][0] == "status"
    de.settle(store, p.guid, "status", 2)
    assert store.get(Protocol, p.guid).status is ProtocolStatus.EARLY
    assert store.get(Protocol, p.guid).scores == {}
    assert de.compare(store) == []


def test_second_pass_is_validated(typing_ws):
    store = typing_ws.store
    p = present_in(store, "202")[0]
    with pytest.raises(ProtocolRejected):
        de.save_second(store, _proto(p, scores={**FULL, "Д1": 4}))


# -- statistics and ИС-04 rows ----------------------------------------------------------

def test_stats_counts_means_and_histogram(typing_ws):
    store = typing_ws.store
    a, b, c, d = present_in(store, "102")[:4]
    save_protocol(store, _proto(a))  # 17: зачёт
    low = {k: 0 for k in FULL} | {"Д1": 3, "М1": 2, "П1": 2, "Р1": 2}  # 9: незачёт
    save_protocol(store, _proto(b, scores=low))
    save_protocol(store, _proto(c, status=ProtocolStatus.REMOVED, scores={}))
    st = stats.compute(store)
    o = st.overall
    assert (o.attended, o.passed, o.failed, o.removed) == (3, 1, 1, 1)
    assert o.totals == Counter({17: 1, 9: 1})
    assert o.mean("Д1") == 3.0 and o.mean("Ч1") == 0.5
    room = next(g for g in st.by_room if g.name == "102")
    assert room.attended == 3 and room.not_entered == len(present_in(store, "102")) - 3
    assert sum(g.attended for g in st.by_class) == 3
    lines = stats.report_lines(st, 30)
    hist = [ln for ln in lines if ln.startswith("17 │") or ln.startswith(" 9 │")]
    assert len(hist) == 2 and all("█" in ln and ln.endswith("1") for ln in hist)
    assert any("Д1  3.00 из 3" in ln for ln in lines)
    assert stats.bar(1, 2, 8) == "████" and stats.bar(0, 2, 8) == ""


def test_form04_rows(typing_ws):
    store = typing_ws.store
    p = present_in(store, "101")[0]
    save_protocol(store, _proto(p, scores={c: 1 for c in scheme().category(p.category).criteria}))
    rows = form04.rows(store)
    r = next(r for r in rows if r.participant.guid == p.guid)
    crit = scheme().category(p.category).criteria
    assert r.result.total == len(crit)
    assert [r.cell(c.code) for c in scheme().criteria] == ["1" if c.code in crit else "×" for c in scheme().criteria]
    # the rows are those of the paper ИС-04 (issue 17): absentees are counted beside, not rows
    assert not any(r.participant.attendance is Attendance.ABSENT for r in rows)
    assert form04.missing(store)[0] == sum(1 for x in store.participants() if x.absent)
    by_room = [(r.participant.room, r.participant.order) for r in rows]
    assert by_room == sorted(by_room, key=lambda x: (len(x[0]), x[0], x[1]))
    names = [r.participant.surname for r in form04.rows(store, "name")]
    assert names == sorted(names, key=fold)  # ё = е: «Фёдорова» among the «Фе…»


def test_transaction_rollback_restores_documents(typing_ws):
    """A failed transaction must leave every document as it was, in memory and on disk
    (store/storage.py puts back the records it touched)."""
    store = typing_ws.store
    p = present_in(store, "102")[0]
    save_protocol(store, _proto(p))
    before = store.get(Protocol, p.guid)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put(before.model_copy(update={"variant": "9", "scores": {**before.scores, "Д1": 0}}))
            store.put(p.model_copy(update={"grade": "9Я"}))
            raise RuntimeError("boom")
    assert store.get(Protocol, p.guid) == before
    assert store.participant(p.guid).grade == p.grade
    from tui_app.store.storage import committed_tables
    on_disk = committed_tables(store.db_path)
    doc = next(d for d in on_disk["protocols"].values() if d["participant"] == p.guid)
    assert doc["variant"] == before.variant and doc["scores"]["Д1"] == before.scores["Д1"]


def test_every_who_field_uses_the_one_picker(typing_ws):
    """forms, retakes and audio took a code only (or the first of two namesakes); now they all
    go through services/picker.find_one: a code, a surname with initials, and namesakes refused
    with their codes listed."""
    from tui_app.domain.models import Participant
    from tui_app.forms.context import FormError
    from tui_app.services import audio, forms, retakes

    store = typing_ws.store
    a, b = (Participant(surname="Ёлкин", name=n, patronymic="Васильевич", grade="9А", room="102",
                        code=c) for n, c in (("Иван", "990001"), ("Василий", "990002")))
    store.put_many([a, b])
    for find_participant, error in ((forms.find_participant, FormError),
                                    (retakes.find_participant, retakes.RetakeError),
                                    (audio.find_participant, audio.AudioError)):
        assert find_participant(store, "990002").guid == b.guid
        assert find_participant(store, "елкин и. в.").guid == a.guid
        assert find_participant(store, "Ёлкин Василий").guid == b.guid
        with pytest.raises(error, match="несколько — укажите код участника: Ёлкин Василий .*код 990002; Ёлкин Иван .*код 990001"):
            find_participant(store, "ёлкин")
        with pytest.raises(error, match="не найден"):
            find_participant(store, "Нетакого")

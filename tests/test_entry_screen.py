"""ИС-03 entry through real key presses (Pilot): keystroke budget, ОВЗ, refusals, marks, edits."""
from __future__ import annotations

import pytest

from support.pilot import GENERAL, KeyCounter, burst, text_of, wait_until
from support.workspaces import present_in, protocol
from tui_app.app import ShtabApp
from tui_app.domain.models import Attendance, ProtocolStatus
from tui_app.screens.entry import EntryScreen, HistoryScreen
from tui_app.services.data import scheme_for
from tui_app.widgets.criteria_grid import CriteriaGrid




def _msg(app) -> str:
    return text_of(app, "#entry-msg")


async def test_full_general_protocol_within_15_keys(typing_ws):
    store = typing_ws.store
    people = present_in(store, "102")
    first, second = people[0], people[1]
    assert not first.is_ovz and not second.is_ovz
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        keys = KeyCounter(pilot)
        await keys.press("f4")
        assert isinstance(app.screen, EntryScreen)
        await keys.press("f5")  # room 101 -> 102
        assert app.screen.room == "102"
        # choose the first participant by list number: digits + Enter
        keys.count = 0
        await keys.press(*str(first.order), "enter")
        assert keys.count == len(str(first.order)) + 1
        assert app.screen.state.participant.guid == first.guid
        assert app.screen.state.current == "variant" and isinstance(app.focused, CriteriaGrid)
        keys.count = 0
        await keys.press("4", "enter", *GENERAL, "enter")  # the first variant is typed once
        saved = protocol(store, first.guid)
        assert saved is not None and saved.variant == "4" and saved.scores["Д1"] == 3
        assert "Сохранено" in _msg(app)
        # straight to the next participant of the stack, cursor on the prefilled variant
        assert app.screen.state.participant.guid == second.guid
        assert app.screen.state.current == "variant" and isinstance(app.focused, CriteriaGrid)
        assert app.screen.state.variant == "4"
        keys.count = 0
        await keys.press("enter", *GENERAL, "enter")
        assert keys.count == 15
        saved2 = protocol(store, second.guid)
        assert saved2 is not None
        assert saved2.variant == "4" and saved2.scheme == 1 and saved2.status is ProtocolStatus.PRESENT
        assert [saved2.scores[c.code] for c in scheme_for(store).criteria] == [int(d) for d in GENERAL]
        assert saved2.expert  # defaulted to the room's expert
        assert app.screen.saves == 2


async def test_new_variant_replaces_the_prefilled_one(typing_ws):
    store = typing_ws.store
    a, b = present_in(store, "102")[:2]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(EntryScreen(participant=a.guid))
        await pilot.pause()
        await pilot.press("4", "enter", *GENERAL, "enter")
        assert app.screen.state.participant.guid == b.guid and app.screen.state.variant == "4"
        await pilot.press("5", "enter", *GENERAL, "enter")
        assert protocol(store, b.guid).variant == "5"


async def test_live_total_updates_on_every_key(typing_ws):
    store = typing_ws.store
    p = present_in(store, "102")[0]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(EntryScreen(participant=p.guid))
        await pilot.pause()
        await pilot.press("enter")  # from the (empty) variant to the grid
        grid = app.screen.query_one(CriteriaGrid)
        assert app.focused is grid
        seen = []
        for d in ["1", "1", "1", "2"]:
            await pilot.press(d)
            text = str(grid.render())
            seen.append(text.split("Итого: ")[1].split("/")[0])
        assert seen == ["1", "2", "3", "5"]
        assert "D1: 5/7" in str(grid.render()) or "Задания 1 и 2: 5/7" in str(grid.render())


async def test_impossible_digit_refused_with_range(typing_ws):
    store = typing_ws.store
    p = present_in(store, "102")[0]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(EntryScreen(participant=p.guid))
        await pilot.pause()
        await pilot.press("enter", "2")  # Ч1 max 1
        st = app.screen.state
        assert st.scores.get("Ч1") is None and st.current == "Ч1"
        assert "допустимо 0–1" in _msg(app)
        await pilot.press("1", "1", "1", "3")  # П1 max 2
        assert st.current == "П1" and "П1" in _msg(app) and "0–2" in _msg(app)
        await pilot.press("ю")  # a letter is refused too
        assert st.current == "П1" and "введите цифру от 0 до 2" in _msg(app)
        await pilot.press("2")
        assert st.scores["П1"] == 2 and st.current == "П2"
        # Enter with missing criteria does not save and names them
        await pilot.press("enter")
        assert protocol(store, p.guid) is None
        assert "Не сохранено" in _msg(app)


async def test_ovz_protocol_skips_criteria_and_uses_lower_threshold(typing_ws):
    store = typing_ws.store
    sch = scheme_for(store)
    deaf = next(p for p in store.participants() if p.category == "deaf")
    cat = sch.category("deaf")
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(EntryScreen(participant=deaf.guid))
        await pilot.pause()
        st = app.screen.state
        assert st.current == "variant"
        await pilot.press("5", "enter")
        assert st.current == "П1"  # Ч1–Ч3 skipped
        grid = app.screen.query_one(CriteriaGrid)
        assert "не оцениваются: Ч1 Ч2 Ч3 Р1 Р2 Р3 Р4" in str(grid.render())
        # П1 П2 П3 М1 М2 Д1 = 1 0 0 1 0 3 -> 5 of 10: зачёт at the lower minimum 5
        keys = KeyCounter(pilot)
        keys.count = 2  # the variant and Enter above
        await keys.press("1", "0", "0", "1", "0", "3")
        assert st.cursor is None
        text = str(grid.render())
        assert "5/10" in text and "ЗАЧЁТ" in text and "зачёт от 5" in text
        await keys.press("enter")
        assert keys.count == 9  # a 6-criterion protocol
        saved = protocol(store, deaf.guid)
        assert set(saved.scores) == set(cat.criteria)
        assert "Ч1" not in saved.scores and "Р1" not in saved.scores


async def test_early_finish_saves_status_without_scores(typing_ws):
    store = typing_ws.store
    p = present_in(store, "201")[2]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(EntryScreen(participant=p.guid))
        await pilot.pause()
        await pilot.press("enter", "1", "1")  # some scores typed before noticing the mark
        await pilot.press("f3")
        st = app.screen.state
        assert st.status is ProtocolStatus.EARLY
        assert "не завершил" in str(app.screen.query_one("#entry-status").render())
        await pilot.press("1")
        assert "баллы не выставляются" in _msg(app)
        await pilot.press("enter")
        saved = protocol(store, p.guid)
        assert saved.status is ProtocolStatus.EARLY and saved.scores == {}
        assert "не завершил" in _msg(app)
        assert store.participant(p.guid).attendance is Attendance.PRESENT


@pytest.mark.slow
async def test_editing_saved_protocol_writes_audit_and_shows_history(typing_ws):
    store = typing_ws.store
    p = present_in(store, "202")[0]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(EntryScreen(participant=p.guid))
        await pilot.pause()
        await pilot.press("7", "enter", *GENERAL, "enter")
        assert protocol(store, p.guid).scores["М2"] == 0
        before = len(store.audit.for_key(p.guid))
        app.pop_screen()
        await pilot.pause()
        app.push_screen(EntryScreen(participant=p.guid, field="М2"))
        await pilot.pause()
        st = app.screen.state
        assert st.existing and st.current == "М2" and app.focused is app.screen.query_one(CriteriaGrid)
        await pilot.press("1", "enter")
        assert protocol(store, p.guid).scores["М2"] == 1
        changes = [e for e in store.audit.for_key(p.guid)][before:]
        assert [(e.field, e.old, e.new) for e in changes] == [("scores.М2", 0, 1)]
        assert changes[0].who == store.operator
        # back on it: F2 shows who changed М2 and when
        app.pop_screen()
        await pilot.pause()
        app.push_screen(EntryScreen(participant=p.guid))
        await pilot.pause()
        await pilot.press("f2")
        assert isinstance(app.screen, HistoryScreen)
        lines = str(app.screen.query_one("#history-lines").render())
        assert "М2 0 → 1" in lines and store.operator in lines and changes[0].at[:10] in lines


async def test_pick_by_surname_and_absentee_refused(typing_ws):
    store = typing_ws.store
    absent = next(p for p in store.participants() if p.attendance is Attendance.ABSENT)
    everyone = store.participants()
    target = next(t for t in present_in(store, "202")
                  if sum(q.surname.lower().startswith(t.surname[:5].lower()) for q in everyone) == 1)
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f4")
        await pilot.press(*target.surname[:5].lower(), "enter")
        assert app.screen.room == "202"
        assert app.screen.state.participant.guid == target.guid
        assert app.screen.state.current == "variant" and isinstance(app.focused, CriteriaGrid)
        app.screen.choose(absent)
        assert "не явился" in _msg(app)


async def test_a_burst_of_keys_lands_in_the_right_fields(typing_ws):
    store = typing_ws.store
    a, b = present_in(store, "102")[:2]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f4", "f5")
        await pilot.pause()
        zeros = ["0"] * 13
        burst(app, *str(a.order), "enter", "6", "enter", *GENERAL, "enter", "enter", *zeros, "enter")
        await wait_until(pilot, lambda: protocol(store, b.guid) is not None
                         and "Сохранено" in _msg(app), what="the second save")
        pa, pb = protocol(store, a.guid), protocol(store, b.guid)
        assert pa is not None and pa.variant == "6" and sum(pa.scores.values()) == 17
        assert pb is not None and pb.variant == "6" and sum(pb.scores.values()) == 0
        assert "Сохранено" in _msg(app) and b.short_fio in _msg(app)

"""Issue 18 on the entry screen, by key presses at 80×25: never the wrong participant
(namesakes, code, surname with initials, the Latin layout), the stack is what is left of the
room (after an out-of-order jump it goes on where it was), nothing typed is lost (Esc, F10,
another participant or room ask «сохранить / не сохранять / вернуться»)."""
from __future__ import annotations


from support.pilot import GENERAL, burst, protocol_keys, text_of, wait_until
from support.workspaces import present_in, protocol
from tui_app.app import ShtabApp
from tui_app.domain.models import Participant
from tui_app.screens.dialogs import UnsavedDialog
from tui_app.screens.entry import EntryScreen, HistoryScreen
from tui_app.services.entry import room_list
from tui_app.widgets.criteria_grid import CriteriaGrid
from tui_app.widgets.participant_picker import ChoiceList

NAMESAKES = [("Ёлкин", "Иван", "Васильевич", "9А"), ("Ёлкин", "Василий", "Васильевич", "9Б"),
             ("Иванова", "Елена", "Петровна", "9А"), ("Иванова", "Анна", "Ильинична", "9Б")]


def add_namesakes(store, room: str = "102") -> list[Participant]:
    """Two pairs of namesakes at the end of the room's list, each with its own code."""
    last = max(p.order for p in room_list(store, room))
    people = [Participant(surname=s, name=n, patronymic=pa, grade=g, room=room, order=last + i,
                          code=f"9900{i:02d}")
              for i, (s, n, pa, g) in enumerate(NAMESAKES, 1)]
    store.put_many(people)
    return people


def _msg(app) -> str:
    return text_of(app, "#entry-msg")


async def _open_room(pilot, app, room: str = "102") -> EntryScreen:
    await pilot.press("f4")
    while app.screen.room != room:
        await pilot.press("f5")
    await pilot.pause()
    return app.screen


async def test_a_shared_surname_asks_which_one(typing_ws):
    """«ёлкин» with two Ёлкиных in the room: a short list with class, room and code; the one
    chosen is opened (today the first one opened silently)."""
    store = typing_ws.store
    ivan, vasily = add_namesakes(store)[:2]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open_room(pilot, app)
        await pilot.press(*"ёлкин", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceList)
        lines = [str(o.prompt) for o in app.screen.query_one("#choice-list").options]
        assert len(lines) == 2
        assert all("ауд. 102" in x and "код 9900" in x for x in lines)
        assert "9А" in lines[0] and "9Б" in lines[1]
        await pilot.press("2")  # the second line
        await pilot.pause()
        assert app.screen is screen and screen.state.participant.guid == vasily.guid
        assert "код 990002" in str(screen.query_one("#entry-who").render())
        # surname + initials, surname + name: exactly one, no list
        await pilot.press("f4", *"елкин и. в.", "enter")
        await pilot.pause()
        assert screen.state.participant.guid == ivan.guid
        await pilot.press("f4", *"иванова е", "enter")
        await pilot.pause()
        assert screen.state.participant.surname == "Иванова" and screen.state.participant.name == "Елена"
        await pilot.press("f4", *"Иванова Анна", "enter")
        await pilot.pause()
        assert screen.state.participant.name == "Анна"
        # the code finds the person from any room
        other = present_in(store, "201")[3]
        await pilot.press("f4", *other.code, "enter")
        await pilot.pause()
        assert screen.state.participant.guid == other.guid and screen.room == "201"


async def test_the_code_is_in_the_rooms_list(typing_ws):
    store = typing_ws.store
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open_room(pilot, app)
        lines = [str(o.prompt) for o in screen.query_one("#entry-list").options]
        assert all(p.code in line for p, line in zip(room_list(store, "102"), lines))


async def test_latin_layout_is_recognised(typing_ws):
    store = typing_ws.store
    target = present_in(store, "102")[3]
    latin = target.surname.lower().translate(str.maketrans(
        "йцукенгшщзхъфывапролджэячсмитьбюё", "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"))
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open_room(pilot, app)
        await pilot.press(*latin)
        await pilot.pause()
        assert "латинская раскладка" in _msg(app)
        await pilot.press("enter")
        await pilot.pause()
        if isinstance(app.screen, ChoiceList):  # a namesake elsewhere in the school
            await pilot.press(str(next(i for i, p in enumerate(app.screen.people, 1)
                                       if p.guid == target.guid)))
            await pilot.pause()
        assert screen.state.participant.guid == target.guid


async def test_after_a_jump_the_stack_goes_on_where_it_was(typing_ws):
    """Two in order, a jump to the 10th (F4), then the stack goes back to the 3rd; the
    jumped one is skipped later, nothing saved is opened again, «осталось N» counts down,
    and «всё внесено» appears only when nothing is left."""
    store = typing_ws.store
    app = ShtabApp(typing_ws)
    people = present_in(store, "102")
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open_room(pilot, app)
        assert f"осталось {len(people)}/" in str(screen.query_one("#entry-room").render())
        await pilot.press(*str(people[0].order), "enter", "4", "enter", *GENERAL, "enter")
        assert screen.state.participant.guid == people[1].guid
        await pilot.press("enter", *GENERAL, "enter")
        assert screen.state.participant.guid == people[2].guid
        await pilot.press("f4", *str(people[9].order), "enter")  # out of order
        await pilot.pause()
        assert screen.state.participant.guid == people[9].guid
        await pilot.press("enter", *GENERAL, "enter")
        await pilot.pause()
        assert protocol(store, people[9].guid) is not None
        assert screen.state.participant.guid == people[2].guid  # back to the stack
        assert f"осталось {len(people) - 3}/" in str(screen.query_one("#entry-room").render())
        opened = []
        for _ in range(len(people)):  # bounded: a refused save must fail, not spin
            if screen.state is None:
                break
            who = screen.state.participant
            opened.append(who.guid)
            # each protocol in one burst (typed ahead: the stack is what is tested here)
            burst(app, "enter", *protocol_keys(store, who), "enter")
            await wait_until(pilot, lambda: protocol(store, who.guid) is not None and (
                screen.state is None or screen.state.participant.guid != who.guid),
                what=f"the save of {who.short_fio} and the next one", timeout=20)
        assert screen.state is None, _msg(app)
        assert people[9].guid not in opened and len(opened) == len(opened and set(opened))
        assert len(opened) == len(people) - 3
        assert all(protocol(store, p.guid) is not None for p in people)
        assert "всё внесено" in str(screen.query_one("#entry-room").render())
        assert "все протоколы внесены" in _msg(app)


async def test_a_jump_typed_in_one_burst_lands_on_the_chosen_namesake(typing_ws):
    """A save, F4, «ёлкин», Enter typed at once; then the list's line, the protocol and its
    Enter at once: F4 waits its turn behind the save, and the keys typed after the choice
    go to the chosen one's protocol (before: F4 ran during the save and the burst after
    the list was lost or typed into the wrong place)."""
    store = typing_ws.store
    vasily = add_namesakes(store)[1]
    people = present_in(store, "102")
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open_room(pilot, app)
        await pilot.press(*str(people[0].order), "enter", "4")
        burst(app, "enter", *GENERAL, "enter", "f4", *"ёлкин", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceList), what="the list")
        assert protocol(store, people[0].guid) is not None
        burst(app, "2", "enter", *GENERAL, "enter")
        await wait_until(pilot, lambda: protocol(store, vasily.guid) is not None,
                         what="the namesake's save")
        assert sum(protocol(store, vasily.guid).scores.values()) == 17
        await wait_until(pilot, lambda: screen.state is not None
                         and screen.state.participant.guid == people[1].guid, what="the stack")
        room = {p.guid for p in room_list(store, "102")}
        assert set(store.protocols()) & room == {people[0].guid, vasily.guid}


async def test_esc_with_unsaved_digits_asks(typing_ws):
    store = typing_ws.store
    a = present_in(store, "102")[0]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open_room(pilot, app)
        await pilot.press(*str(a.order), "enter", "4", "enter", *GENERAL)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        assert a.short_fio in str(app.screen.query_one(".dialog-text").render())
        await pilot.press("escape")  # «вернуться»: everything typed is still there
        await pilot.pause()
        assert app.screen is screen and sum(screen.state.scores.values()) == 17
        await pilot.press("escape")
        await pilot.press("enter")  # «сохранить»: saved, then back to the main screen
        await pilot.pause()
        assert protocol(store, a.guid) is not None and sum(protocol(store, a.guid).scores.values()) == 17
        assert type(app.screen).__name__ == "MainScreen"


async def test_f10_with_unsaved_digits_asks_and_can_discard(typing_ws):
    store = typing_ws.store
    a = present_in(store, "102")[0]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await _open_room(pilot, app)
        await pilot.press(*str(a.order), "enter", "4", "enter", "1", "1")
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog) and app.is_running
        await pilot.press("f3")  # «не сохранять»
        await pilot.pause()
    assert protocol(store, a.guid) is None
    assert app.return_code == 0


async def test_another_participant_or_room_asks_too(typing_ws):
    store = typing_ws.store
    a, b = present_in(store, "102")[:2]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open_room(pilot, app)
        await pilot.press(*str(a.order), "enter", "4", "enter", "1")
        await pilot.press("f4", *str(b.order), "enter")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert screen.state.participant.guid == a.guid and screen.state.scores["Ч1"] == 1
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("f3")
        await pilot.pause()
        assert screen.room != "102" and protocol(store, a.guid) is None
        # an opened protocol with nothing typed leaves without a question
        await pilot.press(*str(room_list(store, screen.room)[0].order), "enter")
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "MainScreen"


async def test_history_speaks_russian_and_names_people(typing_ws):
    store = typing_ws.store
    p = present_in(store, "202")[0]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(EntryScreen(participant=p.guid))
        await pilot.pause()
        await pilot.press("7", "enter", *GENERAL, "enter")
        app.pop_screen()
        await pilot.pause()
        app.push_screen(EntryScreen(participant=p.guid))
        await pilot.pause()
        await pilot.press("f3", "enter", "enter")  # the mark «не завершил»; Enter, Enter — saved
        app.pop_screen()
        await pilot.pause()
        app.push_screen(EntryScreen(participant=p.guid))
        await pilot.pause()
        await pilot.press("f2")
        assert isinstance(app.screen, HistoryScreen)
        lines = str(app.screen.query_one("#history-lines").render())
        assert f"участник — → {p.short_fio}" in lines and "аудитория — → 202" in lines
        assert "отметка оценён → не завершил" in lines and "вариант — → 7" in lines
        assert "схема — → 1 (в аудитории)" in lines
        for internal in ("status", "present", "early", "participant", p.guid):
            assert internal not in lines


async def test_a_participant_without_an_ovz_category_is_not_opened_and_no_key_is_lost(typing_ws):
    """«Резерв = 22» with no category chosen: the entry refuses to score them (issue 17) and
    goes back to choosing — the keys typed after the Enter are dropped, not left waiting for
    a protocol that never opens (before the merge the grid kept the previous one's state)."""
    from tui_app.domain.models import OVZ_RESERVE

    store = typing_ws.store
    people = present_in(store, "102")
    unset = people[1].model_copy(update={"reserve": OVZ_RESERVE, "category": "general",
                                         "category_confirmed_at": None})
    store.put(unset)
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open_room(pilot, app)
        burst(app, *str(unset.order), "enter", "5", "enter")
        await wait_until(pilot, lambda: "категория не выбрана" in screen.status_text,
                         what="the refusal")
        await pilot.pause()
        assert screen.state is None
        grid = screen.query_one(CriteriaGrid)
        assert grid.pick_mode and not grid.awaiting and grid.pending == []
        await pilot.press(*str(people[0].order), "enter")  # the next choice works
        await pilot.pause()
        assert screen.state is not None and screen.state.participant.guid == people[0].guid
        assert protocol(store, unset.guid) is None


DIGITS = ["1", "0", "1", "2", "0", "1", "2", "0", "3", "1", "2", "0", "1"]


async def test_f4_typed_ahead_runs_before_the_keys_after_it(typing_ws):
    """One read of «F4, a code, Enter, the variant, Enter, 13 digits, Enter» with a protocol
    open: F4 (the screen's key) runs in its turn. Before, it bubbled up to the app and ran
    after the keys typed after it: the typed protocol sat under «№, фамилия или код», and
    the last Enter opened the participant afresh, wiping it without a word."""
    store = typing_ws.store
    first, second = present_in(store, "102")[:2]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open_room(pilot, app)
        codes = [c.code for c in screen.scheme.criteria]
        await pilot.press(*str(first.order), "enter")
        await wait_until(pilot, lambda: screen.state is not None, what="the first protocol")
        burst(app, "f4", *second.code, "enter", "2", "enter", *DIGITS, "enter")

        def saved() -> bool:
            p = protocol(store, second.guid)
            return p is not None and p.variant == "2" and [str(p.scores[c]) for c in codes] == DIGITS

        await wait_until(pilot, saved, what="the coded participant's protocol")
        assert protocol(store, first.guid) is None
        assert not screen.query_one(CriteriaGrid).pick_mode or screen.state is None


async def test_the_open_participant_chosen_again_keeps_what_was_typed(typing_ws):
    """F4 and the open participant's own code (or number) while their protocol is half typed:
    the typing stays, nothing is reopened from the store, the rest goes on from there."""
    store = typing_ws.store
    first = present_in(store, "102")[0]
    app = ShtabApp(typing_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open_room(pilot, app)
        codes = [c.code for c in screen.scheme.criteria]
        await pilot.press(*str(first.order), "enter", "2", "enter", *DIGITS[:5])
        await pilot.press("f4", *first.code, "enter", *DIGITS[5:], "enter")
        await wait_until(pilot, lambda: protocol(store, first.guid) is not None, what="the save")
        p = protocol(store, first.guid)
        assert p.variant == "2" and [str(p.scores[c]) for c in codes] == DIGITS

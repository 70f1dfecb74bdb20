"""The acts screen asks «who» through the one participant picker, and each new act starts
empty with the current time (issue 18)."""
from __future__ import annotations

from datetime import datetime, timedelta


from support.pilot import finish_workers, text_of
from tui_app.app import ShtabApp
from tui_app.domain.models import Act, Participant
from tui_app.screens.acts import ActsScreen
from tui_app.screens.dialogs import UnsavedDialog
from tui_app.widgets.participant_picker import ChoiceList


async def _open(app, pilot) -> ActsScreen:
    await pilot.press("f6", "f3")
    await pilot.pause()
    assert isinstance(app.screen, ActsScreen)
    return app.screen


def _who(screen) -> str:
    return text_of(screen.app, "#act-picker .picker-who")


async def test_a_shared_surname_gives_a_list_not_a_refusal(demo_results_ws):
    """Today: «укажите код участника (см. список ИС-01)». Now: a list with class, room, code."""
    store = demo_results_ws.store
    a = Participant(surname="Ёлкин", name="Иван", patronymic="Васильевич", grade="9А", room="102",
                    order=90, code="990001")
    b = Participant(surname="Ёлкин", name="Василий", patronymic="Васильевич", grade="9Б",
                    room="102", order=91, code="990002")
    store.put_many([a, b])
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open(app, pilot)
        await pilot.press(*"елкин", "enter")  # «е» for «ё», lower case
        await pilot.pause()
        assert isinstance(app.screen, ChoiceList)
        text = " ".join(str(o.prompt) for o in app.screen.query_one("#choice-list").options)
        assert "код 990001" in text and "код 990002" in text and "9А" in text and "ауд. 102" in text
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.query_one("#act-picker").participant.guid == b.guid
        assert "Ёлкин Василий Васильевич" in _who(screen) and "990002" in _who(screen)
        # surname with initials: no list
        field = screen.query_one("#act-participant")
        field.value = ""
        field.focus()
        await pilot.press(*"ёлкин и.в.", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, ChoiceList)
        assert screen.query_one("#act-picker").participant.guid == a.guid


async def test_each_new_act_starts_empty_with_the_current_time(demo_results_ws):
    """Today the next act inherits the previous one's reason, time and signers (an ИС-09 was
    printed with an ИС-08 reason)."""
    store = demo_results_ws.store
    first, second = [p for p in store.participants() if not p.absent and p.code][:2]
    app = ShtabApp(demo_results_ws)
    before = {a.id for a in store.all(Act)}  # the demo day has acts of its own
    async with app.run_test(size=(80, 25)) as pilot:
        screen = await _open(app, pilot)
        signers = (screen.query_one("#act-organizer").value, screen.query_one("#act-head").value)
        await pilot.press(*first.code, "enter", "down", "enter")  # ИС-09
        await pilot.press("tab", *"телефон", "tab")
        await pilot.press("end", *["backspace"] * 5, *"10:31", "tab", *" и др.")
        await pilot.press("f5")
        await finish_workers(app, pilot)
        new = [a for a in store.all(Act) if a.id not in before]
        assert len(new) == 1 and new[0].reason == "телефон"
        # the form is empty again: no participant, no reason, ИС-08, now, default signers
        assert screen.query_one("#act-participant").value == ""
        assert screen.query_one("#act-reason").value == ""
        assert screen.query_one("#kind-08").value and not screen.query_one("#kind-09").value
        now = datetime.now()  # the form was reset a moment ago: this minute or the one before
        assert screen.query_one("#act-time").value in {now.strftime("%H:%M"),
                                                       (now - timedelta(minutes=1)).strftime("%H:%M")}
        assert (screen.query_one("#act-organizer").value, screen.query_one("#act-head").value) == signers
        assert app.focused is screen.query_one("#act-participant")
        # typed and not made: Esc asks
        await pilot.press(*second.code, "enter")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("f3")
        await pilot.pause()
        assert type(app.screen).__name__ == "FormsScreen"

"""Every screen at 80×25 as a 16-colour terminal shows it, and the screens whose states must be
readable without colour in monochrome too (issue 18: at TERM=linux ticked and unticked both
showed an «X»). The pictures are tests/__snapshots__/test_screens_colours/."""
from __future__ import annotations

import pytest
from textual.widgets import Input

from support.colours import App16, AppMono
from support.pilot import open_from_menu, settle, wait_until
from tui_app.audio import devices as devlib
from tui_app.services import audio as audio_svc
from tui_app.screens import exchange as exchange_screen
from tui_app.services import drives
from tui_app.services.demo import LONG_SURNAME


def _keys(*keys):
    """Each key after the screen it opens is up (an F-key of the main screen opens a screen)."""
    async def run(pilot):
        for k in keys:
            before = pilot.app.screen
            await pilot.press(k)
            await settle(pilot, 2)
            if k.startswith("f") and pilot.app.screen is before:
                await settle(pilot, 4)
        await settle(pilot, 3)
    return run


def _menu(screen_id, *then):
    async def run(pilot):
        await open_from_menu(pilot, pilot.app, screen_id)
        if then:
            await pilot.press(*then)
        await settle(pilot, 3)
    return run


async def _acts(pilot):
    code = next(p for p in pilot.app.store.participants() if p.surname == LONG_SURNAME[0]).code
    await pilot.press("f6", "f3")
    await settle(pilot)
    pilot.app.screen.query_one("#act-time").value = "10:42"  # not the clock of today
    await pilot.press(*code, "enter", "down")
    await settle(pilot, 3)


async def _entry(pilot):
    from tui_app.screens.entry import EntryScreen

    await pilot.press("f4")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, EntryScreen), what="entry open")
    await pilot.press("f5")
    await wait_until(pilot, lambda: pilot.app.screen.room == "102", what="room 102")
    await pilot.press("1", "enter")
    await wait_until(pilot, lambda: pilot.app.screen.state is not None, what="a participant")
    await pilot.press("5", "enter", "1", "1")
    await settle(pilot, 3)


# (name, steps, states that must read without colour)
SCREENS = [
    ("main", _keys(), True),
    ("roster", _keys("f2", "down", "space"), True),  # a row ticked ✓, «Н»
    ("rooms", _keys("f3"), False),
    ("room_accessible", _keys("f3", "enter"), True),  # [X] доступна для участников с ОВЗ
    ("room_not_accessible", _keys("f3", "down", "enter"), True),  # [ ]
    ("staff", _menu("staff"), False),
    ("room_log", _menu("room_log"), True),  # X in «Не зав.» / «Удалён»
    ("entry", _entry, True),  # the cursor on Ч3
    ("acts", _acts, True),  # (•) ИС-08 / ( ) ИС-09
    ("forms_blank", _keys("f6", "tab", "tab", "tab", "space"), True),  # [X] Пустой бланк
    ("form04", _keys("f5"), False),
    ("checks", _keys("f8"), False),
    ("handoff", _keys("f9"), False),
    ("exchange", _menu("exchange"), False),
    ("audio", _keys("f7"), False),
    ("double_entry", _menu("double_entry"), False),
    ("stats", _menu("stats"), False),
    ("retakes", _menu("retakes"), False),
    ("retention", _menu("retention"), False),
    ("help", _keys("f4", "f1"), False),
]
CASES = [pytest.param(name, steps, App16, id=f"{name}-16")
         for name, steps, _ in SCREENS] + \
        [pytest.param(name, steps, AppMono, id=f"{name}-mono")
         for name, steps, states in SCREENS if states]


@pytest.fixture
def steady(monkeypatch):
    """No machine-dependent pictures: no sticks, no files found, no microphone."""
    monkeypatch.setattr(drives, "removable_drives", lambda: [])
    monkeypatch.setattr(exchange_screen, "candidate_files", lambda extra=(): [])

    def no_microphone():
        raise devlib.AudioUnavailable(devlib.NO_INPUT)

    monkeypatch.setattr(audio_svc, "list_devices", no_microphone)


@pytest.mark.parametrize("name,steps,app_class", CASES)
def test_screen_at_16_colours_and_monochrome(snap_compare, demo_results_ws, steady, name, steps,
                                             app_class):
    async def run_before(pilot):
        await steps(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor makes the picture random
        await settle(pilot)

    assert snap_compare(app_class(demo_results_ws), terminal_size=(80, 25), run_before=run_before)


async def test_states_are_in_the_text(demo_results_ws):
    """Without any colour: [X]/[ ] and (•)/( ) are the text itself."""
    from tui_app.app import ShtabApp

    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f3", "enter")  # room 101: accessible
        await settle(pilot, 3)
        box = app.screen.query_one("#r-accessible")
        assert str(box.render()).startswith("[X]")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("down", "enter")  # room 102: not accessible
        await settle(pilot, 3)
        assert str(app.screen.query_one("#r-accessible").render()).startswith("[ ]")
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.press("f6", "f3")
        await settle(pilot, 3)
        assert str(app.screen.query_one("#kind-08").render()).startswith("(•)")
        assert str(app.screen.query_one("#kind-09").render()).startswith("( )")

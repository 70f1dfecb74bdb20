"""Snapshots of the results-entry screens at 80×25 and 120×40 (SVGs in tests/__snapshots__/)."""
from __future__ import annotations

import pytest

from support.pilot import settle, text_of, wait_until
from support.workspaces import present_in
from tui_app.app import ShtabApp
from tui_app.domain.models import Protocol
from tui_app.screens.entry import EntryScreen
from tui_app.services.entry import room_list

SIZES = [(80, 25), (120, 40)]


async def on_the_entry_screen(pilot) -> None:
    await pilot.press("f4")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, EntryScreen), what="the entry screen")


async def choose(pilot, *keys: str) -> None:
    """Type a list number + Enter; wait until that participant's variant field is active."""
    await pilot.press(*keys)
    await wait_until(pilot, lambda: pilot.app.screen.state is not None
                     and pilot.app.screen.state.current == "variant", what="the participant chosen")


def typed(pilot) -> int:
    return sum(v is not None for v in pilot.app.screen.state.scores.values())


async def refused(pilot, digit: str) -> None:
    """Type an impossible score; wait until the screen says so."""
    await pilot.press(digit)
    await wait_until(pilot, lambda: "невозможен" in text_of(pilot.app, "#entry-msg"),
                     what="the refusal")
    await settle(pilot)


def _break_some(store) -> None:
    """A few problems for the checks screen: missing protocols, no variant, an impossible score."""
    ps = present_in(store, "201")
    with store.transaction():
        store.delete(Protocol, ps[0].guid)
        store.delete(Protocol, ps[1].guid)
        bad = store.get(Protocol, ps[2].guid)
        store.put(bad.model_copy(update={"variant": ""}))
        bad = store.get(Protocol, ps[3].guid)
        if bad.scores:
            store.put(bad.model_copy(update={"scores": {**bad.scores, "Д1": 5}}))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_entry(snap_compare, demo_results_ws, size):
    store = demo_results_ws.store
    first = room_list(store, "102")[0]
    with store.transaction():
        store.delete(Protocol, first.guid)

    async def typing(pilot):
        await on_the_entry_screen(pilot)
        await pilot.press("f5")
        await wait_until(pilot, lambda: pilot.app.screen.room == "102", what="room 102")
        await choose(pilot, "1", "enter")
        await pilot.press("5", "enter", "1", "1", "0", "2", "1")
        await wait_until(pilot, lambda: typed(pilot) == 5, what="five scores typed")
        await refused(pilot, "2")

    assert snap_compare(ShtabApp(demo_results_ws), terminal_size=size, run_before=typing)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_entry_ovz(snap_compare, demo_results_ws, size):
    store = demo_results_ws.store
    deaf = next(p for p in store.participants() if p.category == "deaf")
    with store.transaction():
        store.delete(Protocol, deaf.guid)

    async def typing(pilot):
        await on_the_entry_screen(pilot)
        await choose(pilot, *str(deaf.order), "enter")
        await pilot.press("2", "enter", "1", "1")
        await wait_until(pilot, lambda: typed(pilot) == 2, what="two scores typed")
        await refused(pilot, "9")

    assert snap_compare(ShtabApp(demo_results_ws), terminal_size=size, run_before=typing)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_form04(snap_compare, demo_results_ws, size):
    assert snap_compare(ShtabApp(demo_results_ws), terminal_size=size, press=["f5", "down", "down"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_checks(snap_compare, demo_results_ws, size):
    _break_some(demo_results_ws.store)
    assert snap_compare(ShtabApp(demo_results_ws), terminal_size=size, press=["f8"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_stats(snap_compare, demo_results_ws, size):
    async def open_stats(pilot):
        pilot.app.open_screen("stats")
        await pilot.pause()

    assert snap_compare(ShtabApp(demo_results_ws), terminal_size=size, run_before=open_stats)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_room_log(snap_compare, demo_results_ws, size):
    async def open_log(pilot):
        pilot.app.open_screen("room_log")
        await pilot.pause()

    assert snap_compare(ShtabApp(demo_results_ws), terminal_size=size, run_before=open_log)

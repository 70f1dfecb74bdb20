"""Snapshots of the results-entry screens at 80×25 and 120×40 (SVGs in tests/__snapshots__/)."""
from __future__ import annotations

import pytest

from support.pilot import wait_until
from support.workspaces import present_in
from tui_app.app import ShtabApp
from tui_app.domain.models import Protocol
from tui_app.services.entry import room_list

SIZES = [(80, 25), (120, 40)]


async def _open_entry(pilot, room: str | None = None) -> None:
    """F4, and F5 to `room` — each key after the screen is up (no race under load)."""
    from tui_app.screens.entry import EntryScreen

    await pilot.press("f4")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, EntryScreen), what="entry open")
    while room is not None and pilot.app.screen.room != room:
        await pilot.press("f5")
        await pilot.pause()


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
        await _open_entry(pilot, "102")
        await pilot.press("1", "enter")
        await wait_until(pilot, lambda: pilot.app.screen.state is not None, what="a participant")
        await pilot.press("5", "enter", "1", "1", "0", "2", "1", "2")
        await pilot.pause()

    assert snap_compare(ShtabApp(demo_results_ws), terminal_size=size, run_before=typing)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_entry_ovz(snap_compare, demo_results_ws, size):
    store = demo_results_ws.store
    deaf = next(p for p in store.participants() if p.category == "deaf")
    with store.transaction():
        store.delete(Protocol, deaf.guid)

    async def typing(pilot):
        await _open_entry(pilot)
        await pilot.press(*str(deaf.order), "enter")
        await wait_until(pilot, lambda: pilot.app.screen.state is not None, what="a participant")
        await pilot.press("2", "enter", "1", "1", "9")
        await pilot.pause()

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

"""Helpers for in-process screen tests (`app.run_test()` and its Pilot).

Tests are `async def test_…` (pytest-asyncio, asyncio_mode = auto); they wait for a
condition with wait_until, never for a fixed time.
"""
from __future__ import annotations

import time
from typing import Callable

from textual import events

_CHARS = {"enter": "\r", "backspace": "\x7f", "escape": "\x1b", "tab": "\t"}

# the 13 digits of a full protocol of the general scheme (Ч1 … Р4), total 17 of 20
GENERAL = ["1", "1", "0", "2", "1", "1", "2", "0", "3", "2", "1", "2", "1"]


def protocol_keys(store, participant) -> list[str]:
    """GENERAL's digits for the criteria the participant's category scores (an ОВЗ category
    skips some: its protocol is shorter)."""
    from tui_app.services.data import scheme_for

    sch = scheme_for(store)
    scored = sch.category(participant.category).criteria
    return [d for c, d in zip(sch.criteria, GENERAL) if c.code in scored]


async def wait_until(pilot, cond: Callable[[], object], timeout: float = 30.0,
                     what: str = "the condition") -> None:
    """Let the app run until cond() is true (checked between short pauses)."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come true within {timeout}s")
        await pilot.pause(0.02)


async def settle(pilot, n: int = 2) -> None:
    """Let the app process what the last keys queued (n rounds of messages)."""
    for _ in range(n):
        await pilot.pause()


async def finish_workers(app, pilot) -> None:
    """Wait until every worker the keys started has finished and its result is shown."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def text_of(app, selector: str) -> str:
    """What a widget of the current screen shows, as plain text."""
    return str(app.screen.query_one(selector).render())


def burst(app, *keys: str) -> None:
    """Keys the way a fast typist or a terminal paste delivers them: all queued at once (as
    Pilot does, but without waiting between keys)."""
    for k in keys:
        app.post_message(events.Key(k, _CHARS.get(k, k if len(k) == 1 else None)))


class KeyCounter:
    """Presses keys through the Pilot and counts them."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        for k in keys:
            await self.pilot.press(k)
            self.count += 1
        await self.pilot.pause()


async def open_from_menu(pilot, app, screen_id: str) -> None:
    """Walk the main menu with Down until the entry is highlighted, then Enter."""
    menu = app.screen.query_one("#menu")
    for _ in range(len(menu.options) + 1):
        if menu.highlighted is not None and menu.get_option_at_index(menu.highlighted).id == screen_id:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)

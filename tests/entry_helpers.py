"""Helpers shared by the results-entry tests (issue 6)."""
from __future__ import annotations

from textual import events

from tui_app.domain.models import Attendance, Participant, Protocol
from tui_app.services.entry import room_list

_CHARS = {"enter": "\r", "backspace": "\x7f", "escape": "\x1b", "tab": "\t"}


def burst(app, *keys: str) -> None:
    """Keys the way a fast typist or a terminal paste delivers them: all queued at once through
    the driver (as Pilot does, but without waiting between keys)."""
    for k in keys:
        ev = events.Key(k, _CHARS.get(k, k if len(k) == 1 else None))
        ev.set_sender(app)
        app._driver.send_message(ev)


def clear_results(store) -> None:
    """Drop all protocols, both passes and the room log (a day before typing)."""
    with store.transaction():
        for t in ("protocols", "protocols_pass2", "room_log"):
            store.db.drop_table(t)
        store._reset_index()


def present_in(store, room: str) -> list[Participant]:
    return [p for p in room_list(store, room) if p.attendance is not Attendance.ABSENT]


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


def protocol(store, guid: str, table=None) -> Protocol | None:
    return store.get(Protocol, guid, table)

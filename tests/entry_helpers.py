"""Helpers shared by the results-entry tests (issue 6)."""
from __future__ import annotations

from tui_app.domain.models import Attendance, Participant, Protocol
from tui_app.services.entry import room_list


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

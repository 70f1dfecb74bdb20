"""F2 at 2,500 participants does per key only what the screen shows: the rows on screen are
formatted (not every row of the result) and no key lays the screen out again (the status and
detail lines repaint in place). The speed itself is a benchmark: bench/roster.py."""
from __future__ import annotations

import pytest

from tui_app.app import ShtabApp
from tui_app.screens.roster import RosterScreen
from tui_app.services import roster as svc
from tui_app.services.demo import generate_participants

pytestmark = pytest.mark.asyncio


def big_roster(store, n: int = 2500) -> None:
    with store.transaction():
        for p in store.participants():
            store.delete(type(p), p.guid)
        store.put_many(generate_participants(n, seed=11))


async def test_keys_format_only_visible_rows_and_cause_no_layout(demo_ws, monkeypatch):
    big_roster(demo_ws.store)
    formatted: list[str] = []
    real_row = RosterScreen._row

    def counting_row(self, p):
        formatted.append(p.guid)
        return real_row(self, p)

    monkeypatch.setattr(RosterScreen, "_row", counting_row)
    app = ShtabApp(demo_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RosterScreen) and len(screen._shown) == 2500
        layouts: list[object] = []
        screen.screen_layout_refresh_signal.subscribe(screen, layouts.append, immediate=True)
        visible = screen.size.height
        for keys, expect in ((["к"], "к"), (["о"], "ко"), (["escape"], "")):
            formatted.clear()
            await pilot.press(*keys)
            await pilot.pause()
            everyone = demo_ws.store.participants()
            expected = svc.filter_participants(everyone, svc.RosterFilter(text=expect))
            assert [p.guid for p in screen._shown] == [p.guid for p in expected]
            assert len(expected) > visible  # a long result, but only a screenful is drawn
            assert 0 < len(set(formatted)) <= visible
        assert layouts == []


async def test_absent_mark_redraws_one_row_of_a_search(demo_ws):
    """«Н» on a row of a search result changes that row in place; the result stays."""
    big_roster(demo_ws.store)
    app = ShtabApp(demo_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        screen = app.screen
        await pilot.press("к", "о", "down", "f8")
        await pilot.pause()
        target = screen.current()
        assert target.absent and demo_ws.store.participant(target.guid).absent
        assert all(p.surname.lower().startswith("ко") for p in screen._shown)
        assert "Н" in str(screen.query_one("#roster-table").get_row_at(1))
        await pilot.press("escape")  # back to everyone: the cursor stays on the same person
        await pilot.pause()
        assert screen.current().guid == target.guid and len(screen._shown) == 2500

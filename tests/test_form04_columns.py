"""ИС-04 at 80 columns (issue 18): the room, № and name stay on screen while Ctrl+→ / End
bring the criteria, totals and marks into view; Home goes back."""
from __future__ import annotations

import pytest

from tui_app.app import ShtabApp

pytestmark = pytest.mark.asyncio


def lines(table) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_name_column_stays_while_jumping_to_the_last_columns(demo_results_ws):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        table = app.screen.query_one("#f04-table")
        first = lines(table)
        name = first[1].split()[2]  # the first participant's surname
        assert "ФИО" in first[0] and "Ч1" in first[0] and "Отметка" not in first[0]
        await pilot.press("ctrl+right")
        await pilot.pause()
        now = lines(table)
        assert "ФИО" in now[0] and name in now[1] and "Ч1" not in now[0]
        await pilot.press("end")
        await pilot.pause()
        now = lines(table)
        assert "ФИО" in now[0] and name in now[1]
        assert "Эксперт" in now[0] and now[0].rstrip().endswith("Отметка")
        await pilot.press("ctrl+left")  # the columns just before
        await pilot.pause()
        now = lines(table)
        assert "ФИО" in now[0] and name in now[1] and "Итог" in now[0]
        await pilot.press("ctrl+left", "ctrl+left", "ctrl+left")
        await pilot.pause()
        assert "Ч1" in lines(table)[0]
        await pilot.press("end", "home")
        await pilot.pause()
        assert lines(table) == first

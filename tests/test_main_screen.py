"""The main screen: day, counts, checklist, F1 help — at 80×25 and 120×40."""
import pytest

from tui_app.app import ShtabApp
from tui_app.screens.help import HelpScreen
from tui_app.screens.main import MainScreen


@pytest.mark.parametrize("size", [(80, 25), (120, 40)])
async def test_main_screen_shows_the_day(demo_results_ws, size):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        day = str(app.screen.query_one("#day-box").render())
        counts = str(app.screen.query_one("#counts-box").render())
        checklist = str(app.screen.query_one("#checklist-box").render())
        assert "10.02.2027" in day and "ОО 470123" in day and "МСУ 005" in day
        assert "Участников 120" in counts and "не явились 3" in counts
        assert "Протоколов 117" in counts and "зачёт 101" in counts
        assert "Распределить участников" in checklist
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f10")
        await pilot.pause()
    assert app.return_code == 0


async def test_empty_workspace_says_what_to_do(ws):
    app = ShtabApp(ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.pause()
        day = str(app.screen.query_one("#day-box").render())
        assert "Экзаменационный день не задан" in day
        assert "Enter — загрузить список участников" in day
        await pilot.press("enter")  # the first Enter of a new workspace loads the roster
        await pilot.pause()
        assert type(app.screen).__name__ == "ExchangeScreen"


def test_main_screen_snapshot(demo_results_ws, snap_compare):
    assert snap_compare(ShtabApp(demo_results_ws), terminal_size=(80, 25))


def test_main_screen_snapshot_wide(demo_ws, snap_compare):
    assert snap_compare(ShtabApp(demo_ws), terminal_size=(120, 40))

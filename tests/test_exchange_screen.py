"""The «Загрузка и выгрузка B2P» screen, by key presses: load a roster, refuse a hostile file,
export the results file."""
from support import EXCHANGE_FIXTURES
from support.generate import write_roster
from support.pilot import text_of, wait_until
from support.workspaces import db_fingerprint
from tui_app.app import ShtabApp
from tui_app.screens.dialogs import Confirm
from tui_app.screens.exchange import ExchangeScreen


async def _open(app, pilot):
    app.open_screen("exchange")
    await pilot.pause()
    assert isinstance(app.screen, ExchangeScreen)


async def _wait_result(app, pilot, text) -> str:
    await wait_until(pilot, lambda: text in text_of(app, "#exchange-result"),
                     what=f"«{text}» in the result line")
    return text_of(app, "#exchange-result")


async def test_load_roster_by_typing_the_path(ws, tmp_path):
    roster = write_roster(tmp_path, 30)
    app = ShtabApp(ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await _open(app, pilot)
        app.screen.query_one("#exchange-path").focus()
        app.screen.query_one("#exchange-path").value = str(roster)  # a long path: typed at once
        await pilot.press("f5")
        shown = await _wait_result(app, pilot, "Добавлено: 30")
        assert "участников в файле 30" in shown
    assert len(ws.store.participants()) == 30
    assert ws.store.exam_day().source_file == roster.stem


async def test_hostile_file_is_refused_and_nothing_changes(demo_ws):
    before = db_fingerprint(demo_ws.root)
    app = ShtabApp(demo_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await _open(app, pilot)
        inp = app.screen.query_one("#exchange-path")
        inp.focus()
        inp.value = str(EXCHANGE_FIXTURES / "47002090-06-470123-005(xxe)-20270210.b2p")
        await pilot.press("enter")
        shown = await _wait_result(app, pilot, "НЕ загружен")
        assert "рабочая папка не изменилась" in shown
    assert db_fingerprint(demo_ws.root) == before


async def test_export_clean_results_then_forced_asks_first(demo_results_ws, demo_ws):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot)
        await pilot.press("f6")
        shown = await _wait_result(app, pilot, "Статус 19")
    files = list((demo_results_ws.root / "export").glob("*.b2p"))
    assert [f.stem for f in files] == ["47002090-06-470123-005-20270210"]
    assert "сдавали" in shown

    # the demo school without results: export refused, nothing written; F7 asks first
    app = ShtabApp(demo_ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot)
        await pilot.press("f6")
        await _wait_result(app, pilot, "НЕ выгружен")
        assert not list((demo_ws.root / "export").glob("*.b2p"))
        await pilot.press("f7")
        assert isinstance(app.screen, Confirm)  # asks first
        assert not list((demo_ws.root / "export").glob("*.b2p"))
        await pilot.press("enter")
        await _wait_result(app, pilot, "статус 13")


def test_a_new_export_makes_an_earlier_handoff_stale(demo_results_ws, tmp_path):
    from tui_app.services.export_results import export_results
    from tui_app.services.handoff import handoff

    store = demo_results_ws.store
    export_results(store)
    stick = tmp_path / "stick"
    stick.mkdir()
    assert handoff(store, stick).files > 0  # raises HandoffFailed otherwise
    assert store.settings().handoff_done is True
    export_results(store)
    assert store.settings().handoff_done is False
    assert store.settings().export_done is True

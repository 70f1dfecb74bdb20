"""The «Пересдачи» and «Хранение» screens with real key presses."""
from __future__ import annotations

from datetime import date

from pypdf import PdfReader
from textual.widgets import DataTable, Input

from support.pilot import text_of
from support.workspaces import drop_demo_acts
from tui_app.app import ShtabApp
from tui_app.domain.models import ValidReason
from tui_app.services import retakes, retention


async def _open(app, pilot, screen_id: str):
    app.screen.query_one("#menu").focus()
    app.open_screen(screen_id)
    await pilot.pause()


async def test_retakes_screen_document_and_csv(demo_results_ws):
    store = demo_results_ws.store
    drop_demo_acts(store)  # the test records the ground (a document) itself
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await _open(app, pilot, "retakes")
        assert type(app.screen).__name__ == "RetakesScreen"
        assert "Допущены: 15" in text_of(app, "#retakes-summary")
        assert "10.03.2027" in text_of(app, "#retakes-summary")
        t = app.screen.query_one(DataTable)
        # the not-admitted come last; walk down to the first absentee without a document
        keys = [r.key.value for r in t.ordered_rows]
        idx = next(i for i, k in enumerate(keys) if store.participant(k).absent)
        assert idx >= 15
        await pilot.press(*["down"] * idx)
        guid = t.coordinate_to_cell_key(t.cursor_coordinate).row_key.value
        assert guid == keys[idx]
        await pilot.press("f2")
        await pilot.press(*"справка 7")
        await pilot.press("enter")
        await pilot.pause()
        assert store.get(ValidReason, guid).document == "справка 7"
        assert "Допущены: 16" in text_of(app, "#retakes-summary")
        await pilot.press("f8")
        await pilot.pause()
        csv = demo_results_ws.root / "retakes" / "retakes_2027-03-10.csv"
        assert csv.exists() and guid in {p.guid for p in retakes.read_roster_csv(csv)}
        assert "16 участников" in text_of(app, "#retakes-result")


async def test_retention_screen_destroys_by_act(demo_results_ws, monkeypatch):
    monkeypatch.setattr(retention, "today", lambda: date(2027, 3, 10))
    (demo_results_ws.root / "forms" / "ИС-09_акт.pdf").write_bytes(b"%PDF act")
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.pause()
        assert "Срок хранения истёк 10.03.2027" in text_of(app, "#checklist-box")
        await _open(app, pilot, "retention")
        t = app.screen.query_one(DataTable)
        assert t.row_count == 8
        await pilot.press("f8")  # no members yet: refused, focus goes to the field
        assert "членов комиссии" in text_of(app, "#retention-result")
        assert app.screen.focused is app.screen.query_one("#retention-members", Input)
        members = app.screen.query_one("#retention-members", Input)
        members.value = "Петрова А. А., Сидоров Б. Б"
        members.cursor_position = len(members.value)
        await pilot.press(".")
        await pilot.press("f8")
        await pilot.pause()
        assert type(app.screen).__name__ == "Confirm"
        await pilot.press("escape")  # cancel: nothing happens
        await pilot.pause()
        assert (demo_results_ws.root / "forms" / "ИС-09_акт.pdf").exists()
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert not (demo_results_ws.root / "forms" / "ИС-09_акт.pdf").exists()
        assert "Акт:" in text_of(app, "#retention-result")
        assert t.row_count == 6
        act = next((demo_results_ws.root / "retention").glob("*.pdf"))
        text = PdfReader(act).pages[0].extract_text()
        assert "Сидоров Б. Б." in text and "КИМ" in text
        await pilot.press("escape")
        await pilot.pause()
        assert "Срок хранения" not in text_of(app, "#checklist-box")

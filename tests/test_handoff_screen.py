"""F9 «Передача в МСУ» with real key presses: choose, copy, verify, fail; a snapshot."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input

from support.pilot import text_of, wait_until
from tui_app.app import ShtabApp
from support.sums import sha256sum_check
from tui_app.services import drives, retention


def _files(root: Path) -> None:
    (root / "export" / "47002090-06-470123-005-20270210.b2p").write_bytes(b"<HwPackage/>" * 100)
    for room in ("101", "102", "201", "202"):  # every room of the demo: nothing to ask
        d = root / "audio" / room
        d.mkdir(parents=True, exist_ok=True)
        (d / f"2027-02-10_OO470123_aud{room}_001_090000.mp3").write_bytes(bytes(range(256)) * 4000)
    (root / "forms" / "IS-02_470123_20270210.pdf").write_bytes(b"%PDF-1.4 " * 300)
    (root / "forms" / "IS-03_470123_20270210.pdf").write_bytes(b"%PDF-1.4 " * 300)


@pytest.fixture
def stick(tmp_path, monkeypatch):
    s = tmp_path / "KINGSTON"
    s.mkdir()
    monkeypatch.setattr(drives, "removable_drives",
                        lambda: [drives.Drive(s, "KINGSTON", 7_500_000_000, 7_800_000_000)])
    return s


async def _wait_done(app, pilot):
    await pilot.pause()
    await wait_until(pilot, lambda: not app.screen.busy, what="the copy finishing")


async def test_f9_copies_to_the_chosen_drive_and_verifies(demo_results_ws, stick):
    _files(demo_results_ws.root)
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f9")  # main screen: open the handoff screen
        assert type(app.screen).__name__ == "HandoffScreen"
        assert "IS_470123_2027-02-10" in text_of(app, "#handoff-plan")
        await pilot.press("enter")  # choose the first drive
        assert app.screen.query_one("#handoff-path", Input).value == str(stick)
        await pilot.press("f9")  # start
        await _wait_done(app, pilot)
        assert "Готово" in text_of(app, "#handoff-result")
        assert "Проверка" in text_of(app, "#handoff-progress")
        assert demo_results_ws.store.settings().handoff_done is True
        folder = stick / "IS_470123_2027-02-10"
        assert sha256sum_check(folder)[0] == 0
        await pilot.press("escape")
        assert type(app.screen).__name__ == "MainScreen"
        assert "✔" in text_of(app, "#checklist-box").split("Передать файлы")[0].splitlines()[-1]


async def test_typed_folder_that_does_not_exist_fails_in_russian(demo_results_ws, stick, tmp_path):
    _files(demo_results_ws.root)
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f9")
        inp = app.screen.query_one("#handoff-path", Input)
        inp.value = str(tmp_path)
        inp.focus()
        inp.cursor_position = len(inp.value)
        await pilot.press(*"/nope")
        await pilot.press("enter")
        await _wait_done(app, pilot)
        assert "не найдена" in text_of(app, "#handoff-result")
        assert "Готово" not in text_of(app, "#handoff-result")
        assert demo_results_ws.store.settings().handoff_done is False


async def test_pulled_stick_is_reported_as_failed(demo_results_ws, stick, monkeypatch):
    _files(demo_results_ws.root)
    from tui_app.services import handoff

    def pulled(f, data):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(handoff, "_write_chunk", pulled)
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f9", "enter", "f9")
        await _wait_done(app, pilot)
        assert "НЕ выполнена" in text_of(app, "#handoff-result")
        assert demo_results_ws.store.settings().handoff_done is False


async def test_main_screen_shows_retention_reminder(demo_results_ws, monkeypatch):
    monkeypatch.setattr(retention, "today", lambda: date(2028, 3, 1))
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = text_of(app, "#checklist-box")
        assert "Срок хранения истёк 01.03.2028" in text
    monkeypatch.setattr(retention, "today", lambda: date(2027, 2, 11))
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "Срок хранения" not in text_of(app, "#checklist-box")


def test_snapshot_handoff_screen(demo_results_ws, stick, snap_compare, monkeypatch):
    _files(demo_results_ws.root)
    monkeypatch.setattr(drives, "removable_drives",
                        lambda: [drives.Drive(Path("/media/teacher/KINGSTON"), "KINGSTON",
                                              7_500_000_000, 7_800_000_000)])
    assert snap_compare(ShtabApp(demo_results_ws), press=["f9"], terminal_size=(80, 25))


async def test_a_stick_plugged_in_later_shows_up(demo_results_ws, tmp_path, monkeypatch):
    found: list = []
    monkeypatch.setattr(drives, "removable_drives", lambda: list(found))
    from textual.widgets import OptionList

    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f9")
        screen = app.screen
        assert screen.focused is screen.query_one("#handoff-path", Input)  # nothing to choose
        ol = screen.query_one("#handoff-drives", OptionList)
        assert "не найдены" in str(ol.get_option_at_index(0).prompt)
        found.append(drives.Drive(tmp_path, "FLASH", 1000, 2000))
        # the screen's timer looks for drives every 2 seconds
        await wait_until(pilot, lambda: "FLASH" in str(ol.get_option_at_index(0).prompt),
                         what="the stick in the list")
        assert screen.query_one("#handoff-path", Input).value == str(tmp_path)

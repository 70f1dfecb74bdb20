"""The one job pattern of the screens (screens/jobs.py): busy blocks Esc and F10, errors of
the family become their Russian message in one place, a bug never reads as «готово», the
result reaches the store on the UI thread; the running recording belongs to the App."""
from __future__ import annotations

import threading

import pytest
from textual.app import ComposeResult
from textual.widgets import ProgressBar

from support.pilot import finish_workers
from tui_app.app import ShtabApp
from tui_app.errors import DiskFull
from tui_app.notes import Level
from tui_app.screens.jobs import JobScreen
from tui_app.widgets.status_line import StatusLine


class Slow(JobScreen):
    """A screen with one job that waits for the test to let it go."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.done_on: list[str] = []

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=1, id="bar")
        yield StatusLine(id="msg")

    def start(self, outcome) -> None:
        def work(job):
            job.progress(1, 2)
            self.gate.wait(10)
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome

        self.run_job(work, busy="идёт работа", bar="#bar",
                     done=lambda r: (self.done_on.append(threading.current_thread().name), f"Готово: {r}")[1])


async def test_busy_screen_refuses_esc_and_f10_then_finishes(demo_results_ws):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = Slow()
        app.push_screen(screen)
        await pilot.pause()
        screen.start("42")
        await pilot.pause(0.2)
        assert screen.busy == "идёт работа" and screen.query_one("#bar").percentage == 0.5
        await pilot.press("escape")
        await pilot.press("f10")
        await pilot.pause()
        assert app.screen is screen and app.is_running
        assert "Подождите: идёт работа" in screen.status_text
        screen.start("again")  # a second start is refused
        assert screen.status_text.startswith("Подождите")
        screen.gate.set()
        await finish_workers(app, pilot)
        assert not screen.busy and screen.status_text == "Готово: 42"
        assert screen.query_one(StatusLine).level is Level.OK
        assert screen.done_on == [threading.main_thread().name]  # done() on the UI thread
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


@pytest.mark.parametrize("error,shown", [
    (DiskFull("На диске недостаточно места для PDF: нужно 5 МБ, свободно 1 МБ"), "нужно 5 МБ"),
    (PermissionError(13, "Permission denied", "/media/stick/x.pdf"), "Нет доступа к «/media/stick/x.pdf»"),
    (KeyError("oops"), "непредвиденная ошибка (KeyError"),
])
async def test_failures_are_translated_in_one_place(demo_results_ws, error, shown):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        screen = Slow()
        app.push_screen(screen)
        await pilot.pause()
        screen.gate.set()
        screen.start(error)
        await finish_workers(app, pilot)
        assert shown in screen.status_text and "Готово" not in screen.status_text
        assert screen.query_one(StatusLine).level is Level.ERROR and not screen.busy
        assert screen.query_one("#bar").progress == 0


async def test_the_recording_is_the_apps_and_stops_with_it(demo_results_ws):
    class FakeRecording:
        room, finished, running = "101", False, True
        halted = False

        def halt(self):
            self.halted = True

        def finish(self):
            self.finished = True
            return []

    assert "audio_session" in ShtabApp.__annotations__  # declared, not stuck on at run time
    rec = FakeRecording()
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.audio_session = rec
        await pilot.press("f10")  # asks first: a recording is running
        await pilot.pause()
        assert type(app.screen).__name__ == "Confirm" and app.is_running
        await pilot.press("enter")
        await pilot.pause()
    assert rec.halted and rec.finished and app.audio_session is None

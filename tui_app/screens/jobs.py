"""One way for a screen to do slow work: a job.

A job is a function run in a worker thread (PDF, export, copying to a stick, a test
recording, cutting a clip). While it runs the screen is *busy*: Esc and F10 say «подождите»
instead of leaving (screens/base.py), a second start is refused, the progress bar and the
status line follow the job. When it ends, `done(result)` runs on the UI thread — the one
place a job's result may be written to the store. When it fails, the error family
(tui_app/errors.py: `ShtabError`, and `OSError` through `user_message`) becomes the Russian
message on the status line, here and nowhere else; anything else is reported as an
unexpected error (never as «готово»).

    class MyScreen(JobScreen):
        def action_build(self) -> None:
            self.run_job(lambda job: build(self.app.store, progress=job.progress),
                         busy="создаётся PDF", done=self._built, bar="#my-progress")

        def _built(self, paths) -> str:
            return f"Готово: {paths[0].name}"   # shown as ✔ on the status line
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Optional

from textual.css.query import NoMatches
from textual.widgets import ProgressBar

from ..errors import user_message
from ..notes import Level, Note
from .base import BaseScreen, failure_text

Done = Callable[[Any], "str | Note | None"]
Failed = Callable[[BaseException, str], "str | None"]


class Job:
    """What the work function gets in its thread: progress, messages, cancellation, and a way
    to run something on the UI thread (the store is written only there)."""

    def __init__(self, screen: "JobScreen", bar: Optional[str]) -> None:
        self.screen = screen
        self.bar = bar
        self.cancelled = threading.Event()

    def on_ui(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `fn` on the UI thread, wait and return its result (None if the app is gone)."""
        try:
            return self.screen.app.call_from_thread(fn, *args, **kwargs)
        except RuntimeError:  # the app is closing
            return None

    def progress(self, done: float, total: float = 1.0) -> None:
        """Move the screen's progress bar: `done` of `total` (a fraction when total is 1)."""
        if self.bar and not self.cancelled.is_set():
            self.on_ui(self.screen.show_progress, self.bar, done, total)

    def say(self, text: str, level: Level | str = Level.INFO) -> None:
        if not self.cancelled.is_set():
            self.on_ui(self.screen.say, text, level)


class JobScreen(BaseScreen):
    """A screen that runs jobs; see the module's docstring."""

    _job: Optional[Job] = None

    def run_job(self, work: Callable[[Job], Any], *, busy: str, done: Done,
                failed: Optional[Failed] = None, bar: Optional[str] = None) -> bool:
        """Start `work(job)` in a thread. `busy` says what is going on («создаётся PDF»);
        `done(result)` and `failed(error, message)` run on the UI thread and may return a
        text for the status line. False when another job is still running."""
        if self.still_busy():
            return False
        job = Job(self, bar)
        self._job = job
        self.busy = busy
        if bar:
            self.show_progress(bar, 0, 1)
        self.say(busy[:1].upper() + busy[1:] + "…")
        self.run_worker(lambda: self._job_thread(job, work, done, failed), thread=True,
                        group="screen-job", exit_on_error=False)
        return True

    def _job_thread(self, job: Job, work: Callable[[Job], Any], done: Done,
                    failed: Optional[Failed]) -> None:
        try:
            result = work(job)
        except BaseException as e:  # noqa: BLE001 - every failure must end the busy state
            job.on_ui(self._job_failed, job, e, failed)
            return
        job.on_ui(self._job_done, job, result, done)

    def _job_done(self, job: Job, result: Any, done: Done) -> None:
        if job.cancelled.is_set():
            return
        self._end(job)
        if job.bar:
            self.show_progress(job.bar, 1, 1)
        self._say_back(done(result), Level.OK)

    def _job_failed(self, job: Job, e: BaseException, failed: Optional[Failed]) -> None:
        if job.cancelled.is_set():
            return
        self._end(job)
        if job.bar:
            self.show_progress(job.bar, 0, 1)
        message = failure_text(e)
        if user_message(e) is None:
            self.log.error(f"job failed: {e!r}")
        if failed is not None:
            message = failed(e, message) or ""
        self.app.bell()
        self._say_back(message, Level.ERROR)

    def _end(self, job: Job) -> None:
        if self._job is job:
            self._job = None
        self.busy = ""

    def _say_back(self, text: "str | Note | None", level: Level) -> None:
        if isinstance(text, Note):
            self.say_note(text)
        elif text:
            self.say(text, level)

    def show_progress(self, bar: str, done: float, total: float) -> None:
        try:
            self.query_one(bar, ProgressBar).update(total=max(total, 1e-9), progress=done)
        except NoMatches:  # the screen is being torn down
            pass

    def on_unmount(self) -> None:
        if self._job is not None:
            self._job.cancelled.set()

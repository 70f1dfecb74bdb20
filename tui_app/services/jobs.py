"""Heavy work that must not starve the screen: run in a worker process, report progress,
cancel cleanly.

`run_job(fn, *args, progress=, cancel=)` calls `fn(*args, progress=…)` in a fresh Python
process (the same on Windows and Linux) and waits for it in the calling thread (a Textual
worker thread), polling:
- progress(fraction) messages are passed on to the caller's callback;
- when `cancel` (a threading.Event) is set, the process is killed at once — even one stuck in
  I/O — and Cancelled is raised;
- the result (or the family error the job raised) comes back pickled.
The event loop never waits for the GIL behind a long lxml call or a pydantic loop: the work
is in another process. A small job (`isolate=False`) runs inline instead, where Cancelled is
raised from the progress callback (no process start for a school's 100 participants).

The use cases built on it keep the workspace all or nothing: the worker only reads the file
and plans from a snapshot; the store is written afterwards, in the caller's process, in one
transaction (import_plan.apply_plan, export_results.record_export) — a cancel before that
leaves the workspace byte for byte unchanged.
"""
from __future__ import annotations

import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import ShtabError

POLL = 0.05  # seconds between looks at the pipe and the cancel flag
ISOLATE_FILE_BYTES = 1024 * 1024  # files above this are read in a worker process
ISOLATE_PARTICIPANTS = 2000  # exports above this are written in a worker process
WORKER_NICE = 5  # the worker yields the CPU to the screen (Windows: below-normal priority)

Progress = Optional[Callable[[float], None]]


class Cancelled(ShtabError):
    """The user stopped the job; nothing was written."""

    def __init__(self, message: str = "Отменено: рабочая папка не изменилась.") -> None:
        super().__init__(message)


class JobFailed(ShtabError):
    """The worker process ended without an answer (killed from outside, out of memory)."""


# -- the worker process ------------------------------------------------------------------
# A plain `python -c …` child (not multiprocessing: its spawn re-imports the parent's
# __main__, which breaks for any caller without a __main__ guard): the request is pickled
# to its stdin; its answers come back as length-prefixed pickles on a copy of its stdout
# (fd 1 itself is pointed at stderr, so a stray print cannot corrupt them); stderr is
# discarded (the TUI owns the terminal) — errors come back as messages.

_WORKER = "import tui_app.services.jobs as j; j._worker_main()"


def _worker_main() -> None:
    import pickle
    import struct
    import sys

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    if hasattr(os, "nice"):  # the screen's process comes first on a busy machine
        try:
            os.nice(WORKER_NICE)
        except OSError:
            pass

    def send(kind: str, value: Any) -> None:
        data = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack("<Q", len(data)) + data)
        out.flush()

    try:
        fn, args, kwargs = pickle.load(sys.stdin.buffer)
        result = fn(*args, progress=lambda f: send("progress", float(f)), **kwargs)
        send("done", result)
    except ShtabError as e:
        _send_error(send, e)
    except BaseException as e:  # noqa: BLE001 - a bug of ours: its text, not a hang
        _send_error(send, JobFailed(f"Внутренняя ошибка: {type(e).__name__}: {e}\n"
                                    f"{traceback.format_exc(limit=8)}"))
    out.close()


def _send_error(send, e: BaseException) -> None:
    try:
        send("error", e)
    except Exception:  # noqa: BLE001 - an error that does not pickle: its text
        send("error", JobFailed(str(e)))


def _read_messages(stream, box: "queue.Queue") -> None:
    """In a daemon thread of the caller: the worker's messages into a queue; None at EOF."""
    try:
        while True:
            head = stream.read(8)
            if len(head) < 8:
                break
            (n,) = struct.unpack("<Q", head)
            box.put(pickle.loads(stream.read(n)))
    except Exception as e:  # noqa: BLE001 - a broken pipe or pickle: the job failed
        box.put(("error", JobFailed(f"Внутренняя ошибка: ответ рабочего процесса не прочитан ({e}).")))
    finally:
        box.put(None)


def _start(fn: Callable, args: tuple, kwargs: dict) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
               PYTHONIOENCODING="utf-8")
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) | getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)
    proc = subprocess.Popen([sys.executable, "-c", _WORKER], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                            creationflags=flags)
    try:
        proc.stdin.write(pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL))
        proc.stdin.close()
    except OSError:  # the worker died at once: its exit is reported by _wait
        pass
    return proc


def _inline(fn: Callable, args: tuple, kwargs: dict, progress: Progress,
            cancel: Optional[threading.Event]) -> Any:
    def step(fraction: float) -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        if progress:
            progress(fraction)

    if cancel is not None and cancel.is_set():
        raise Cancelled()
    return fn(*args, progress=step, **kwargs)


def run_job(fn: Callable, *args, progress: Progress = None,
            cancel: Optional[threading.Event] = None, isolate: bool = True, **kwargs) -> Any:
    """fn(*args, progress=…, **kwargs) in a worker process (isolate) or inline; see the
    module docstring. fn and its arguments must be picklable (a module-level function)."""
    if not isolate:
        return _inline(fn, args, kwargs, progress, cancel)
    proc = _start(fn, args, kwargs)
    box: queue.Queue = queue.Queue()
    threading.Thread(target=_read_messages, args=(proc.stdout, box), daemon=True,
                     name="is-shtab job messages").start()
    try:
        return _wait(proc, box, progress, cancel)
    finally:
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _wait(proc: subprocess.Popen, box: "queue.Queue", progress: Progress,
          cancel: Optional[threading.Event]) -> Any:
    while True:
        if cancel is not None and cancel.is_set():
            return _cancel(proc, box)
        try:
            msg = box.get(timeout=POLL)
        except queue.Empty:
            continue
        if msg is None:
            raise JobFailed(f"Внутренняя ошибка: рабочий процесс завершился без ответа "
                            f"(код {proc.wait()}).")
        kind, value = msg
        if kind == "progress":
            if progress:
                progress(value)
        elif kind == "done":
            return value
        else:
            raise value


def _cancel(proc: subprocess.Popen, box: "queue.Queue") -> Any:
    """Kill the worker at once; a job that finished before the kill still counts (its
    answer is already in the queue) — otherwise Cancelled."""
    proc.kill()
    proc.wait(timeout=5)
    while True:
        try:
            msg = box.get(timeout=1.0)
        except queue.Empty:
            break
        if msg is None:
            break
        if msg[0] == "done":
            return msg[1]
    raise Cancelled()


# -- the use cases ---------------------------------------------------------------------

def import_file(store, path: Path | str, *, codes: Optional[dict] = None, progress: Progress = None,
                cancel: Optional[threading.Event] = None, isolate: Optional[bool] = None):
    """import_roster.import_file with the file read and planned off this process (for a
    file above ISOLATE_FILE_BYTES); the plan is written here, in one transaction, unless
    cancelled first. Raises ImportRefused, Cancelled."""
    from .import_plan import apply_plan, snapshot
    from .import_roster import plan_file

    path = Path(path)
    if isolate is None:
        isolate = _size(path) > ISOLATE_FILE_BYTES
    step = (lambda f: progress(0.9 * f)) if progress else None
    plan = run_job(plan_file, snapshot(store), path, progress=step, cancel=cancel,
                   isolate=isolate, **(codes or {}))
    if cancel is not None and cancel.is_set():
        raise Cancelled()
    summary = apply_plan(store, plan)
    if progress:
        progress(1.0)
    return summary


def export_results(store, *, force: bool = False, out_dir: Optional[Path | str] = None,
                   progress: Progress = None, cancel: Optional[threading.Event] = None,
                   isolate: Optional[bool] = None):
    """export_results.export_results with the checks and the file written off this process
    (a big roster); the note in the workspace is written here. Raises ExportRefused,
    Cancelled (the file is then not put in place)."""
    from .export_results import export_input, record_export, write_export

    inp = export_input(store, out_dir)
    if isolate is None:
        isolate = len(inp.participants) > ISOLATE_PARTICIPANTS
    try:
        result = run_job(write_export, inp, force, progress=progress, cancel=cancel,
                         isolate=isolate)
    except (Cancelled, JobFailed):
        _remove_partial(inp.out_dir)
        raise
    record_export(store, result)
    if progress:
        progress(1.0)
    return result


def _remove_partial(folder: Path) -> None:
    """The temporary file of an export killed mid-write (its final name never appeared)."""
    for tmp in Path(folder).glob(".*.b2p.*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0

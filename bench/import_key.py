"""A key during a big roster import (issue 19): is the screen as responsive as when idle?

In the real app at 80×25 (Textual's run_test, headless) on the «Загрузка и выгрузка B2P» screen:
1. idle: a letter typed into the path field, many times — the time from the key event being
   sent to the field showing it and the screen being composed again (`call_after_refresh`);
2. busy: the same key, every ~0.1 s, for the whole import of an N-participant roster B2P
   (read and planned in a worker process, then written in one transaction here) — the same
   measure; median, 90th percentile and worst;
3. Esc during the import (once the worker is reading): the import is cancelled and the
   workspace is byte for byte unchanged (checked, printed).
The key is timed by its own handling, not by Pilot's "wait until the process is idle" (which
would time the import instead). Goal: busy median ≤ 2× idle median, in the same run.

    python bench/import_key.py            # 20,000 participants
    python bench/import_key.py 2500
    python bench/import_key.py 20000 --no-esc   # keys only (to measure code without the cancel)

`measure(n)` returns the figures as a dict (for bench/run_all.py).
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # tui_app, and the test data generator

from textual import events  # noqa: E402

from support.generate import write_roster  # noqa: E402
from support.workspaces import db_fingerprint  # noqa: E402
from tui_app.app import ShtabApp  # noqa: E402
from tui_app.screens.exchange import ExchangeScreen  # noqa: E402
from tui_app.store.workspace import Workspace  # noqa: E402

GOAL_RATIO = 2.0
IDLE_KEYS = 30
BUSY_GAP = 0.1  # seconds between keys during the import


async def key_latency(app, inp, char: str = "x", timeout: float = 60.0) -> float:
    """Seconds from sending one key to the field showing it on a composed screen."""
    drawn = asyncio.get_running_loop().create_future()
    before = len(inp.value)
    t = time.perf_counter()
    app._driver.send_message(events.Key(char, char))  # as the terminal driver delivers it
    deadline = t + timeout
    while len(inp.value) == before:
        if time.perf_counter() > deadline:
            raise TimeoutError("the key was not handled")
        await asyncio.sleep(0.001)
    app.call_after_refresh(lambda: drawn.done() or drawn.set_result(time.perf_counter()))
    return await asyncio.wait_for(drawn, timeout) - t


async def _wait(pilot, cond, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        await pilot.pause(0.02)


def _result(app) -> str:
    return str(app.screen.query_one("#exchange-result").render())


async def _session(ws: Workspace, roster: Path, figures: dict, esc: bool) -> None:
    app = ShtabApp(ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.open_screen("exchange")
        await _wait(pilot, lambda: isinstance(app.screen, ExchangeScreen)
                    and app.screen.query("#exchange-path"), 30, "the screen")
        await pilot.pause()
        screen = app.screen
        inp = screen.query_one("#exchange-path")
        inp.focus()
        await pilot.pause()
        bar = screen.query_one("#exchange-bar")

        def start() -> None:
            inp.value = str(roster)
            inp.cursor_position = len(inp.value)
            screen.action_import_file()

        # 1. idle: the same key, the same field, nothing running
        inp.value = str(roster)
        inp.cursor_position = len(inp.value)
        for _ in range(3):  # warm-up
            await key_latency(app, inp)
        idle = [await key_latency(app, inp) for _ in range(IDLE_KEYS)]

        # 2. Esc while the worker reads: cancelled, the workspace unchanged
        before = db_fingerprint(ws.root)
        if esc:
            start()
            await _wait(pilot, lambda: bar.progress > 0, 300, "the import's first progress")
            t = time.perf_counter()
            await pilot.press("escape")
            await _wait(pilot, lambda: not screen.busy, 60, "the cancel")
            figures["esc_s"] = time.perf_counter() - t
            figures["esc_message"] = _result(app).splitlines()[0]
            figures["esc_unchanged"] = db_fingerprint(ws.root) == before
            figures["esc_still_on_screen"] = isinstance(app.screen, ExchangeScreen)

        # 3. the whole import, a key every BUSY_GAP seconds
        start()
        busy: list[float] = []
        stages: list[float] = []
        t = time.perf_counter()
        while screen.busy:
            p = bar.progress
            busy.append(await key_latency(app, inp))
            stages.append(p)
            await asyncio.sleep(BUSY_GAP)
        figures["import_s"] = time.perf_counter() - t
        figures["import_message"] = _result(app).splitlines()[0]
        figures["idle"], figures["busy"] = idle, busy
        figures["worst_at_progress"] = stages[max(range(len(busy)), key=busy.__getitem__)] if busy else None


def measure(n: int = 20000, folder: Path | None = None, esc: bool = True) -> dict:
    """Run the benchmark for an n-participant roster; returns the figures:
    idle_ms / busy_ms (medians), busy_p90_ms, busy_max_ms, ratio (busy/idle medians), goal,
    met, keys (during the import), import_s, esc_s, esc_unchanged, participants."""
    if folder is None:  # a temporary folder, removed afterwards
        with tempfile.TemporaryDirectory(prefix=f"bench-import-key-{n}-") as d:
            return measure(n, Path(d), esc)
    tmp = Path(folder)
    (tmp / "in").mkdir(parents=True, exist_ok=True)
    roster = write_roster(tmp / "in", n)
    ws = Workspace.open(tmp / "ws")
    ws.store.update_settings(roster_reviewed=True)
    figures: dict = {}
    try:
        asyncio.run(_session(ws, roster, figures, esc))
        stored = len(ws.store.participants())
    finally:
        ws.close()
    idle, busy = figures.pop("idle"), figures.pop("busy")
    ms = lambda s: round(s * 1000, 1)  # noqa: E731
    idle_med = statistics.median(idle)
    busy_med = statistics.median(busy) if busy else float("nan")
    ratio = busy_med / idle_med if idle_med else float("inf")
    figures.update(
        n=n, participants=stored, file_mb=round(roster.stat().st_size / 2**20, 1),
        idle_ms=ms(idle_med), busy_ms=ms(busy_med), keys=len(busy),
        busy_p90_ms=ms(sorted(busy)[int(0.9 * (len(busy) - 1))]) if busy else None,
        busy_max_ms=ms(max(busy)) if busy else None,
        ratio=round(ratio, 2), goal=GOAL_RATIO, met=ratio <= GOAL_RATIO)
    return figures


def key_figures_json(n: int = 20000) -> list[dict]:
    """The row of bench/run_all.py: the key's busy median against its idle median."""
    from bench.common import Figure

    f = measure(n)
    note = (f"90% — {f['busy_p90_ms']} мс, худшее {f['busy_max_ms']} мс; Esc: рабочая папка "
            f"{'не изменилась' if f.get('esc_unchanged') else 'ИЗМЕНИЛАСЬ'}")
    return [Figure("клавиша во время импорта (против той же клавиши в покое)", n, f["busy_ms"],
                   baseline=f["idle_ms"], baseline_what="та же клавиша в покое",
                   goal_ratio=GOAL_RATIO, note=note).to_json()]


def report(f: dict) -> list[str]:
    n = f"{f['n']:,}".replace(",", " ")
    return [
        f"Клавиша во время загрузки списка, {n} участников "
        f"({f['file_mb']} МБ), 80×25:",
        f"  простой: медиана {f['idle_ms']} мс",
        f"  во время загрузки ({f['import_s']:.1f} с, {f['keys']} нажатий): медиана {f['busy_ms']} мс, "
        f"90% — {f['busy_p90_ms']} мс, худшее {f['busy_max_ms']} мс (при {f['worst_at_progress'] or 0:.0f}%)",
        f"  отношение медиан {f['ratio']}× (цель ≤ {f['goal']}×): {'да' if f['met'] else 'НЕТ'}",
        f"  итог загрузки: {f['import_message']}; в базе {f['participants']} участников",
    ] + ([
        f"  Esc во время чтения: {f['esc_s']:.2f} с, «{f['esc_message']}», рабочая папка "
        f"{'не изменилась' if f['esc_unchanged'] else 'ИЗМЕНИЛАСЬ'}, экран "
        f"{'тот же' if f['esc_still_on_screen'] else 'закрыт'}"] if "esc_s" in f else [])


def main(argv: list[str]) -> int:
    esc = "--no-esc" not in argv  # --no-esc: only the keys (for code whose Esc leaves the screen)
    sizes = [a for a in argv if not a.startswith("--")]
    n = int(sizes[0]) if sizes else 20000
    f = measure(n, esc=esc)
    print("\n".join(report(f)))
    return 0 if f.get("esc_unchanged", True) and f["participants"] == n else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

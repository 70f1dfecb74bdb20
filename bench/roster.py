"""Roster screen with 2,500 participants: search-as-you-type and filter latency (Pilot).

    python bench/roster.py [--rows 2500] [--repeat 15]

Prints medians in milliseconds and ratios against baselines measured in the same run:
- a cursor move (Down) in the same 2,500-row table: the cost of any key press;
- the same search in the demo school (120 rows).
Latency = from the key press until the table is rebuilt (includes the 30 ms debounce that
coalesces fast typing)."""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_app.app import ShtabApp  # noqa: E402
from tui_app.services.demo import create_demo, generate_participants  # noqa: E402
from tui_app.store.workspace import Workspace  # noqa: E402


def make_workspace(root: Path, rows: int) -> Workspace:
    w = Workspace.open(root, snapshot=False)
    create_demo(w.store)
    if rows != 120:
        ps = generate_participants(rows, seed=11)
        with w.store.transaction():
            w.store.db.drop_table("participants")
            w.store._reset_index()
            w.store.put_many(ps)
    return w


async def wait_applied(pilot, screen, before: int, timeout: float = 5.0) -> None:
    end = time.perf_counter() + timeout
    while screen.filter_applies == before and time.perf_counter() < end:
        await pilot.pause(0.002)


async def measure(w: Workspace, repeat: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"down": [], "letter": [], "narrow": [], "clear": [], "filter": []}
    app = ShtabApp(w)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        screen = app.screen
        for _ in range(repeat):
            t = time.perf_counter()
            await pilot.press("down")
            await pilot.pause()
            out["down"].append(time.perf_counter() - t)
        for _ in range(repeat):
            n = screen.filter_applies
            t = time.perf_counter()
            await pilot.press("к")  # the first letter: the whole list is scanned
            await wait_applied(pilot, screen, n)
            out["letter"].append(time.perf_counter() - t)
            n = screen.filter_applies
            t = time.perf_counter()
            await pilot.press("о")  # the next letter narrows the previous result
            await wait_applied(pilot, screen, n)
            out["narrow"].append(time.perf_counter() - t)
            n = screen.filter_applies
            t = time.perf_counter()
            await pilot.press("escape")  # back to every row
            await wait_applied(pilot, screen, n)
            out["clear"].append(time.perf_counter() - t)
        from tui_app.services.roster import RosterFilter

        for i in range(repeat):
            screen.flt = RosterFilter(ovz=(i % 2 == 0) or None)
            t = time.perf_counter()
            screen.apply_filter()  # F4 «ОВЗ» on / off, the rebuild itself
            await pilot.pause()
            out["filter"].append(time.perf_counter() - t)
        shown = len(screen._all)
    return out | {"rows": [shown]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2500)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        small = make_workspace(Path(d) / "small", 120)
        big = make_workspace(Path(d) / "big", args.rows)
        try:
            res_small = asyncio.run(measure(small, args.repeat))
            res_big = asyncio.run(measure(big, args.repeat))
        finally:
            small.close()
            big.close()
    med = {k: statistics.median(v) * 1000 for k, v in res_big.items() if k != "rows"}
    med_small = {k: statistics.median(v) * 1000 for k, v in res_small.items() if k != "rows"}
    print(f"roster rows: {res_big['rows'][0]} (baseline school: {res_small['rows'][0]}), "
          f"repeat {args.repeat}, Pilot 120x40, medians in ms")
    print(f"{'operation':<34}{'2500':>10}{'120':>10}{'vs 120':>9}{'vs Down':>10}")
    names = {"down": "cursor Down (baseline)", "letter": "type 1st letter (full scan)",
             "narrow": "type 2nd letter (narrowing)", "clear": "Esc: clear search (all rows)",
             "filter": "filter ОВЗ on/off (rebuild)"}
    for k, label in names.items():
        print(f"{label:<34}{med[k]:>10.1f}{med_small[k]:>10.1f}{med[k] / med_small[k]:>9.2f}"
              f"{med[k] / med['down']:>10.2f}")


if __name__ == "__main__":
    main()

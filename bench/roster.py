"""F2 roster: the first search letter, the next letter and Esc, against a bare Line-API list
filtered per key (bench/bare.py), both measured in the same run on the same participants.

    python bench/roster.py [--sizes 100,2500,10000,36000] [--repeat 15] [--rounds 2]

Each app runs in its own fresh process, ours and the bare one alternating (`--rounds` times
each), at 80×25. A key is timed from posting it to the app until the frame showing its result
is composed (bench/common.py KeyTimer): CPU of the process and wall. The bare list shows as
many rows as our table does (the rest of its screen is blank), so that both lose and regain
their scrollbar — a layout of the screen — at the same keys: with 100 participants «к» leaves
20, more than our 18 rows and fewer than a whole 80×25 screen, and the bare list's layout fell
on the first letter and ours on the next. Goal (issue 19): each key ≤ 1.5× the bare list, at
36,000 too.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SIZES, Figure, KeyTimer, make_workspace, median, peak_rss_mb, run_child, table  # noqa: E402

KEYS = (("first", "к", "к"), ("next", "о", "о"), ("esc", "escape", None))
LABELS = {"first": "F2: первая буква поиска", "next": "F2: следующая буква",
          "esc": "F2: Esc (снова весь список)"}
SIZE = (80, 25)


def prepare(folder: str, n: int) -> str:
    """The workspace of n participants (made once, reopened by every measuring process)."""
    root = Path(folder) / f"ws-{n}"
    if not (root / "is-shtab.json").exists():
        make_workspace(root, n).close()
    return str(root)


async def _keys(app, timer: KeyTimer, repeat: int) -> dict[str, list]:
    out: dict[str, list] = {k: [] for k, _, _ in KEYS}
    for i in range(repeat + 1):  # the first round warms up (not counted)
        for name, key, char in KEYS:
            cpu, wall = await timer.key(key, char)
            if i:
                out[name].append((cpu, wall))
            await timer.settle()
    return out


def ours(root: str, repeat: int) -> dict:
    """Our F2 screen on the workspace: CPU and wall of each key (seconds)."""
    from tui_app.app import ShtabApp
    from tui_app.screens.roster import RosterScreen
    from tui_app.store.workspace import Workspace

    ws = Workspace.open(root, snapshot=False)

    async def run() -> dict:
        app = ShtabApp(ws)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f2")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RosterScreen)
            rows = len(screen._shown)
            table = screen.query_one("#roster-table")
            visible = table.scrollable_content_region.height - table.header_height
            res = await _keys(app, KeyTimer(app, screen, "apply_filter"), repeat)
            return res | {"rows": rows, "visible": visible}

    try:
        res = asyncio.run(run())
    finally:
        ws.close()
    return res | {"peak_mb": peak_rss_mb()}


def bare(root: str, repeat: int, visible: int | None = None) -> dict:
    """The bare Line-API list over the same participants (same order, same search key),
    `visible` rows high (ours), else the whole screen."""
    from bench.bare import BareList, BareListApp
    from tui_app.services.roster import search_key
    from tui_app.store.workspace import Workspace

    ws = Workspace.open(root, snapshot=False)
    try:
        rows = [(search_key(p), p.fio) for p in ws.store.participants()]
    finally:
        ws.close()

    async def run() -> dict:
        app = BareListApp(rows, visible)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            lst = app.query_one(BareList)
            return await _keys(app, KeyTimer(app, lst, "apply_filter"), repeat) | {"rows": len(rows)}

    return asyncio.run(run()) | {"peak_mb": peak_rss_mb()}


def figures(sizes=SIZES, repeat: int = 15, rounds: int = 2) -> list[Figure]:
    out: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-roster-") as tmp:
        for n in sizes:
            root = prepare(tmp, n)
            runs = {"ours": [], "bare": []}
            for _ in range(rounds):  # alternate: the machine's load hits both alike
                runs["ours"].append(run_child("roster", "ours", root, repeat))
                runs["bare"].append(run_child("roster", "bare", root, repeat, runs["ours"][0]["visible"]))
            peak = max(r["peak_mb"] for r in runs["ours"])
            for name, _, _ in KEYS:
                o = [x for r in runs["ours"] for x in r[name]]
                b = [x for r in runs["bare"] for x in r[name]]
                for i, clock in ((0, "ЦП"), (1, "время")):
                    out.append(Figure(
                        f"{LABELS[name]} ({clock})", n, median(x[i] for x in o) * 1000,
                        baseline=median(x[i] for x in b) * 1000,
                        baseline_what="голый список Line API", goal_ratio=1.5,
                        peak_mb=peak if (name, i) == ("first", 0) else None))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    figs = figures([int(s) for s in a.sizes.split(",")], a.repeat, a.rounds)
    print(f"F2, 80×25, медианы {a.repeat}×{a.rounds} нажатий; ЦП — время процессора, "
          "время — до кадра на экране")
    print(table(figs))


if __name__ == "__main__":
    main()

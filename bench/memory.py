"""Memory of the TUI with N participants, as a user drives it in tmux 80×25: start, the roster
(F2) with a search and Esc, back, the form ИС-04 (F5), back; then the program's resident and
peak resident memory (/proc, Linux).

    python bench/memory.py [--sizes 2500,10000,36000]

Goal (issue 19): ≤ 150 MB at 10,000 participants.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SIZES, Figure, make_workspace, table  # noqa: E402
from bench.startup import MAIN_MARKER, ControlTmux, commands  # noqa: E402


VERBOSE = False


def measure(ws: Path) -> tuple[float, float]:
    ours_cmd, _ = commands(ws, ws.parent / "pycache")
    tm = ControlTmux()
    try:
        tm.time_to(ours_cmd, MAIN_MARKER, timeout=300)
        trace = [("старт", tm.pane_memory()[0])]
        steps = [(["F2"], "Поиск"), (["к"], "Поиск: к"), (["Escape"], "наберите"),
                 (["Escape"], MAIN_MARKER), (["F5"], "Ч1"), (["Escape"], MAIN_MARKER)]
        for keys, marker in steps:
            tm.send_keys(*keys)
            if not tm.wait_for(marker, timeout=300):
                raise RuntimeError(f"нет «{marker}» после {keys}")
            trace.append((" ".join(keys), tm.pane_memory()[0]))
        if VERBOSE:
            print("  " + " → ".join(f"{k} {v:.0f}" for k, v in trace), flush=True)
        return tm.pane_memory()
    finally:
        tm.close()


def figures(sizes=SIZES) -> list[Figure]:
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        for n in sizes:
            ws = Path(tmp) / f"ws-{n}"
            make_workspace(ws, n, results=True).close()
            rss, peak = measure(ws)
            out.append(Figure("память интерфейса (F2 с поиском, ИС-04)", n, rss, unit="МБ",
                              goal_value=150 if n == 10000 else None, peak_mb=peak,
                              note="" if n == 10000 else "цель задана для 10 000"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2500,10000")
    ap.add_argument("-v", action="store_true", help="память после каждого шага")
    a = ap.parse_args()
    global VERBOSE
    VERBOSE = a.v
    print(table(figures([int(s) for s in a.sizes.split(",")])))


if __name__ == "__main__":
    main()

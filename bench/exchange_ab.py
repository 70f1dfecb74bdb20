"""The B2P exchange of this checkout against another checkout of the code (e.g. main before a
change), interleaved: the same files, each operation in a fresh process, A then B, `--runs`
times; CPU time of the process (`time.process_time`: what the work cost, much less moved by
other load on a shared machine than the wall clock) and wall time, with the spread.

    git worktree add /tmp/before main         # or: git archive main | tar -x -C /tmp/before
    python bench/exchange_ab.py --other /tmp/before --sizes 36000 --runs 3

Operations: import of a roster (10), import of a results file (19), export of that
workspace (status 19/13, forced as bench/exchange.py). The files are generated once by this
checkout's generator (tests/support/generate.py) and read by both.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, sys, time
sys.path[:0] = [sys.argv[1]]
from pathlib import Path
from tui_app.services.export_results import export_results
from tui_app.services.import_roster import import_file
from tui_app.store.workspace import Workspace
op, path, ws_dir = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
ws = Workspace.open(ws_dir, snapshot=False)
c, t = time.process_time(), time.perf_counter()
if op == "export":
    export_results(ws.store, path, force=True)
else:
    import_file(ws.store, path)
c, t = time.process_time() - c, time.perf_counter() - t
ws.close()
print(json.dumps({"cpu": c, "wall": t}))
"""

OPS = (("import_roster", "импорт списка (10)"), ("import_results", "импорт результатов (19)"),
       ("export", "выгрузка"))


def _one(code: Path, op: str, path: Path, ws: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(code), op, str(path), str(ws)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(n: int, other: Path, runs: int) -> dict:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from support.generate import make_results, make_roster
    from tui_app.exchange.b2p import write_b2p

    tmp = Path(tempfile.mkdtemp(prefix=f"bench-b2p-ab-{n}-"))
    try:
        files = {}
        for tag, pkg in (("roster", make_roster(n)), ("results", make_results(n)[0])):
            (tmp / tag).mkdir()
            files[tag] = tmp / tag / f"{pkg.file_name}.b2p"
            files[tag].write_bytes(write_b2p(pkg))
            del pkg
        got: dict = {side: {op: [] for op, _ in OPS} for side in ("A", "B")}
        for k in range(runs):
            for side, code in (("A", ROOT), ("B", other)):
                ws_r, ws_x = tmp / f"ws-r-{side}{k}", tmp / f"ws-x-{side}{k}"
                got[side]["import_roster"].append(_one(code, "import", files["roster"], ws_r))
                got[side]["import_results"].append(_one(code, "import", files["results"], ws_x))
                got[side]["export"].append(_one(code, "export", tmp / f"out-{side}{k}", ws_x))
                shutil.rmtree(ws_r, ignore_errors=True)
        return got
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _spread(xs: list[float]) -> str:
    return f"{statistics.median(xs):6.2f} с ({min(xs):.2f}–{max(xs):.2f})"


def report(n: int, got: dict, other: Path) -> list[str]:
    lines = [f"{n} участников; A — эта копия ({ROOT}), B — {other}; медиана (мин–макс) "
             f"из {len(got['A']['export'])}"]
    for op, label in OPS:
        a = [r["cpu"] for r in got["A"][op]]
        b = [r["cpu"] for r in got["B"][op]]
        aw = [r["wall"] for r in got["A"][op]]
        bw = [r["wall"] for r in got["B"][op]]
        lines.append(f"  {label:<24} ЦП A {_spread(a)}  B {_spread(b)}  A/B "
                     f"{statistics.median(a) / statistics.median(b):4.2f}   время A {_spread(aw)}  "
                     f"B {_spread(bw)}")
    return lines


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--other", type=Path, required=True, help="another checkout of the code")
    ap.add_argument("--sizes", default="36000")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    for n in (int(s) for s in args.sizes.split(",")):
        print("\n".join(report(n, measure(n, args.other.resolve(), args.runs), args.other)),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

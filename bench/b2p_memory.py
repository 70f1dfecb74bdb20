"""Peak memory of the B2P exchange (issue 19, «streaming B2P»): import of a roster (10), import
of a results file (19) and the export, for N participants (default 36,000).

Each operation runs in a fresh process and reports its peak resident size (VmHWM), and on
Linux apart: the peak of opening the workspace (reading its store) and the operation's own
peak from the size after the open (clear_refs «5» resets VmHWM); the
baseline is a fresh process that imported the same modules and opened a workspace but did no
work — so «above base» is what the operation itself holds. Also printed: the file size (a
reader that held the whole tree would need several times it) and the time. Goal: ≤ 300 MB peak.
Linux/macOS only (the resource module).

    python bench/b2p_memory.py            # 36,000
    python bench/b2p_memory.py 2500

`measure(n)` returns the figures as a dict (for bench/run_all.py).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

GOAL_MB = 300.0

_CHILD = r"""
import json, resource, sys, time
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
from pathlib import Path
from tui_app.exchange.b2p import read_b2p
from tui_app.services.export_results import export_results
from tui_app.services.import_roster import import_file
from tui_app.store.workspace import Workspace
op, path, ws_dir = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
def hwm():
    try:  # Linux: the high-water mark of this process's own memory (ru_maxrss would inherit the
        # parent's peak across fork+exec)
        status = Path("/proc/self/status").read_text()
        return int(next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1]) / 1024
    except (OSError, StopIteration):
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return kb / 1024 if sys.platform != "darwin" else kb / 2**20
ws = Workspace.open(ws_dir, snapshot=False)
ws.store.update_settings(roster_reviewed=True)
open_mb = hwm()
try:  # the operation's own peak, from the size after the open (Linux: clear_refs «5»)
    Path("/proc/self/clear_refs").write_text("5")
    own = True
except OSError:
    own = False
t = time.perf_counter()
if op == "import":
    import_file(ws.store, path)
elif op == "export":
    export_results(ws.store, path, force=True)
elif op == "read":
    read_b2p(path)
dt = time.perf_counter() - t
ws.close()
op_mb = hwm() if own else None
mb = max(open_mb, op_mb or hwm())
print(json.dumps({"mb": mb, "s": dt, "open_mb": open_mb, "op_mb": op_mb}))
"""


def run_op(op: str, path: Path, ws_dir: Path) -> dict:
    """One operation in a fresh process: its seconds and peak MB (whole, after the open, own)."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), op, str(path), str(ws_dir)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(n: int = 36000, folder: Path | None = None) -> dict:
    """Peak MB (whole process, and above the idle baseline) and seconds of each operation."""
    from support.generate import make_results, make_roster
    from tui_app.exchange.b2p import write_b2p

    if folder is None:  # a temporary folder, removed afterwards
        with tempfile.TemporaryDirectory(prefix=f"bench-b2p-mem-{n}-") as d:
            return measure(n, Path(d))
    tmp = Path(folder)
    files = {}
    for tag, pkg in (("roster", make_roster(n)), ("results", make_results(n)[0])):
        (tmp / tag).mkdir(parents=True, exist_ok=True)
        files[tag] = tmp / tag / f"{pkg.file_name}.b2p"
        files[tag].write_bytes(write_b2p(pkg))
        del pkg
    base = run_op("none", files["roster"], tmp / "ws-base")
    f: dict = {"n": n, "base_mb": round(base["mb"], 1), "goal_mb": GOAL_MB,
               "roster_file_mb": round(files["roster"].stat().st_size / 2**20, 1),
               "results_file_mb": round(files["results"].stat().st_size / 2**20, 1)}
    for key, op, path, ws in (("read_results", "read", files["results"], "ws-read"),
                              ("import_roster", "import", files["roster"], "ws-roster"),
                              ("import_results", "import", files["results"], "ws-results"),
                              ("export", "export", tmp / "out", "ws-results")):
        r = run_op(op, path, tmp / ws)
        f[f"{key}_mb"] = round(r["mb"], 1)
        f[f"{key}_above_base_mb"] = round(r["mb"] - base["mb"], 1)
        f[f"{key}_s"] = round(r["s"], 2)
        f[f"{key}_open_mb"] = round(r["open_mb"], 1)  # opening the workspace (its store read)
        f[f"{key}_op_mb"] = None if r["op_mb"] is None else round(r["op_mb"], 1)
    f["met"] = all(f[f"{k}_mb"] <= GOAL_MB for k in ("import_roster", "import_results", "export"))
    return f


def report(f: dict) -> list[str]:
    n = f"{f['n']:,}".replace(",", " ")
    lines = [f"B2P, пиковая память процесса, {n} участников (файлы: список {f['roster_file_mb']} МБ, "
             f"результаты {f['results_file_mb']} МБ); без работы (импорты и рабочая папка): "
             f"{f['base_mb']} МБ"]
    for key, name in (("read_results", "чтение файла результатов (19)"),
                      ("import_roster", "импорт списка (10)"),
                      ("import_results", "импорт результатов (19)"),
                      ("export", "выгрузка (19)")):
        ok = f[f"{key}_mb"] <= f["goal_mb"]
        goal = "" if key == "read_results" else \
            f"   цель ≤ {f['goal_mb']:g} МБ: {'да' if ok else 'НЕТ'}"
        own = f.get(f"{key}_op_mb")
        parts = (f"   (открытие папки {f[f'{key}_open_mb']:.1f}, сама операция {own:.1f})"
                 if own is not None else "")
        lines.append(f"  {name:<30} {f[f'{key}_mb']:7.1f} МБ (сверх базы {f[f'{key}_above_base_mb']:6.1f})"
                     f"   {f[f'{key}_s']:6.2f} с{goal}{parts}")
    return lines


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 36000
    f = measure(n)
    print("\n".join(report(f)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Benchmark of the B2P exchange: import and export of 2,500 and 36,000 participants.

Goals: ≤ 1 s for 2,500 (SPEC, issue 4); at 36,000 the import ≤ 5 s and the export ≤ 4 s, each
with a peak memory ≤ 300 MB (issue 19). Other sizes have no goal (printed as such).
Baselines measured in the same run on the same file: a plain lxml parse (for the import) and
a plain lxml serialize + write (for the export; and serialize + an expat parse of the bytes,
since the export reads its own bytes back with expat to verify them); the ratio says how
much our validation, the domain checks, the mapping and the durable store cost on top of the
XML work itself. The machines are shared and noisy (CPU steal up to a third): compare
ratios, and the absolute figures on an idle machine.

    python bench/exchange.py            # both sizes
    python bench/exchange.py 2500       # one size
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # tui_app, and the test data generator

from xml.parsers import expat  # noqa: E402

from lxml import etree  # noqa: E402

from support.generate import make_results, make_roster  # noqa: E402
from tui_app.exchange.b2p import write_b2p  # noqa: E402
from tui_app.services.export_results import export_results  # noqa: E402
from tui_app.services.import_roster import import_file  # noqa: E402
from tui_app.store.workspace import Workspace  # noqa: E402

GOALS = {"import": {2500: 1.0, 36000: 5.0}, "export": {2500: 1.0, 36000: 4.0}}
GOAL_PEAK_MB = {36000: 300.0}


def goal_text(kind: str, n: int, seconds: float) -> str:
    """«цель ≤ X с: да/НЕТ», or that the size has no goal (never «цель ≤ 0 с»)."""
    goal = GOALS[kind].get(n)
    if goal is None:
        return "цели для этого размера нет"
    return f"цель ≤ {goal:g} с: {'да' if seconds <= goal else 'НЕТ'}"


def timed(fn, repeat: int = 1):
    best = None
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best, out


def run(n: int) -> list[str]:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-b2p-{n}-"))
    try:
        return _run(n, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # a region's run leaves ~400 MB otherwise


def _run(n: int, tmp: Path) -> list[str]:
    repeat = 3 if n <= 5000 else 1
    lines = []
    # roster (Condition 10)
    roster = make_roster(n)
    rdir = tmp / "roster"
    rdir.mkdir()
    rpath = rdir / f"{roster.file_name}.b2p"
    rpath.write_bytes(write_b2p(roster))
    base_parse, _ = timed(lambda: etree.parse(str(rpath)), repeat)

    def do_import(path: Path, tag: str) -> float:
        best = None
        for k in range(repeat):
            ws = Workspace.open(tmp / f"ws-{tag}-{k}", snapshot=False)
            try:
                t = time.perf_counter()
                import_file(ws.store, path)
                dt = time.perf_counter() - t
            finally:
                ws.close()
            best = dt if best is None else min(best, dt)
        return best

    t_import = do_import(rpath, "roster")
    size = rpath.stat().st_size / 2**20
    lines.append(f"{n:>6} импорт списка (10):      {t_import:6.2f} с   базовый разбор lxml "
                 f"{base_parse:5.2f} с   отношение {t_import / base_parse:4.1f}×   "
                 f"файл {size:5.1f} МБ   {goal_text('import', n, t_import)}")
    # a results file (Condition 19) reopened: participants + protocols
    results, _, _ = make_results(n)
    xdir = tmp / "results"
    xdir.mkdir()
    xpath = xdir / f"{results.file_name}.b2p"
    xpath.write_bytes(write_b2p(results))
    base_parse2, tree = timed(lambda: etree.parse(str(xpath)), repeat)
    t_import2 = do_import(xpath, "results")
    lines.append(f"{n:>6} импорт результатов (19): {t_import2:6.2f} с   базовый разбор lxml "
                 f"{base_parse2:5.2f} с   отношение {t_import2 / base_parse2:4.1f}×")
    # export from the workspace holding those results
    ws = Workspace.open(tmp / "ws-results-0", snapshot=False)
    try:
        out = tmp / "out"
        t_export, res = timed(lambda: export_results(ws.store, out, force=True), repeat)
    finally:
        ws.close()

    def base_write():
        data = etree.tostring(tree, xml_declaration=True, encoding="utf-8")
        (tmp / "plain.xml").write_bytes(data)

    base_ser, _ = timed(base_write, repeat)
    # the export also reads its own bytes back (expat): a second baseline is write + that read
    data = xpath.read_bytes()
    base_expat, _ = timed(lambda: expat.ParserCreate("utf-8").Parse(data, True), repeat)
    base_both = base_ser + base_expat
    lines.append(f"{n:>6} выгрузка (статус {res.condition}):    {t_export:6.2f} с   базовая запись lxml "
                 f"{base_ser:5.2f} с   отношение {t_export / base_ser:4.1f}× "
                 f"(к записи+разбору expat {t_export / base_both:4.1f}×)   строк {res.rows}   "
                 f"{goal_text('export', n, t_export)}")
    return lines


def figures_json(sizes: list[int]) -> list[dict]:
    """The rows of bench/run_all.py: the import of a roster and the export of results, each
    timed in a fresh process with that process's peak memory (bench/b2p_memory.run_op: in
    this process the peak would include the generated test data and the baseline's lxml
    tree, which glibc keeps mapped after they are freed), and its lxml baseline on the same
    file measured here."""
    from bench.b2p_memory import run_op
    from bench.common import Figure

    out = []
    for n in sizes:  # each operation in a fresh process: no warm-up (as a user's first import)
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-b2p-{n}-"))
        roster = make_roster(n)
        rpath = tmp / f"{roster.file_name}.b2p"
        rpath.write_bytes(write_b2p(roster))
        del roster
        base_parse, _ = timed(lambda: etree.parse(str(rpath)))
        r = run_op("import", rpath, tmp / "ws-roster")
        t_import, peak_import = r["s"], r["mb"]
        results, _, _ = make_results(n)
        xpath = tmp / f"{results.file_name}.b2p"
        xpath.write_bytes(write_b2p(results))
        del results
        tree = etree.parse(str(xpath))
        base_ser, _ = timed(lambda: (tmp / "plain.xml").write_bytes(
            etree.tostring(tree, xml_declaration=True, encoding="utf-8")))
        del tree
        run_op("import", xpath, tmp / "ws-results")
        r = run_op("export", tmp / "out", tmp / "ws-results")
        t_export, peak_export = r["s"], r["mb"]
        shutil.rmtree(tmp, ignore_errors=True)
        for what, t, base, bwhat, peak, kind in (
                ("B2P: импорт списка", t_import, base_parse, "разбор lxml того же файла", peak_import, "import"),
                ("B2P: выгрузка результатов", t_export, base_ser, "запись lxml того же дерева", peak_export,
                 "export")):
            goal = GOALS[kind].get(n)
            out.append(Figure(what, n, t, unit="с", baseline=base, baseline_what=bwhat,
                              goal_value=goal, peak_mb=peak, goal_peak_mb=GOAL_PEAK_MB.get(n),
                              note="" if goal else "цели для этого размера нет").to_json())
    return out


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [2500, 36000]
    print("B2P: импорт и выгрузка (лучшее из 3 для малых размеров, 1 прогон для больших)")
    for n in sizes:
        for line in run(n):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

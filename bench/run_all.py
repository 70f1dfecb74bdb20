"""The performance table of issue 19 in one run: every figure measured against its baseline in
the same run (ratio) or against an absolute goal, at 100, 2,500, 10,000 and 36,000
participants, with peak memory, and a verdict.

    python bench/run_all.py                         # every section, every size (~15–30 min)
    python bench/run_all.py --sizes 100,2500        # fewer sizes
    python bench/run_all.py --only startup,roster   # some sections
    python bench/run_all.py --quick                 # fewer repeats (a smoke run)
    python bench/run_all.py --docs                  # also write the table into docs/performance.md
    python bench/run_all.py --json out.json         # also the figures as JSON

Sections (each is also a bench of its own): startup (bench/startup.py, tmux), roster
(bench/roster.py), store_save (bench/store_save.py, from the store branch), exchange
(bench/exchange.py: B2P import and export), import_key (a key during a big import,
bench/import_key.py), memory (bench/memory.py, tmux), forms
(bench/forms.py), suite (the test suite's wall time, only with --suite).

A section that fails prints its row with the error instead of stopping the run.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, SIZES, Figure, run_child, table  # noqa: E402

DOCS = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- run_all:begin -->", "<!-- run_all:end -->"


def _has(module: str, attr: str) -> bool:
    """Whether bench/<module>.py exists and defines `attr` (without running it)."""
    path = ROOT / "bench" / f"{module}.py"
    return path.exists() and f"def {attr}(" in path.read_text(encoding="utf-8")


# -- sections -----------------------------------------------------------------------------
def startup(sizes, quick: bool) -> list[Figure]:
    from bench import startup as b

    return b.figures(sizes, runs=3 if quick else 7)


def roster(sizes, quick: bool) -> list[Figure]:
    from bench import roster as b

    return b.figures(sizes, repeat=5 if quick else 15, rounds=1 if quick else 2)


def store_save(sizes, quick: bool) -> list[Figure]:
    """One protocol save (bench/store_save.py, the store branch's bench), each size in its own
    process; and the save at each size against the save at the smallest (the same cost at
    every size)."""
    if not _has("store_save", "measure"):
        return [Figure("сохранение ИС-03", None, None, note="см. bench/store_save.py (ветка store)")]
    saves = 40 if quick else 200
    rows = [run_child("store_save", "measure", n, saves) for n in sizes]
    out = [Figure("сохранение протокола ИС-03", r["participants"], r["save_ms"], baseline=r["baseline_ms"],
                  baseline_what=f"запись тех же байт с fsync (каждая после {r['pause_ms']:g} мс простоя)",
                  goal_ratio=3,
                  extra={"p90_ms": r["save_p90_ms"], "written_bytes": r["written_bytes"],
                         "back_to_back_ratio": r["b2b_ratio"]})
           for r in rows]
    small = rows[0]
    out += [Figure(f"сохранение ИС-03: цена при N против {small['participants']:,}".replace(",", " "),
                   r["participants"], r["save_ms"], baseline=small["save_ms"],
                   baseline_what=f"то же при {small['participants']}", goal_ratio=1.5,
                   note="«та же цена при любом размере»: ≤ 1.5× в пределах шума")
            for r in rows[1:]]
    return out


def exchange(sizes, quick: bool) -> list[Figure]:
    """B2P import and export (bench/exchange.py `figures`), each size in its own process
    (its own peak memory)."""
    if not _has("exchange", "figures_json"):
        return [Figure("B2P импорт и выгрузка", None, None, note="см. bench/exchange.py (ветка exchange)")]
    out = []
    for n in sizes:
        try:
            out += [Figure.from_json(d) for d in run_child("exchange", "figures_json", [n])]
        except Exception as e:  # noqa: BLE001 - the sizes measured stay in the table
            out.append(Figure("B2P импорт и выгрузка", n, None, note=f"ошибка: {str(e)[-120:]}"))
    return out


def import_key(sizes, quick: bool) -> list[Figure]:
    """A key during a big import, against the same key idle (bench/import_key.py)."""
    n = 2500 if quick else 20000
    return [Figure.from_json(d) for d in run_child("import_key", "key_figures_json", n)]


def memory(sizes, quick: bool) -> list[Figure]:
    from bench import memory as b

    return b.figures([n for n in sizes if n >= 2500] or sizes)


def forms(sizes, quick: bool) -> list[Figure]:
    return [Figure.from_json(d) for d in run_child("forms", "figures_json", 100 if quick else 300)]


def suite(sizes, quick: bool) -> list[Figure]:
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    tail = (done.stdout.strip().splitlines() or [""])[-1]
    return [Figure("набор тестов (pytest -n 2)", None, wall, unit="с", goal_value=120,
                   note=tail[:80])]


SECTIONS: dict[str, Callable] = {
    "startup": startup, "roster": roster, "store_save": store_save, "exchange": exchange,
    "import_key": import_key, "memory": memory, "forms": forms, "suite": suite,
}
DEFAULT = [s for s in SECTIONS if s != "suite"]


def run(sections, sizes, quick: bool, log=print) -> list[Figure]:
    figures: list[Figure] = []
    for name in sections:
        t = time.perf_counter()
        log(f"… {name}", file=sys.stderr, flush=True)
        try:
            got = SECTIONS[name](sizes, quick)
        except Exception as e:  # noqa: BLE001 - one broken bench must not hide the others
            traceback.print_exc(file=sys.stderr)
            got = [Figure(name, None, None, note=f"ошибка: {type(e).__name__}: {str(e)[:120]}")]
        log(f"  {name}: {time.perf_counter() - t:.0f} с", file=sys.stderr, flush=True)
        log(table(got), file=sys.stderr, flush=True)  # as it goes: a long run stopped keeps these
        figures += got
    return figures


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{datetime.now():%Y-%m-%d %H:%M}, {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} ЦП, Python {platform.python_version()}, нагрузка {load:.1f}")


def write_docs(text: str) -> None:
    doc = DOCS.read_text(encoding="utf-8") if DOCS.exists() else f"# Производительность\n\n{BEGIN}\n{END}\n"
    if BEGIN not in doc:
        doc += f"\n{BEGIN}\n{END}\n"
    head, rest = doc.split(BEGIN, 1)
    tail = rest.split(END, 1)[1] if END in rest else ""
    DOCS.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--only", default=",".join(DEFAULT), help=f"разделы: {', '.join(SECTIONS)}")
    ap.add_argument("--suite", action="store_true", help="также время набора тестов")
    ap.add_argument("--quick", action="store_true", help="меньше повторов (проверка, не замер)")
    ap.add_argument("--docs", action="store_true", help=f"записать таблицу в {DOCS.relative_to(ROOT)}")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",")]
    sections = [s for s in a.only.split(",") if s] + (["suite"] if a.suite and "suite" not in a.only else [])
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        ap.error(f"нет разделов: {', '.join(unknown)}")
    figures = run(sections, sizes, a.quick)
    text = (f"Замер: {machine()}; `python bench/run_all.py --sizes {a.sizes}`"
            + (" --quick" if a.quick else "") + "\n\n" + table(figures))
    print(text)
    if a.json:
        a.json.write_text(json.dumps([f.to_json() for f in figures], ensure_ascii=False, indent=1),
                          encoding="utf-8")
    if a.docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Long fuzz of the B2P and CSV readers (the suite runs 40 examples of each; this, thousands).

Prints, for each property, how many examples ran, how each ended (accepted, or refused and
with which kind) and how long it took. A traceback or a hang is a failure (exit code 1).

    python bench/fuzz_exchange.py            # 2,000 examples of each
    python bench/fuzz_exchange.py 10000
"""
from __future__ import annotations

import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hypothesis import HealthCheck, given, settings  # noqa: E402

from support import fuzz  # noqa: E402
from tui_app.store.workspace import Workspace  # noqa: E402


def run(name: str, strategy, n: int, suffix: str, codes: dict) -> bool:
    outcomes: collections.Counter = collections.Counter()
    tmp = Path(tempfile.mkdtemp(prefix=f"fuzz-{name}-"))
    ws = Workspace.open(tmp / "ws", snapshot=False)
    ws.store.update_settings(roster_reviewed=True)
    path = tmp / (f"{fuzz.hostile.STEM.format('fuzz')}.b2p" if suffix == ".b2p" else "список.csv")

    @settings(max_examples=n, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=strategy)
    def prop(data):
        path.write_bytes(data)
        outcomes[fuzz.import_keeps_the_property(ws.store, ws.root, path, **codes)] += 1

    t = time.perf_counter()
    ok = True
    try:
        prop()
    except Exception as e:  # noqa: BLE001 - the failing example is printed by hypothesis
        print(f"{name}: НАЙДЕНА ОШИБКА: {type(e).__name__}: {e}")
        ok = False
    finally:
        ws.close()
    dt = time.perf_counter() - t
    total = sum(outcomes.values())
    top = ", ".join(f"{k} {v}" for k, v in outcomes.most_common(12))
    print(f"{name}: {total} примеров за {dt:.0f} с ({dt / max(total, 1) * 1000:.0f} мс на пример); "
          f"итоги: {top}", flush=True)
    return ok


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 2000
    ok = run("B2P, строки", fuzz.damaged_rows(), n, ".b2p", {})
    ok &= run("B2P, байты", fuzz.damaged_bytes(), n, ".b2p", {})
    ok &= run("CSV-список", fuzz.damaged_csv(), n, ".csv", fuzz.hostile.CODES)
    print("ошибок не найдено" if ok else "ЕСТЬ ОШИБКИ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

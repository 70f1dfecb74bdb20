"""Kill -9 soak: 1,000 rounds of a save loop SIGKILLed at a random moment, the store
reopened after each; prints rounds, acknowledged saves, recoveries and failures.

    python bench/store_soak.py [--rounds 1000]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.crash import soak  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        res = soak(Path(tmp) / "ws", a.rounds, seed=a.seed)
        dt = time.perf_counter() - t
    print(f"rounds (kill -9): {res.rounds}, acknowledged saves: {res.acked_saves}, "
          f"loaded from backup: {res.recovered_from_backup}, failures: {len(res.failures)}")
    print(f"time: {dt:.1f} s ({dt / max(res.rounds, 1) * 1000:.0f} ms a round)")
    for f in res.failures[:20]:
        print("  FAIL", f)
    return 1 if res.failures else 0


if __name__ == "__main__":
    sys.exit(main())

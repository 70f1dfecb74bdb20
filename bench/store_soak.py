"""Soak of the store under faults; prints the figures.

1. kill -9 at random moments: 1,000 rounds of a save loop SIGKILLed at a random time, the
   store reopened after each (tests/support/crash.py);
2. faults at random write steps: 1,000 rounds of a save loop with one fault each — a kill -9
   before a write step, or ENOSPC, or EIO from it (tests/support/faults.py) — the store reopened
   after each and checked: every acknowledged save there, no failed save there, audit.jsonl
   agreeing with the data, no traceback.

    python bench/store_soak.py [--rounds 1000] [--fault-rounds 1000] [--seed 1]
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
from support.faults import fault_soak  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=1000, help="kill -9 at random moments")
    ap.add_argument("--fault-rounds", type=int, default=1000, help="faults at random write steps")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        if a.rounds:
            t = time.perf_counter()
            res = soak(Path(tmp) / "ws", a.rounds, seed=a.seed)
            dt = time.perf_counter() - t
            print(f"kill -9 at random moments: rounds {res.rounds}, acknowledged saves "
                  f"{res.acked_saves}, loaded from a backup {res.recovered_from_backup}, "
                  f"failures {len(res.failures)} ({dt:.0f} s, {dt / max(res.rounds, 1) * 1000:.0f} ms a round)")
            for f in res.failures[:20]:
                print("  FAIL", f)
            failed += len(res.failures)
        if a.fault_rounds:
            t = time.perf_counter()
            fig = fault_soak(Path(tmp) / "ws2", a.fault_rounds, seed=a.seed, workdir=Path(tmp))
            dt = time.perf_counter() - t
            kinds = ", ".join(f"{k} {v}" for k, v in fig.by_kind.items())
            print(f"faults at random write steps: rounds {fig.rounds} ({kinds}), acknowledged "
                  f"saves {fig.acked}, refused with a message {fig.refused}, opens with a "
                  f"recovery notice {fig.notices}, failures {len(fig.failures)} "
                  f"({dt:.0f} s, {dt / max(fig.rounds, 1) * 1000:.0f} ms a round)")
            for f in fig.failures[:20]:
                print("  FAIL", f)
            failed += len(fig.failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Time of one durable protocol save at 100, 2,500 and 36,000 participants (each with a
protocol), against one fsync'd write of the bytes that save wrote — the baseline is measured
interleaved with the saves (save, baseline, save, baseline …) on the same disk, so a noisy
machine slows both alike.

    python bench/store_save.py [--participants 100 2500 36000] [--saves 200]

Goal: the same cost at every size (within noise) and a ratio save/baseline ≤ 3×.
The baseline is an append of the same number of bytes to an open file followed by the same
sync call the store uses (fdatasync where there is one, else fsync).

bench/run_all.py calls `run()` (a list of rows, one per size) or `measure()` (one row).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_app.domain.models import Attendance, Protocol  # noqa: E402
from tui_app.services.demo import DEMO_DAY, generate_participants  # noqa: E402
from tui_app.services.protocols import save_protocol  # noqa: E402
from tui_app.store.atomic import fsync_file  # noqa: E402
from tui_app.store.workspace import DB_NAME, Workspace  # noqa: E402

SIZES = (100, 2500, 36000)
CRITERIA = "Ч1 Ч2 Ч3 П1 П2 П3 М1 М2 Д1 Р1 Р2 Р3 Р4".split()


def _fill(ws: Workspace, n: int) -> list:
    s = ws.store
    base = generate_participants(120)
    people = []
    for i in range(n):
        p = base[i % len(base)]
        people.append(p.model_copy(update={"guid": f"g{i:05d}", "surname": f"{p.surname}{i}",
                                           "category": "general", "reserve": "",
                                           "room": "101", "attendance": Attendance.PRESENT}))
    with s.transaction():
        s.set_exam_day(DEMO_DAY)
        s.put_many(people)
        s.put_many([Protocol(participant=p.guid, room="101", variant="1", expert="Эксперт Э. Э.",
                             scores={c: 1 for c in CRITERIA}) for p in people])
    s.compact()
    return people


def _baseline(fd: int, nbytes: int) -> float:
    data = os.urandom(nbytes)
    t = time.perf_counter()
    os.write(fd, data)
    fsync_file(fd)
    return time.perf_counter() - t


def measure(participants: int, saves: int = 200, folder: Path | None = None, seed: int = 1) -> dict:
    """One row: the median save, the median baseline of the same bytes, their ratio."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        root = Path(tmp) / "ws"
        ws = Workspace.open(root, snapshot=False)
        try:
            people = _fill(ws, participants)
            s = ws.store
            base_size = (root / DB_NAME).stat().st_size
            fd = os.open(Path(tmp) / "baseline.bin", os.O_WRONLY | os.O_CREAT | os.O_APPEND
                         | getattr(os, "O_BINARY", 0), 0o600)
            times, base_t, written = [], [], []
            compactions = s.storage.compactions
            try:
                for _ in range(saves):
                    p = people[rng.randrange(len(people))]
                    proto = s.get(Protocol, p.guid)
                    scores = dict(proto.scores)
                    scores["Д1"] = 1 - scores.get("Д1", 0)
                    t = time.perf_counter()
                    save_protocol(s, proto.model_copy(update={"scores": scores}))
                    times.append(time.perf_counter() - t)
                    written.append(s.storage.last_commit_bytes)
                    base_t.append(_baseline(fd, s.storage.last_commit_bytes))
            finally:
                os.close(fd)
            compactions = s.storage.compactions - compactions
        finally:
            ws.close()
    save_med, base_med = statistics.median(times), statistics.median(base_t)
    return {
        "bench": "store_save",
        "participants": participants,
        "db_bytes": base_size,
        "saves": saves,
        "written_bytes": int(statistics.median(written)),
        "save_ms": round(save_med * 1000, 3),
        "save_p90_ms": round(sorted(times)[int(len(times) * 0.9)] * 1000, 3),
        "save_max_ms": round(max(times) * 1000, 3),
        "baseline_ms": round(base_med * 1000, 3),
        "ratio": round(save_med / base_med, 2),
        "compactions": compactions,
        "goal": "ratio <= 3x, same cost at every size",
    }


def run(sizes=SIZES, saves: int = 200) -> list[dict]:
    return [measure(n, saves) for n in sizes]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--saves", type=int, default=200)
    a = ap.parse_args()
    rows = run(a.participants, a.saves)
    print(f"{'participants':>12} {'base MB':>8} {'writes B':>8} {'save ms':>8} {'p90 ms':>7} "
          f"{'base ms':>8} {'ratio':>6}")
    for r in rows:
        print(f"{r['participants']:>12} {r['db_bytes'] / 1e6:>8.2f} {r['written_bytes']:>8} "
              f"{r['save_ms']:>8.2f} {r['save_p90_ms']:>7.2f} {r['baseline_ms']:>8.2f} "
              f"{r['ratio']:>5.2f}x")
    small, big = rows[0], rows[-1]
    print(f"save at {big['participants']} / save at {small['participants']}: "
          f"{big['save_ms'] / small['save_ms']:.2f}x; worst ratio save/baseline: "
          f"{max(r['ratio'] for r in rows):.2f}x (goal <= 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

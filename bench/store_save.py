"""Time of one durable protocol save at 100, 2,500 and 36,000 participants (each with a
protocol), against one fsync'd write of the bytes that save wrote, measured interleaved with
the saves (save, baseline, save, baseline …) on the same disk, so a noisy machine slows both
alike.

    python bench/store_save.py [--participants 100 2500 36000] [--saves 200] [--pause MS]
    python bench/store_save.py --gap-curve      # what an fdatasync costs after an idle gap

Goal: the same cost at every size (within noise) and a ratio save/baseline ≤ 3×.
The baseline is an append of the same number of bytes to an open file followed by the same
sync call the store uses (fdatasync where there is one, else fsync) — the store appends too
(the commit line over the old seal, at the end of the journal).

Two figures per size, from the same run:
- **alone** (the goal): every save and every baseline write starts after the same idle pause
  (`--pause`, 50 ms), as a real save does (saves are seconds apart). On a virtual disk an
  fdatasync that follows another one within a millisecond is up to twice as cheap as one that
  finds the disk idle (`--gap-curve` prints it): the host keeps polling for a while after a
  request. A baseline right after the save's own fdatasync gets that warm path, the save's
  fdatasync (which comes after the save's CPU work) does not.
- **back-to-back** (the earlier figure, kept for comparison): the baseline right after the
  save, the next save right after the baseline.

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
from tui_app.store import storage as _storage  # noqa: E402
from tui_app.store.atomic import fsync_file  # noqa: E402
from tui_app.store.workspace import DB_NAME, Workspace  # noqa: E402

SIZES = (100, 2500, 36000)
PAUSE = 0.05  # s of idle before each write measured "alone"
GAPS = (0, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
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


def _med_ms(xs: list[float]) -> float:
    return round(statistics.median(xs) * 1000, 3)


def measure(participants: int, saves: int = 200, folder: Path | None = None, seed: int = 1,
            pause: float = PAUSE) -> dict:
    """One row: the median save and the median baseline of the same bytes, each after an idle
    `pause` (the goal), and the same without the pause (back-to-back, the earlier figure)."""
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
            b2b_times, b2b_base = [], []
            compactions = s.storage.compactions

            syncs: list[float] = []

            def timed_sync(fd: int) -> None:  # the store's own fdatasync, timed
                t = time.perf_counter()
                fsync_file(fd)
                syncs.append(time.perf_counter() - t)

            def save() -> float:
                p = people[rng.randrange(len(people))]
                proto = s.get(Protocol, p.guid)  # what the entry screen has read before the save
                s.participant(p.guid)
                scores = dict(proto.scores)
                scores["Д1"] = 1 - scores.get("Д1", 0)
                new = proto.model_copy(update={"scores": scores})
                t = time.perf_counter()
                save_protocol(s, new)
                return time.perf_counter() - t

            own_sync: list[float] = []
            _storage.fsync_file = timed_sync
            try:
                for _ in range(saves):
                    time.sleep(pause)
                    del syncs[:]
                    times.append(save())
                    own_sync.append(sum(syncs))
                    written.append(s.storage.last_commit_bytes)
                    time.sleep(pause)
                    base_t.append(_baseline(fd, s.storage.last_commit_bytes))
                    b2b_times.append(save())  # right after the last baseline's fdatasync
                    b2b_base.append(_baseline(fd, s.storage.last_commit_bytes))
            finally:
                _storage.fsync_file = fsync_file
                os.close(fd)
            compactions = s.storage.compactions - compactions
        finally:
            ws.close()
    save_med, base_med = _med_ms(times), _med_ms(base_t)
    return {
        "bench": "store_save",
        "participants": participants,
        "db_bytes": base_size,
        "saves": saves,
        "pause_ms": round(pause * 1000, 1),
        "written_bytes": int(statistics.median(written)),
        "save_ms": save_med,
        "save_p90_ms": round(sorted(times)[int(len(times) * 0.9)] * 1000, 3),
        "save_max_ms": round(max(times) * 1000, 3),
        "own_sync_ms": _med_ms(own_sync),  # the store's fdatasync inside the save (alone)
        "cpu_ms": _med_ms([t - y for t, y in zip(times, own_sync)]),  # the save without it
        "baseline_ms": base_med,
        "ratio": round(save_med / base_med, 2),
        "b2b_save_ms": _med_ms(b2b_times),
        "b2b_baseline_ms": _med_ms(b2b_base),
        "b2b_ratio": round(_med_ms(b2b_times) / _med_ms(b2b_base), 2),
        "compactions": compactions,
        "goal": "ratio <= 3x (each write alone), same cost at every size",
    }


def gap_curve(rounds: int = 100, nbytes: int = 700, folder: Path | None = None) -> dict:
    """The median fdatasync of an append of `nbytes` after each idle gap (s -> ms), the gaps
    taken in turn (a noisy minute slows them all alike)."""
    out: dict[float, list[float]] = {g: [] for g in GAPS}
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        fd = os.open(Path(tmp) / "gap.bin", os.O_WRONLY | os.O_CREAT | os.O_APPEND
                     | getattr(os, "O_BINARY", 0), 0o600)
        try:
            for _ in range(rounds):
                for g in GAPS:
                    if g:
                        time.sleep(g)
                    out[g].append(_baseline(fd, nbytes))
        finally:
            os.close(fd)
    return {g: _med_ms(v) for g, v in out.items()}


def run(sizes=SIZES, saves: int = 200) -> list[dict]:
    return [measure(n, saves) for n in sizes]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--saves", type=int, default=200)
    ap.add_argument("--pause", type=float, default=PAUSE * 1000, help="ms of idle before each write")
    ap.add_argument("--gap-curve", action="store_true")
    a = ap.parse_args()
    if a.gap_curve:
        curve = gap_curve()
        print("fdatasync of 700 bytes after an idle gap (median ms): "
              + "  ".join(f"{g * 1000:g} ms: {v:.3f}" for g, v in curve.items()))
        return 0
    rows = [measure(n, a.saves, pause=a.pause / 1000) for n in a.participants]
    print(f"{'participants':>12} {'base MB':>8} {'writes B':>8} {'save ms':>8} {'p90 ms':>7} "
          f"{'(sync':>6} {'rest)':>6} {'base ms':>8} {'ratio':>6} | back-to-back: {'save':>6} "
          f"{'base':>6} {'ratio':>6}")
    for r in rows:
        print(f"{r['participants']:>12} {r['db_bytes'] / 1e6:>8.2f} {r['written_bytes']:>8} "
              f"{r['save_ms']:>8.2f} {r['save_p90_ms']:>7.2f} {r['own_sync_ms']:>6.2f} "
              f"{r['cpu_ms']:>6.2f} {r['baseline_ms']:>8.2f} {r['ratio']:>5.2f}x | {'':>13} "
              f"{r['b2b_save_ms']:>6.2f} {r['b2b_baseline_ms']:>6.2f} {r['b2b_ratio']:>5.2f}x")
    small, big = rows[0], rows[-1]
    print(f"each write after {a.pause:g} ms idle: save at {big['participants']} / save at "
          f"{small['participants']}: {big['save_ms'] / small['save_ms']:.2f}x; worst ratio "
          f"save/baseline: {max(r['ratio'] for r in rows):.2f}x (goal <= 3x); back-to-back "
          f"(earlier figure): worst {max(r['b2b_ratio'] for r in rows):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

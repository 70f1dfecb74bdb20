"""Time of one durable protocol save in a store of 2,500 participants (with protocols),
against one fsync'd write of a file of the same size, measured in the same run.

    python bench/store_save.py [--participants 2500] [--saves 200]

Goal: ratio ≤ 3×.
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
from tui_app.store.workspace import DB_NAME, Workspace  # noqa: E402


def baseline_write(folder: Path, size: int, n: int) -> list[float]:
    data = os.urandom(size)
    out = []
    for i in range(n):
        t = time.perf_counter()
        with open(folder / "baseline.bin", "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=2500)
    ap.add_argument("--saves", type=int, default=200)
    a = ap.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        ws = Workspace.open(root, snapshot=False)
        s = ws.store
        people = []
        base = generate_participants(120)
        for i in range(a.participants):
            p = base[i % len(base)]
            people.append(p.model_copy(update={"guid": f"g{i:05d}", "surname": f"{p.surname}{i}",
                                               "category": "general", "reserve": "",
                                               "room": "101", "attendance": Attendance.PRESENT}))
        with s.transaction():
            s.set_exam_day(DEMO_DAY)
            s.put_many(people)
            s.put_many([Protocol(participant=p.guid, room="101", variant="1", expert="Эксперт Э. Э.",
                                 scores={c: 1 for c in ("Ч1 Ч2 Ч3 П1 П2 П3 М1 М2 Д1 Р1 Р2 Р3 Р4".split())})
                        for p in people])
        size = (root / DB_NAME).stat().st_size
        times = []
        for i in range(a.saves):
            p = people[rng.randrange(len(people))]
            proto = s.get(Protocol, p.guid)
            scores = dict(proto.scores)
            scores["Д1"] = rng.randrange(4)
            t = time.perf_counter()
            save_protocol(s, proto.model_copy(update={"scores": scores}))
            times.append(time.perf_counter() - t)
        ws.close()
        base_t = baseline_write(Path(tmp), size, a.saves)
    save_med, base_med = statistics.median(times), statistics.median(base_t)
    print(f"store: {a.participants} participants with protocols, file {size / 1e6:.2f} MB")
    print(f"durable protocol save: median {save_med * 1000:.2f} ms, p90 "
          f"{sorted(times)[int(len(times) * 0.9)] * 1000:.2f} ms ({a.saves} saves)")
    print(f"baseline fsync'd write of {size / 1e6:.2f} MB: median {base_med * 1000:.2f} ms")
    print(f"ratio save/baseline: {save_med / base_med:.2f}x (goal <= 3x)")


if __name__ == "__main__":
    main()

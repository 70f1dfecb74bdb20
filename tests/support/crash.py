"""Kill -9 harness: a child saves protocols in a loop and acknowledges each save on a pipe;
the parent SIGKILLs it at a random moment, reopens the store and checks that every
acknowledged save is there. POSIX only (fork). Used by tests/test_store_crash.py and
bench/store_soak.py.
"""
from __future__ import annotations

import os
import random
import select
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from tui_app.domain.models import ExamDay, Participant, Protocol
from tui_app.store.workspace import Workspace


@dataclass
class SoakResult:
    rounds: int = 0
    acked_saves: int = 0
    recovered_from_backup: int = 0
    failures: list[str] = field(default_factory=list)


def prepare(root: Path, n: int = 40) -> list[str]:
    from datetime import date

    with Workspace.open(root, snapshot=False) as ws:
        ws.store.set_exam_day(ExamDay(date=date(2027, 2, 10), region="47", msu="005", oo="470123"))
        people = [Participant(surname=f"Участник{i:03d}", name="Тест") for i in range(n)]
        ws.store.put_many(people)
        return [p.guid for p in people]


def _child(root: Path, guids: list[str], start: int, wfd: int) -> None:
    try:
        ws = Workspace.open(root, snapshot=False)
        i = start
        while True:
            guid = guids[i % len(guids)]
            ws.store.save_protocol(Protocol(participant=guid, variant=str(i), scores={"Ч1": i % 2}))
            os.write(wfd, f"{guid} {i}\n".encode())
            i += 1
    finally:
        os._exit(0)


def _read_acks(rfd: int) -> list[tuple[str, int]]:
    data = b""
    while select.select([rfd], [], [], 0)[0]:
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        data += chunk
    out = []
    for line in data.decode().splitlines():
        parts = line.split()
        if len(parts) == 2:
            out.append((parts[0], int(parts[1])))
    return out


def soak(root: Path, rounds: int, seed: int = 1, max_delay: float = 0.04) -> SoakResult:
    rng = random.Random(seed)
    guids = prepare(root)
    acked: dict[str, int] = {}
    issued = 0
    res = SoakResult()
    for r in range(rounds):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            _child(root, guids, issued, wfd)
        os.close(wfd)
        acks: list[tuple[str, int]] = []
        if r % 10:  # 9 rounds in 10 kill mid-loop: wait for the first acknowledged save
            ready = time.monotonic() + 30
            while not acks and time.monotonic() < ready:
                select.select([rfd], [], [], 0.5)
                acks += _read_acks(rfd)
            if not acks:
                res.failures.append(f"round {r}: no save acknowledged within 30 s")
        # (every 10th round is killed during start-up, possibly before any save)
        deadline = time.monotonic() + rng.uniform(0.0, max_delay)
        while time.monotonic() < deadline:
            select.select([rfd], [], [], max(0.0, deadline - time.monotonic()))
            acks += _read_acks(rfd)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        acks += _read_acks(rfd)
        os.close(rfd)
        for guid, i in acks:
            acked[guid] = max(acked.get(guid, -1), i)
            issued = max(issued, i + 1)
        issued += 1  # a save may have landed without its ack
        res.acked_saves += len(acks)
        res.rounds += 1
        try:
            with Workspace.open(root, snapshot=False) as ws:
                res.recovered_from_backup += ws.store.storage.recovered_from_backup
                stored = {p.participant: int(p.variant) for p in ws.store.all(Protocol)}
                if len(ws.store.participants()) != len(guids):
                    res.failures.append(f"round {r}: participants lost")
                for guid, i in acked.items():
                    if stored.get(guid, -1) < i:
                        res.failures.append(f"round {r}: ack {i} for {guid[:8]} lost (have {stored.get(guid)})")
                # what is stored becomes the floor for the next round
                for guid, v in stored.items():
                    acked[guid] = max(acked.get(guid, -1), v)
                    issued = max(issued, v + 1)
        except Exception as e:  # noqa: BLE001 - any failure to load is the finding
            res.failures.append(f"round {r}: store did not load: {e!r}")
    return res

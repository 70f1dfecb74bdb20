"""Realistic B2P files of any size, built from the demo participants (tests, bench, demos).

make_roster(): a Condition=10 roster as the federal software sends it to a school: names,
class, documents, GUIDs, barcode, КИМ number, participant code and РезервI; room, variant
and scores empty. Deterministic for a given (n, seed).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..domain.models import ExamDay, Participant
from ..services.demo import DEMO_DAY, generate_participants
from .b2p import B2PPackage, write_b2p
from .mapping import participant_to_row, sort_key

CHUNK = 500


def roster_participants(n: int, seed: int = 7) -> list[Participant]:
    """n demo participants; beyond CHUNK they come in chunks with their own seeds (namesakes
    across chunks are realistic; GUIDs never repeat)."""
    out: list[Participant] = []
    k = 0
    while len(out) < n:
        size = min(CHUNK, n - len(out))
        part = generate_participants(max(size, 12), seed=seed * 1000 + k)[:size]
        if k:
            part = [p.model_copy(update={"code": f"{(int(p.code) + k * 7919) % 10**6:06d}"}) for p in part]
        out.extend(part)
        k += 1
    # the roster does not know categories (only РезервI = 22)
    return [p.model_copy(update={"category": "general", "birth_date": None, "sex": ""}) for p in out]


def make_roster(n: int, seed: int = 7, day: Optional[ExamDay] = None,
                condition: str = "10") -> B2PPackage:
    from ..services.data import scheme

    day = day or DEMO_DAY
    sch = scheme(day.scheme_year)
    people = sorted(roster_participants(n, seed), key=sort_key)
    rows = [participant_to_row(sch, p, None) for p in people]
    for r in rows:
        r.room = ""
    return B2PPackage(condition=condition, file_name=day.source_file, region=day.region, oo=day.oo,
                      msu=day.msu, exam_date=day.date, rows=rows)


def write_roster(folder: Path | str, n: int, seed: int = 7, day: Optional[ExamDay] = None) -> Path:
    """Write <FileName>.b2p into folder and return its path."""
    pkg = make_roster(n, seed, day)
    path = Path(folder) / f"{pkg.file_name}.b2p"
    path.write_bytes(write_b2p(pkg))
    return path

"""Realistic B2P files of any size, built from the demo participants (tests and bench/ only:
test data, not part of the product).

make_roster(): a Condition=10 roster as the federal software sends it to a school: names,
class, documents, GUIDs, barcode, КИМ number, participant code and РезервI; room, variant
and scores empty. Deterministic for a given (n, seed).
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Optional

from tui_app.domain.models import Attendance, ExamDay, Participant, Protocol, ProtocolStatus
from tui_app.exchange.b2p import B2PPackage, write_b2p
from tui_app.exchange.csvio import write_table
from tui_app.exchange.mapping import participant_to_row, sort_key
from tui_app.services.data import scheme
from tui_app.services.demo import DEMO_DAY, generate_participants

CHUNK = 500


def roster_participants(n: int, seed: int = 7) -> list[Participant]:
    """n demo participants; beyond CHUNK they come in chunks with their own seeds (namesakes
    across chunks are realistic; GUIDs never repeat)."""
    out: list[Participant] = []
    k = 0
    while len(out) < n:
        size = min(CHUNK, n - len(out))
        part = generate_participants(max(size, 20), seed=seed * 1000 + k)[:size]
        if k:
            part = [p.model_copy(update={"code": f"{(int(p.code) + k * 7919) % 10**6:06d}"}) for p in part]
        out.extend(part)
        k += 1
    # the roster does not know categories (only РезервI = 22)
    return [p.model_copy(update={"category": "general", "birth_date": None, "sex": ""}) for p in out]


def make_roster(n: int, seed: int = 7, day: Optional[ExamDay] = None,
                condition: str = "10") -> B2PPackage:
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


def make_results(n: int, seed: int = 7, day: Optional[ExamDay] = None,
                 condition: str = "19") -> tuple[B2PPackage, list[Participant], dict]:
    """A filled results package (like our export): rooms, a few absentees, early/removed,
    plausible scores. Returns (package, participants, protocols by GUID)."""
    day = day or DEMO_DAY
    sch = scheme(day.scheme_year)
    rng = random.Random(seed)
    people = sorted(roster_participants(n, seed), key=sort_key)
    rooms = ["101", "102", "201", "202"]
    protocols: dict[str, Protocol] = {}
    seated: list[Participant] = []
    for i, p in enumerate(people):
        room = rooms[i % len(rooms)]
        if rng.random() < 0.04:
            seated.append(p.model_copy(update={"room": room, "attendance": Attendance.ABSENT}))
            continue
        p = p.model_copy(update={"room": room, "attendance": Attendance.PRESENT})
        seated.append(p)
        roll = rng.random()
        status = (ProtocolStatus.EARLY if roll < 0.01 else ProtocolStatus.REMOVED if roll < 0.015
                  else ProtocolStatus.PRESENT)
        scores = {}
        if status is ProtocolStatus.PRESENT:
            skill = rng.betavariate(5, 2)
            for code in sch.category(p.category).criteria:
                m = sch.criterion(code).max
                scores[code] = max(0, min(m, round(rng.gauss(skill * m, 0.5))))
        protocols[p.guid] = Protocol(participant=p.guid, room=room, variant=str(rng.randrange(1, 9)),
                                     expert=f"Эксперт{i % 4 + 1} А. А.", status=status, scores=scores)
    rows = [participant_to_row(sch, p, protocols.get(p.guid)) for p in seated]
    pkg = B2PPackage(condition=condition, file_name=day.source_file, region=day.region, oo=day.oo,
                     msu=day.msu, exam_date=day.date, rows=rows)
    return pkg, seated, protocols


def scores_csv(participants: list[Participant], protocols: dict, scheme_order: list[str]) -> bytes:
    """The import-scores CSV for the given protocols (absentees as «не явился»)."""
    label = {ProtocolStatus.PRESENT: "явился", ProtocolStatus.EARLY: "не завершил",
             ProtocolStatus.REMOVED: "удален"}
    rows = []
    for p in participants:
        pr = protocols.get(p.guid)
        if p.absent:
            rows.append([p.guid, p.room, "", *[""] * len(scheme_order), "", "не явился"])
        elif pr is not None:
            rows.append([p.guid, pr.room, pr.variant,
                         *["" if pr.scores.get(c) is None else str(pr.scores[c]) for c in scheme_order],
                         pr.expert, label[pr.status]])
    return write_table(["Код_в_базе", "Аудитория", "Вариант", *scheme_order, "Эксперт", "Статус"], rows)

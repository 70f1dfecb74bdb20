"""A room's day stream with a known answer in it, for the listening station's tests; the ALSA
file plugin on the OUTPUT side, so what PortAudio plays is captured to a file."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import numpy as np

from tui_app.audio.segments import SegmentWriter
from tui_app.domain.models import Attendance, Protocol, RoomLogEntry
from tui_app.services import audio as audio_svc

SR = 16000
PAD = 10  # seconds of the stream before and after the answer

ASOUNDRC_OUT = """pcm.!default {{ type plug slave.pcm "fileout" }}
pcm.fileout {{ type file slave.pcm "nullsink" file "{raw}" format "raw" }}
pcm.nullsink {{ type null }}
"""


@dataclass
class Stream:
    participant: object
    answer: np.ndarray  # what the cut must be: the stream between the ИС-02 times
    start: datetime


def known(seconds: float, seed: int = 7) -> np.ndarray:
    """Every frame distinguishable (random), so a shifted or dropped block is seen."""
    return np.random.default_rng(seed).integers(-12000, 12000, int(seconds * SR), dtype=np.int16)


def room_stream(store, room: str = "101", minutes: int = 1, fmt: str = "wav",
                first: bool = True) -> Stream:
    """Give the room's first present participant the ИС-02 times 09:00–09:0N and write the
    room's stream (PAD s before and after) as segment files, as a recording would."""
    people = sorted((p for p in store.participants() if p.room == room and
                     p.attendance is not Attendance.ABSENT), key=lambda p: (p.order, p.surname))
    p = people[0] if first else people[-1]
    day = store.exam_day().date
    start = datetime.combine(day, time(9, 0))
    store.put(RoomLogEntry(participant=p.guid, room=room, start=time(9, 0), end=time(9, minutes)))
    total = minutes * 60 + 2 * PAD
    x = known(total)
    folder, base = audio_svc.room_folder(store, room)
    w = SegmentWriter(folder, base, fmt, segment_seconds=40)
    w.write(x.reshape(-1, 1), start - timedelta(seconds=PAD))
    w.close()
    answer = x[PAD * SR:PAD * SR + minutes * 60 * SR]
    return Stream(p, answer, start)


def drop_protocols(store, guid: str) -> None:
    store.delete(Protocol, guid)


def alsa_out_home(folder: Path) -> tuple[Path, Path]:
    """A HOME whose .asoundrc makes PortAudio's default OUTPUT write raw s16le to out.raw."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = folder / "out.raw"
    (folder / ".asoundrc").write_text(ASOUNDRC_OUT.format(raw=raw))
    return folder, raw

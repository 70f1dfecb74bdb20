"""Cut one participant's answer out of the day's stream, across segment files, by time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import soundfile as sf

from ..errors import Refused
from .segments import AudioFile, Segment


class ClipError(Refused):
    """Nothing to cut (Russian message)."""


@dataclass
class ClipResult:
    path: Path
    start: datetime
    end: datetime
    frames: int
    samplerate: int
    covered_frames: int  # frames that came from the recording (the rest is silence in gaps)
    files: list[str]

    @property
    def seconds(self) -> float:
        return self.frames / self.samplerate

    @property
    def missing_seconds(self) -> float:
        return (self.frames - self.covered_frames) / self.samplerate


def _read_range(path: Path, first: int, count: int) -> np.ndarray:
    """Frames [first, first+count) of a file. WAV seeks exactly. For MP3, libsndfile 1.2
    decodes right only in the first read call after opening (later calls and seek() come
    out shifted for VBR files), so a segment (10 minutes, ~19 MB) is read in one call."""
    with sf.SoundFile(str(path)) as f:
        if f.format == "WAV":
            f.seek(first)
            return f.read(count, dtype="int16", always_2d=True)
        return f.read(first + count, dtype="int16", always_2d=True)[first:]


def read_span(path: Path, start: float, end: float) -> tuple[np.ndarray, int]:
    """Seconds [start, end) of one file (a personal recording): (int16 frames×channels, rate)."""
    try:
        sr = sf.info(str(path)).samplerate
        first = max(0, int(round(start * sr)))
        return _read_range(Path(path), first, max(0, int(round(end * sr)) - first)), sr
    except (sf.LibsndfileError, RuntimeError, OSError) as e:
        raise ClipError(f"Запись {Path(path).name} не читается: {e}") from e


def assemble(folder: Path, segments: list[Segment], start: datetime, end: datetime
             ) -> tuple[np.ndarray, np.ndarray, int, list[str]]:
    """The samples from `start` to `end` across the segment files (silence in gaps):
    (clip int16 frames×channels, covered mask, samplerate, files used)."""
    if end <= start:
        raise ClipError("Время окончания раньше времени начала: проверьте время в ведомости ИС-02.")
    if not segments:
        raise ClipError("Для этой аудитории нет потоковой записи.")
    sr = segments[0].samplerate
    total = int(round((end - start).total_seconds() * sr))
    channels = 1
    used: list[str] = []
    pieces: list[tuple[int, np.ndarray]] = []  # (offset in clip, data)
    for s in segments:
        s_start, s_end = s.start_dt, s.end_dt
        if s_end <= start or s_start >= end or s.frames <= 0:
            continue
        first = max(0, int(round((start - s_start).total_seconds() * sr)))
        last = min(s.frames, int(round((end - s_start).total_seconds() * sr)))
        if last <= first:
            continue
        data = _read_range(Path(folder) / s.file, first, last - first)
        channels = data.shape[1]
        offset = int(round((s_start + timedelta(seconds=first / sr) - start).total_seconds() * sr))
        pieces.append((offset, data))
        used.append(s.file)
    if not pieces:
        raise ClipError(f"В записи аудитории нет звука с {start:%H:%M:%S} по {end:%H:%M:%S}: "
                        "запись в это время не велась или время в ведомости указано неверно.")
    clip = np.zeros((total, channels), dtype=np.int16)
    covered = np.zeros(total, dtype=bool)
    for offset, data in pieces:
        a = max(0, offset)
        b = min(total, offset + len(data))
        if b > a:
            clip[a:b] = data[a - offset:b - offset]
            covered[a:b] = True
    return clip, covered, sr, used


def cut(folder: Path, segments: list[Segment], start: datetime, end: datetime, out: Path,
        fmt: str = "mp3") -> ClipResult:
    clip, covered, sr, used = assemble(folder, segments, start, end)
    total, channels = clip.shape
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    f = AudioFile(tmp, fmt, sr, channels)
    try:
        for i in range(0, total, sr * 10):
            f.write(clip[i:i + sr * 10])
    finally:
        f.close()
    tmp.replace(out)
    return ClipResult(out, start, end, total, sr, int(covered.sum()), used)

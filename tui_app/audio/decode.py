"""Reading audio files from other devices (dictaphones, phones, other PCs), in blocks.

Three readers, tried in order:
1. libsndfile (soundfile, always here): WAV, FLAC, OGG Vorbis/Opus, MP3, AIFF…;
2. PyAV (the optional `av` package: FFmpeg's libraries in a wheel for Linux, macOS and
   64-bit Windows): also M4A/MP4/AAC, AMR, WMA, 3GP — what phones record;
3. the `ffmpeg` program, where it is installed (e.g. ffmpeg.exe beside the program on a
   32-bit Windows, for which PyAV has no wheel).
A file none of them reads is `Unreadable`, with the way to read it in Russian.

Every reader yields int16 mono blocks at the stored rate (16 kHz), converted by
resample.Resampler, so a 4-hour dictaphone file never sits in memory whole.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

from ..errors import Refused
from .resample import Resampler, to_int16

BLOCK_SECONDS = 10


class Unreadable(Refused):
    """No reader here can read this file (Russian message with what to install)."""


@dataclass
class Probe:
    path: Path
    reader: str  # "soundfile" | "av" | "ffmpeg"
    seconds: float
    samplerate: int
    channels: int
    codec: str
    created: Optional[datetime] = None  # from the file's own tags (local time)
    tags: dict = field(default_factory=dict)


def _av():
    try:
        import av  # noqa: PLC0415 - optional
    except ImportError:
        return None
    return av


def _local(dt: datetime) -> datetime:
    if dt.tzinfo is not None:
        dt = dt.astimezone().replace(tzinfo=None)
    return dt


def parse_tag_time(text: str) -> Optional[datetime]:
    """'2027-02-10T06:00:00.000000Z', '2027-02-10 09:00:00', '2027' -> local datetime."""
    text = (text or "").strip()
    if not text:
        return None
    t = text.replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        try:
            dt = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None
    if dt.tzinfo is None and text.endswith("Z"):
        dt = dt.replace(tzinfo=timezone.utc)
    return _local(dt)


def probe(path: Path) -> Probe:
    path = Path(path)
    import soundfile as sf

    try:
        info = sf.info(str(path))
        if info.frames > 0:
            return Probe(path, "soundfile", info.frames / info.samplerate, info.samplerate,
                         info.channels, f"{info.format}/{info.subtype}")
    except Exception:
        pass
    av = _av()
    if av is not None:
        try:
            with av.open(str(path)) as c:
                if c.streams.audio:
                    s = c.streams.audio[0]
                    tags = {**dict(c.metadata), **dict(s.metadata)}
                    if s.duration is not None and s.time_base is not None:
                        seconds = float(s.duration * s.time_base)
                    else:
                        seconds = (c.duration or 0) / 1_000_000
                    return Probe(path, "av", seconds, s.codec_context.sample_rate,
                                 s.codec_context.channels, s.codec_context.name,
                                 parse_tag_time(tags.get("creation_time", "") or tags.get("date", "")), tags)
        except Exception:
            pass
    if shutil.which("ffprobe"):
        r = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json",
                            str(path)], capture_output=True, text=True)
        if r.returncode == 0:
            data = json.loads(r.stdout or "{}")
            audio = [s for s in data.get("streams", []) if s.get("codec_type") == "audio"]
            if audio:
                s, fmt = audio[0], data.get("format", {})
                tags = {**fmt.get("tags", {}), **s.get("tags", {})}
                return Probe(path, "ffmpeg", float(s.get("duration") or fmt.get("duration") or 0),
                             int(s.get("sample_rate", 0)), int(s.get("channels", 1)),
                             s.get("codec_name", "?"), parse_tag_time(tags.get("creation_time", "")), tags)
    raise Unreadable(cannot_read_text(path))


def cannot_read_text(path: Path) -> str:
    ext = Path(path).suffix.lower() or "без расширения"
    return (f"Файл «{Path(path).name}» ({ext}) не читается: звуковая библиотека умеет WAV, FLAC, "
            "OGG и MP3. Для M4A/MP4/AAC/AMR/WMA (телефоны, диктофоны) установите пакет PyAV "
            "(pip install av; в готовой папке программы для Windows x64 он уже есть) или "
            "программу ffmpeg (ffmpeg.exe рядом с программой или в PATH).")


def blocks(p: Probe, rate: int = 16000) -> Iterator[np.ndarray]:
    """The file as int16 mono blocks at `rate`."""
    if p.reader == "ffmpeg":
        yield from _ffmpeg_blocks(p.path, rate)
        return
    src = _soundfile_floats(p) if p.reader == "soundfile" else _av_floats(p)
    rs: Optional[Resampler] = None
    for sr, x in src:
        if sr == rate and rs is None:
            yield to_int16(x)
            continue
        if rs is None:
            rs = Resampler(sr, rate)
        y = rs.process(x)
        if len(y):
            yield to_int16(y)
    if rs is not None:
        y = rs.process(np.zeros(0), final=True)
        if len(y):
            yield to_int16(y)


def _soundfile_floats(p: Probe) -> Iterator[tuple[int, np.ndarray]]:
    import soundfile as sf

    with sf.SoundFile(str(p.path)) as f:
        n = f.samplerate * BLOCK_SECONDS
        while True:
            a = f.read(n, dtype="float64", always_2d=True)
            if len(a) == 0:
                return
            yield f.samplerate, a.mean(axis=1) * 32768.0


def _av_floats(p: Probe) -> Iterator[tuple[int, np.ndarray]]:
    av = _av()
    with av.open(str(p.path)) as c:
        s = c.streams.audio[0]
        for frame in c.decode(s):
            a = frame.to_ndarray().astype(np.float64)
            if a.ndim == 2:
                if frame.format.is_planar:
                    a = a.mean(axis=0)
                else:
                    a = a.reshape(-1, len(frame.layout.channels)).mean(axis=1)
            if frame.format.name.startswith(("flt", "dbl")):
                a = a * 32768.0
            elif frame.format.name.startswith("s32"):
                a = a / 65536.0
            yield frame.sample_rate, a.reshape(-1)


def _ffmpeg_blocks(path: Path, rate: int) -> Iterator[np.ndarray]:
    proc = subprocess.Popen(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1",
                             "-ar", str(rate), "-"], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    try:
        while True:
            data = proc.stdout.read(rate * 2 * BLOCK_SECONDS)
            if not data:
                break
            yield np.frombuffer(data[: len(data) // 2 * 2], "<i2").copy()
    finally:
        proc.stdout.close()
        proc.wait()

"""The day's stream as consecutive segment files plus a manifest beside them.

A segment is closed (and a new one opened) every `segment_seconds` of audio, and the open
one is flushed to disk every `flush_seconds`. The open segment is always a WAV file (for
MP3: a journal `<name>.rec.wav` that journal.Encoder turns into `<name>.mp3` when the
segment closes), so a kill or a power cut leaves readable audio up to the last flush (see
journal.py for what can be lost). The manifest (`<base>_stream.json`, durable_write) lists
every segment with the wall-clock time of its first frame, so a clip can be cut by time
across files.
"""
from __future__ import annotations

import io
import json
import os
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import soundfile as sf

from ..errors import DiskFull, Refused, StorageError, from_os_error
from ..store.atomic import durable_write
from . import journal as jr
from . import names

SAMPLERATE = 16000
CHANNELS = 1
FORMATS = {  # our name -> (libsndfile format, subtype, extension)
    "mp3": ("MP3", "MPEG_LAYER_III", "mp3"),
    "wav": ("WAV", "PCM_16", "wav"),
}
# Variable bitrate: LAME then writes its gapless header, so a segment decodes to exactly the
# frames written (constant bitrate pads every file by up to ~1500 frames, which would shift
# the timeline of a segmented day). Level 0.95 at 16 kHz mono (LAME VBR ~V9.5): speech over a
# room's noise floor takes ~11-13 MB an hour (bench/audio.py); it is also the fastest level.
MP3_COMPRESSION = 0.95
MP3_BYTES_PER_HOUR = 14_000_000  # a conservative estimate for "hours left on the disk"
DEFAULT_SEGMENT_SECONDS = 600
DEFAULT_FLUSH_SECONDS = 2.0  # a power cut loses at most this much of the open segment

_mp3_ok: Optional[bool] = None


class FormatError(Refused):
    """A format libsndfile cannot write here (Russian message)."""


def mp3_available() -> bool:
    """True if this libsndfile writes MP3 (soundfile >= 0.12 bundles one that does)."""
    global _mp3_ok
    if _mp3_ok is None:
        try:
            buf = io.BytesIO()
            with _open(buf, "mp3", SAMPLERATE, CHANNELS) as f:
                f.write(np.zeros(SAMPLERATE // 10, dtype=np.int16))
            _mp3_ok = len(buf.getvalue()) > 0
        except Exception:
            _mp3_ok = False
    return _mp3_ok


def effective_format(fmt: str) -> tuple[str, str]:
    """(format actually used, Russian notice or "") — MP3 falls back to WAV if unavailable."""
    fmt = (fmt or "mp3").lower()
    if fmt not in FORMATS:
        raise FormatError(f"Неизвестный формат «{fmt}»: возможны mp3 или wav.")
    if fmt == "mp3" and not mp3_available():
        return "wav", ("Библиотека libsndfile на этом компьютере не умеет писать MP3: "
                       "запись идёт в WAV (файлы крупнее, ~115 МБ в час).")
    return fmt, ""


def bytes_per_hour(fmt: str, samplerate: int = SAMPLERATE, channels: int = CHANNELS) -> int:
    if fmt == "mp3":
        return MP3_BYTES_PER_HOUR
    return samplerate * channels * 2 * 3600


def _open(target, fmt: str, samplerate: int, channels: int) -> sf.SoundFile:
    major, subtype, _ = FORMATS[fmt]
    if fmt == "mp3":
        try:
            return sf.SoundFile(target, "w", samplerate, channels, format=major, subtype=subtype,
                                compression_level=MP3_COMPRESSION, bitrate_mode="VARIABLE")
        except TypeError:  # soundfile < 0.13: no bitrate options, libsndfile's default
            if hasattr(target, "seek"):
                target.seek(0)
    return sf.SoundFile(target, "w", samplerate, channels, format=major, subtype=subtype)


class AudioFile:
    """One file written in one go by libsndfile (an encoded MP3, a clip): by path, so
    libsndfile does its own I/O; fsync'd at close. A short write (full disk) is DiskFull,
    not soundfile's bare AssertionError."""

    def __init__(self, path: Path, fmt: str, samplerate: int, channels: int) -> None:
        self.path = Path(path)
        self.fmt = fmt
        self.frames = 0
        try:
            self._sf = _open(str(self.path), fmt, samplerate, channels)
        except (OSError, RuntimeError) as e:
            raise _write_error(e, self.path) from e
        if os.name != "nt":
            try:
                os.chmod(self.path, 0o600)
            except OSError:
                pass

    def write(self, block: np.ndarray) -> None:
        try:
            self._sf.write(block)
        except (AssertionError, OSError, RuntimeError) as e:  # soundfile asserts on a short write
            raise _write_error(e, self.path) from e
        self.frames += len(block)

    def close(self) -> None:
        try:
            self._sf.close()
        except (AssertionError, OSError, RuntimeError) as e:
            raise _write_error(e, self.path) from e
        _fsync_path(self.path)

    def abort(self) -> None:
        try:
            self._sf.close()
        except Exception:
            pass


def _fsync_path(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_error(e: BaseException, path: Path) -> StorageError:
    from ..diskspace import format_mb, free_bytes

    if isinstance(e, OSError):
        return from_os_error(e, path)
    free = free_bytes(Path(path).parent)
    if free is not None and free < 4 * 1024 * 1024:
        return DiskFull(f"На диске недостаточно места для «{Path(path).name}»: свободно "
                        f"{format_mb(free)}. Освободите место.", path=path)
    return StorageError(f"Ошибка записи файла «{Path(path).name}»: {e or type(e).__name__}. "
                        "Проверьте диск.", path=path)


class RecordingFile:
    """A file recorded block by block (a segment, a personal recording): always a WAV on
    disk while open — the file itself for WAV, the journal `<name>.rec.wav` for MP3, which
    `close()` hands to the encoder. `path` is the final name."""

    def __init__(self, path: Path, fmt: str, samplerate: int, channels: int,
                 encoder: Optional[jr.Encoder] = None) -> None:
        self.path = Path(path)
        self.fmt = fmt
        self.encoder = encoder
        self.disk_path = self.path if fmt == "wav" else jr.journal_path(self.path)
        self._w = jr.WavWriter(self.disk_path, samplerate, channels)

    @property
    def frames(self) -> int:
        return self._w.frames

    def write(self, block: np.ndarray) -> None:
        self._w.write(block)

    def flush(self) -> None:
        self._w.flush()

    def close(self) -> None:
        self._w.close()
        if self.fmt != "wav":
            if self.encoder is not None:
                self.encoder.submit(self.disk_path, self.path)
            else:
                jr.encode(self.disk_path, self.path, self.fmt)


@dataclass
class Segment:
    file: str
    start: str  # ISO datetime of the first frame (local wall clock)
    frames: int = 0
    samplerate: int = SAMPLERATE
    closed: bool = False
    source: str = "stream"  # "stream" (recorded here) | "import" (from another device)
    original: str = ""  # import: the untouched original beside it (relative to the folder)
    original_name: str = ""  # import: the file's name on the device it came from
    sha256: str = ""  # import: of the original bytes (the same file is not imported twice)

    @property
    def start_dt(self) -> datetime:
        return datetime.fromisoformat(self.start)

    @property
    def end_dt(self) -> datetime:
        return self.start_dt + timedelta(seconds=self.frames / self.samplerate)


class Manifest:
    """`<base>_stream.json`: the room's segments, in order, across every session of the day."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.segments: list[Segment] = []
        if self.path.exists():
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                known = set(Segment.__dataclass_fields__)
                self.segments = [Segment(**{k: v for k, v in s.items() if k in known})
                                 for s in raw.get("segments", [])]
            except (ValueError, TypeError):
                self.segments = []  # rebuilt from file names by scan()
        if not self.segments:
            self.segments = scan_segments(self.path.parent)

    def next_index(self) -> int:
        idx = [names.parse_segment_name(s.file) for s in self.segments]
        return max((i[1] for i in idx if i), default=0) + 1

    def save(self) -> None:
        data = {"segments": [asdict(s) for s in self.segments]}
        durable_write(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"),
                      keep_backup=False)

    def refreshed(self) -> list[Segment]:
        """Segments as they are on disk: the final file, or the journal of one that was open
        (or not yet encoded) when the program was killed; frame counts read from the file
        where the manifest could not know them."""
        out = []
        for s in self.segments:
            name = resolve_file(self.path.parent, s.file)
            if name is None:
                continue
            if name != s.file or not s.closed or s.frames == 0:
                try:
                    s = replace(s, file=name, frames=sf.info(str(self.path.parent / name)).frames)
                except Exception:
                    continue
            if s.frames > 0:
                out.append(s)
        return out


def resolve_file(folder: Path, name: str) -> Optional[str]:
    """The file that holds a segment now: `name` itself, else its journal; when both exist
    (killed between the encoder's rename and its delete) the final one if it is complete."""
    final = Path(folder) / name
    journal = jr.journal_path(final)
    if journal.exists():
        if final.exists():
            try:
                if sf.info(str(final)).frames == jr.repair_header(journal):
                    return name
            except Exception:
                pass
        return journal.name
    return name if final.exists() else None


def scan_segments(folder: Path) -> list[Segment]:
    """Rebuild the segment list from file names when the manifest is missing."""
    out = []
    seen: set[str] = set()
    for p in sorted(Path(folder).glob("*_[0-9][0-9][0-9]*_[0-9][0-9][0-9][0-9][0-9][0-9].*")):
        name = p.name
        if jr.is_journal(p):
            name = jr.final_path(p).name
        parsed = names.parse_segment_name(name)
        if not parsed or Path(name).suffix.lower() not in (".mp3", ".wav") or name in seen:
            continue
        seen.add(name)
        m = name.split("_")[0]
        try:
            start = datetime.strptime(f"{m} {parsed[2]}", "%Y-%m-%d %H%M%S")
        except ValueError:
            continue
        out.append(Segment(name, start.isoformat(), 0, SAMPLERATE, True))
    return out


class SegmentWriter:
    """Writes blocks into consecutive segment files of `segment_seconds` each."""

    def __init__(self, folder: Path, base: str, fmt: str = "mp3", *,
                 samplerate: int = SAMPLERATE, channels: int = CHANNELS,
                 segment_seconds: float = DEFAULT_SEGMENT_SECONDS,
                 flush_seconds: float = DEFAULT_FLUSH_SECONDS,
                 on_segment: Optional[Callable[[Path], None]] = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.base = base
        self.fmt = fmt
        self.ext = FORMATS[fmt][2]
        self.samplerate = samplerate
        self.channels = channels
        self.segment_frames = max(1, int(segment_seconds * samplerate))
        self.flush_frames = max(1, int(flush_seconds * samplerate))
        self.manifest = Manifest(self.folder / f"{base}_stream.json")
        self.on_segment = on_segment
        self.encoder = jr.Encoder(fmt) if fmt != "wav" else None
        self.open_paths: set[Path] = set()  # journals being written: recovery leaves them alone
        if self.encoder is not None:
            self.encoder.recover(self.folder, self.open_paths)  # what a kill left, in the background
        self.current: Optional[RecordingFile] = None
        self._entry: Optional[Segment] = None
        self._since_flush = 0
        self.total_frames = 0
        self.paths: list[Path] = []

    def write(self, block: np.ndarray, start: datetime) -> None:
        """Write `block`, whose first frame was captured at `start` (wall clock)."""
        pos = 0
        n = len(block)
        while pos < n:
            if self.current is None:
                self._open(start + timedelta(seconds=pos / self.samplerate))
            room = self.segment_frames - self.current.frames
            take = min(room, n - pos)
            self.current.write(block[pos:pos + take])
            pos += take
            self.total_frames += take
            self._since_flush += take
            if self.current.frames >= self.segment_frames:
                self.close_segment()
            elif self._since_flush >= self.flush_frames:
                self.current.flush()
                self._since_flush = 0

    def _open(self, start: datetime) -> None:
        index = self.manifest.next_index()
        name = names.segment_name(self.base, index, start, self.ext)
        path = self.folder / name
        self.current = self.open_file(path)
        self._entry = Segment(name, start.isoformat(timespec="milliseconds"), 0, self.samplerate)
        self.manifest.segments.append(self._entry)
        self.manifest.save()
        self._since_flush = 0
        self.paths.append(path)
        if self.on_segment:
            self.on_segment(path)

    def open_file(self, path: Path) -> RecordingFile:
        """A file recorded block by block in this writer's format (segments, personal)."""
        disk = (Path(path) if self.fmt == "wav" else jr.journal_path(path)).resolve()
        self.open_paths.add(disk)  # before the file exists: a running recovery must never see it idle
        try:
            return RecordingFile(path, self.fmt, self.samplerate, self.channels, self.encoder)
        except BaseException:
            self.open_paths.discard(disk)
            raise

    def close_file(self, f: RecordingFile) -> None:
        try:
            f.close()
        finally:
            self.open_paths.discard(f.disk_path.resolve())

    def close_segment(self) -> None:
        """Close the open segment (end of segment, device lost, stop). Next write opens a new one."""
        if self.current is None:
            return
        cur, entry = self.current, self._entry
        self.current = None
        self._entry = None
        self.close_file(cur)
        if entry is not None:
            entry.frames = cur.frames
            entry.closed = True
            self.manifest.save()

    def notices(self) -> list[str]:
        """Russian notices from the encoder (a part left in WAV, a recovery problem)."""
        out = []
        while self.encoder is not None:
            try:
                out.append(self.encoder.notices.get_nowait())
            except Exception:
                break
        return out

    def close(self, timeout: Optional[float] = None) -> None:
        """Close the open segment and wait for the encoder to finish the closed ones."""
        try:
            self.close_segment()
        finally:
            if self.encoder is not None:
                self.encoder.finish(timeout)

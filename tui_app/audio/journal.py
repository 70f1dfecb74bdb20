"""Crash-safe MP3: the open part of a recording is a WAV journal, encoded when it closes.

Why: an MP3 being written by LAME is not readable after a kill or a power cut. Its first
frame is a zeroed placeholder for the tag LAME fills in at close, so a reader estimates the
length from the file size and the placeholder's bitrate: libsndfile (our reader, and `clip`)
then saw a few seconds of a half-hour segment. A WAV file has no such problem: its header
holds the data size, which we rewrite and fsync every `flush_seconds`, and after a kill the
real size is simply the file's size.

So a segment (or a personal recording) in MP3 is written as `<name>.rec.wav` (headerless
int16 PCM behind a 44-byte WAV header, written by us with os.write: a full disk is an
OSError, not libsndfile's short write); when the segment closes, an `Encoder` thread turns
the journal into `<name>.mp3` through a temp file, fsyncs and renames it, and only then
deletes the journal. At any moment a kill leaves either the journal (a WAV every player
and our reader open) or the finished MP3 (or both, when the kill fell between the rename
and the delete: the MP3 is checked and the journal dropped). `recover_folder` finishes that
work on the next start.

What can be lost: after kill -9, only what had not yet left the writer's queue (the file's
bytes are in the OS cache); after a power cut, at most `flush_seconds` of audio (the last
fsync'd header and data). The figures are measured by tests/test_audio_kills.py.
"""
from __future__ import annotations

import os
import queue
import struct
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Container, Iterable, Optional

import numpy as np

from ..errors import DiskFull, StorageError, from_os_error
from ..store.atomic import fsync_dir

HEADER = 44
JOURNAL_SUFFIX = ".rec.wav"
TMP_PREFIX = "."
TMP_SUFFIX = ".enc.tmp"


def journal_path(final: Path) -> Path:
    """`X_001_090000.mp3` -> `X_001_090000.rec.wav` beside it."""
    final = Path(final)
    return final.with_name(final.stem + JOURNAL_SUFFIX)


def final_path(journal: Path, ext: str = "mp3") -> Path:
    journal = Path(journal)
    return journal.with_name(journal.name[: -len(JOURNAL_SUFFIX)] + "." + ext)


def is_journal(path: Path) -> bool:
    return Path(path).name.endswith(JOURNAL_SUFFIX)


def _header(samplerate: int, channels: int, data_bytes: int) -> bytes:
    block = channels * 2
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1,
                       channels, samplerate, samplerate * block, block, 16, b"data", data_bytes)


def read_header(path: Path) -> Optional[tuple[int, int, int]]:
    """(samplerate, channels, data bytes in the header) of one of our WAV files, or None."""
    try:
        with open(path, "rb") as f:
            h = f.read(HEADER)
    except OSError:
        return None
    if len(h) < HEADER or h[:4] != b"RIFF" or h[8:16] != b"WAVEfmt " or h[36:40] != b"data":
        return None
    _, _, _, _, _, fmt, channels, rate, _, _, bits, _, size = struct.unpack("<4sI4s4sIHHIIHH4sI", h)
    if fmt != 1 or bits != 16 or channels < 1:
        return None
    return rate, channels, size


class WavWriter:
    """16-bit PCM WAV written with os.write; `flush()` rewrites the sizes and fsyncs.

    Used for the WAV journal of an MP3 and for WAV recordings themselves. Every OS error
    (ENOSPC, EIO, a pulled stick) comes out as the error family's StorageError."""

    def __init__(self, path: Path, samplerate: int, channels: int) -> None:
        self.path = Path(path)
        self.samplerate = samplerate
        self.channels = channels
        self.frames = 0
        self._synced = -1
        flags = os.O_RDWR | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
        try:
            self._fd = os.open(self.path, flags, 0o600)
        except OSError as e:
            raise from_os_error(e, self.path) from e
        try:
            self._write_all(_header(samplerate, channels, 0))
        except BaseException:
            os.close(self._fd)
            self.path.unlink(missing_ok=True)  # never leave an empty file behind
            raise

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self._fd, view)
            except OSError as e:
                raise from_os_error(e, self.path) from e
            if n <= 0:
                raise DiskFull(f"На диске недостаточно места для «{self.path}».", path=self.path)
            view = view[n:]

    def write(self, block: np.ndarray) -> None:
        data = np.ascontiguousarray(block, dtype="<i2").tobytes()
        self._write_all(data)
        self.frames += len(data) // (2 * self.channels)

    def flush(self) -> None:
        """Header with the current size, then fsync: all written so far survives a power cut."""
        if self._synced == self.frames:
            return
        try:
            os.lseek(self._fd, 0, os.SEEK_SET)
            self._write_all(_header(self.samplerate, self.channels, self.frames * 2 * self.channels))
            os.lseek(self._fd, 0, os.SEEK_END)
            os.fsync(self._fd)
        except OSError as e:
            raise from_os_error(e, self.path) from e
        self._synced = self.frames

    def close(self) -> None:
        if self._fd < 0:
            return
        try:
            self.flush()
        finally:
            os.close(self._fd)
            self._fd = -1


def repair_header(path: Path) -> int:
    """Make the header of a killed WAV (ours) tell the real size; returns its frames.
    A kill -9 leaves the bytes written after the last flush in the file: they count."""
    info = read_header(path)
    if info is None:
        return 0
    rate, channels, size = info
    block = 2 * channels
    real = max(0, (os.path.getsize(path) - HEADER) // block * block)
    if real != size:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        try:
            os.write(fd, _header(rate, channels, real))
            os.fsync(fd)
        finally:
            os.close(fd)
    return real // block


def frames_of(path: Path) -> int:
    """Frames of an audio file as libsndfile reads it; -1 if it cannot."""
    import soundfile as sf

    try:
        return sf.info(str(path)).frames
    except Exception:
        return -1


def encode(journal: Path, final: Path, fmt: str = "mp3",
           writer_factory: Optional[Callable] = None) -> int:
    """Journal -> final file through a temp name; the journal is deleted only when the final
    file is on disk with exactly the journal's frames. Returns the frames encoded."""
    import soundfile as sf

    from .segments import AudioFile  # the soundfile-based writer (MP3 via LAME)

    journal, final = Path(journal), Path(final)
    frames = repair_header(journal)
    if frames == 0:
        journal.unlink(missing_ok=True)
        return 0
    tmp = final.with_name(TMP_PREFIX + final.name + TMP_SUFFIX)
    with sf.SoundFile(str(journal)) as src:
        out = (writer_factory or AudioFile)(tmp, fmt, src.samplerate, src.channels)
        try:
            while True:
                block = src.read(src.samplerate * 10, dtype="int16", always_2d=True)
                if len(block) == 0:
                    break
                out.write(block)
            out.close()
        except BaseException:
            out.abort()
            tmp.unlink(missing_ok=True)
            raise
    got = frames_of(tmp)
    if got != frames:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"Файл «{final.name}» закодирован не полностью ({got} из {frames} "
                           "отсчётов): запись оставлена в WAV.", path=final)
    os.replace(tmp, final)
    fsync_dir(final.parent)
    journal.unlink(missing_ok=True)
    return frames


@dataclass
class Recovered:
    files: int = 0  # journals turned into final files
    seconds: float = 0.0
    fixed_wav: int = 0  # WAV recordings whose header was repaired
    removed: int = 0  # empty journals, stale temp files, journals already encoded
    errors: list[str] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.errors is None:
            self.errors = []


ORIGINALS = "originals"  # imported files' untouched bytes: never rewritten by recovery


def _folders(root: Path) -> Iterable[Path]:
    root = Path(root)
    if not root.is_dir():
        return []
    return [root, *(p for p in root.rglob("*") if p.is_dir() and ORIGINALS not in p.relative_to(root).parts)]


def _ours(p: Path) -> bool:
    """A WAV this program recorded (a segment or a personal recording), by its name."""
    from .names import parse_segment_name

    return parse_segment_name(p.name) is not None or p.parent.name == "personal"


def recover_folder(root: Path, busy: Container[Path] = ()) -> Recovered:
    """Finish what a kill interrupted under `root` (a room's folder or all of audio/):
    encode the journals left behind, drop journals whose MP3 is complete, remove stale temp
    files, repair the headers of killed WAV recordings. `busy`: files being written now (a
    set the writer keeps up to date, of resolved paths)."""
    live = busy
    res = Recovered()
    for folder in _folders(root):
        for p in sorted(folder.iterdir()):
            # `busy` is the writer's live set (resolved paths): looked at file by file, as a
            # journal may be opened while this runs
            if not p.is_file() or p.resolve() in live:
                continue
            name = p.name
            try:
                if name.startswith(TMP_PREFIX) and name.endswith(TMP_SUFFIX):
                    p.unlink()
                    res.removed += 1
                elif is_journal(p):
                    final = final_path(p)
                    frames = repair_header(p)
                    if frames == 0:
                        p.unlink()
                        res.removed += 1
                    elif final.exists() and frames_of(final) == frames:
                        p.unlink()  # killed between the rename and the delete
                        res.removed += 1
                    else:
                        rate = read_header(p)[0]  # type: ignore[index]
                        res.files += 1
                        res.seconds += encode(p, final) / rate
                elif p.suffix.lower() == ".wav" and _ours(p) and read_header(p) is not None:
                    rate, ch, size = read_header(p)  # type: ignore[misc]
                    if size != max(0, (p.stat().st_size - HEADER) // (2 * ch) * 2 * ch):
                        repair_header(p)
                        res.fixed_wav += 1
            except (OSError, StorageError) as e:
                res.errors.append(f"{name}: {e}")
            except Exception as e:  # a damaged file must not stop the others
                res.errors.append(f"{name}: {type(e).__name__}: {e}")
    return res


class Encoder(threading.Thread):
    """Encodes closed journals one after another, off the writer thread (a 10-minute segment
    takes seconds of LAME: the writer must keep draining the microphone meanwhile)."""

    def __init__(self, fmt: str = "mp3") -> None:
        super().__init__(name="audio-encoder", daemon=True)
        self.fmt = fmt
        self.jobs: "queue.Queue[Optional[tuple]]" = queue.Queue()
        self.notices: "queue.Queue[str]" = queue.Queue()
        self.encoded = 0
        self.started_once = False
        self._told: set[str] = set()

    def submit(self, journal: Path, final: Path) -> None:
        self._ensure()
        self.jobs.put(("encode", Path(journal), Path(final)))

    def recover(self, root: Path, busy: "set[Path]") -> None:
        self._ensure()
        self.jobs.put(("recover", Path(root), busy))

    def _ensure(self) -> None:
        if not self.started_once:
            self.started_once = True
            self.start()

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                if job[0] == "encode":
                    self._encode(job[1], job[2])
                else:
                    res = recover_folder(job[1], job[2])
                    for e in res.errors:
                        self.notices.put(f"Восстановление записи: {e}")
            finally:
                self.jobs.task_done()

    def _encode(self, journal: Path, final: Path) -> None:
        if not journal.exists():
            return  # already done (by a recovery)
        try:
            encode(journal, final, self.fmt)
            self.encoded += 1
        except (OSError, StorageError, AssertionError, RuntimeError) as e:
            reason = _reason(e, final)
            if reason not in self._told:  # a full disk fails every part: say it once
                self._told.add(reason)
                self.notices.put(f"Часть записи «{final.name}» не переведена в MP3 ({reason}). "
                                 f"Звук не потерян: он в «{journal.name}» (WAV) и будет переведён "
                                 "в MP3 при следующей записи или командой audio-recover.")

    def finish(self, timeout: Optional[float] = None) -> None:
        """Wait until every submitted journal is encoded, then stop the thread."""
        if not self.started_once:
            return
        self.jobs.put(None)
        self.join(timeout)


def _reason(e: BaseException, path: Path) -> str:
    from ..diskspace import format_mb, free_bytes

    if isinstance(e, DiskFull) or (isinstance(e, OSError) and isinstance(from_os_error(e), DiskFull)):
        return "на диске недостаточно места"
    free = free_bytes(path.parent)
    if free is not None and free < 4 * 1024 * 1024:
        return f"на диске недостаточно места: свободно {format_mb(free)}"
    if isinstance(e, StorageError):
        return str(e).rstrip(".")
    if isinstance(e, OSError):
        return from_os_error(e, path).args[0].rstrip(".")
    return f"ошибка кодирования: {type(e).__name__}"

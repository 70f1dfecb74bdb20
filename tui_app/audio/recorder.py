"""Capture: PortAudio callback -> bounded queue -> writer thread -> sink (segment files).

The callback never blocks and never touches the disk: it copies the block and
`put_nowait`s it; a full queue drops the block and counts it (the writer fills the gap
with silence of the same length so the stream's timeline stays true). PortAudio's own
input overflows (`status.input_overflow`) are counted too.

Time is audio time: a block's wall-clock time is the time its session (stream) opened
plus frames / samplerate. A session ends when the device disappears; when it comes back
a new session starts and the writer opens a new segment.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Optional, Protocol

import numpy as np

from .quality import LevelMeter
from .resample import Resampler, mono, to_int16
from .segments import CHANNELS, SAMPLERATE, RecordingFile

DEFAULT_BLOCK = 1600  # 0.1 s at 16 kHz
DEFAULT_QUEUE_BLOCKS = 600  # ~60 s of audio buffered (~1.9 MB at 16 kHz mono int16)
MAX_GAP_SECONDS = 60.0  # a longer hole in one session starts a new segment instead of silence


class Sink(Protocol):
    def write(self, block: np.ndarray, start: datetime) -> None: ...
    def close_segment(self) -> None: ...
    def close(self) -> None: ...


class MemorySink:
    """Keeps the blocks in memory (test recordings: seconds, not hours)."""

    def __init__(self) -> None:
        self.blocks: list[np.ndarray] = []
        self.start: Optional[datetime] = None
        self.segments = 0
        self._open = False

    def write(self, block: np.ndarray, start: datetime) -> None:
        if not self._open:
            self._open = True
            self.segments += 1
            if self.start is None:
                self.start = start
        self.blocks.append(block)

    def close_segment(self) -> None:
        self._open = False

    def close(self) -> None:
        self._open = False

    def samples(self) -> np.ndarray:
        if not self.blocks:
            return np.zeros((0, CHANNELS), dtype=np.int16)
        return np.concatenate(self.blocks)


@dataclass
class PersonalCommand:
    kind: str  # "start" | "stop"
    at: datetime
    code: str = ""
    guid: str = ""


@dataclass
class Personal:
    code: str
    guid: str
    start: datetime
    file: RecordingFile


class SessionConverter:
    """A session whose device runs at another rate or channel count (a WASAPI microphone
    at the mixer's 48 kHz, a stereo-only input): its blocks become mono blocks at the stored
    rate, indexed in stored-rate frames. Blocks the callback dropped are filled with silence
    here, at the device's rate, so the resampler's timeline stays continuous."""

    def __init__(self, rate: int, channels: int, out_rate: int) -> None:
        self.rate, self.channels, self.out_rate = rate, channels, out_rate
        self.rs = Resampler(rate, out_rate) if rate != out_rate else None
        self.expect = 0  # next device frame
        self.out = 0  # next output frame
        self.gap_frames = 0  # output frames of silence put in for dropped blocks

    def _run(self, x: np.ndarray, final: bool = False) -> np.ndarray:
        y = self.rs.process(x, final) if self.rs is not None else x
        return to_int16(y).reshape(-1, 1)

    def feed(self, index: int, block: np.ndarray) -> list[tuple[int, np.ndarray]]:
        out: list[tuple[int, np.ndarray]] = []
        gap = index - self.expect
        if gap > MAX_GAP_SECONDS * self.rate:  # a long hole: start afresh at the new time
            out += self.finish(self.expect)
            self.rs = Resampler(self.rate, self.out_rate) if self.rs is not None else None
            self.out = int(round(index * self.out_rate / self.rate))
        elif gap > 0:
            before = self.out
            out.append((before, self._run(np.zeros(gap))))
            self.gap_frames += len(out[-1][1])
            self.out += len(out[-1][1])
        y = self._run(mono(block))
        out.append((self.out, y))
        self.out += len(y)
        self.expect = index + len(block)
        return [(i, b) for i, b in out if len(b)]

    def finish(self, end_index: int) -> list[tuple[int, np.ndarray]]:
        """The end of the session: silence for blocks dropped at the very end, the filter's tail."""
        gap = end_index - self.expect
        x = np.zeros(gap) if 0 < gap <= MAX_GAP_SECONDS * self.rate else np.zeros(0)
        start = self.out
        y = self._run(x, final=True)
        self.out += len(y)
        self.expect = max(self.expect, end_index)
        return [(start, y)] if len(y) else []


class WriterThread(threading.Thread):
    """Drains the queue into the sink; keeps the level meter; runs personal recordings.

    Queue items: ("data", session, frame_index, block) | ("lost", session, end_index) |
    ("stop", session, end_index) — end_index lets blocks dropped at the end become silence.
    """

    def __init__(self, q: "queue.Queue", sink: Sink, sessions: dict[int, datetime], *,
                 samplerate: int = SAMPLERATE, channels: int = CHANNELS,
                 personal_dir: Optional[Path] = None,
                 personal_name: Optional[Callable[[str, str, datetime], str]] = None,
                 fmt: str = "wav") -> None:
        super().__init__(name="audio-writer", daemon=True)
        self.q = q
        self.sink = sink
        self.sessions = sessions
        self.samplerate = samplerate
        self.channels = channels
        self.meter = LevelMeter(samplerate)
        self.events: "queue.Queue[dict]" = queue.Queue()
        self.written_frames = 0
        self.gap_frames = 0
        self.error: Optional[str] = None
        self.personal_dir = personal_dir
        self.personal_name = personal_name
        self.fmt = fmt
        self.personal: Optional[Personal] = None
        self._commands: list[PersonalCommand] = []
        self._lock = threading.Lock()
        self._expect: tuple[int, int] = (-1, 0)  # (session, next frame index)
        self.formats: dict[int, tuple[int, int]] = {}  # session -> the device's (rate, channels)
        self._converters: dict[int, SessionConverter] = {}

    # -- commands from the UI thread ------------------------------------------
    def command(self, cmd: PersonalCommand) -> None:
        with self._lock:
            self._commands.append(cmd)
            self._commands.sort(key=lambda c: c.at)

    # -- the loop ------------------------------------------------------------------
    def _converted(self, item: tuple) -> list[tuple]:
        """Items of a session at another rate or channel count, in stored-rate frames."""
        session = item[1] if len(item) > 1 else None
        fmt = self.formats.get(session) if session is not None else None
        if fmt is None or fmt == (self.samplerate, self.channels):
            return [item]
        conv = self._converters.get(session)
        if conv is None:
            conv = self._converters[session] = SessionConverter(fmt[0], fmt[1], self.samplerate)
        gaps = conv.gap_frames
        if item[0] == "data":
            out = [("data", session, i, b) for i, b in conv.feed(item[2], item[3])]
        else:
            end = item[2] if len(item) > 2 else conv.expect
            out = [("data", session, i, b) for i, b in conv.finish(end)] + [(item[0], session, conv.out)]
            self._converters.pop(session, None)
        self.gap_frames += conv.gap_frames - gaps
        return out

    def run(self) -> None:
        while True:
            raw = self.q.get()
            try:
                items = self._converted(raw)
            except Exception as e:  # a block the converter could not take: say so, keep going
                self._fail(e)
                items = [] if raw[0] == "data" else [raw]
            for item in items[:-1]:
                self._dispatch(item)
            if items and self._dispatch(items[-1]):
                break
        self._finish()

    def _fail(self, e: Exception) -> None:
        """The first failure is the one the user is told (later ones follow from it)."""
        if self.error is None:
            self.error = _describe(e)
            self.events.put({"kind": "error", "message": self.error})

    def _dispatch(self, item: tuple) -> bool:
        """One queue item; True at the end of the capture, whether its last write worked or not
        (a disk that fills while the tail is written must still end the writer)."""
        kind = item[0]
        try:
            if kind == "data":
                self._data(item[1], item[2], item[3])
            elif kind == "lost":
                self._fill_tail(item)
                self.sink.close_segment()
                self._expect = (-1, 0)
            elif kind == "stop":
                self._fill_tail(item)
        except Exception as e:  # disk full, removed stick...: say so, keep draining
            self._fail(e)
        return kind == "stop"

    def _fill_tail(self, item: tuple) -> None:
        """Blocks dropped at the very end of a session come back as silence too."""
        if len(item) < 3 or item[1] != self._expect[0]:
            return
        gap = item[2] - self._expect[1]
        if 0 < gap <= MAX_GAP_SECONDS * self.samplerate:
            self.gap_frames += gap
            self._write(np.zeros((gap, self.channels), dtype=np.int16), item[1], self._expect[1])
            self._expect = (item[1], item[2])

    def _finish(self) -> None:
        now = None
        if self._expect[0] in self.sessions:
            now = self.sessions[self._expect[0]] + timedelta(seconds=self._expect[1] / self.samplerate)
        self._apply_due(now or datetime.now(), force=True)
        if self.personal:
            self._personal_stop(now or datetime.now())
        try:
            self.sink.close()
        except Exception as e:
            self._fail(e)

    def _block_start(self, session: int, index: int) -> datetime:
        return self.sessions[session] + timedelta(seconds=index / self.samplerate)

    def _data(self, session: int, index: int, block: np.ndarray) -> None:
        exp_session, exp_index = self._expect
        if session != exp_session:
            if exp_session != -1:
                self.sink.close_segment()  # a new session: a new segment
        elif index > exp_index:
            gap = index - exp_index
            if gap <= MAX_GAP_SECONDS * self.samplerate:
                self.gap_frames += gap
                self._write(np.zeros((gap,) + block.shape[1:], dtype=block.dtype), session, exp_index)
            else:
                self.sink.close_segment()
        self._write(block, session, index)
        self._expect = (session, index + len(block))

    def _write(self, block: np.ndarray, session: int, index: int) -> None:
        start = self._block_start(session, index)
        pos = 0
        n = len(block)
        # personal start/stop exactly at the frame of their time
        while True:
            with self._lock:
                cmd = self._commands[0] if self._commands else None
            if cmd is None:
                break
            offset = int(round((cmd.at - start).total_seconds() * self.samplerate))
            if offset >= n:
                break
            offset = max(offset, pos)
            self._emit(block[pos:offset], start + timedelta(seconds=pos / self.samplerate))
            pos = offset
            with self._lock:
                self._commands.pop(0)
            self._run_command(cmd, start + timedelta(seconds=offset / self.samplerate))
        self._emit(block[pos:], start + timedelta(seconds=pos / self.samplerate))

    def _emit(self, block: np.ndarray, start: datetime) -> None:
        if len(block) == 0:
            return
        if self.error is not None:
            return  # the disk failed: nothing more is written, the UI shows the error
        self.meter.update(block)
        self.sink.write(block, start)
        if self.personal:
            self.personal.file.write(block)
        self.written_frames += len(block)

    def _apply_due(self, now: datetime, force: bool = False) -> None:
        while True:
            with self._lock:
                if not self._commands or (not force and self._commands[0].at > now):
                    return
                cmd = self._commands.pop(0)
            self._run_command(cmd, now if force else cmd.at)

    def _run_command(self, cmd: PersonalCommand, at: datetime) -> None:
        if cmd.kind == "start":
            if self.personal:
                self._personal_stop(at)
            self._personal_start(cmd.code, cmd.guid, at)
        elif cmd.kind == "stop" and self.personal:
            self._personal_stop(at)

    def _personal_start(self, code: str, guid: str, at: datetime) -> None:
        if self.personal_dir is None or self.personal_name is None:
            return
        self.personal_dir.mkdir(parents=True, exist_ok=True)
        path = self.personal_dir / self.personal_name(code, guid, at)
        opener = getattr(self.sink, "open_file", None)
        f = opener(path) if opener else RecordingFile(path, self.fmt, self.samplerate, self.channels)
        self.personal = Personal(code, guid, at, f)
        self.events.put({"kind": "personal_started", "code": code, "guid": guid, "at": at,
                         "path": str(path)})

    def _personal_stop(self, at: datetime) -> None:
        p = self.personal
        if p is None:
            return
        self.personal = None
        closer = getattr(self.sink, "close_file", None)
        closer(p.file) if closer else p.file.close()
        self.events.put({"kind": "personal_stopped", "code": p.code, "guid": p.guid,
                         "start": p.start, "at": at, "path": str(p.file.path),
                         "frames": p.file.frames})


def _describe(e: Exception) -> str:
    """The Russian message for a failed write; what was recorded before it stays readable."""
    from ..errors import DiskFull, ShtabError, from_os_error

    if isinstance(e, OSError):
        e = from_os_error(e)
    if isinstance(e, DiskFull):
        return ("Диск заполнен: запись остановлена. Всё записанное до этого сохранено. "
                "Освободите место и начните запись снова.")
    text = str(e) if isinstance(e, ShtabError) else (str(e) or type(e).__name__)
    return f"Ошибка записи файла: {text.rstrip('.')}. Запись остановлена; проверьте диск и начните запись снова."


class StreamBackend(Protocol):
    def open(self, device: Any, samplerate: int, channels: int, blocksize: int,
             callback: Callable) -> Any: ...
    def reconnect(self, device: Any) -> Any: ...


@dataclass
class RecorderStats:
    captured_frames: int = 0
    dropped_blocks: int = 0
    dropped_frames: int = 0
    overflows: int = 0
    device_lost: bool = False
    losses: int = 0
    sessions: int = 0
    finished: bool = False


class Recorder:
    """One capture: opens the input stream, runs the writer, watches for a lost device."""

    def __init__(self, sink: Sink, backend: StreamBackend, *, device: Any = None,
                 samplerate: int = SAMPLERATE, channels: int = CHANNELS,
                 blocksize: int = DEFAULT_BLOCK, queue_blocks: int = DEFAULT_QUEUE_BLOCKS,
                 max_frames: Optional[int] = None, clock: Callable[[], datetime] = datetime.now,
                 stall_seconds: float = 3.0, retry_seconds: float = 1.0,
                 personal_dir: Optional[Path] = None,
                 personal_name: Optional[Callable[[str, str, datetime], str]] = None,
                 fmt: str = "wav") -> None:
        self.backend = backend
        self.device = device
        self.samplerate = samplerate
        self.channels = channels
        self.blocksize = blocksize
        self.max_frames = max_frames
        self.clock = clock
        self.stall_seconds = stall_seconds
        self.retry_seconds = retry_seconds
        self.q: "queue.Queue" = queue.Queue(maxsize=queue_blocks)
        self.sessions: dict[int, datetime] = {}
        self.writer = WriterThread(self.q, sink, self.sessions, samplerate=samplerate,
                                   channels=channels, personal_dir=personal_dir,
                                   personal_name=personal_name, fmt=fmt)
        self.stats = RecorderStats()
        self._session = -1
        self._session_frames = 0  # device frames of this session
        self._rate = samplerate  # the device's rate in this session
        self._captured_before = 0  # stored-rate frames of the sessions before
        self._stream: Any = None
        self._stop = threading.Event()
        self._done = threading.Event()
        self._max_reached = False
        self._last_callback = time.monotonic()
        self._monitor: Optional[threading.Thread] = None
        self._stop_exc = getattr(backend, "callback_stop", StopIteration)

    # -- the PortAudio callback: no blocking, no disk -------------------------------
    def _callback(self, indata, frames, time_info, status) -> None:
        if status and getattr(status, "input_overflow", False):
            self.stats.overflows += 1
        self._last_callback = time.monotonic()
        if self._stop.is_set() or self._max_reached:
            raise self._stop_exc()
        n = frames
        rate = self._rate
        if self.max_frames is not None:
            remaining = self.max_frames - self.stats.captured_frames
            if remaining <= 0:
                self._max_reached = True
                raise self._stop_exc()
            n = min(n, -(-remaining * rate // self.samplerate))
        block = indata[:n].copy()
        item = ("data", self._session, self._session_frames, block)
        self._session_frames += n
        self.stats.captured_frames = self._captured_before + self._session_frames * self.samplerate // rate
        try:
            self.q.put_nowait(item)
        except queue.Full:
            self.stats.dropped_blocks += 1
            self.stats.dropped_frames += n
        if self.max_frames is not None and self.stats.captured_frames >= self.max_frames:
            self._max_reached = True
            raise self._stop_exc()

    # -- life cycle -----------------------------------------------------------------
    def start(self) -> None:
        """Open the device (raises the backend's error if it cannot) and start writing."""
        self._open_session(self.device)
        self.writer.start()
        self._monitor = threading.Thread(target=self._watch, name="audio-monitor", daemon=True)
        self._monitor.start()

    def _open_session(self, device: Any) -> None:
        self._session += 1
        self._captured_before = self.stats.captured_frames
        self._session_frames = 0
        self.sessions[self._session] = self.clock()
        self._last_callback = time.monotonic()
        try:
            stream = self.backend.open(device, self.samplerate, self.channels, self.blocksize,
                                       self._callback)
        except BaseException:
            del self.sessions[self._session]
            self._session -= 1
            raise
        self.stats.sessions += 1
        rate = int(round(getattr(stream, "samplerate", None) or self.samplerate))
        channels = int(getattr(stream, "channels", None) or self.channels)
        self._rate = rate
        self.device_format = (rate, channels)
        self.writer.formats[self._session] = (rate, channels)
        self._stream = stream
        stream.start()

    def _watch(self) -> None:
        try:
            while not self._stop.is_set():
                stream = self._stream
                if self._max_reached:
                    _wait_inactive(stream, self._stop)
                    break
                lost = stream is None or not _active(stream) or \
                    (time.monotonic() - self._last_callback > self.stall_seconds)
                if lost and not self._stop.is_set() and not self._max_reached:
                    self._lose_device()
                    self._reconnect_loop()
                    continue
                self._stop.wait(0.05)
        finally:
            self._close_stream()
            self._put_stop(("stop", self._session, self._session_frames))
            self.writer.join()
            self.stats.finished = True
            self._done.set()

    def _put_stop(self, item: tuple) -> None:
        """The end of the capture into the queue; never waits on a writer that has ended."""
        while self.writer.is_alive():
            try:
                self.q.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _lose_device(self) -> None:
        self.stats.device_lost = True
        self.stats.losses += 1
        at = self.now()
        self._close_stream()
        self.q.put(("lost", self._session, self._session_frames))
        self.writer.events.put({"kind": "device_lost", "at": at})

    def _reconnect_loop(self) -> None:
        while not self._stop.wait(self.retry_seconds):
            try:
                device = self.backend.reconnect(self.device)
                self._open_session(device)
            except Exception:
                continue
            self.stats.device_lost = False
            self.writer.events.put({"kind": "device_back", "at": self.sessions[self._session]})
            return

    def _close_stream(self) -> None:
        s, self._stream = self._stream, None
        if s is None:
            return
        for name in ("abort", "close"):
            try:
                getattr(s, name)()
            except Exception:
                pass

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._done.wait(timeout)

    def wait(self, timeout: Optional[float] = None) -> bool:
        return self._done.wait(timeout)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    # -- for the UI -------------------------------------------------------------------
    def now(self) -> datetime:
        """Audio clock: the wall-clock time of the latest captured frame."""
        start = self.sessions.get(self._session)
        if start is None:
            return self.clock()
        return start + timedelta(seconds=self._session_frames / self._rate)

    def personal_start(self, code: str, guid: str, at: Optional[datetime] = None) -> datetime:
        at = at or self.now()
        self.writer.command(PersonalCommand("start", at, code, guid))
        return at

    def personal_stop(self, at: Optional[datetime] = None) -> datetime:
        at = at or self.now()
        self.writer.command(PersonalCommand("stop", at))
        return at

    def events(self) -> list[dict]:
        out = []
        while True:
            try:
                out.append(self.writer.events.get_nowait())
            except queue.Empty:
                return out


def _active(stream) -> bool:
    try:
        return bool(stream.active)
    except Exception:
        return False


def _wait_inactive(stream, stop: threading.Event) -> None:
    while stream is not None and _active(stream) and not stop.is_set():
        time.sleep(0.01)

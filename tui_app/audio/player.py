"""Playing one answer through PortAudio: play/pause, seek, speed without pitch, a level.

`Player` holds the samples of a clip (int16, mono) and plays them on the default output
through an `OutputStream` whose callback copies the next block (or a WSOLA block at another
speed, audio/tempo.py). Pause stops the stream (nothing is written while paused; the ALSA
file plugin of the tests records exactly what was played). The stream is primed from the
callback, so the first buffer played is the clip's, not PortAudio's silence.

No output device: `Player.open()` raises AudioUnavailable(NO_OUTPUT); the caller (the
listening station) says so and the expert still scores.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Optional

import numpy as np

from . import devices as devlib
from .devices import NO_OUTPUT, AudioUnavailable
from .tempo import MAX_SPEED, MIN_SPEED, Wsola

BLOCK = 1024
SPEEDS = (0.75, 1.0, 1.25, 1.5)


def _db(x: float) -> float:
    return 20 * np.log10(x / 32768.0) if x > 0 else -100.0


class SoundDeviceOutput:
    """The player's stream backend over PortAudio (tests may give another)."""

    def __init__(self) -> None:
        self.sd = devlib.sounddevice()
        self.callback_stop = self.sd.CallbackStop

    def has_output(self) -> bool:
        return devlib.has_output()

    def open(self, samplerate: int, channels: int, blocksize: int, callback: Callable,
             finished: Callable) -> Any:
        try:
            return self.sd.OutputStream(samplerate=samplerate, channels=channels, dtype="int16",
                                        blocksize=blocksize, callback=callback,
                                        finished_callback=finished,
                                        prime_output_buffers_using_stream_callback=True)
        except Exception as e:
            raise AudioUnavailable(f"{NO_OUTPUT} ({e})") from e


BACKEND_FACTORY: Callable[[], Any] = lambda: SoundDeviceOutput()  # noqa: E731


class Player:
    def __init__(self, samples: np.ndarray, samplerate: int, backend: Any = None) -> None:
        x = np.asarray(samples)
        if x.ndim == 2:
            x = x.mean(axis=1).astype(np.int16) if x.shape[1] > 1 else x[:, 0]
        self.x = np.ascontiguousarray(x, dtype=np.int16)
        self.sr = int(samplerate)
        self._backend = backend
        self._stream: Any = None
        self._lock = threading.Lock()
        self._pos = 0  # next input frame at 1×
        self._tsm: Optional[Wsola] = None
        self.speed = 1.0
        self.playing = False
        self.rms_db = -100.0
        self.peak_db = -100.0
        self.played_frames = 0  # frames handed to PortAudio (all speeds)

    # -- the device ------------------------------------------------------------------------
    def open(self) -> None:
        """Open the default output (paused). AudioUnavailable when there is none."""
        if self._stream is not None:
            return
        backend = self._backend or BACKEND_FACTORY()
        if not backend.has_output():
            raise AudioUnavailable(NO_OUTPUT)
        self._backend = backend
        self._stream = backend.open(self.sr, 1, BLOCK, self._callback, self._finished)

    @property
    def available(self) -> bool:
        return self._stream is not None

    def close(self) -> None:
        s, self._stream = self._stream, None
        self.playing = False
        if s is not None:
            try:
                s.abort()
            except Exception:
                pass
            try:
                s.close()
            except Exception:
                pass

    # -- the clock ---------------------------------------------------------------------
    @property
    def duration(self) -> float:
        return len(self.x) / self.sr

    @property
    def position(self) -> float:
        with self._lock:
            frames = self._tsm.position if self._tsm is not None else self._pos
        return min(len(self.x), frames) / self.sr

    @property
    def at_end(self) -> bool:
        with self._lock:
            return self._pos >= len(self.x) if self._tsm is None else self._tsm.done

    # -- keys ----------------------------------------------------------------------------
    def play(self) -> None:
        if self._stream is None:
            raise AudioUnavailable(NO_OUTPUT)
        if self.at_end:
            self.seek(0.0)
        if self.playing:
            return
        self.playing = True
        if not self._stream.stopped:  # a stream that ran to its end is stopped first
            self._stream.stop()
        self._stream.start()

    def pause(self) -> None:
        if not self.playing:
            return
        self.playing = False
        if self._stream is not None:
            self._stream.stop()  # what was handed to the device plays out; nothing more
        self.rms_db = self.peak_db = -100.0

    def toggle(self) -> bool:
        """Play or pause; True when it plays now."""
        if self.playing:
            self.pause()
        else:
            self.play()
        return self.playing

    def seek(self, seconds: float) -> float:
        frame = int(round(max(0.0, min(self.duration, seconds)) * self.sr))
        with self._lock:
            self._pos = frame
            self._tsm = Wsola(self.x, self.sr, self.speed, frame) if self.speed != 1.0 else None
        return frame / self.sr

    def skip(self, delta: float) -> float:
        return self.seek(self.position + delta)

    def set_speed(self, speed: float) -> float:
        speed = float(min(MAX_SPEED, max(MIN_SPEED, speed)))
        at = self.position
        self.speed = speed
        self.seek(at)
        return speed

    def faster(self) -> float:
        bigger = [s for s in SPEEDS if s > self.speed + 1e-9]
        return self.set_speed(bigger[0] if bigger else SPEEDS[-1])

    def slower(self) -> float:
        smaller = [s for s in SPEEDS if s < self.speed - 1e-9]
        return self.set_speed(smaller[-1] if smaller else SPEEDS[0])

    # -- the stream's thread -----------------------------------------------------------
    def next_block(self, frames: int) -> tuple[np.ndarray, bool]:
        """The next `frames` samples to play and whether the clip ended within them."""
        with self._lock:
            if self._tsm is None:
                block = self.x[self._pos:self._pos + frames]
                self._pos += len(block)
                end = self._pos >= len(self.x)
            else:
                y = self._tsm.read(frames)
                block = np.clip(np.round(y), -32768, 32767).astype(np.int16)
                self._pos = self._tsm.position
                end = self._tsm.done
        return block, end

    def _callback(self, outdata, frames, time, status) -> None:  # noqa: ARG002 - PortAudio's
        if not self.playing:
            outdata.fill(0)
            return
        block, end = self.next_block(frames)
        n = len(block)
        outdata[:n, 0] = block
        if n < frames:
            outdata[n:].fill(0)
        self.played_frames += n
        if n:
            f = block.astype(np.float32)
            self.rms_db = _db(float(np.sqrt(np.mean(f * f))))
            self.peak_db = _db(float(np.max(np.abs(f))))
        if end:
            self.playing = False
            raise self._backend.callback_stop

    def _finished(self) -> None:
        self.playing = False
        self.rms_db = self.peak_db = -100.0

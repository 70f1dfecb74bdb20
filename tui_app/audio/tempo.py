"""Tempo without pitch: WSOLA (waveform-similarity overlap-add), streaming, numpy only.

The listening station plays a recording at 0.75–1.5× while the voice keeps its pitch. No
library of the project does this (libsndfile and PortAudio only read and play; Rubber Band
would need a new binary dependency), so this is the classic time-domain method for speech:
the output is built from 48 ms windows of the input laid at a fixed output hop with 50 %
overlap; each window is taken from near its nominal place in the input (hop × speed), shifted
by up to ±10 ms to where it best continues the previous one (cross-correlation), so no
period is doubled or cut. Speech stays clear at these speeds; music would smear a little.
"""
from __future__ import annotations

import numpy as np

MIN_SPEED = 0.75
MAX_SPEED = 1.5


class Wsola:
    """Pull-based: `read(n)` returns the next n output samples (float32) from `samples`
    (mono) starting at `start`; `position` is the input frame the output has reached."""

    def __init__(self, samples: np.ndarray, samplerate: int, speed: float, start: int = 0) -> None:
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"speed {speed} out of {MIN_SPEED}..{MAX_SPEED}")
        self.x = samples
        self.speed = float(speed)
        self.n = max(64, int(round(samplerate * 0.048)) // 2 * 2)  # window
        self.hop = self.n // 2  # output hop
        self.tol = int(round(samplerate * 0.010))  # search ±10 ms
        self.win = np.hanning(self.n + 1)[:-1].astype(np.float32)  # periodic: sums to 1 at n/2
        self.ana = float(start)  # nominal input place of the next window
        self.prev = None  # input start of the previous window
        self.acc = np.zeros(self.n, dtype=np.float32)  # overlap-add accumulator
        self.out = np.zeros(0, dtype=np.float32)
        self.first = True

    @property
    def position(self) -> int:
        """The input frame that corresponds to what has been read (for the clock on screen)."""
        pending = len(self.out) + (0 if self.first else self.hop)
        return max(0, int(self.ana - pending * self.speed))

    @property
    def done(self) -> bool:
        return int(self.ana) >= len(self.x) and not len(self.out)

    def _frame(self, at: int) -> np.ndarray:
        seg = self.x[max(0, at):max(0, at) + self.n].astype(np.float32)
        if len(seg) < self.n:
            seg = np.pad(seg, (0, self.n - len(seg)))
        return seg

    def _step(self) -> None:
        nominal = int(round(self.ana))
        at = nominal
        if self.prev is not None:
            # the natural continuation of the previous window, and the candidates around
            # the nominal place: take the candidate most like it
            target = self._frame(self.prev + self.hop)
            lo = max(0, nominal - self.tol)
            region = self.x[lo:lo + self.n + 2 * self.tol].astype(np.float32)
            if len(region) >= self.n + 1 and np.any(target):
                corr = np.correlate(region, target, mode="valid")
                at = lo + int(np.argmax(corr))
        frame = self._frame(at) * self.win
        self.acc += frame
        self.out = np.concatenate([self.out, self.acc[:self.hop]])
        self.acc = np.concatenate([self.acc[self.hop:], np.zeros(self.hop, dtype=np.float32)])
        self.prev = at
        self.ana += self.hop * self.speed
        self.first = False

    def read(self, count: int) -> np.ndarray:
        while len(self.out) < count and int(self.ana) < len(self.x):
            self._step()
        got, self.out = self.out[:count], self.out[count:]
        return got


def stretch(samples: np.ndarray, samplerate: int, speed: float) -> np.ndarray:
    """The whole of `samples` at `speed` (int16 in, int16 out): about len / speed frames."""
    w = Wsola(samples, samplerate, speed)
    parts = []
    while True:
        got = w.read(samplerate)
        if not len(got):
            break
        parts.append(got)
    y = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return np.clip(np.round(y), -32768, 32767).astype(np.int16)

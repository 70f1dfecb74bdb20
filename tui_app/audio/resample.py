"""Sample-rate conversion for a microphone that will not run at 16 kHz (Windows WASAPI in
shared mode runs at the mixer's rate, 44.1 or 48 kHz; some ALSA hardware only does 48 kHz).

A streaming polyphase windowed-sinc resampler for any rational ratio, in numpy (no new
dependency: python-soxr has no current 32-bit Windows wheel). Output frame n is the signal
at input time n·rate_in/rate_out exactly (a centred, linear-phase filter: no delay), so the
recording's timeline stays true; after `final=True` a stream of N input frames gave exactly
ceil(N·rate_out/rate_in) output frames. Pass band to 0.92 of the output's Nyquist (7.36 kHz
at 16 kHz: above speech), Kaiser window β=8.6 (stop band ≈ −80 dB).
"""
from __future__ import annotations

from math import gcd

import numpy as np

ZERO_CROSSINGS = 16
PASS = 0.92
BETA = 8.6


class Resampler:
    def __init__(self, rate_in: int, rate_out: int) -> None:
        g = gcd(int(rate_in), int(rate_out))
        self.up, self.down = int(rate_out) // g, int(rate_in) // g
        fc = 0.5 * min(1.0, self.up / self.down) * PASS  # cycles per input sample
        self.half = int(np.ceil(ZERO_CROSSINGS / (2 * fc)))
        k = 2 * self.half
        r = np.arange(self.up)[:, None] / self.up
        d = r + self.half - 1 - np.arange(k)[None, :]  # input offsets of the taps, per phase
        w = np.kaiser(2 * self.half + 1, BETA)
        win = np.interp(d, np.arange(-self.half, self.half + 1), w, left=0.0, right=0.0)
        table = 2 * fc * np.sinc(2 * fc * d) * win
        self.table = table / table.sum(axis=1, keepdims=True)  # unity gain at DC, every phase
        self.buf = np.zeros(self.half, dtype=np.float64)  # input before t=0 is silence
        self.buf_start = -self.half  # input index of buf[0]
        self.total_in = 0
        self.n_out = 0

    def process(self, x: np.ndarray, final: bool = False) -> np.ndarray:
        """Feed input samples (1-D float); get every output sample that is now determined."""
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        self.buf = np.concatenate([self.buf, x])
        self.total_in += len(x)
        if final:
            end = -(-self.total_in * self.up // self.down)  # ceil
            self.buf = np.concatenate([self.buf, np.zeros(self.half + 1)])
        else:  # output n needs input up to (n·down)//up + half
            end = max(self.n_out, ((self.total_in - self.half) * self.up) // self.down)
            while end > self.n_out and ((end - 1) * self.down) // self.up + self.half >= self.total_in:
                end -= 1
        if end <= self.n_out:
            return np.zeros(0)
        n = np.arange(self.n_out, end, dtype=np.int64)
        q, r = (n * self.down) // self.up, (n * self.down) % self.up
        idx = (q + 1 - self.half - self.buf_start)[:, None] + np.arange(2 * self.half)[None, :]
        y = np.einsum("ij,ij->i", self.buf[idx], self.table[r])
        self.n_out = end
        keep = (self.n_out * self.down) // self.up + 1 - self.half - self.buf_start
        if keep > 0:
            self.buf = self.buf[keep:]
            self.buf_start += keep
        return y


def to_int16(y: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(y), -32768, 32767).astype(np.int16)


def mono(block: np.ndarray) -> np.ndarray:
    """A block of int16 frames (n, channels) as one float channel (the mean of the channels)."""
    a = np.asarray(block)
    if a.ndim == 1:
        return a.astype(np.float64)
    return a.astype(np.float64).mean(axis=1)

"""Signal measurements: the test-recording verdict and the live level meter.

Pure numpy. Samples are int16 (or float in [-1, 1]); levels are dBFS (0 = full scale).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

FLOOR_DB = -100.0  # what digital silence reads as
FRAME_SECONDS = 0.02  # 20 ms analysis frames
CLIP_LEVEL = 32700 / 32768  # |sample| at or above this is "at full scale"

# verdict thresholds (documented in docs/audio.md)
CLIP_RATIO_MAX = 0.001  # more than 0.1 % of samples at full scale -> clipping
ACTIVE_MIN_DB = -40.0  # the loud parts (95th percentile of frames) must reach this
NOISE_FLOOR_MAX_DB = -45.0  # the quiet parts (10th percentile) must stay below this
SNR_MIN_DB = 12.0  # loud parts must stand this far above the quiet parts

# live warnings
SILENCE_DB = -55.0  # a block quieter than this counts as silence
SILENCE_WARN_SECONDS = 30.0


class Verdict(str, Enum):
    GOOD = "good"
    QUIET = "quiet"
    CLIPPING = "clipping"
    NOISY = "noisy"

    @property
    def label(self) -> str:
        return {
            "good": "хорошо",
            "quiet": "слишком тихо",
            "clipping": "перегрузка (искажения)",
            "noisy": "шумно",
        }[self.value]

    @property
    def advice(self) -> str:
        return {
            "good": "Запись пригодна: голоса слышны отчётливо, посторонних шумов нет.",
            "quiet": "Голос почти не слышен: поднесите микрофон ближе, проверьте, что он "
                     "включён, или увеличьте уровень записи в настройках звука; повторите проверку.",
            "clipping": "Звук слишком громкий и искажается: уменьшите уровень записи или "
                        "отодвиньте микрофон; повторите проверку.",
            "noisy": "Слишком много постороннего шума (гул, шипение, шум из коридора): "
                     "устраните источник или смените микрофон; повторите проверку.",
        }[self.value]


def to_float(samples: np.ndarray) -> np.ndarray:
    a = np.asarray(samples)
    scale = 32768.0 if a.dtype == np.int16 else 1.0
    if a.ndim > 1:
        a = a[:, 0] if a.shape[1] == 1 else a.mean(axis=1)
    return a.astype(np.float64) / scale


def db(value: float) -> float:
    if value <= 0:
        return FLOOR_DB
    return max(FLOOR_DB, 20.0 * float(np.log10(value)))


def frame_levels(x: np.ndarray, samplerate: int) -> np.ndarray:
    """RMS dBFS of consecutive 20 ms frames."""
    n = max(1, int(samplerate * FRAME_SECONDS))
    k = len(x) // n
    if k == 0:
        return np.array([db(float(np.sqrt(np.mean(x ** 2)))) if len(x) else FLOOR_DB])
    frames = x[: k * n].reshape(k, n)
    ms = np.mean(frames ** 2, axis=1)
    with np.errstate(divide="ignore"):
        out = 10.0 * np.log10(ms)
    return np.maximum(out, FLOOR_DB)


@dataclass
class Analysis:
    verdict: Verdict
    seconds: float
    rms_db: float
    peak_db: float
    noise_floor_db: float  # 10th percentile of 20 ms frame levels: the quiet parts
    active_db: float  # 95th percentile: the loud parts (voice)
    snr_db: float
    clip_ratio: float
    reasons: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"Итог: {self.verdict.label.upper()}",
            f"Длительность: {self.seconds:.1f} с",
            f"Средний уровень (RMS): {self.rms_db:.1f} дБFS",
            f"Пик: {self.peak_db:.1f} дБFS",
            f"Уровень голоса (громкие места): {self.active_db:.1f} дБFS",
            f"Фоновый шум (тихие места): {self.noise_floor_db:.1f} дБFS",
            f"Запас голоса над шумом: {self.snr_db:.1f} дБ",
            f"Отсчётов на пределе (клиппинг): {self.clip_ratio * 100:.2f} %",
            *self.reasons,
            self.verdict.advice,
        ]

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict.value, "seconds": round(self.seconds, 3),
            "rms_db": round(self.rms_db, 2), "peak_db": round(self.peak_db, 2),
            "noise_floor_db": round(self.noise_floor_db, 2), "active_db": round(self.active_db, 2),
            "snr_db": round(self.snr_db, 2), "clip_ratio": round(self.clip_ratio, 6),
        }


def analyze(samples: np.ndarray, samplerate: int) -> Analysis:
    x = to_float(samples)
    seconds = len(x) / samplerate if samplerate else 0.0
    if len(x) == 0:
        return Analysis(Verdict.QUIET, 0.0, FLOOR_DB, FLOOR_DB, FLOOR_DB, FLOOR_DB, 0.0, 0.0,
                        ["Запись пустая: с устройства не пришло ни одного отсчёта."])
    rms = db(float(np.sqrt(np.mean(x ** 2))))
    peak = db(float(np.max(np.abs(x))))
    clip_ratio = float(np.mean(np.abs(x) >= CLIP_LEVEL))
    levels = frame_levels(x, samplerate)
    noise = float(np.percentile(levels, 10))
    active = float(np.percentile(levels, 95))
    snr = active - noise
    reasons: list[str] = []
    if clip_ratio > CLIP_RATIO_MAX:
        verdict = Verdict.CLIPPING
        reasons.append(f"Больше {CLIP_RATIO_MAX * 100:.1f} % отсчётов на пределе шкалы.")
    elif active < ACTIVE_MIN_DB:
        verdict = Verdict.QUIET
        reasons.append(f"Громкие места тише {ACTIVE_MIN_DB:.0f} дБFS.")
    elif noise > NOISE_FLOOR_MAX_DB or snr < SNR_MIN_DB:
        verdict = Verdict.NOISY
        if noise > NOISE_FLOOR_MAX_DB:
            reasons.append(f"В паузах шум громче {NOISE_FLOOR_MAX_DB:.0f} дБFS.")
        if snr < SNR_MIN_DB:
            reasons.append(f"Голос выше шума меньше чем на {SNR_MIN_DB:.0f} дБ.")
    else:
        verdict = Verdict.GOOD
    return Analysis(verdict, seconds, rms, peak, noise, active, snr, clip_ratio, reasons)


class LevelMeter:
    """Live level of the incoming blocks, updated by the writer thread, read by the UI.

    Plain attributes (floats/ints): a reader sees a consistent-enough snapshot without locks.
    Time is audio time (frames / samplerate), so warnings work the same on a fast test source.
    """

    def __init__(self, samplerate: int, clip_hold_seconds: float = 3.0) -> None:
        self.samplerate = samplerate
        self.rms_db = FLOOR_DB
        self.peak_db = FLOOR_DB
        self.frames = 0
        self.silent_frames = 0  # consecutive frames below SILENCE_DB
        self.clipped_blocks = 0
        self._last_clip_frame = -10 ** 12
        self._clip_hold = int(clip_hold_seconds * samplerate)

    def update(self, block: np.ndarray) -> None:
        n = len(block)
        if n == 0:
            return
        if block.dtype == np.int16:  # the hot path: one dot product, no float64 copies
            x = block.reshape(-1).astype(np.float32)
            rms = db(float(np.sqrt(np.dot(x, x) / x.size)) / 32768.0)
            peak_abs = max(int(block.max()), -int(block.min())) / 32768.0
        else:
            x = to_float(block)
            rms = db(float(np.sqrt(np.mean(x ** 2))))
            peak_abs = float(np.max(np.abs(x)))
        self.rms_db = rms
        self.peak_db = db(peak_abs)
        if rms < SILENCE_DB:
            self.silent_frames += n
        else:
            self.silent_frames = 0
        if peak_abs >= CLIP_LEVEL:
            self.clipped_blocks += 1
            self._last_clip_frame = self.frames
        self.frames += n

    @property
    def silent_seconds(self) -> float:
        return self.silent_frames / self.samplerate

    @property
    def clipping_now(self) -> bool:
        return self.frames - self._last_clip_frame <= self._clip_hold

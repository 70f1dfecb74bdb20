"""ALSA's file plugin as the microphone (TESTING.md): a HOME folder whose .asoundrc makes
PortAudio's default input read `in.raw`; speech-like test signals."""
from __future__ import annotations

from pathlib import Path

import numpy as np

SR = 16000
ASOUNDRC = """pcm.!default {{ type plug slave.pcm "filein" }}
pcm.filein {{ type file slave.pcm "nullsink" file "/dev/null" infile "{raw}" format "raw" }}
pcm.nullsink {{ type null }}
"""


def alsa_home(folder: Path, samples: np.ndarray) -> Path:
    """Make folder a HOME in which PortAudio records `samples` (16-bit) from the default device."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = folder / "in.raw"
    samples.astype("<i2").tofile(raw)
    (folder / ".asoundrc").write_text(ASOUNDRC.format(raw=raw))
    return folder


def words(seconds: float = 6.0) -> np.ndarray:
    """Speech-like: 0.25 s tone bursts with pauses."""
    t = np.arange(int(seconds * SR)) / SR
    on = (np.arange(len(t)) // 4000) % 2 == 0
    return (9000 * np.sin(2 * np.pi * 220 * t) * on).astype(np.int16)

"""Recording onto a full disk (issue 15): a real small file system (tmpfs of a few MB, as
TESTING.md shows; needs root, as CI has) holds the workspace; the product's `record` runs
through real PortAudio (ALSA file plugin, unclocked: a minute of audio in a second).

- too little space to start: refused with «нужно N МБ, свободно M МБ», nothing written;
- the disk fills during the recording: «Диск заполнен: запись остановлена», never
  «AssertionError» nor a traceback; everything written before is readable; no 0-byte file.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from support import audio_kills as kh

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                                 reason="mounts a tmpfs (root, Linux)")]


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(disk: Path, leave: int) -> None:
    """Fill the disk until `leave` bytes are free."""
    free = shutil.disk_usage(disk).free
    with open(disk / "filler.bin", "wb") as f:
        f.write(b"\0" * max(0, free - leave))
        f.flush()
        os.fsync(f.fileno())


def _record(ws: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui_app", "-w", str(ws), "record", "--room", "101",
                           *args], cwd=kh.ROOT, env=kh.env_for(home, None), capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_disk_fills_during_recording_russian_message_audio_kept(tmp_path, small_disk, fmt,
                                                                 _demo_template):
    ws = Path(shutil.copytree(_demo_template[1], small_disk / "ws", ignore=shutil.ignore_patterns(".lock")))
    x = kh.signal_for(120, seed=3)
    home = kh.alsa_home(tmp_path / "home", x)
    _fill(small_disk, 3 * 1024 * 1024)  # 3 MB: enough to start a 20 s part, ~90 s of WAV
    r = _record(ws, home, "--seconds", "110", "--segment", "20", "--format", fmt)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "Диск заполнен: запись остановлена" in out
    assert "AssertionError" not in out and "Traceback" not in out and "cffi" not in out
    folder = kh.room_dir(ws)
    files = [f for f in folder.rglob("*") if f.is_file()]
    assert not [f.name for f in files if f.stat().st_size == 0]
    # what was written before the disk filled is audio a reader opens, from the start
    from tui_app.audio.segments import Manifest

    segs = Manifest(next(folder.glob("*_stream.json"))).refreshed()
    got = np.concatenate([sf.read(str(folder / s.file), dtype="int16")[0] for s in segs])
    assert len(got) > 30 * kh.SR
    # the source is unclocked (a minute in a second): under load the queue may overflow and
    # blocks come back as silence, so only the start is compared sample for sample
    assert np.array_equal(got[:5 * kh.SR], x[:5 * kh.SR])

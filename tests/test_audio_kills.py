"""Crash-safe MP3 (issue 15): the product's `record` through REAL PortAudio, fed by ALSA's
file plugin paced to real time by an LD_PRELOAD shim, killed at random moments — 6 batches
of 5 concurrent recordings = 30 kills. After each kill: no 0-byte file; everything our reader
sees at once (before any recovery) is the source's samples; recovery leaves only complete
MP3s that an ordinary player (ffmpeg) decodes; at most DEFAULT_FLUSH_SECONDS of audio is
lost even by the power-cut bound; `clip` cuts the ИС-02 times out of the recovered audio.

The figure: `python bench/audio.py --kills 30` (or `pytest tests/test_audio_kills.py -s -p
no:xdist`) prints "seconds lost at most" over the kills."""
from __future__ import annotations

import random
import shutil
import sys
import time
from pathlib import Path

import pytest

from tui_app.audio.segments import DEFAULT_FLUSH_SECONDS, mp3_available

from support import audio_kills as kh

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ALSA, /proc"),
              pytest.mark.skipif(not mp3_available(), reason="libsndfile without MP3")]

BATCHES = 6
PER_BATCH = 5


@pytest.fixture(scope="session")
def shim(tmp_path_factory):
    return kh.build_shim(tmp_path_factory.mktemp("pace"))


def _workspace(tmp_path: Path, template: Path, i: int) -> Path:
    return Path(shutil.copytree(template, tmp_path / f"ws{i}", ignore=shutil.ignore_patterns(".lock")))


@pytest.mark.parametrize("batch", range(BATCHES))
def test_mp3_killed_at_random_moments_loses_at_most_the_flush_interval(tmp_path, shim, batch,
                                                                       _demo_template):
    rnd = random.Random(1000 + batch)
    runs = []
    for i in range(PER_BATCH):
        x = kh.signal_for(90, seed=batch * PER_BATCH + i)  # longer than any run
        home = kh.alsa_home(tmp_path / f"home{i}", x)
        ws = _workspace(tmp_path, _demo_template[1], i)
        p = kh.start_record(ws, home, shim, segment=3.0)
        runs.append((p, home / "in.raw", ws, x, rnd.uniform(0.4, 11.0)))
    killed = []
    try:
        for p, raw, ws, x, _ in runs:
            assert kh.wait_recording(p, raw), p.stderr.read() if p.poll() is not None else "no audio"
        t0 = time.monotonic()
        for p, raw, ws, x, delay in sorted(runs, key=lambda r: r[4]):  # all killed first…
            time.sleep(max(0.0, t0 + delay - time.monotonic()))
            killed.append((ws, x, kh.kill_now(p, raw), delay))
    finally:
        for p, *_ in runs:
            if p.poll() is None:
                p.kill()
                p.wait()
    results = [(kh.examine(ws, x, delivered), delay) for ws, x, delivered, delay in killed]  # …then looked at
    for r, delay in results:
        where = f"killed after {delay:.2f} s ({r.delivered:.2f} s delivered)"
        assert not r.zero_byte, where
        assert r.journals_exact, where  # what a reader sees at once is the source itself
        assert not r.notes, (where, r.notes)
        assert r.lost_power <= DEFAULT_FLUSH_SECONDS + 0.25, where
        assert r.lost_kill <= r.lost_power + 0.01, where  # recovery never reads less than the headers
        if r.players_ok is not None:
            assert r.players_ok, where
        if r.delivered >= 4:
            assert r.clip_ok, where
    print("\n" + kh.summary([r for r, _ in results]))


def test_cli_clip_and_recovery_after_a_kill(tmp_path, shim, _demo_template):
    """The same through the commands a technician types: record, kill, `audio-recover`,
    then `clip` by the ИС-02 times."""
    import subprocess

    import soundfile as sf

    from tui_app.domain.models import RoomLogEntry
    from tui_app.store.workspace import Workspace

    x = kh.signal_for(30, seed=77)
    home = kh.alsa_home(tmp_path / "home", x)
    ws = _workspace(tmp_path, _demo_template[1], 0)
    p = kh.start_record(ws, home, shim, segment=600.0)  # one open segment: the worst case
    assert kh.wait_recording(p, home / "in.raw")
    time.sleep(6.5)
    delivered = kh.kill_now(p, home / "in.raw")
    folder = kh.room_dir(ws)
    assert list(folder.glob("*.rec.wav")) and not list(folder.glob("*.mp3"))

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "tui_app", "-w", str(ws), *args], cwd=kh.ROOT,
                              env=kh.env_for(home, None), capture_output=True, text=True, timeout=120)

    r = cli("audio-recover")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Восстановлено частей записи: 1" in r.stdout
    (mp3,) = folder.glob("*_001_*.mp3")
    assert not list(folder.glob("*.rec.wav"))
    got = sf.info(str(mp3)).frames / kh.SR
    assert delivered - 0.5 <= got <= delivered + 0.01
    start = sf.info(str(mp3))  # the segment's first frame is in its name; ИС-02 times inside it
    from datetime import datetime, timedelta

    from tui_app.audio.segments import Manifest

    seg = Manifest(next(folder.glob("*_stream.json"))).refreshed()[0]
    a = (seg.start_dt + timedelta(seconds=2)).replace(microsecond=0)
    b = a + timedelta(seconds=3)
    with Workspace.open(ws, snapshot=False) as w:
        part = next(q for q in w.store.participants() if q.room == "101" and q.code)
        w.store.put(RoomLogEntry(participant=part.guid, room="101", start=a.time(), end=b.time()))
    r = cli("clip", "--participant", part.code)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "3.0 с" in r.stdout and "Внимание" not in r.stderr
    del start, datetime

"""Audio through REAL PortAudio fed by ALSA's file plugin (TESTING.md): each capture runs in
a subprocess whose HOME holds the .asoundrc and in.raw. The null device is not clocked, so
seconds of audio take milliseconds."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime, time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from support import FIXTURES, ROOT
from support.audio import SR, alsa_home
from support.cli import run_cli, run_python
from tui_app.domain.models import RoomLogEntry
from tui_app.store.workspace import Workspace

pytestmark = pytest.mark.slow
DRIVERS = FIXTURES / "audio"


def home_env(home: Path) -> dict:
    """The environment of a capture subprocess: HOME holds the .asoundrc and in.raw."""
    return {"HOME": str(home), "PYTHONPATH": str(ROOT)}


def known(seconds: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-12000, 12000, int(seconds * SR), dtype=np.int16)


def segments_of(ws: Path, room: str, ext: str) -> list[Path]:
    (folder,) = (ws / "audio").glob(f"*_aud{room}")
    return sorted(folder.glob(f"*_[0-9][0-9][0-9]_*.{ext}"))


def test_record_wav_segmented_bit_exact(tmp_path, demo_results_dir):
    x = known(9.3)
    home = alsa_home(tmp_path / "home", x)
    r = run_cli("record", "--room", "101", "--seconds", "9.3", "--segment", "4",
                "--format", "wav", ws=demo_results_dir, env=home_env(home))
    assert r.returncode == 0, r.stderr
    assert "Записано: 00:00:09 в 3 файл(ах)" in r.stdout
    files = segments_of(demo_results_dir, "101", "wav")
    assert [f.name[:30] for f in files] == ["2027-02-10_OO470123_aud101_001"[:30],
                                            "2027-02-10_OO470123_aud101_002"[:30],
                                            "2027-02-10_OO470123_aud101_003"[:30]]
    assert [sf.info(str(f)).frames for f in files] == [4 * SR, 4 * SR, len(x) - 8 * SR]
    y = np.concatenate([sf.read(str(f), dtype="int16")[0] for f in files])
    assert np.array_equal(y, x)  # bit-exact through PortAudio, the queue, the writer, the files
    assert "Traceback" not in r.stderr


def test_record_mp3_duration_and_content(tmp_path, demo_results_dir):
    t = np.arange(int(7.5 * SR)) / SR
    x = (9000 * np.sin(2 * np.pi * 250 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * t))).astype(np.int16)
    home = alsa_home(tmp_path / "home", x)
    r = run_cli("record", "--room", "102", "--seconds", "7.5", "--segment", "3",
                ws=demo_results_dir, env=home_env(home))
    assert r.returncode == 0, r.stderr
    files = segments_of(demo_results_dir, "102", "mp3")
    assert len(files) == 3
    assert sum(sf.info(str(f)).frames for f in files) == len(x)  # duration exact
    y = np.concatenate([sf.read(str(f), dtype="int16")[0] for f in files]).astype(float)
    xf = x.astype(float)
    assert np.corrcoef(xf, y)[0, 1] > 0.98
    assert abs(np.sum(y ** 2) / np.sum(xf ** 2) - 1) < 0.05  # energy
    assert sum(f.stat().st_size for f in files) < len(x) * 2 / 5  # much smaller than WAV


def _speech(folder: Path) -> np.ndarray:
    text = "Иванов Иван Иванович, вариант номер три. Задание первое: чтение текста вслух."
    raw = folder / "speech.raw"
    folder.mkdir(parents=True, exist_ok=True)
    esp = subprocess.run(["espeak-ng", "-v", "ru", "--stdout", text], capture_output=True, check=True)
    subprocess.run(["sox", "-", "-t", "raw", "-r", "16000", "-c", "1", "-e", "signed", "-b", "16",
                    str(raw)], input=esp.stdout, check=True, capture_output=True)
    return np.fromfile(raw, "<i2")


def _signal(kind: str, folder: Path) -> np.ndarray:
    n = 4 * SR
    if kind == "silence":
        return np.zeros(n, np.int16)
    if kind == "clipped":
        t = np.arange(n) / SR
        return np.clip(2.5 * 32767 * np.sin(2 * np.pi * 440 * t), -32768, 32767).astype(np.int16)
    if kind == "noise":
        return np.random.default_rng(3).normal(0, 4000, n).astype(np.int16)
    return _speech(folder)


NEEDS_SPEECH = pytest.mark.skipif(not shutil.which("espeak-ng") or not shutil.which("sox"),
                                  reason="espeak-ng/sox")
EXPECTED = {"silence": "quiet", "clipped": "clipping", "noise": "noisy", "speech": "good"}


@NEEDS_SPEECH
def test_audio_test_verdicts_silence_clipped_noise_speech(tmp_path):
    """One HOME, one PCM per signal: `<kind>_<frames>` devices, all through real PortAudio."""
    home = tmp_path / "home"
    home.mkdir()
    rc, names, signals = [], [], {}
    for kind in EXPECTED:
        x = _signal(kind, tmp_path / "gen")
        signals[kind] = x
        raw = home / f"{kind}.raw"
        x.astype("<i2").tofile(raw)
        name = f"{kind}_{len(x)}"  # no dots: they are ALSA config separators
        names.append(name)
        rc.append(f'pcm.{name} {{ type plug slave.pcm {{ type file slave.pcm "nullsink" '
                  f'file "/dev/null" infile "{raw}" format "raw" }} }}')
    rc.append('pcm.nullsink { type null }')
    (home / ".asoundrc").write_text("\n".join(rc) + "\n")
    r = run_python(DRIVERS / "verdict_driver.py", tmp_path / "ws", *names, env=home_env(home))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert {k: v["verdict"] for k, v in out.items()} == EXPECTED
    for kind, v in out.items():
        x = signals[kind]
        assert abs(v["frames"] - len(x)) <= 1
        y = sf.read(v["file"], dtype="int16")[0]
        assert np.array_equal(y, x[: len(y)])  # the verdict judged exactly what was sent
        assert v["ok_setting"] is (kind == "speech")
    assert out["clipped"]["clip_ratio"] > 0.3 and out["silence"]["rms_db"] == -100.0
    assert out["noise"]["snr_db"] < 6 and out["speech"]["snr_db"] > 30


@NEEDS_SPEECH
def test_audio_test_cli_prints_verdict_and_levels(tmp_path):
    x = _speech(tmp_path / "gen")
    home = alsa_home(tmp_path / "home", x)
    r = run_cli("audio-test", "--seconds", f"{len(x) / SR:.4f}", ws=tmp_path / "ws",
                env=home_env(home))
    assert r.returncode == 0, r.stdout + r.stderr
    for text in ("Итог: ХОРОШО", "Средний уровень (RMS)", "Пик:", "Фоновый шум", "клиппинг"):
        assert text in r.stdout
    assert "аудиторий" not in r.stdout  # no rooms yet: nothing to count


@NEEDS_SPEECH
def test_audio_test_cli_counts_the_room(tmp_path, demo_results_dir):
    x = _speech(tmp_path / "gen")
    home = alsa_home(tmp_path / "home", x)
    r = run_cli("audio-test", "--room", "101", "--seconds", f"{len(x) / SR:.4f}",
                ws=demo_results_dir, env=home_env(home))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Проверка записана для аудитории 101. Проверено с выводом «хорошо»: 1 из 4" in r.stdout


def test_personal_recording_times_in_log_and_clip_matches(tmp_path, demo_results_dir):
    w = Workspace.open(demo_results_dir)
    p = next(x for x in w.store.participants() if x.room == "101" and x.code)
    w.store.delete(RoomLogEntry, p.guid)
    w.close()
    x = known(10, 7)
    home = alsa_home(tmp_path / "home", x)
    r = run_python(DRIVERS / "personal_driver.py", demo_results_dir, "101", p.code, "wav", "10", "4",
                   env=home_env(home))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["dropped"] == 0 and out["elapsed"] == 10.0
    assert len(out["segments"]) == 3 and len(out["personal"]) == 1
    personal = Path(out["personal"][0])
    assert f"uch{p.code}" in personal.name and personal.name.startswith("2027-02-10_OO470123_aud101")
    assert np.array_equal(sf.read(str(personal), dtype="int16")[0], x[2 * SR:8 * SR])
    # the ИС-02 log got the start and end
    w = Workspace.open(demo_results_dir)
    try:
        e = w.store.get(RoomLogEntry, p.guid)
        assert (e.room, e.start, e.end) == ("101", time(9, 0, 2), time(9, 0, 8))
    finally:
        w.close()
    markers = json.loads(next((demo_results_dir / "audio").glob("*_aud101/*_markers.json")).read_text())
    assert markers["markers"][0]["code"] == p.code and markers["markers"][0]["end"].endswith("09:00:08.000")
    # the clip by the log's times, cut from the segmented stream (it spans segments 1 and 2)
    r = run_cli("clip", "--participant", p.code, ws=demo_results_dir, env=home_env(home))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "журнал ИС-02" in r.stdout and "09:00:02–09:00:08, 6.0 с" in r.stdout
    (clip,) = (demo_results_dir / "audio" / "clips").glob(f"*uch{p.code}_fragment.wav")
    y = sf.read(str(clip), dtype="int16")[0]
    assert len(y) / SR == (datetime.combine(datetime.today(), e.end)
                           - datetime.combine(datetime.today(), e.start)).total_seconds()
    assert np.array_equal(y, x[2 * SR:8 * SR])


def test_no_input_device_clear_russian_message(tmp_path):
    home = tmp_path / "plainhome"  # no .asoundrc: this machine has no sound card
    home.mkdir()
    r = run_cli("record", "--room", "101", "--oo", "470123", ws=tmp_path / "ws", env=home_env(home))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Нет устройства записи" in r.stderr
    assert "Traceback" not in r.stderr


def test_no_input_device_in_process_real_portaudio(tmp_path, monkeypatch, ws):
    """The same through the service in this process: PortAudio re-initialised with a plain HOME."""
    from tui_app.audio import devices as devlib
    from tui_app.services import audio as svc

    home = tmp_path / "plain"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    devlib.refresh()
    with pytest.raises(devlib.AudioUnavailable, match="Нет устройства записи"):
        svc.run_test_recording(ws.store, 1.0)
    with pytest.raises(devlib.AudioUnavailable, match="Нет устройства записи"):
        svc.RoomRecording(ws.store, "101", oo="470123")
    assert ws.store.settings().audio_test_ok is None


def test_no_portaudio_clear_russian_message(tmp_path):
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")
    r = run_cli("audio-test", ws=tmp_path / "ws",
                env={"HOME": str(tmp_path), "PYTHONPATH": f"{fake}{os.pathsep}{ROOT}"})
    assert r.returncode == 2
    assert "не найдена звуковая библиотека PortAudio" in r.stderr and "Traceback" not in r.stderr

"""Microphones as Windows lists them (issue 14): each physical device once with a sensible
host API, and a WASAPI microphone that refuses 16 kHz recorded at its own rate and
converted. Simulated: `sounddevice` replaced by fake_windows_sd (PortAudio's lists and
WASAPI's refusal as on real Windows 10). Then the conversion path through REAL PortAudio
(ALSA file plugin) on Linux."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from support.audio import alsa_home
from tui_app.audio import devices as devlib
from tui_app.audio.recorder import Recorder
from tui_app.audio.resample import Resampler
from tui_app.audio.segments import SegmentWriter

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "audio"))
import fake_windows_sd  # noqa: E402

SR = 16000
T0 = datetime(2027, 2, 10, 9, 0, 0)


@pytest.fixture
def windows_sd(monkeypatch):
    monkeypatch.setattr(devlib, "_sd", fake_windows_sd)
    fake_windows_sd.opened.clear()
    return fake_windows_sd


def test_each_microphone_once_with_wasapi_and_the_windows_default(windows_sd):
    devs = devlib.input_devices()
    assert [(d.name, d.hostapi, d.index) for d in devs] == [
        ("Микрофон (Realtek High Definition Audio)", "Windows WASAPI", 7),
        ("Микрофон (USB PnP Sound Device)", "Windows WASAPI", 8),
    ]
    realtek, usb = devs
    assert realtek.is_default and not usb.is_default  # WASAPI's default, not MME's sound mapper
    assert dict(realtek.others) == {5: "Windows DirectSound", 1: "MME"}
    assert devlib.resolve(None, devs) is realtek
    # a name remembered from an older version (MME's cut one) still finds the device
    assert devlib.resolve("Микрофон (Realtek High Definiti", devs) is realtek
    assert realtek.matches("Микрофон (Realtek High Definiti")
    # asking for the MME number of the same microphone opens it through MME
    mme = devlib.resolve("1", devs)
    assert (mme.index, mme.hostapi, mme.name) == (1, "MME", realtek.name)


def test_wdm_ks_only_when_nothing_else_has_an_input(windows_sd, monkeypatch):
    only_ks = [d for d in fake_windows_sd.DEVICES if d["hostapi"] == 3]
    monkeypatch.setattr(fake_windows_sd, "DEVICES", only_ks)
    assert [d.hostapi for d in devlib.input_devices()] == ["Windows WDM-KS"]


def test_wasapi_refusing_16k_records_at_48k_stereo_and_converts(windows_sd, tmp_path):
    dev = devlib.input_devices()[0]
    sink = SegmentWriter(tmp_path, "W", "wav", segment_seconds=600)
    rec = Recorder(sink, devlib.SoundDeviceBackend(), device=dev, clock=lambda: T0,
                   max_frames=2 * SR, stall_seconds=5)
    rec.start()
    assert rec.wait(20)
    assert fake_windows_sd.opened == [{"device": 7, "samplerate": 48000, "channels": 1}]
    assert rec.device_format[0] == 48000
    (f,) = tmp_path.glob("W_*.wav")
    info = sf.info(str(f))
    assert (info.samplerate, info.channels) == (SR, 1)
    y = sf.read(str(f), dtype="int16")[0].astype(float)
    assert abs(len(y) - 2 * SR) <= 1
    want = 8000 * np.sin(2 * np.pi * 1000 * np.arange(len(y)) / SR)
    err = y[100:-100] - want[100:-100]
    assert 10 * np.log10(np.mean(want[100:-100] ** 2) / np.mean(err ** 2)) > 40  # a clean 1 kHz
    assert rec.stats.captured_frames == 2 * SR


def test_a_device_refusing_every_format_says_so_in_russian(windows_sd, monkeypatch):
    dev = devlib.input_devices()[1]

    def refuse(**kw):
        raise fake_windows_sd.PortAudioError("Device unavailable [PaErrorCode -9985]")

    monkeypatch.setattr(fake_windows_sd, "check_input_settings", refuse)
    with pytest.raises(devlib.AudioUnavailable, match="Не удалось открыть устройство записи.*испробованы"):
        devlib.SoundDeviceBackend().open(dev, SR, 1, 1600, lambda *a: None)


def test_no_private_sounddevice_api_in_the_program():
    root = Path(__file__).resolve().parents[1] / "tui_app"
    hits = [f"{p}:{i}" for p in root.rglob("*.py")
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if "sd._" in line or "sounddevice._" in line]
    assert hits == []


@pytest.mark.slow
def test_device_at_48k_stereo_through_real_portaudio_converted_to_16k_mono(tmp_path):
    """The ALSA file plugin opened at 48 kHz stereo (as a mixer-rate device would be) by
    real PortAudio; the files are 16 kHz mono and equal the resampled source."""
    rate = 48000
    t = np.arange(int(3 * rate)) / rate
    left = 9000 * np.sin(2 * np.pi * 700 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 1.3 * t))
    right = 5000 * np.sin(2 * np.pi * 300 * t)
    stereo = np.stack([left, right], axis=1).astype(np.int16)
    home = alsa_home(tmp_path / "home", stereo)  # in.raw as a 48 kHz stereo device delivers it
    root = Path(__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, str(root / "tests" / "fixtures" / "audio" / "rate_driver.py"),
                        str(tmp_path / "out"), "48000", "2", "2.5"], cwd=root, capture_output=True,
                       text=True, timeout=60, env={**__import__("os").environ, "HOME": str(home),
                                                   "PYTHONPATH": str(root)})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["device_format"] == [48000, 2]
    y = np.concatenate([sf.read(f, dtype="int16")[0] for f in out["files"]]).astype(float)
    assert sf.info(out["files"][0]).samplerate == SR and abs(len(y) - int(2.5 * SR)) <= 1
    want = Resampler(rate, SR).process(stereo.astype(float).mean(axis=1), final=True)[:len(y)]
    # the same conversion, sample for sample (but the last few, where the recording stopped
    # and the filter ran into silence while the reference ran on into the next 0.5 s)
    assert np.max(np.abs(y[:-40] - np.rint(want[:-40]))) <= 1

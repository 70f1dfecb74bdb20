"""The F7 audio screen driven by key presses: real PortAudio (ALSA file plugin, HOME switched
in this process and PortAudio re-initialised), a synthetic clocked device for the personal
recording, and snapshots."""
from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tui_app.app import ShtabApp
from tui_app.audio import devices as devlib
from tui_app.audio.devices import AudioUnavailable, InputDevice
from tui_app.domain.models import RoomLogEntry
from tui_app.screens.audio import AudioScreen
from tui_app.services import audio as svc

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "audio"))
from fakes import FakeBackend  # noqa: E402

SR = 16000
ASOUNDRC = """pcm.!default {{ type plug slave.pcm "filein" }}
pcm.filein {{ type file slave.pcm "nullsink" file "/dev/null" infile "{raw}" format "raw" }}
pcm.nullsink {{ type null }}
"""
FAKE_DEV = InputDevice(3, "USB-микрофон (демо)", "MME", 1, 16000.0, True)


def words(seconds: float = 6.0) -> np.ndarray:
    """Speech-like: 0.25 s tone bursts with pauses."""
    t = np.arange(int(seconds * SR)) / SR
    on = (np.arange(len(t)) // 4000) % 2 == 0
    return (9000 * np.sin(2 * np.pi * 220 * t) * on).astype(np.int16)


@pytest.fixture
def alsa_here(tmp_path, monkeypatch):
    """Real PortAudio in this process, reading `samples` as the microphone."""
    def make(samples: np.ndarray) -> Path:
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        raw = home / "in.raw"
        samples.astype("<i2").tofile(raw)
        (home / ".asoundrc").write_text(ASOUNDRC.format(raw=raw))
        monkeypatch.setenv("HOME", str(home))
        devlib.refresh()
        return home

    yield make
    monkeypatch.undo()
    try:
        devlib.refresh()
    except AudioUnavailable:
        pass


async def wait_for(pilot, cond, timeout=15.0):
    for _ in range(int(timeout / 0.05)):
        if cond():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


def text_of(app, selector) -> str:
    return str(app.screen.query_one(selector).render())


@pytest.mark.slow
def test_f7_check_verdict_then_room_recording(demo_results_ws, alsa_here):
    alsa_here(words(6))
    asyncio.run(_f7_check_then_record(demo_results_ws))


async def _f7_check_then_record(demo_results_ws):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f7")
        assert isinstance(app.screen, AudioScreen)
        await pilot.press("escape")
        app.push_screen(AudioScreen(test_seconds=6.0, record_seconds=3.0))
        await pilot.pause()
        assert "default" in text_of(app, "#audio-device")
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen.last_check is not None)
        report = text_of(app, "#audio-report")
        assert "ХОРОШО" in report and "дБFS" in report
        assert demo_results_ws.store.settings().audio_test_ok is True
        tests = demo_results_ws.store.settings().audio_tests
        assert list(tests) == [app.screen.room] and tests[app.screen.room]["verdict"] == "good"
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.screen.session is not None and app.screen.session.finished)
        await pilot.pause(0.3)
        status = text_of(app, "#audio-status")
        assert "остановлена" in status and "00:00:03" in status and "файлов: 1" in status
        files = list((demo_results_ws.root / "audio").glob("*_aud101/*_001_*.mp3"))
        assert len(files) == 1 and sf.info(str(files[0])).frames == 3 * SR


def test_screen_without_input_device(demo_results_ws, monkeypatch):
    def none():
        raise AudioUnavailable(devlib.NO_INPUT)

    monkeypatch.setattr(svc, "list_devices", none)

    async def go():
        app = ShtabApp(demo_results_ws)
        async with app.run_test(size=(80, 25)) as pilot:
            await pilot.press("f7")
            await pilot.pause()
            assert "НЕТ УСТРОЙСТВА ЗАПИСИ" in text_of(app, "#audio-alert")
            assert "Нет устройства записи" in text_of(app, "#audio-status")
            await pilot.press("f3")  # no crash: a message
            await pilot.press("f5")
            await pilot.pause()
            assert app.screen.session is None
            await pilot.press("escape")
            assert not isinstance(app.screen, AudioScreen)  # the rest of the program works

    asyncio.run(go())


@pytest.fixture
def fake_device(monkeypatch):
    """A synthetic clocked microphone (5x real time) instead of PortAudio."""
    backends = []

    def factory():
        b = FakeBackend([words(120)], pace=0.02)
        backends.append(b)
        return b

    monkeypatch.setattr(svc, "BACKEND_FACTORY", factory)
    monkeypatch.setattr(svc, "list_devices", lambda: [FAKE_DEV])
    return backends


def test_personal_recording_keys_write_the_log(demo_results_ws, fake_device):
    asyncio.run(_personal(demo_results_ws))


async def _personal(demo_results_ws):
    store = demo_results_ws.store
    store.update_settings(audio_format="wav")
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(AudioScreen())
        await pilot.pause()
        await pilot.press("f6")  # not recording yet: a hint, nothing happens
        await pilot.press("f5")
        scr = app.screen
        assert scr.session is not None and scr.session.running
        await pilot.press("down")  # the second participant of room 101
        table = scr.query_one("#audio-people")
        guid = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        store.delete(RoomLogEntry, guid)
        await pilot.pause(0.3)
        await pilot.press("f6")
        await pilot.pause(0.6)
        assert "персональная" in text_of(app, "#audio-status")
        await pilot.press("f6")
        await pilot.pause(0.3)
        await pilot.press("f5")
        await wait_for(pilot, lambda: scr.session.finished and not scr.busy)
        await pilot.pause(0.1)
        e = store.get(RoomLogEntry, guid)
        assert e is not None and e.room == "101" and e.start and e.end and e.end > e.start
        personal = list((demo_results_ws.root / "audio").glob("*_aud101/personal/*.wav"))
        assert len(personal) == 1
        secs = sf.info(str(personal[0])).frames / SR
        span = (datetime.combine(datetime.today(), e.end) - datetime.combine(datetime.today(), e.start))
        assert abs(secs - span.total_seconds()) <= 1.0 and secs > 1.0
        row = table.get_row(guid)
        assert row[2] == e.start.strftime("%H:%M") and row[3] == e.end.strftime("%H:%M")


def _checked_app(ws, monkeypatch):
    monkeypatch.setattr(svc, "BACKEND_FACTORY", lambda: FakeBackend([words(4)]))
    monkeypatch.setattr(svc, "list_devices", lambda: [FAKE_DEV])
    fixed = datetime(2027, 2, 9, 14, 30, 0)
    real = svc.capture_check
    monkeypatch.setattr(svc, "capture_check",
                        lambda folder, dev, seconds, room="", progress=None, clock=None:
                        real(folder, dev, seconds, room, None, lambda: fixed))
    return ShtabApp(ws)


def test_snapshot_audio_after_check(demo_results_ws, monkeypatch, snap_compare):
    app = _checked_app(demo_results_ws, monkeypatch)

    async def run_before(pilot):
        app.push_screen(AudioScreen(test_seconds=4.0))
        await pilot.pause()
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen.last_check is not None)
        app.screen.clear_notifications() if hasattr(app.screen, "clear_notifications") else None
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 25), run_before=run_before)


def test_snapshot_audio_no_device(demo_results_ws, monkeypatch, snap_compare):
    def none():
        raise AudioUnavailable(devlib.NO_INPUT)

    monkeypatch.setattr(svc, "list_devices", none)
    app = ShtabApp(demo_results_ws)

    async def run_before(pilot):
        await pilot.press("f7")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 25), run_before=run_before)


def test_check_shows_live_level_while_recording(demo_results_ws, fake_device):
    async def go():
        app = ShtabApp(demo_results_ws)
        async with app.run_test(size=(80, 25)) as pilot:
            app.push_screen(AudioScreen(test_seconds=4.0))
            await pilot.pause()
            scr = app.screen
            await pilot.press("f3")
            meter = scr.query_one("#audio-meter")
            await wait_for(pilot, lambda: scr.busy and meter.active and meter.level > -30)
            assert "Проверочная запись" in text_of(app, "#audio-status")
            await wait_for(pilot, lambda: scr.last_check is not None)
            assert "ХОРОШО" in text_of(app, "#audio-report")

    asyncio.run(go())

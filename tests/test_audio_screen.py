"""The F7 audio screen driven by key presses: real PortAudio (ALSA file plugin, HOME switched
in this process and PortAudio re-initialised), a synthetic clocked device for the personal
recording, and snapshots."""
from __future__ import annotations

import sys
from datetime import datetime

import numpy as np
import pytest
import soundfile as sf

from support import FIXTURES
from support.audio import SR, alsa_home, words
from support.pilot import settle, text_of, wait_until
from tui_app.app import ShtabApp
from tui_app.audio import devices as devlib
from tui_app.audio.devices import AudioUnavailable, InputDevice
from tui_app.domain.models import RoomLogEntry
from tui_app.screens.audio import AudioScreen
from tui_app.services import audio as svc
from tui_app.widgets.level_meter import LevelMeter

sys.path.insert(0, str(FIXTURES / "audio"))
from fakes import FakeBackend  # noqa: E402

FAKE_DEV = InputDevice(3, "USB-микрофон (демо)", "MME", 1, 16000.0, True)


@pytest.fixture
def alsa_here(tmp_path, monkeypatch):
    """Real PortAudio in this process, reading `samples` as the microphone."""
    def make(samples: np.ndarray):
        home = alsa_home(tmp_path / "home", samples)
        monkeypatch.setenv("HOME", str(home))
        devlib.refresh()
        return home

    yield make
    monkeypatch.undo()
    try:
        devlib.refresh()
    except AudioUnavailable:
        pass


@pytest.mark.slow
async def test_f7_check_verdict_then_room_recording(demo_results_ws, alsa_here):
    alsa_here(words(6))
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f7")
        assert isinstance(app.screen, AudioScreen)
        await pilot.press("escape")
        app.push_screen(AudioScreen(test_seconds=6.0, record_seconds=3.0))
        await pilot.pause()
        assert "default" in text_of(app, "#audio-device")
        await pilot.press("f3")
        await wait_until(pilot, lambda: app.screen.last_check is not None)
        report = text_of(app, "#audio-report")
        assert "ХОРОШО" in report and "дБFS" in report
        assert demo_results_ws.store.settings().audio_test_ok is True
        tests = demo_results_ws.store.settings().audio_tests
        assert list(tests) == [app.screen.room] and tests[app.screen.room]["verdict"] == "good"
        await pilot.press("f5")
        await wait_until(pilot, lambda: app.screen.session is not None and app.screen.session.finished
                         and "остановлена" in text_of(app, "#audio-status"))
        status = text_of(app, "#audio-status")
        assert "остановлена" in status and "00:00:03" in status and "файлов: 1" in status
        files = list((demo_results_ws.root / "audio").glob("*_aud101/*_001_*.mp3"))
        assert len(files) == 1 and sf.info(str(files[0])).frames == 3 * SR


async def test_screen_without_input_device(demo_results_ws, monkeypatch):
    def none():
        raise AudioUnavailable(devlib.NO_INPUT)

    monkeypatch.setattr(svc, "list_devices", none)
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


async def test_personal_recording_keys_write_the_log(demo_results_ws, fake_device):
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

        def audio_time() -> float:  # seconds of audio captured so far
            return scr.session.status().elapsed

        await wait_until(pilot, lambda: audio_time() >= 1.0)
        await pilot.press("f6")
        start = audio_time()
        await wait_until(pilot, lambda: audio_time() >= start + 2.5
                         and "персональная" in text_of(app, "#audio-status"))
        await pilot.press("f6")
        stop = audio_time()
        await wait_until(pilot, lambda: audio_time() >= stop + 1.0)
        await pilot.press("f5")
        await wait_until(pilot, lambda: scr.session.finished and not scr.busy)
        await settle(pilot)
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
        await wait_until(pilot, lambda: app.screen.last_check is not None and not app.screen.busy)
        # the verdict is on the status line (no toast covers the table)
        assert "Проверка:" in text_of(app, "#audio-msg")

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


async def test_check_shows_live_level_while_recording(demo_results_ws, fake_device, monkeypatch):
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(AudioScreen(test_seconds=4.0))
        await pilot.pause()
        scr = app.screen
        # what the meter is given while the check runs (polling it could miss the whole check
        # on a loaded machine: it lasts under a second)
        seen = []
        real = LevelMeter.set_levels

        def spy(meter, level, peak, active=True):
            seen.append((bool(scr.busy), active, level, text_of(app, "#audio-status")))
            real(meter, level, peak, active)

        monkeypatch.setattr(LevelMeter, "set_levels", spy)
        await pilot.press("f3")
        await wait_until(pilot, lambda: scr.last_check is not None)
        live = [s for s in seen if s[0] and s[1] and s[2] > -30]
        # the meter moves while the check runs, and the status line says so (its first block
        # may come before the status line is repainted)
        assert live and all("Проверочная запись" in s[3] for s in live[1:])
        assert "ХОРОШО" in text_of(app, "#audio-report")


async def test_opening_f7_finishes_a_part_a_power_cut_left(demo_results_ws):
    """A journal left by a kill (header never updated) becomes the part's MP3 when F7 opens."""
    import os

    from tui_app.audio.journal import WavWriter, journal_path
    from tui_app.audio.segments import mp3_available

    if not mp3_available():
        pytest.skip("no MP3")
    folder = demo_results_ws.store.dir("audio") / "2027-02-10_OO470123_aud101"
    folder.mkdir(parents=True)
    final = folder / "2027-02-10_OO470123_aud101_001_090000.mp3"
    w = WavWriter(journal_path(final), SR, 1)
    w.write(words(3.0).reshape(-1, 1))
    os.close(w._fd)  # killed: no flush, the header still says 0 frames
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(AudioScreen())
        await wait_until(pilot, final.exists, what="the MP3 of the part")
    assert sf.info(str(final)).frames == 3 * SR and not journal_path(final).exists()

"""Audio parts without PortAudio: names, the verdict, the writer thread alone with synthetic
frames (segments, dropped blocks, a device lost mid-stream), markers and clips."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tui_app.audio import markers as mk
from tui_app.audio import names
from tui_app.audio.clip import ClipError, cut
from tui_app.audio.quality import Verdict, analyze
from tui_app.audio.recorder import MemorySink, Recorder, WriterThread
from tui_app.audio.segments import Manifest, SegmentWriter, mp3_available

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "audio"))
from fakes import FakeBackend  # noqa: E402

SR = 16000
T0 = datetime(2027, 2, 10, 9, 0, 0)


def ramp(seconds: float, seed: int = 0) -> np.ndarray:
    """Known, non-repeating content: every frame distinguishable."""
    rng = np.random.default_rng(seed)
    return rng.integers(-12000, 12000, int(seconds * SR), dtype=np.int16)


def read_all(folder: Path, pattern: str = "*_[0-9][0-9][0-9]_*.*") -> np.ndarray:
    files = sorted(p for p in folder.glob(pattern) if p.suffix in (".wav", ".mp3"))
    return np.concatenate([sf.read(str(f), dtype="int16")[0] for f in files])


# -- names --------------------------------------------------------------------------------
@pytest.mark.parametrize("room", ["101", "101а", "Каб. 5/Б", "con", 'a:b*c?"<>|'])
def test_names_are_fat32_safe(room):
    base = names.room_base(T0.date(), room, "470123")
    for name in (names.segment_name(base, 7, T0, "mp3"),
                 names.personal_name(base, "ИВ-12", "", T0, "mp3"),
                 names.clip_name(base, "", "0a1b2c3d-ffff", "wav"),
                 names.test_name(T0, room)):
        assert names.is_fat32_safe(name), name
    assert base.startswith("2027-02-10_OO470123_aud")


def test_name_holds_date_room_and_oo():
    base = names.room_base(T0.date(), "101а", "470123")
    assert base == "2027-02-10_OO470123_aud101a"
    seg = names.segment_name(base, 12, T0 + timedelta(seconds=12), "mp3")
    assert seg == "2027-02-10_OO470123_aud101a_012_090012.mp3"
    assert names.parse_segment_name(seg) == (base, 12, "090012")
    assert "uch123456" in names.personal_name(base, "123456", "g", T0, "mp3")
    assert not names.is_fat32_safe("a:b.mp3") and not names.is_fat32_safe("Ауд.mp3")


# -- the verdict ---------------------------------------------------------------------------
def _sine(amp: float, seconds=3.0, f=440.0):
    t = np.arange(int(seconds * SR)) / SR
    return np.clip(amp * np.sin(2 * np.pi * f * t), -32768, 32767).astype(np.int16)


def test_verdict_silence_quiet():
    a = analyze(np.zeros(SR * 3, dtype=np.int16), SR)
    assert a.verdict is Verdict.QUIET and a.rms_db == -100.0


def test_verdict_clipped_sine():
    a = analyze(_sine(32767 * 2.0), SR)
    assert a.verdict is Verdict.CLIPPING and a.clip_ratio > 0.3 and a.peak_db > -0.1


def test_verdict_noise():
    x = np.random.default_rng(1).normal(0, 3000, SR * 3).astype(np.int16)
    a = analyze(x, SR)
    assert a.verdict is Verdict.NOISY and a.noise_floor_db > -30 and a.snr_db < 5


def test_verdict_speech_like_good_and_quiet_speech():
    # bursts of tone with pauses, like words
    x = _sine(9000, 4.0, 220.0) * (np.arange(4 * SR) // 4000 % 2 == 0)
    a = analyze(x.astype(np.int16), SR)
    assert a.verdict is Verdict.GOOD, a.lines()
    assert analyze((x / 300).astype(np.int16), SR).verdict is Verdict.QUIET
    assert "Итог: ХОРОШО" in a.lines()[0]


# -- the writer thread alone -----------------------------------------------------------------
def _run_writer(items, sink, sessions, **kw):
    q: queue.Queue = queue.Queue()
    w = WriterThread(q, sink, sessions, **kw)
    for it in items:
        q.put(it)
    q.put(("stop",))
    w.start()
    w.join(10)
    assert not w.is_alive()
    return w


def blocks(x: np.ndarray, session: int, size: int = 1600, start_index: int = 0):
    for i in range(0, len(x), size):
        yield ("data", session, start_index + i, x[i:i + size].reshape(-1, 1))


def test_writer_segments_bit_exact(tmp_path):
    x = ramp(9.55)
    sink = SegmentWriter(tmp_path, "B", "wav", segment_seconds=4)
    w = _run_writer(blocks(x, 0, 1234), sink, {0: T0})
    files = sorted(tmp_path.glob("B_*.wav"))
    assert [f.name for f in files] == ["B_001_090000.wav", "B_002_090004.wav", "B_003_090008.wav"]
    assert [sf.info(str(f)).frames for f in files] == [4 * SR, 4 * SR, len(x) - 8 * SR]
    assert np.array_equal(read_all(tmp_path), x)  # mono files read back as 1-D
    man = json.loads((tmp_path / "B_stream.json").read_text())
    assert [s["closed"] for s in man["segments"]] == [True] * 3
    assert man["segments"][1]["start"] == "2027-02-10T09:00:04.000"
    assert w.written_frames == len(x) and w.error is None


def test_writer_fills_dropped_blocks_with_silence(tmp_path):
    x = ramp(3)
    items = [it for k, it in enumerate(blocks(x, 0)) if k != 5]  # block 5 dropped by the callback
    sink = SegmentWriter(tmp_path, "B", "wav", segment_seconds=60)
    w = _run_writer(items, sink, {0: T0})
    y = read_all(tmp_path)
    assert len(y) == len(x) and w.gap_frames == 1600
    assert np.all(y[5 * 1600:6 * 1600] == 0)
    assert np.array_equal(y[:5 * 1600], x[:5 * 1600]) and np.array_equal(y[6 * 1600:], x[6 * 1600:])


def test_writer_device_lost_mid_stream_resumes_in_new_segment(tmp_path):
    a, b = ramp(2.5, 1), ramp(1.5, 2)
    back = T0 + timedelta(seconds=40)  # the microphone came back 37.5 s later
    items = list(blocks(a, 0)) + [("lost", 0)] + list(blocks(b, 1))
    sink = SegmentWriter(tmp_path, "B", "wav", segment_seconds=600)
    _run_writer(items, sink, {0: T0, 1: back})
    files = sorted(tmp_path.glob("B_*.wav"))
    assert [f.name for f in files] == ["B_001_090000.wav", "B_002_090040.wav"]
    assert np.array_equal(sf.read(str(files[0]), dtype="int16")[0], a)
    assert np.array_equal(sf.read(str(files[1]), dtype="int16")[0], b)
    segs = Manifest(tmp_path / "B_stream.json").refreshed()
    assert segs[1].start_dt == back and segs[0].end_dt == T0 + timedelta(seconds=2.5)


def test_writer_personal_recording_cut_at_exact_frames(tmp_path):
    x = ramp(6)
    q: queue.Queue = queue.Queue()
    sink = SegmentWriter(tmp_path, "B", "wav", segment_seconds=600)
    w = WriterThread(q, sink, {0: T0}, personal_dir=tmp_path / "personal",
                     personal_name=lambda c, g, at: f"B_uch{c}_{at:%H%M%S}.wav", fmt="wav")
    from tui_app.audio.recorder import PersonalCommand

    w.command(PersonalCommand("start", T0 + timedelta(seconds=1.25), "777", "g1"))
    w.command(PersonalCommand("stop", T0 + timedelta(seconds=4.5)))
    for it in blocks(x, 0):
        q.put(it)
    q.put(("stop",))
    w.start()
    w.join(10)
    f = tmp_path / "personal" / "B_uch777_090001.wav"
    y = sf.read(str(f), dtype="int16")[0]
    assert np.array_equal(y, x[int(1.25 * SR):int(4.5 * SR)])
    evs = [w.events.get_nowait() for _ in range(w.events.qsize())]
    assert [e["kind"] for e in evs] == ["personal_started", "personal_stopped"]
    assert evs[1]["start"] == T0 + timedelta(seconds=1.25) and evs[1]["at"] == T0 + timedelta(seconds=4.5)


def test_writer_reports_disk_error_and_keeps_draining(tmp_path):
    class Broken(MemorySink):
        def write(self, block, start):
            raise OSError(28, "No space left on device")

    w = _run_writer(blocks(ramp(1), 0), Broken(), {0: T0})
    assert "Диск заполнен" in w.error
    assert w.events.get_nowait()["kind"] == "error"


def test_writer_ends_when_the_disk_fills_while_the_tail_is_written(tmp_path):
    """Blocks dropped at the very end come back as silence at "stop"; when that last write
    is the one that finds the disk full, the writer must still end (it used to wait for
    items that never came, and `record` hung until killed)."""
    class FullAtTail(MemorySink):
        def write(self, block, start):
            if not block.any():  # the tail's silence
                raise OSError(28, "No space left on device")
            super().write(block, start)

    x = ramp(1)
    q: queue.Queue = queue.Queue()
    w = WriterThread(q, FullAtTail(), {0: T0})
    for it in blocks(x, 0):
        q.put(it)
    q.put(("stop", 0, len(x) + 1600))  # the last block was dropped by the callback
    w.start()
    w.join(10)
    assert not w.is_alive(), "the writer did not end"
    assert "Диск заполнен" in w.error


def test_writer_survives_a_block_it_cannot_convert(tmp_path):
    """A failure before the block reaches the sink (the converter of a device at another rate)
    is reported like a write error, and "stop" still ends the writer."""
    class Failing(WriterThread):
        def _converted(self, item):
            if item[0] == "data":
                raise ValueError("bad block")
            return [item]

    q: queue.Queue = queue.Queue()
    w = Failing(q, MemorySink(), {0: T0})
    for it in blocks(ramp(0.5), 0):
        q.put(it)
    q.put(("stop", 0, 8000))
    w.start()
    w.join(10)
    assert not w.is_alive(), "the writer did not end"
    assert "bad block" in w.error


# -- the recorder's monitor with a synthetic device that vanishes and comes back ------------------
def test_recorder_device_lost_then_back(tmp_path):
    a, b = ramp(3, 3), ramp(2, 4)
    backend = FakeBackend([a, b], vanish_at=16000, failed_reconnects=2, pace=0.0005)
    clock_times = iter([T0, T0 + timedelta(seconds=30)])
    sink = SegmentWriter(tmp_path, "R", "wav", segment_seconds=600)
    rec = Recorder(sink, backend, clock=lambda: next(clock_times), stall_seconds=1.0,
                   retry_seconds=0.05, max_frames=16000 + len(b))
    rec.start()
    assert rec.wait(15), "recorder did not finish"
    evs = [e["kind"] for e in rec.events()]
    assert evs == ["device_lost", "device_back"]
    assert backend.reconnects == 3 and rec.stats.losses == 1 and not rec.stats.device_lost
    files = sorted(tmp_path.glob("R_*.wav"))
    assert [f.name for f in files] == ["R_001_090000.wav", "R_002_090030.wav"]
    assert np.array_equal(sf.read(str(files[0]), dtype="int16")[0], a[:16000])
    assert np.array_equal(sf.read(str(files[1]), dtype="int16")[0], b)


def test_recorder_callback_drops_when_queue_full_never_blocks(tmp_path):
    class Slow(MemorySink):
        def write(self, block, start):
            import time
            time.sleep(0.002)
            super().write(block, start)

    x = ramp(4)
    backend = FakeBackend([x])
    sink = Slow()
    rec = Recorder(sink, backend, clock=lambda: T0, queue_blocks=3, blocksize=160,
                   max_frames=len(x), stall_seconds=5)
    rec.start()
    assert rec.wait(20)
    assert rec.stats.captured_frames == len(x)
    assert rec.stats.dropped_blocks > 0
    y = sink.samples()
    assert len(y) == len(x)  # the dropped blocks came back as silence: the timeline holds
    assert rec.writer.gap_frames == rec.stats.dropped_frames


# -- markers and clips ----------------------------------------------------------------------
def test_markers_roundtrip(tmp_path):
    p = mk.markers_path(tmp_path, "B")
    mk.upsert(p, mk.Marker("g1", "111", T0.isoformat(), None))
    mk.upsert(p, mk.Marker("g1", "111", T0.isoformat(), (T0 + timedelta(minutes=15)).isoformat()))
    mk.upsert(p, mk.Marker("g1", "111", T0.isoformat(), (T0 + timedelta(minutes=14)).isoformat(), "log"))
    assert len(mk.load(p)) == 2
    assert mk.find(p, "g1").source == "personal"
    assert "Иван" not in p.read_text()


def test_clip_across_segments_and_gap(tmp_path):
    a, b = ramp(5, 5), ramp(5, 6)
    items = list(blocks(a, 0)) + [("lost", 0)] + list(blocks(b, 1))
    base = names.room_base(T0.date(), "101", "470123")
    sink = SegmentWriter(tmp_path, base, "wav", segment_seconds=2)
    _run_writer(items, sink, {0: T0, 1: T0 + timedelta(seconds=7)})
    segs = Manifest(tmp_path / f"{base}_stream.json").refreshed()
    assert len(segs) == 6
    # 09:00:03 .. 09:00:09: 2 s of a, 2 s gap (device gone), 2 s of b
    r = cut(tmp_path, segs, T0 + timedelta(seconds=3), T0 + timedelta(seconds=9), tmp_path / "c.wav", "wav")
    y = sf.read(str(r.path), dtype="int16")[0]
    assert len(y) == 6 * SR and r.seconds == 6.0
    assert np.array_equal(y[:2 * SR], a[3 * SR:])
    assert np.all(y[2 * SR:4 * SR] == 0) and r.missing_seconds == 2.0
    assert np.array_equal(y[4 * SR:], b[:2 * SR])
    with pytest.raises(ClipError):
        cut(tmp_path, segs, T0 + timedelta(hours=1), T0 + timedelta(hours=2), tmp_path / "d.wav", "wav")
    # the manifest lost: the list is rebuilt from the file names
    (tmp_path / f"{base}_stream.json").unlink()
    rebuilt = Manifest(tmp_path / f"{base}_stream.json").refreshed()
    assert [(s.file, s.start_dt, s.frames) for s in rebuilt] == [(s.file, s.start_dt, s.frames) for s in segs]


@pytest.mark.skipif(not mp3_available(), reason="libsndfile without MP3")
def test_mp3_segments_exact_length_and_content(tmp_path):
    t = np.arange(int(5.3 * SR)) / SR
    x = (8000 * np.sin(2 * np.pi * 300 * t)).astype(np.int16)
    sink = SegmentWriter(tmp_path, "B", "mp3", segment_seconds=2)
    _run_writer(blocks(x, 0), sink, {0: T0}, fmt="mp3")
    files = sorted(tmp_path.glob("B_*.mp3"))
    assert [sf.info(str(f)).frames for f in files] == [2 * SR, 2 * SR, len(x) - 4 * SR]
    y = read_all(tmp_path).astype(float)
    assert len(y) == len(x)
    assert np.corrcoef(x.astype(float), y)[0, 1] > 0.98
    assert abs(np.sqrt(np.mean(y ** 2)) / np.sqrt(np.mean(x.astype(float) ** 2)) - 1) < 0.05


KILL_SCRIPT = r"""
import sys, time, numpy as np
from datetime import datetime
sys.path.insert(0, sys.argv[3])
from tui_app.audio.segments import SegmentWriter
w = SegmentWriter(sys.argv[1], "K", sys.argv[2], segment_seconds=2, flush_seconds=0.5)
rng = np.random.default_rng(0)
x = rng.integers(-9000, 9000, 16000 * 60, dtype=np.int16)
for i in range(0, len(x), 1600):
    w.write(x[i:i+1600], datetime(2027, 2, 10, 9))
    if i >= 16000 * 5:
        print("ready", flush=True)
        time.sleep(60)
"""


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["wav", "mp3"])
def test_kill_keeps_the_open_segment_readable_and_recovery_finishes_it(tmp_path, fmt):
    """kill -9 with the third segment open (1.1 s written, flushed every 0.5 s): every
    segment is readable at once by our reader (the open one up to its last flush), and
    recovery turns what is left into complete files with every frame that was written."""
    if fmt == "mp3" and not mp3_available():
        pytest.skip("no MP3")
    from tui_app.audio.journal import recover_folder

    root = Path(__file__).resolve().parents[1]
    p = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(tmp_path), fmt, str(root)],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    p.kill()  # kill -9: no close, no flush
    p.wait()
    # no 0-byte recording (a hidden temp file of the encoder may be; the next start removes it)
    assert not [f for f in tmp_path.iterdir() if f.stat().st_size == 0 and not f.name.startswith(".")]
    segs = Manifest(tmp_path / "K_stream.json").refreshed()
    assert len(segs) == 3
    assert [s.frames for s in segs[:2]] == [2 * SR, 2 * SR]  # closed segments intact
    assert 0.5 * SR <= segs[2].frames <= 1.1 * SR  # the open one: up to its last flush
    x = np.random.default_rng(0).integers(-9000, 9000, 16000 * 60, dtype=np.int16)
    if fmt == "mp3":  # before recovery the open segment is a WAV journal: bit-exact
        assert segs[2].file.endswith(".rec.wav")
        y = sf.read(str(tmp_path / segs[2].file), dtype="int16")[0]
        assert np.array_equal(y, x[4 * SR:4 * SR + len(y)])
    recover_folder(tmp_path)
    segs = Manifest(tmp_path / "K_stream.json").refreshed()
    assert [s.frames for s in segs] == [2 * SR, 2 * SR, int(1.1 * SR)]  # nothing written is lost
    assert all(s.file.endswith("." + fmt) for s in segs)
    assert not list(tmp_path.glob("*.rec.wav")) and not list(tmp_path.glob(".*"))
    y = np.concatenate([sf.read(str(tmp_path / s.file), dtype="int16")[0] for s in segs])
    if fmt == "wav":
        assert np.array_equal(y, x[:len(y)])
    else:
        # white noise through a 16 kHz VBR MP3 (its low-pass takes the top band): same signal
        assert np.corrcoef(y.astype(float), x[:len(y)].astype(float))[0, 1] > 0.6


def test_log_times_become_markers_and_clip_falls_back_to_markers(demo_results_ws):
    from tui_app.domain.models import RoomLogEntry
    from tui_app.services import audio as svc

    store = demo_results_ws.store
    entries = [e for e in store.all(RoomLogEntry) if e.room == "101" and e.start and e.end]
    assert entries
    assert svc.sync_markers_from_log(store, "101") == len(entries)
    assert svc.sync_markers_from_log(store, "101") == 0  # unchanged: nothing rewritten
    folder, base = svc.room_folder(store, "101")
    ms = mk.load(mk.markers_path(folder, base))
    e = entries[0]
    m = next(m for m in ms if m.guid == e.participant)
    assert m.source == "log" and m.start_dt.time() == e.start and m.end_dt.time() == e.end
    assert m.start_dt.date() == store.exam_day().date
    # no stream recorded for the room: a clear Russian message
    with pytest.raises(svc.AudioError, match="Потоковой записи аудитории 101 нет"):
        svc.make_clip(store, store.participant(e.participant).code)
    with pytest.raises(svc.AudioError, match="не найден"):
        svc.make_clip(store, "нет-такого")


@pytest.mark.skipif(not mp3_available(), reason="libsndfile without MP3")
def test_clip_from_mp3_segments_is_sample_aligned(tmp_path):
    t = np.arange(int(6 * SR)) / SR
    x = (8000 * np.sin(2 * np.pi * 300 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.9 * t))).astype(np.int16)
    base = names.room_base(T0.date(), "101", "470123")
    _run_writer(blocks(x, 0), SegmentWriter(tmp_path, base, "mp3", segment_seconds=2), {0: T0}, fmt="mp3")
    segs = Manifest(tmp_path / f"{base}_stream.json").refreshed()
    decoded = read_all(tmp_path)  # the segments as a player hears them
    a, b = T0 + timedelta(seconds=1.3), T0 + timedelta(seconds=4.6)
    r = cut(tmp_path, segs, a, b, tmp_path / "clips" / "c.wav", "wav")
    y = sf.read(str(r.path), dtype="int16")[0]
    assert len(y) == int(3.3 * SR)
    d = decoded[int(1.3 * SR):int(4.6 * SR)]
    # no shift across the seams (the MP3 decoder may round a rare sample differently: ±2)
    assert np.max(np.abs(y.astype(int) - d.astype(int))) <= 2


def test_checklist_wants_a_good_test_recording_in_every_room(demo_results_ws, tmp_path):
    """One «хорошо» in one room does not tick «в каждой аудитории»; a later bad check in a
    room un-ticks it."""
    from tui_app.services import audio as svc
    from tui_app.services.summary import audio_tests_done, summarize

    store = demo_results_ws.store
    rooms = [r.number for r in store.rooms()]
    speech = (_sine(9000, 4.0, 220.0) * (np.arange(4 * SR) // 4000 % 2 == 0)).astype(np.int16)

    def check(room, x):
        res = svc.CheckResult(analyze(x, SR), tmp_path / "t.wav", x, SR, "default")
        svc.remember_check(store, res, room)

    def item():
        return next(c for c in summarize(store).checklist if "аудиозапись" in c[1])

    assert item() == (False, f"Тестовая аудиозапись в каждой аудитории (0 из {len(rooms)})")
    check(rooms[0], speech)
    assert store.settings().audio_test_ok is True  # the last check was good…
    assert item()[0] is False and f"(1 из {len(rooms)})" in item()[1]  # …but one room only
    for room in rooms[1:]:
        check(room, speech)
    assert item()[0] is True and audio_tests_done(store) == (len(rooms), len(rooms))
    check(rooms[1], np.zeros(SR * 3, dtype=np.int16))  # that room's microphone went quiet
    assert item()[0] is False and audio_tests_done(store) == (len(rooms) - 1, len(rooms))
    assert store.settings().audio_tests[rooms[1]]["verdict"] == "quiet"

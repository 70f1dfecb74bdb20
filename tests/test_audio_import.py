"""Recordings from any device (issue 20). A "stick" made here with Debian's tools (espeak-ng
speaks, sox and ffmpeg encode, as a dictaphone, a phone and another PC would): a WAV
(44.1 kHz stereo) in a room's folder, an MP3 named by a person, a phone's M4A (AAC, with its
creation time) in a hidden folder, a dictaphone's WAV whose clock was reset to 2015, and a
file of silence. Each is named by the rule or refused with a reason; the originals are kept
byte for byte; the handoff's manifest verifies; the listening station's service finds the
participant's answer in an imported file, and `clip` cuts it."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import datetime, time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tui_app.domain.models import RoomLogEntry

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
SR = 16000
NEEDS = pytest.mark.skipif(not all(shutil.which(t) for t in ("espeak-ng", "sox", "ffmpeg")),
                           reason="espeak-ng, sox, ffmpeg (Debian; .ci/run installs them)")
# answers in ИС-02 of every test room: A 09:00:05–09:00:20, B 09:00:30–09:00:50
ANSWERS = [(time(9, 0, 5), time(9, 0, 20)), (time(9, 0, 30), time(9, 0, 50))]


def _speech(folder: Path) -> np.ndarray:
    text = ("Текст номер два. Юрий Гагарин. Двенадцатого апреля тысяча девятьсот шестьдесят "
            "первого года Юрий Гагарин совершил первый в мире полёт в космос.")
    esp = subprocess.run(["espeak-ng", "-v", "ru", "-s", "150", "--stdout", text], capture_output=True,
                         check=True)
    raw = folder / "speech.raw"
    subprocess.run(["sox", "-", "-t", "raw", "-r", str(SR), "-c", "1", "-e", "signed", "-b", "16",
                    str(raw)], input=esp.stdout, check=True, capture_output=True)
    return np.fromfile(raw, "<i2")


def _session(speech: np.ndarray, seconds: int = 60) -> np.ndarray:
    """A room's minute as a recorder hears it: speech during the two answers, room noise
    (quiet) between them."""
    x = np.random.default_rng(5).normal(0, 25, seconds * SR)
    for a, b in ANSWERS:
        i, j = (a.second) * SR, (b.second) * SR
        reps = np.tile(speech, (j - i) // len(speech) + 1)[: j - i]
        x[i:j] += reps
    return np.clip(x, -32768, 32767).astype(np.int16)


def _sox(raw: Path, out: Path, *opts: str) -> None:
    subprocess.run(["sox", "-t", "raw", "-r", str(SR), "-c", "1", "-e", "signed", "-b", "16", str(raw),
                    *opts, str(out)], check=True, capture_output=True)


def _ffmpeg(src: Path, out: Path, *opts: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), *opts, str(out)], check=True,
                   capture_output=True)


@pytest.fixture(scope="module")
def stick(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen")
    x = _session(_speech(root))
    raw = root / "session.raw"
    x.astype("<i2").tofile(raw)
    wav16 = root / "session.wav"
    _sox(raw, wav16)
    s = root / "stick"
    (s / "101").mkdir(parents=True)
    _sox(raw, s / "101" / "REC_20270210_090000.wav", "-r", "44100", "-c", "2")  # another PC
    (s / "Диктофон").mkdir()
    _ffmpeg(wav16, s / "Диктофон" / "ауд 102 2027-02-10 09-00-00.mp3", "-c:a", "libmp3lame", "-b:a", "64k")
    phone = s / "Android" / "media" / "com.voicerecorder" / ".recordings"  # a hidden folder
    phone.mkdir(parents=True)
    _ffmpeg(wav16, phone / "Запись 7.m4a", "-c:a", "aac", "-b:a", "64k",
            "-metadata", "creation_time=2027-02-10T09:00:00Z")
    (s / "202").mkdir()
    dicta = s / "202" / "REC0001.WAV"  # a dictaphone reset to 2015: name and clock say nothing true
    _sox(raw, dicta)
    os.utime(dicta, (datetime(2015, 1, 1, 0, 1).timestamp(),) * 2)
    silence = root / "silence.raw"
    np.zeros(30 * SR, np.int16).tofile(silence)
    _sox(silence, s / "101" / "REC_20270210_101500.wav")
    return s, x


@pytest.fixture
def school(demo_results_ws):
    """Rooms 101, 102, 201, 202 with two answers each in ИС-02 at the times of the session."""
    store = demo_results_ws.store
    for e in store.all(RoomLogEntry):
        store.delete(RoomLogEntry, e.participant)
    for room in ("101", "102", "201", "202"):
        people = [p for p in store.participants() if p.room == room and p.code and not p.absent][:2]
        for p, (a, b) in zip(people, ANSWERS):
            store.put(RoomLogEntry(participant=p.guid, room=room, start=a, end=b))
    return demo_results_ws


def _by_name(found, part):
    (c,) = [c for c in found if part in c.rel]
    return c


@NEEDS
def test_scan_guesses_room_and_time_refuses_silence(stick, school, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    from tui_app.services import audio_import as imp

    found = imp.scan(school.store, stick[0])
    assert len(found) == 5  # the phone's hidden folder was searched too
    wav = _by_name(found, "REC_20270210_090000")
    assert (wav.room, wav.start, wav.verdict) == ("101", datetime(2027, 2, 10, 9, 0, 0), "готов")
    assert wav.reader == "soundfile" and abs(wav.seconds - 60) < 0.01 and len(wav.covers) == 2
    mp3 = _by_name(found, ".mp3")
    assert (mp3.room, mp3.start, mp3.verdict) == ("102", datetime(2027, 2, 10, 9, 0, 0), "готов")
    m4a = _by_name(found, ".m4a")
    assert m4a.rel.startswith("Android/media/com.voicerecorder/.recordings/")
    assert m4a.reader in ("av", "ffmpeg") and m4a.start == datetime(2027, 2, 10, 9, 0, 0)
    assert m4a.room == "" and m4a.verdict == "укажите аудиторию"  # «Запись 7» names no room
    dicta = _by_name(found, "REC0001")
    assert dicta.clock_wrong and "2015" in dicta.warnings[0] and "сбиты" in dicta.warnings[0]
    assert dicta.start == datetime(2027, 2, 10, 9, 0, 0)  # lined up with the answers in ИС-02
    assert dicta.start_why.startswith("подобрано по ответам в ИС-02") and dicta.verdict == "проверьте"
    silent = _by_name(found, "101500")
    assert silent.refused.startswith("в файле нет речи — тишина") and silent.verdict.startswith("отказ")


@NEEDS
def test_cli_import_names_by_rule_keeps_originals_handoff_verifies(stick, school, tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    root = school.store.root
    school.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT), TZ="UTC")

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "tui_app", "-w", str(root), *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)

    r = cli("audio-import", str(stick[0]))  # a look first: nothing written
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Готово к загрузке: 3 из 5" in r.stdout and "ОТКАЗ: в файле нет речи" in r.stdout
    assert "часы устройства, видимо, сбиты" in r.stdout and "укажите аудиторию" in r.stdout
    assert not list((root / "audio").rglob("*.mp3"))
    r = cli("audio-import", str(stick[0]), "--room", "201", "--yes")
    assert r.returncode == 1, r.stdout + r.stderr  # one file (the silence) refused
    assert "Загружено файлов: 4 из 5." in r.stdout and "Traceback" not in r.stderr
    names = sorted(p.relative_to(root / "audio").as_posix() for p in (root / "audio").rglob("*.mp3")
                   if "originals" not in p.parts)
    assert names == [f"2027-02-10_OO470123_aud{room}/2027-02-10_OO470123_aud{room}_001_090000.mp3"
                     for room in ("101", "102", "201", "202")]
    originals = {p.name: p for p in (root / "audio").rglob("originals/*")}
    assert sorted(originals) == [f"2027-02-10_OO470123_aud{r}_001_090000_original.{e}"
                                 for r, e in (("101", "wav"), ("102", "mp3"), ("201", "m4a"), ("202", "wav"))]
    sha = lambda p: hashlib.sha256(Path(p).read_bytes()).hexdigest()  # noqa: E731
    assert sha(originals["2027-02-10_OO470123_aud201_001_090000_original.m4a"]) == \
        sha(next(stick[0].rglob("*.m4a")))  # the original bytes, untouched
    for mp3 in (root / "audio").rglob("*_001_090000.mp3"):
        info = sf.info(str(mp3))
        assert (info.samplerate, info.channels) == (SR, 1) and abs(info.frames / SR - 60) < 0.1
    # the same stick again: nothing imported twice
    r = cli("audio-import", str(stick[0]), "--room", "201")
    assert r.stdout.count("этот файл уже загружен") == 4
    # the handoff carries them and its manifest verifies
    usb = tmp_path / "usb"
    usb.mkdir()
    r = cli("handoff", "--to", str(usb), "--yes")  # no forms printed in this test: hand off anyway
    assert r.returncode == 0, r.stdout + r.stderr
    from tui_app.services.handoff import verify_manifest

    (dest,) = [d for d in usb.iterdir() if d.is_dir()]
    assert verify_manifest(dest) == []
    listed = (dest / "SHA256SUMS").read_text(encoding="utf-8")
    assert "aud201_001_090000_original.m4a" in listed and "aud202_001_090000.mp3" in listed


@NEEDS
def test_listening_station_finds_the_answer_in_an_imported_file_and_clip_cuts_it(stick, school, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    from tui_app.services import audio as svc
    from tui_app.services import audio_import as imp

    store = school.store
    found = [c for c in imp.scan(store, stick[0]) if c.rel.startswith("202/")]  # its folder names the room
    done, problems = imp.import_files(store, found)
    assert len(done) == 1 and problems == []
    b = next(e for e in store.all(RoomLogEntry) if e.room == "202" and e.start == ANSWERS[1][0])
    part = store.participant(b.participant)
    pa = imp.participant_audio(store, part.code)
    assert pa.times_from == "журнал ИС-02"
    (piece,) = pa.pieces
    assert piece.path == done[0].path and piece.source == "import"
    assert (piece.start, piece.end) == (30.0, 50.0)  # the file's seconds of this answer
    info = svc.make_clip(store, part.code)
    y = sf.read(str(info.result.path), dtype="int16")[0].astype(float)
    want = stick[1][30 * SR:50 * SR].astype(float)
    assert len(y) == len(want) and np.corrcoef(y, want)[0, 1] > 0.9


def test_a_format_nothing_here_reads_is_refused_with_what_to_install(tmp_path, ws, monkeypatch):
    from tui_app.audio import decode
    from tui_app.services import audio_import as imp

    f = tmp_path / "stick" / "Voice 001.m4a"
    f.parent.mkdir()
    f.write_bytes(b"\0\0\0\x18ftypM4A \0\0\0\0M4A mp42isom" + bytes(2000))
    monkeypatch.setattr(decode, "_av", lambda: None)
    monkeypatch.setattr(decode.shutil, "which", lambda name: None)
    (c,) = imp.scan(ws.store, f.parent)
    assert "не читается" in c.refused and "PyAV" in c.refused and "ffmpeg" in c.refused


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX: pipes and device links")
def test_a_pipe_a_device_or_a_link_loop_named_as_audio_is_refused_not_read(tmp_path, ws):
    """A folder to import from is untrusted too: a named pipe or a link to /dev/zero called
    *.wav would be read for ever (the scan hung), a link loop is said in Russian; the rest
    of the folder is looked at as usual."""
    from tui_app.services import audio_import as imp

    stick = tmp_path / "stick"
    stick.mkdir()
    os.mkfifo(stick / "pipe.wav")
    (stick / "zero.mp3").symlink_to("/dev/zero")
    (stick / "loop1.wav").symlink_to("loop2.wav")
    (stick / "loop2.wav").symlink_to("loop1.wav")
    (stick / "empty.wav").write_bytes(b"")
    out = subprocess.run([sys.executable, "-c", (
        "import sys; from pathlib import Path; from tui_app.store.workspace import Workspace; "
        "from tui_app.services import audio_import as imp; "
        "w = Workspace.open(Path(sys.argv[1]), snapshot=False); "
        "[print(c.path.name, '|', c.refused) for c in imp.scan(w.store, Path(sys.argv[2]))]"),
        str(tmp_path / "w"), str(stick)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    said = dict(line.split(" | ", 1) for line in out.stdout.splitlines())
    assert set(said) == {"pipe.wav", "zero.mp3", "loop1.wav", "loop2.wav", "empty.wav"}
    assert "не обычный файл" in said["pipe.wav"] and "не обычный файл" in said["zero.mp3"]
    assert "петля символических ссылок" in said["loop1.wav"]
    assert "пустой" in said["empty.wav"]
    (c,) = imp.scan(ws.store, stick / "pipe.wav")  # the pipe given alone: the same answer
    assert "не обычный файл" in c.refused


async def test_import_screen_by_keys_at_80x25(tmp_path, demo_results_ws):
    """F7 → F9: type the stick's folder, Enter; the table shows a ready WAV and a refused
    silence; F5 loads the ready one; Esc back."""
    from support.audio import words
    from support.pilot import text_of, wait_until
    from tui_app.app import ShtabApp
    from tui_app.screens.audio import AudioScreen
    from tui_app.screens.audio_import import AudioImportScreen

    stick = tmp_path / "stick" / "101"
    stick.mkdir(parents=True)
    sf.write(str(stick / "REC_20270210_091500.wav"), np.tile(words(6.0), 3), SR, subtype="PCM_16")
    sf.write(str(stick / "REC_20270210_093000.wav"), np.zeros(10 * SR, np.int16), SR, subtype="PCM_16")
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(AudioScreen())
        await pilot.pause()
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, AudioImportScreen))
        for ch in str(stick.parent):
            await pilot.press(ch if ch != "/" else "slash")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(app.screen.found) == 2, what="scan")
        verdicts = sorted(c.verdict.split(":")[0] for c in app.screen.found)
        assert verdicts == ["готов", "отказ"] or verdicts == ["отказ", "проверьте"]
        assert "Готово к загрузке: 1 из 2" in text_of(app, "#import-note")
        await pilot.press("f5")
        await wait_until(pilot, lambda: app.screen.last_result is not None, what="import")
        await pilot.pause()
        assert "Загружено файлов: 1" in text_of(app, "#import-note"), text_of(app, "#import-note")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, AudioScreen))
    folder = demo_results_ws.store.dir("audio") / "2027-02-10_OO470123_aud101"
    assert [p.name for p in folder.glob("*.mp3")] == ["2027-02-10_OO470123_aud101_001_091500.mp3"]
    assert (folder / "originals" / "2027-02-10_OO470123_aud101_001_091500_original.wav").read_bytes() == \
        (stick / "REC_20270210_091500.wav").read_bytes()

"""Audio use cases the F7 screen and the CLI both call: devices, the test recording with a
verdict, the day's stream per room (with personal recordings and markers), clips."""
from __future__ import annotations

import atexit
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from .. import notes
from ..diskspace import format_mb, free_bytes, require_free
from ..errors import DeviceError, StorageError, user_message
from ..notes import Note
from ..audio import clip as cliplib
from ..audio import devices as devlib
from ..audio import journal
from ..audio import markers as mk
from ..audio import names
from ..audio.devices import AudioUnavailable, InputDevice
from ..audio.quality import SILENCE_WARN_SECONDS, Analysis, analyze
from ..audio.recorder import MemorySink, Recorder
from ..audio.segments import (
    DEFAULT_SEGMENT_SECONDS,
    SAMPLERATE,
    Manifest,
    SegmentWriter,
    bytes_per_hour,
    effective_format,
)
from ..domain.models import Participant, RoomLogEntry
from ..store.workspace import Store
from .picker import find_one

LOW_DISK_HOURS = 2.0

_ACTIVE: "set[RoomRecording]" = set()


@atexit.register
def _stop_all() -> None:
    """Leaving the program closes the open segments properly (no half-written tail)."""
    for rec in list(_ACTIVE):
        try:
            rec.recorder.stop(timeout=10)
        except Exception:
            pass


# the stream backend; tests may put a synthetic one here
BACKEND_FACTORY: Callable[[], object] = lambda: devlib.SoundDeviceBackend()  # noqa: E731


class AudioError(DeviceError):
    """An audio problem the user can fix (Russian message)."""


# -- devices and settings ------------------------------------------------------------------
def list_devices() -> list[InputDevice]:
    """Input devices; AudioUnavailable (Russian) if there is no PortAudio or no microphone."""
    devices = devlib.input_devices()
    if not devices:
        raise AudioUnavailable(devlib.NO_INPUT)
    return devices


def refresh_devices() -> list[InputDevice]:
    devlib.refresh()
    return list_devices()


def choose_device(store: Store, device: InputDevice) -> None:
    store.update_settings(audio_device=device.name)


def current_device(store: Store, spec: Optional[str] = None) -> InputDevice:
    """The device given, else the remembered one (if still there), else the default."""
    devices = list_devices()
    if spec:
        return devlib.resolve(spec, devices)
    saved = store.settings().audio_device
    if saved:
        for d in devices:
            if d.matches(saved):
                return d
    return devlib.resolve(None, devices)


def audio_format(store: Store, fmt: Optional[str] = None) -> tuple[str, str]:
    """(format to write, Russian notice if MP3 had to fall back to WAV)."""
    try:
        return effective_format(fmt or store.settings().audio_format or "mp3")
    except Exception as e:
        raise AudioError(str(e)) from e


def set_format(store: Store, fmt: str) -> None:
    audio_format(store, fmt)
    store.update_settings(audio_format=fmt)


def segment_seconds(store: Store) -> float:
    return float(store.settings().audio_segment_seconds or DEFAULT_SEGMENT_SECONDS)


def reserve_bytes(fmt: str, segment_secs: float = DEFAULT_SEGMENT_SECONDS) -> int:
    """Disk a recording needs beyond its files: the open part's WAV journal (an MP3 part is
    written as WAV until it closes) and air for the manifest and markers."""
    journal_bytes = int(segment_secs * SAMPLERATE * 2) if fmt == "mp3" else 0
    return journal_bytes + 2 * 1024 * 1024


def hours_left(folder: Path, fmt: str, segment_secs: float = DEFAULT_SEGMENT_SECONDS) -> float:
    """Hours of one room's recording that the disk holding `folder` can still take."""
    free = free_bytes(folder)
    if free is None:
        return float("inf")
    return max(0.0, free - reserve_bytes(fmt, segment_secs)) / bytes_per_hour(fmt)


@dataclass
class DiskHours:
    free: Optional[int]  # bytes, None when the file system does not say
    hours: float  # one room recording on this disk
    rooms: int  # rooms of the workspace
    fmt: str

    @property
    def hours_each(self) -> float:
        """Each room, if all of them record onto this disk at once (one Штаб PC)."""
        return self.hours / max(1, self.rooms)

    @property
    def text(self) -> str:
        if self.free is None:
            return "Свободное место на этом диске неизвестно (диск не сообщает)."
        text = (f"Свободно на диске {format_mb(self.free)}: ≈ {self.hours:.0f} ч записи "
                f"{self.fmt.upper()} одной аудитории")
        if self.rooms > 1:
            text += f" (≈ {self.hours_each:.0f} ч на каждую из {self.rooms}, если писать все на этот диск)"
        return text + "."

    @property
    def short(self) -> str:
        if self.free is None:
            return "диск: ?"
        return f"диск: ≈{self.hours:.0f} ч на ауд."


def disk_hours(store: Store, fmt: Optional[str] = None) -> DiskHours:
    """Free disk under audio/ in hours of recording per room (before recording, F7)."""
    fmt = fmt or audio_format(store)[0]
    folder = store.dir("audio")
    secs = segment_seconds(store)
    return DiskHours(free_bytes(folder), hours_left(folder, fmt, secs), len(store.rooms()), fmt)


def require_disk(folder: Path, fmt: str, room: str, segment_secs: float) -> None:
    """Refuse to start a recording that could not even finish its first part."""
    need = reserve_bytes(fmt, segment_secs) + int(bytes_per_hour(fmt) * min(segment_secs, 3600) / 3600)
    require_free(folder, need, f"записи аудитории {room}")


class _Busy:
    """Files a recording of this process owns (a live view): everything in the folder of a
    room being recorded — its own encoder finishes the parts there."""

    def __contains__(self, path: object) -> bool:
        p = Path(str(path))
        return any(rec.folder.resolve() in p.parents for rec in list(_ACTIVE) if rec.running)


def recover_recordings(store: Store, room: Optional[str] = None) -> journal.Recovered:
    """Finish what a kill or a power cut interrupted (journals of MP3 parts -> MP3, WAV
    headers, temp files) under audio/ (or one room's folder). Files of a recording running
    in this process are left alone. Slow when there is work (LAME): off the UI thread."""
    root = room_folder(store, room)[0] if room else store.dir("audio")
    return journal.recover_folder(root, _Busy())


def recovered_text(res: journal.Recovered) -> str:
    if not (res.files or res.fixed_wav or res.errors):
        return "Незавершённых записей нет."
    parts = [f"Восстановлено частей записи: {res.files} ({res.seconds:.0f} с звука)"]
    if res.fixed_wav:
        parts.append(f"исправлено заголовков WAV: {res.fixed_wav}")
    text = "; ".join(parts) + "."
    if res.errors:
        text += " Не удалось: " + "; ".join(res.errors)
    return text


# -- names ---------------------------------------------------------------------------------
def room_folder(store: Store, room: str, oo: Optional[str] = None,
                day: Optional[date] = None) -> tuple[Path, str]:
    """(folder, base name) of a room's recordings: audio/<date>_OO<oo>_aud<room>/."""
    room = (room or "").strip()
    if not room:
        raise AudioError("Не указана аудитория: выберите аудиторию (--room НОМЕР).")
    ed = store.exam_day()
    code = oo or (ed.oo if ed else "")
    if not code:
        raise AudioError("Код ОО не задан: загрузите список участников (B2P) или укажите --oo КОД.")
    d = day or (ed.date if ed else date.today())
    base = names.room_base(d, room, code)
    return store.dir("audio") / base, base


# -- test recording --------------------------------------------------------------------------
@dataclass
class CheckResult:
    analysis: Analysis
    path: Path
    samples: np.ndarray
    samplerate: int
    device: str
    overflows: int = 0


def capture_check(folder: Path, dev: InputDevice, seconds: float = 10.0, room: str = "",
                  progress: Optional[Callable[[float, float, float], None]] = None,
                  clock: Callable[[], datetime] = datetime.now) -> CheckResult:
    """Record `seconds` from `dev`, judge it, keep it as a WAV in `folder`. No store access:
    safe in a worker thread."""
    sink = MemorySink()
    rec = Recorder(sink, BACKEND_FACTORY(), device=dev, max_frames=int(seconds * SAMPLERATE),
                   clock=clock, stall_seconds=max(3.0, seconds))
    rec.start()
    while not rec.wait(0.05):
        if progress:  # share of the check done, the live level (RMS, peak dBFS)
            m = rec.writer.meter
            progress(min(1.0, rec.stats.captured_frames / (seconds * SAMPLERATE)), m.rms_db, m.peak_db)
    samples = sink.samples()
    result = analyze(samples, SAMPLERATE)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / names.test_name(sink.start or clock(), room, "wav")
    n = 2
    while path.exists():  # two checks within one second keep both files
        path = path.with_name(f"{path.stem.rsplit('~', 1)[0]}~{n}.wav")
        n += 1
    import soundfile as sf

    sf.write(str(path), samples, SAMPLERATE, subtype="PCM_16")
    return CheckResult(result, path, samples, SAMPLERATE, dev.name, rec.stats.overflows)


def remember_check(store: Store, res: CheckResult, room: str = "") -> None:
    """The last check (`audio_test_result`, `audio_test_ok`: its verdict was «хорошо») and each
    room's own last check (`audio_tests`): the main screen's checklist is done when every room
    has a «хорошо» (services.summary.audio_tests_done)."""
    at = datetime.now().isoformat(timespec="seconds")
    verdict = res.analysis.verdict.value
    tests = dict(store.settings().audio_tests or {})
    tests[room] = {"verdict": verdict, "at": at, "device": res.device}
    store.update_settings(audio_test_ok=verdict == "good",
                          audio_test_result={**res.analysis.as_dict(), "device": res.device,
                                             "room": room, "at": at},
                          audio_tests=tests)


def run_test_recording(store: Store, seconds: float = 10.0, device: Optional[str] = None,
                       room: str = "", progress: Optional[Callable[[float, float, float], None]] = None,
                       clock: Callable[[], datetime] = datetime.now) -> CheckResult:
    dev = current_device(store, device)
    res = capture_check(store.dir("audio") / "test", dev, seconds, room, progress, clock)
    remember_check(store, res, room)
    return res


def play(samples: np.ndarray, samplerate: int = SAMPLERATE) -> None:
    devlib.play(samples, samplerate)


# -- the day's stream ----------------------------------------------------------------------------
@dataclass
class RoomStatus:
    room: str
    recording: bool
    elapsed: float  # seconds of audio written
    rms_db: float
    peak_db: float
    overflows: int
    dropped: int
    device_lost: bool
    silent_seconds: float
    clipping: bool
    segments: int
    segment: str
    hours_left: float
    error: Optional[str]
    personal: Optional[str]  # participant code being recorded personally
    warnings: list[str] = field(default_factory=list)


class RoomRecording:
    """The day's stream of one room. Call poll() regularly from the thread that owns the
    store: it writes personal times into the ИС-02 log and the markers file."""

    def __init__(self, store: Store, room: str, *, device: Optional[str] = None,
                 fmt: Optional[str] = None, seconds: Optional[float] = None,
                 segment_secs: Optional[float] = None, oo: Optional[str] = None,
                 clock: Callable[[], datetime] = datetime.now, queue_blocks: Optional[int] = None) -> None:
        self.store = store
        self.room = room
        self.folder, self.base = room_folder(store, room, oo)
        self.fmt, self.notice = audio_format(store, fmt)
        self.device = current_device(store, device)
        self.markers_file = mk.markers_path(self.folder, self.base)
        self.segment_secs = float(segment_secs or segment_seconds(store))
        require_disk(self.folder, self.fmt, room, self.segment_secs)
        self.writer = SegmentWriter(self.folder, self.base, self.fmt, segment_seconds=self.segment_secs)
        kw = {"queue_blocks": queue_blocks} if queue_blocks else {}
        self.recorder = Recorder(
            self.writer, BACKEND_FACTORY(), device=self.device,
            max_frames=int(seconds * SAMPLERATE) if seconds else None, clock=clock,
            personal_dir=self.folder / "personal",
            personal_name=lambda code, guid, at: names.personal_name(self.base, code, guid, at,
                                                                       self.writer.ext),
            fmt=self.fmt, **kw)
        self.personal: Optional[Participant] = None
        self.personal_files: list[Path] = []
        self.finished = False
        self.notices: list[Note] = []

    def start(self) -> None:
        self.recorder.start()
        _ACTIVE.add(self)

    def stop(self) -> list[Note]:
        """Stop, close the open segment; returns the last notices (personal file saved…)."""
        self.halt()
        return self.finish()

    def halt(self, timeout: float = 120.0) -> None:
        """Stop capturing and wait for the writer to finish the queue (may take seconds:
        call it off the UI thread). No store access."""
        self.recorder.stop(timeout)

    def finish(self) -> list[Note]:
        """After halt(), on the store's thread: the last events into the store and markers."""
        _ACTIVE.discard(self)
        self.finished = True
        out = self.poll()
        try:
            sync_markers_from_log(self.store, self.room)  # ИС-02 times typed by hand -> markers
        except AudioError:
            pass
        except (OSError, StorageError) as e:  # a full disk stopped the recording: say it, keep going
            out.append(notes.warning(
                f"Метки ответов по ИС-02 не записаны ({user_message(e)}); "
                "они запишутся, когда запись этой аудитории закончится в следующий раз."))
        return out

    def wait(self, timeout: Optional[float] = None) -> bool:
        return self.recorder.wait(timeout)

    @property
    def running(self) -> bool:
        return not self.recorder.done

    def personal_start(self, participant: Participant, at: Optional[datetime] = None) -> datetime:
        if not self.running:
            raise AudioError("Сначала начните запись аудитории (F5), затем персональную.")
        self.personal = participant
        return self.recorder.personal_start(participant.code, participant.guid, at)

    def personal_stop(self, at: Optional[datetime] = None) -> datetime:
        self.personal = None
        return self.recorder.personal_stop(at)

    def poll(self) -> list[Note]:
        """Apply the writer's events (store, markers); return Russian notes for the user."""
        out: list[Note] = [notes.warning(t) for t in self.writer.notices()]
        for ev in self.recorder.events():
            kind = ev["kind"]
            if kind == "personal_started":
                self._log_times(ev["guid"], ev["code"], ev["at"], None)
                out.append(notes.info(f"Персональная запись участника {ev['code'] or '—'} "
                                      f"начата в {ev['at']:%H:%M:%S}."))
            elif kind == "personal_stopped":
                self._log_times(ev["guid"], ev["code"], ev["start"], ev["at"])
                self.personal_files.append(Path(ev["path"]))
                out.append(notes.ok(f"Персональная запись участника {ev['code'] or '—'} сохранена "
                                    f"({ev['frames'] / SAMPLERATE:.0f} с): {Path(ev['path']).name}."))
            elif kind == "device_lost":
                out.append(notes.error(f"Устройство записи пропало в {ev['at']:%H:%M:%S}! Запись "
                                       "продолжится в новый файл, когда оно вернётся."))
            elif kind == "device_back":
                out.append(notes.warning(f"Устройство записи вернулось в {ev['at']:%H:%M:%S}: "
                                         "запись идёт в новый файл."))
            elif kind == "error":
                out.append(notes.error(ev["message"]))
        self.notices.extend(out)
        return out

    def _log_times(self, guid: str, code: str, start: datetime, end: Optional[datetime]) -> None:
        entry = self.store.get(RoomLogEntry, guid) or RoomLogEntry(participant=guid, room=self.room)
        entry = entry.model_copy(update={
            "room": self.room,
            "start": start.time().replace(microsecond=0),
            "end": end.time().replace(microsecond=0) if end else None,
        })
        self.store.put(entry)
        mk.upsert(self.markers_file, mk.Marker(
            guid, code, start.isoformat(timespec="milliseconds"),
            end.isoformat(timespec="milliseconds") if end else None, "personal"))

    def status(self) -> RoomStatus:
        r, w = self.recorder, self.recorder.writer
        m = w.meter
        cur = self.writer.current
        st = RoomStatus(
            room=self.room, recording=self.running, elapsed=w.written_frames / SAMPLERATE,
            rms_db=m.rms_db, peak_db=m.peak_db, overflows=r.stats.overflows,
            dropped=r.stats.dropped_blocks, device_lost=r.stats.device_lost,
            silent_seconds=m.silent_seconds, clipping=m.clipping_now,
            segments=len(self.writer.paths), segment=cur.path.name if cur else "",
            hours_left=hours_left(self.folder, self.fmt, self.segment_secs), error=w.error,
            personal=(self.personal.code or self.personal.guid[:8]) if self.personal else None)
        st.warnings = warnings_for(st)
        return st


def warnings_for(st: RoomStatus) -> list[str]:
    out = []
    if st.error:
        out.append(st.error)
    if st.device_lost:
        out.append("УСТРОЙСТВО ЗАПИСИ ПРОПАЛО! Проверьте кабель микрофона. Запись продолжится "
                   "в новый файл, как только устройство вернётся.")
    if st.recording and not st.device_lost and st.silent_seconds >= SILENCE_WARN_SECONDS:
        out.append(f"ТИШИНА на входе уже {st.silent_seconds:.0f} с: проверьте, что микрофон "
                   "включён и направлен на участника.")
    if st.recording and st.clipping:
        out.append("ПЕРЕГРУЗКА: звук искажается — уменьшите уровень записи или отодвиньте микрофон.")
    if st.hours_left < LOW_DISK_HOURS:
        out.append(f"МАЛО МЕСТА НА ДИСКЕ: осталось на {st.hours_left:.1f} ч записи.")
    return out


# -- markers from the ИС-02 log, clips -----------------------------------------------------
def find_participant(store: Store, ref: str) -> Participant:
    """By code, GUID or surname: the one picker (services/picker.find_one)."""
    ref = (ref or "").strip()
    return find_one(store.participants(), ref, AudioError, f"Участник с кодом «{ref}» не найден.")


def sync_markers_from_log(store: Store, room: str) -> int:
    """Times typed into the ИС-02 log become markers in the room's stream."""
    folder, base = room_folder(store, room)
    ed = store.exam_day()
    d = ed.date if ed else date.today()
    path = mk.markers_path(folder, base)
    existing = {(m.guid, m.source): m for m in mk.load(path)}
    n = 0
    for e in store.all(RoomLogEntry):
        if e.room != room or not e.start or not e.end:
            continue
        p = store.participant(e.participant)
        m = mk.Marker(e.participant, p.code if p else "", datetime.combine(d, e.start).isoformat(),
                      datetime.combine(d, e.end).isoformat(), "log")
        if existing.get((m.guid, "log")) != m:
            existing[(m.guid, "log")] = m
            n += 1
    if n:
        folder.mkdir(parents=True, exist_ok=True)
        mk.save(path, list(existing.values()))
    return n


@dataclass
class ClipInfo:
    result: cliplib.ClipResult
    source: str  # "журнал ИС-02" | "метки"
    participant: Participant


@dataclass
class ClipPlan:
    participant: Participant
    folder: Path
    segments: list
    start: datetime
    end: datetime
    out: Path
    ext: str
    source: str  # "журнал ИС-02" | "метки"


def plan_clip(store: Store, ref: str, *, source: str = "auto", pad: float = 0.0) -> ClipPlan:
    """Find the participant's room stream and answer times (reads the store; fast)."""
    p = find_participant(store, ref)
    entry = store.get(RoomLogEntry, p.guid)
    room = (entry.room if entry and entry.room else p.room)
    if not room:
        raise AudioError("Участник не распределён в аудиторию: не из чего вырезать фрагмент.")
    folder, base = room_folder(store, room)
    segments = Manifest(folder / f"{base}_stream.json").refreshed()
    if not segments:
        raise AudioError(f"Потоковой записи аудитории {room} нет в папке {folder}.")
    start = end = None
    used = ""
    if source in ("auto", "log") and entry and entry.start and entry.end:
        d = segments[0].start_dt.date()
        start, end = datetime.combine(d, entry.start), datetime.combine(d, entry.end)
        used = "журнал ИС-02"
    if start is None and source in ("auto", "markers"):
        m = mk.find(mk.markers_path(folder, base), p.guid)
        if m:
            start, end = m.start_dt, m.end_dt
            used = "метки"
    if start is None or end is None:
        raise AudioError("Нет времени начала и окончания ответа участника: заполните время в "
                         "ведомости ИС-02 или сделайте персональную запись.")
    pad_td = timedelta(seconds=max(0.0, pad))
    first = Path(segments[0].file)
    ext = "mp3" if journal.is_journal(first) else first.suffix.lstrip(".").lower()
    out = store.dir("audio") / "clips" / names.clip_name(base, p.code, p.guid, ext)
    return ClipPlan(p, folder, segments, start - pad_td, end + pad_td, out, ext, used)


def execute_clip(plan: ClipPlan) -> cliplib.ClipResult:
    """Decode, cut and encode (slow for MP3: run it off the UI thread). No store access.
    Parts a kill left unfinished are finished first, so the clip is cut from the MP3s."""
    journal.recover_folder(plan.folder, _Busy())
    manifest = Manifest(next(iter(plan.folder.glob("*_stream.json")), plan.folder / "_stream.json"))
    segments = manifest.refreshed() or plan.segments
    try:
        return cliplib.cut(plan.folder, segments, plan.start, plan.end, plan.out, plan.ext)
    except cliplib.ClipError as e:
        raise AudioError(str(e)) from e


def make_clip(store: Store, ref: str, *, source: str = "auto", pad: float = 0.0) -> ClipInfo:
    """Cut the participant's answer from their room's stream by the ИС-02 times or markers."""
    plan = plan_clip(store, ref, source=source, pad=pad)
    return ClipInfo(execute_clip(plan), plan.source, plan.participant)

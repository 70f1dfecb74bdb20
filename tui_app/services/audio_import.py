"""Recordings from any device (issue 20): a dictaphone, a phone, another PC.

`scan(store, path)` looks at every audio file under a folder or a stick (hidden folders
too: phones keep recordings in `.something/`), and for each one reads it through
audio/decode.py, measures its speech, and guesses the room (from the file's name and
folders) and the start time (from the name, the file's own tags, or its modification time
minus its duration). A start on another day than the exam's is a wrong clock (a
dictaphone reset to 2015): the start is then matched to the room's ИС-02 answers by the
pattern of speech and pauses. The user confirms or corrects room and start (the screen, or
`audio-import` with --room/--date/--start), then `import_files` stores each file:

- a copy in the room's format at 16 kHz mono, named by the rule like the room's own parts
  (`<date>_OO<code>_aud<room>_<NNN>_<HHMMSS>.mp3`), entered in the room's stream manifest as
  a part from another device — so `clip`, the listening station (`participant_audio`) and
  the handoff (every file under audio/, SHA256SUMS) find it as they find recorded parts;
- the original bytes, untouched and verified, in `originals/` beside it, named by the rule
  with the device's name kept in the manifest.

Refused, with the reason: unreadable files (and what to install), silence, a file too
short to hold an answer, a file already imported.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from ..audio import decode, journal, names
from ..audio.quality import frame_levels
from ..audio.segments import SAMPLERATE, AudioFile, Manifest, Segment, bytes_per_hour
from ..diskspace import require_free
from ..domain.limits import MAX_AUDIO_BYTES
from ..domain.models import RoomLogEntry
from ..domain.ordering import fold
from ..errors import Refused, from_os_error
from ..exchange import untrusted
from ..store.atomic import fsync_dir
from ..store.workspace import Store
from . import audio as svc

EXTENSIONS = (".wav", ".mp3", ".m4a", ".mp4", ".ogg", ".oga", ".opus", ".flac", ".aac", ".amr",
              ".3gp", ".wma", ".aif", ".aiff", ".webm")
MIN_SECONDS = 3.0
SPEECH_MIN_SECONDS = 2.0  # less voice than this in the whole file: silence
SPEECH_ABOVE_NOISE_DB = 10.0
SPEECH_FLOOR_DB = -50.0


class ImportRefused(Refused):
    """A file or a request that cannot be imported (Russian message)."""


@dataclass
class Candidate:
    path: Path
    rel: str  # as shown: the path under the scanned folder
    seconds: float = 0.0
    reader: str = ""
    codec: str = ""
    room: str = ""
    room_why: str = ""
    start: Optional[datetime] = None
    start_why: str = ""
    clock_wrong: bool = False
    speech_seconds: float = 0.0
    active_db: float = -100.0
    refused: str = ""
    warnings: list[str] = field(default_factory=list)
    covers: list[str] = field(default_factory=list)  # participant codes answered inside it
    activity: Optional[np.ndarray] = None  # speech share per second
    sha256: str = ""

    @property
    def ready(self) -> bool:
        return not self.refused and bool(self.room) and self.start is not None

    @property
    def end(self) -> Optional[datetime]:
        return self.start + timedelta(seconds=self.seconds) if self.start else None

    @property
    def verdict(self) -> str:
        if self.refused:
            return f"отказ: {self.refused}"
        if not self.room:
            return "укажите аудиторию"
        if self.start is None:
            return "укажите время начала"
        return "проверьте" if self.warnings else "готов"


# -- finding files -----------------------------------------------------------------------------
def find_files(path: Path, skip: Optional[Path] = None) -> list[Path]:
    """Audio files under `path` (a file, a folder, a stick), hidden folders included."""
    path = Path(path)
    if path.exists() and not path.is_dir():  # a file (or a pipe or a device: examine refuses it)
        return [path] if path.suffix.lower() in EXTENSIONS else []
    if not path.is_dir():
        raise ImportRefused(f"Папка «{path}» не найдена: вставьте флешку или укажите другую папку.")
    out = []
    for dirpath, dirnames, filenames in os.walk(path):
        d = Path(dirpath)
        if skip is not None and _inside(d, skip):
            dirnames[:] = []
            continue
        dirnames.sort()
        for f in sorted(filenames):
            p = d / f
            if p.suffix.lower() in EXTENSIONS and not f.startswith("._"):  # macOS resource forks
                out.append(p)
    return out


def _inside(p: Path, root: Path) -> bool:
    try:
        p.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


# -- guesses -------------------------------------------------------------------------------------
_ROOM_RE = re.compile(r"(?:аудитори[яи]|ауд|aud|room|кабинет|каб|kab)[\s._-]*№?\s*([0-9]+[a-zа-я]?)", re.I)
_DT_RE = re.compile(r"(20\d\d|19\d\d)[-_.]?([01]\d)[-_.]?([0-3]\d)(?:[ _T.-]*([0-2]\d)[-_.:h]?([0-5]\d)(?:[-_.:m]?([0-5]\d))?)?")
_DMY_RE = re.compile(r"([0-3]\d)\.([01]\d)\.(20\d\d)(?:[ _-]+([0-2]\d)[.:-]([0-5]\d)(?:[.:-]([0-5]\d))?)?")


def guess_room(rel: str, rooms: list[str]) -> tuple[str, str]:
    """(room, why) from the file's name and folders; '' when nothing names a room."""
    by_fold = {fold(r): r for r in rooms}
    parts = [p for p in re.split(r"[\\/]", rel) if p]
    for part in reversed(parts):
        stem = part.rsplit(".", 1)[0] if part is parts[-1] else part
        m = _ROOM_RE.search(stem)
        if m:
            room = by_fold.get(fold(m.group(1)), m.group(1))
            return room, f"по имени «{part}»"
        if fold(stem) in by_fold:
            return by_fold[fold(stem)], f"по папке «{part}»" if part is not parts[-1] else f"по имени «{part}»"
    return "", ""


def guess_time_from_name(name: str) -> Optional[datetime]:
    for rx, order in ((_DT_RE, "ymd"), (_DMY_RE, "dmy")):
        m = rx.search(name)
        if not m:
            continue
        g = m.groups()
        y, mo, d = (g[0], g[1], g[2]) if order == "ymd" else (g[2], g[1], g[0])
        try:
            day = date(int(y), int(mo), int(d))
            t = time(int(g[3]), int(g[4]), int(g[5] or 0)) if g[3] and g[4] else time(0, 0)
        except ValueError:
            continue
        return datetime.combine(day, t)
    return None


def _room_intervals(store: Store, room: str, day: date) -> list[tuple[datetime, datetime, str]]:
    out = []
    for e in store.all(RoomLogEntry):
        if e.room == room and e.start and e.end:
            p = store.participant(e.participant)
            out.append((datetime.combine(day, e.start), datetime.combine(day, e.end),
                        (p.code if p and p.code else e.participant[:8])))
    return sorted(out)


def align_to_log(activity: np.ndarray, intervals: list[tuple[datetime, datetime, str]]) -> Optional[datetime]:
    """The start that best lines the file's speech (per second) up with the answers in ИС-02:
    speech inside the intervals, pauses between them."""
    if not intervals or activity is None or len(activity) < 5:
        return None
    t0 = intervals[0][0] - timedelta(seconds=len(activity))
    span = int((intervals[-1][1] - t0).total_seconds()) + len(activity) + 1  # starts up to the last end
    ind = np.full(span, -0.5)
    for a, b, _ in intervals:
        ind[int((a - t0).total_seconds()):int((b - t0).total_seconds())] = 0.5
    act = activity - activity.mean()
    score = np.correlate(ind, act, mode="valid")  # score[k]: the file starting k s after t0
    if len(score) == 0 or float(np.max(score)) <= 0:
        return None
    return t0 + timedelta(seconds=int(np.argmax(score)))


# -- the look at one file --------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _measure(c: Candidate, p: decode.Probe) -> None:
    """Duration, speech seconds and the speech share of each second, in one decode."""
    levels: list[np.ndarray] = []
    frames = 0
    carry = np.zeros(0, np.int16)
    for block in decode.blocks(p, SAMPLERATE):
        x = np.concatenate([carry, block])
        whole = len(x) // SAMPLERATE * SAMPLERATE
        if whole:
            levels.append(frame_levels(x[:whole].astype(np.float64) / 32768.0, SAMPLERATE))
        carry = x[whole:]
        frames += len(block)
    if len(carry):
        levels.append(frame_levels(carry.astype(np.float64) / 32768.0, SAMPLERATE))
    c.seconds = frames / SAMPLERATE
    lv = np.concatenate(levels) if levels else np.zeros(0)
    if not len(lv):
        return
    noise = float(np.percentile(lv, 10))
    c.active_db = float(np.percentile(lv, 95))
    speech = lv > max(noise + SPEECH_ABOVE_NOISE_DB, SPEECH_FLOOR_DB)
    c.speech_seconds = float(speech.sum()) * 0.02
    per = 50  # 20 ms frames per second
    n = len(speech) // per
    c.activity = speech[: n * per].reshape(n, per).mean(axis=1) if n else np.zeros(0)


def examine(store: Store, path: Path, rel: str, known: set[str]) -> Candidate:
    c = Candidate(Path(path), rel)
    try:  # before any open: a pipe or a device named *.wav would be read for ever
        untrusted.check_input(c.path, MAX_AUDIO_BYTES)
    except untrusted.InputRefused as e:
        c.refused = str(e)
        return c
    try:
        c.sha256 = _sha256(c.path)
        p = decode.probe(c.path)
        c.reader, c.codec = p.reader, p.codec
        _measure(c, p)
    except decode.Unreadable as e:
        c.refused = str(e)
        return c
    except OSError as e:
        c.refused = str(from_os_error(e, path))
        return c
    except Exception as e:  # a damaged file: say so, go on with the others
        c.refused = f"файл повреждён или не звуковой ({type(e).__name__})"
        return c
    if c.sha256 in known:
        c.refused = "этот файл уже загружен"
        return c
    if c.seconds < MIN_SECONDS:
        c.refused = f"слишком короткий ({c.seconds:.1f} с): ответа в нём нет"
        return c
    if c.speech_seconds < SPEECH_MIN_SECONDS:
        c.refused = (f"в файле нет речи — тишина (громкие места {c.active_db:.0f} дБFS, речи "
                     f"{c.speech_seconds:.1f} с из {c.seconds:.0f} с)")
        return c
    rooms = [r.number for r in store.rooms()]
    c.room, c.room_why = guess_room(rel, rooms)
    if c.room and rooms and c.room not in rooms:
        c.warnings.append(f"аудитории «{c.room}» нет в списке аудиторий")
    _guess_start(store, c, p)
    check_against_log(store, c)
    return c


def exam_day(store: Store) -> date:
    ed = store.exam_day()
    return ed.date if ed else date.today()


def _guess_start(store: Store, c: Candidate, p: decode.Probe) -> None:
    day = exam_day(store)
    named = guess_time_from_name(c.path.name)
    mtime = datetime.fromtimestamp(c.path.stat().st_mtime) - timedelta(seconds=c.seconds)
    if named and named.time() != time(0, 0):
        guess, why = named, "по имени файла"
    elif p.created:
        guess, why = p.created, "по метке времени в файле"
    elif named:
        guess, why = named, "по дате в имени файла (время — по дате изменения)"
        guess = datetime.combine(named.date(), mtime.time())
    else:
        guess, why = mtime, "по дате изменения файла минус длительность"
    if guess.date() == day:
        c.start, c.start_why = guess.replace(microsecond=0), why
        return
    c.clock_wrong = True
    c.warnings.append(f"дата записи {guess:%d.%m.%Y} ({why}) — не день собеседования "
                      f"{day:%d.%m.%Y}: часы устройства, видимо, сбиты")
    aligned = align_to_log(c.activity, _room_intervals(store, c.room, day)) if c.room else None
    if aligned is not None:
        c.start, c.start_why = aligned, "подобрано по ответам в ИС-02 (речь и паузы)"
    else:
        c.start, c.start_why = None, ""


def check_against_log(store: Store, c: Candidate) -> None:
    """Which ИС-02 answers of the room the file covers, and whether it has speech in them."""
    c.covers = []
    c.warnings = [w for w in c.warnings if not w.startswith(("нет речи в ответ", "ни один ответ"))]
    if not c.room or c.start is None:
        return
    intervals = _room_intervals(store, c.room, c.start.date())
    if not intervals:
        return
    silent = []
    for a, b, code in intervals:
        if a >= c.start and b <= c.end:
            c.covers.append(code)
            i, j = int((a - c.start).total_seconds()), int((b - c.start).total_seconds())
            if c.activity is not None and (j <= i or float(np.mean(c.activity[i:j])) < 0.15):
                silent.append(code)
    if not c.covers:
        c.warnings.append(f"ни один ответ по ИС-02 аудитории {c.room} не попадает в "
                          f"{c.start:%H:%M:%S}–{c.end:%H:%M:%S}: проверьте время начала")
    if silent:
        c.warnings.append("нет речи в ответах по ИС-02: " + ", ".join(silent) + " — проверьте время начала")


def scan(store: Store, path: Path, progress: Optional[Callable[[int, int, str], None]] = None) -> list[Candidate]:
    """Look at every audio file under `path` (slow: decodes them; off the UI thread)."""
    path = Path(path)
    files = find_files(path, skip=store.dir("audio"))
    if not files:
        raise ImportRefused(f"В «{path}» нет звуковых файлов ({', '.join(EXTENSIONS)}).")
    known = imported_hashes(store)
    out = []
    base = path if path.is_dir() else path.parent
    for i, f in enumerate(files):
        if progress:
            progress(i, len(files), f.name)
        rel = f.relative_to(base).as_posix()
        out.append(examine(store, f, rel, known))
        if out[-1].sha256 and not out[-1].refused:
            known.add(out[-1].sha256)
    return out


def set_room(store: Store, c: Candidate, room: str) -> None:
    """The user's room for a file; the start is re-matched if the clock was wrong."""
    room = (room or "").strip()
    if not room:
        raise ImportRefused("Аудитория не указана.")
    c.room, c.room_why = room, "указано вручную"
    if c.clock_wrong and c.start_why != "указано вручную":
        aligned = align_to_log(c.activity, _room_intervals(store, room, exam_day(store)))
        if aligned is not None:
            c.start, c.start_why = aligned, "подобрано по ответам в ИС-02 (речь и паузы)"
    check_against_log(store, c)


def parse_start(text: str, day: date) -> datetime:
    """'09:00', '9:00:05', '2027-02-10 09:00:05' -> datetime (the exam day by default)."""
    t = (text or "").strip().replace(".", ":")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%H:%M:%S", "%H:%M"):
        try:
            dt = datetime.strptime(t, fmt)
        except ValueError:
            continue
        return dt if "%Y" in fmt else datetime.combine(day, dt.time())
    raise ImportRefused(f"Время «{text}» не понято: введите ЧЧ:ММ или ЧЧ:ММ:СС.")


def set_start(store: Store, c: Candidate, start: datetime) -> None:
    c.start, c.start_why = start, "указано вручную"
    check_against_log(store, c)


# -- storing ---------------------------------------------------------------------------------------
def imported_hashes(store: Store) -> set[str]:
    out = set()
    for m in store.dir("audio").glob("*/*_stream.json"):
        out |= {s.sha256 for s in Manifest(m).segments if s.sha256}
    return out


@dataclass
class Imported:
    candidate: Candidate
    path: Path  # the converted copy (a part of the room's stream)
    original: Path  # the untouched original beside it


def _copy_verified(src: Path, dst: Path, sha: str) -> None:
    tmp = dst.with_name(f".{dst.name}.tmp")
    with open(src, "rb") as fi, open(tmp, "wb") as fo:
        for chunk in iter(lambda: fi.read(1 << 20), b""):
            fo.write(chunk)
        fo.flush()
        os.fsync(fo.fileno())
    if _sha256(tmp) != sha:
        tmp.unlink(missing_ok=True)
        raise ImportRefused(f"Копия «{src.name}» не совпала с оригиналом: носитель неисправен?")
    os.replace(tmp, dst)


def import_one(store: Store, c: Candidate, fmt: Optional[str] = None) -> Imported:
    """Store one confirmed file (decodes and encodes: off the UI thread; no store writes)."""
    if not c.ready:
        raise ImportRefused(f"«{c.rel}»: {c.verdict}.")
    if any(r.room == c.room and r.running for r in list(svc._ACTIVE)):
        raise ImportRefused(f"В аудитории {c.room} сейчас идёт запись: загрузите файл после неё.")
    fmt = fmt or svc.audio_format(store)[0]
    folder, base = svc.room_folder(store, c.room, day=c.start.date())
    folder.mkdir(parents=True, exist_ok=True)
    need = int(bytes_per_hour(fmt) * c.seconds / 3600) + c.path.stat().st_size + 2 * 1024 * 1024
    require_free(folder, need, f"загрузки «{c.path.name}»")
    man = Manifest(folder / f"{base}_stream.json")
    index = man.next_index()
    name = names.segment_name(base, index, c.start, "mp3" if fmt == "mp3" else "wav")
    out = folder / name
    orig_dir = folder / journal.ORIGINALS
    orig_dir.mkdir(exist_ok=True)
    original = orig_dir / f"{Path(name).stem}_original{c.path.suffix.lower()}"
    try:
        _copy_verified(c.path, original, c.sha256)
        tmp = out.with_name(f".{out.name}.tmp")
        f = AudioFile(tmp, fmt, SAMPLERATE, 1)
        try:
            for block in decode.blocks(decode.probe(c.path), SAMPLERATE):
                f.write(block.reshape(-1, 1))
            f.close()
        except BaseException:
            f.abort()
            tmp.unlink(missing_ok=True)
            raise
        frames = f.frames
        os.replace(tmp, out)
        fsync_dir(folder)
    except OSError as e:
        raise from_os_error(e, out) from e
    man.segments.append(Segment(name, c.start.isoformat(timespec="seconds"), frames, SAMPLERATE, True,
                                source="import", original=f"{journal.ORIGINALS}/{original.name}",
                                original_name=c.rel, sha256=c.sha256))
    man.save()
    return Imported(c, out, original)


def import_files(store: Store, candidates: list[Candidate],
                 progress: Optional[Callable[[int, int, str], None]] = None) -> tuple[list[Imported], list[str]]:
    """Every ready file; (stored, Russian problems) — one failure does not stop the others."""
    done, problems = [], []
    ready = [c for c in candidates if c.ready]
    for i, c in enumerate(ready):
        if progress:
            progress(i, len(ready), c.path.name)
        try:
            done.append(import_one(store, c))
        except Refused as e:
            problems.append(str(e))
        except Exception as e:  # noqa: BLE001 - the family's StorageError and friends
            problems.append(f"«{c.rel}»: {e}")
    return done, problems


# -- for the listening station --------------------------------------------------------------------
@dataclass
class Piece:
    path: Path
    start: float  # seconds into the file
    end: float
    source: str  # "stream" | "import" | "personal"
    at: datetime  # wall-clock time of `start`


@dataclass
class ParticipantAudio:
    participant: object
    start: Optional[datetime]
    end: Optional[datetime]
    times_from: str  # "журнал ИС-02" | "метки" | "персональная запись"
    pieces: list[Piece]


def participant_audio(store: Store, ref: str) -> ParticipantAudio:
    """The audio of participant `ref`: the files and the offsets of their answer in each —
    the room's recorded or imported parts by the ИС-02 times (or markers), and their
    personal recording if there is one. Nothing is decoded: fast, on any thread."""
    p = svc.find_participant(store, ref)
    pieces: list[Piece] = []
    start = end = None
    used = ""
    try:
        plan = svc.plan_clip(store, p.guid)
        start, end, used = plan.start, plan.end, plan.source
        for s in plan.segments:
            a, b = max(start, s.start_dt), min(end, s.end_dt)
            if b > a:
                pieces.append(Piece(plan.folder / s.file, (a - s.start_dt).total_seconds(),
                                    (b - s.start_dt).total_seconds(), s.source, a))
    except svc.AudioError:
        pass
    entry = store.get(RoomLogEntry, p.guid)
    room = entry.room if entry and entry.room else p.room
    if room:
        folder, _ = svc.room_folder(store, room)
        for f in sorted((folder / "personal").glob(f"*_{names.participant_part(p.code, p.guid)}_*.*")):
            if journal.is_journal(f) and journal.final_path(f).exists():
                continue
            frames = journal.frames_of(f)
            if frames <= 0:
                continue
            secs = frames / SAMPLERATE
            hms = f.stem.rsplit("_", 1)[-1].split(".")[0]
            try:
                at = datetime.combine(exam_day(store), datetime.strptime(hms, "%H%M%S").time())
            except ValueError:
                at = start or datetime.combine(exam_day(store), time(0, 0))
            pieces.append(Piece(f, 0.0, secs, "personal", at))
            if start is None:
                start, end, used = at, at + timedelta(seconds=secs), "персональная запись"
    if not pieces:
        raise svc.AudioError(f"Для участника {p.code or p.guid[:8]} нет записи: ни потоковой "
                             "(или загруженной) записи аудитории по времени ИС-02, ни персональной.")
    return ParticipantAudio(p, start, end, used, pieces)

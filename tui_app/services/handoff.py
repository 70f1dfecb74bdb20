"""Handoff to the МСУ: copy the results, the audio and the forms onto a USB stick.

What goes: the newest results file export/*.b2p, the recordings under audio/, every file
under forms/ (seeds 000:17, 004:593) and the scans of the signed ИС-02/ИС-03 under scans/
(services/scans.py; asked for when the region wants them). What stays out (issue 17): the test recordings
(`test_*`, made the day before, no ОО code) and the program's service files (*.json) — they
are not «записи ответов». A handoff without a room's recordings or without ИС-02/ИС-03 asks
before it goes on (`Plan.questions`).
Where: one dated folder on the target, e.g. ``IS_470123_2027-02-10`` (ASCII, safe on FAT32),
with a ``SHA256SUMS`` manifest that ``sha256sum -c SHA256SUMS`` reads in that folder.

How: a free-space check first (nothing is written when the stick is too small); the copy
goes into ``IS_…​.incomplete`` with an ``INCOMPLETE.txt`` that says so; every file is copied
in chunks and fsync'd; then every file is read back from the stick (with the page cache
dropped where the OS allows) and its SHA-256 compared with the source's. Only then is the
manifest written, the marker removed and the folder renamed to its real name, and the copy
reported done. Any OSError on the way (a stick pulled out, a full or read-only disk) is a
failure, never «готово»; a copy killed half-way stays ``.incomplete`` (never a handoff) and
the next handoff to that stick removes it.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Optional

from ..errors import ReadOnly, Refused, ShtabError, os_error_kind, os_error_text
from ..store.atomic import fsync_dir

CHUNK = 1024 * 1024
MANIFEST = "SHA256SUMS"
CLUSTER_SLACK = 64 * 1024  # per file: FAT32 clusters are up to 32 KiB; be generous
MARGIN = 1024 * 1024  # the manifest, folder entries, a little air
SKIP_SUFFIXES = (".tmp", ".part", ".lock", ".bak")
INCOMPLETE_SUFFIX = ".incomplete"
INCOMPLETE_MARKER = "INCOMPLETE.txt"
INCOMPLETE_TEXT = ("Передача в МСУ НЕ завершена: эта папка неполная, не используйте её.\r\n"
                   "Повторите передачу из ИС-Штаба (F9) — программа удалит эту папку сама.\r\n")


class HandoffError(ShtabError):
    """A Russian message for the user."""


class HandoffRefused(HandoffError, Refused):
    """Refused before anything was written to the target."""


class HandoffFailed(HandoffError):
    """The copy started and did not finish verified: the target is NOT complete."""


@dataclass(frozen=True)
class Item:
    src: Path
    rel: str  # relative path on the target, forward slashes
    size: int
    kind: str  # "b2p" | "audio" | "forms" | "scans"


@dataclass
class Plan:
    folder: str
    items: list[Item]
    warnings: list[str] = field(default_factory=list)
    root: Optional[Path] = None  # the workspace the files come from
    questions: list[str] = field(default_factory=list)  # ask «передать всё равно?» first
    left_out: list[str] = field(default_factory=list)  # relative paths kept off the stick

    @property
    def total(self) -> int:
        return sum(i.size for i in self.items)

    def count(self, kind: str) -> int:
        return sum(1 for i in self.items if i.kind == kind)

    @property
    def needed(self) -> int:
        return self.total + CLUSTER_SLACK * (len(self.items) + 1) + MARGIN


@dataclass(frozen=True)
class Progress:
    phase: str  # "copy" | "verify"
    done: int  # bytes of work done (copy + read-back)
    total: int  # bytes of work in all (2 × plan total)
    file: str
    elapsed: float
    eta: Optional[float]  # seconds left, None until it can be estimated

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def text(self) -> str:
        what = "Копирование" if self.phase == "copy" else "Проверка"
        left = f", осталось {format_eta(self.eta)}" if self.eta is not None else ""
        return f"{what}: {format_size(self.done)} из {format_size(self.total)}{left}"


@dataclass
class Result:
    folder: Path
    files: int
    bytes: int
    seconds: float
    manifest: Path

    @property
    def message(self) -> str:
        return (f"Готово: файлов {self.files} ({format_size(self.bytes)}) записано в "
                f"{self.folder} и проверено чтением с носителя по контрольным суммам "
                f"({MANIFEST}).")


ProgressFn = Callable[[Progress], None]


def format_size(n: int) -> str:
    if n < 1024:
        return f"{n} Б"
    for unit, div in (("КБ", 1024), ("МБ", 1024 ** 2), ("ГБ", 1024 ** 3)):
        if n < div * 1024 or unit == "ГБ":
            return f"{n / div:.1f} {unit}".replace(".", ",")
    return f"{n} Б"


def format_eta(seconds: Optional[float]) -> str:
    if seconds is None:
        return "—"
    s = int(round(seconds))
    if s < 60:
        return f"{s} с"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} мин {s:02d} с"
    h, m = divmod(m, 60)
    return f"{h} ч {m:02d} мин"


# -- what goes -----------------------------------------------------------------------------
def folder_name(day) -> str:
    """ASCII-safe dated folder name: IS_<ОО>_<YYYY-MM-DD> (FAT32 and any МСУ computer)."""
    if day is None:
        return f"IS_{datetime.now():%Y-%m-%d}"
    return f"IS_{day.oo}_{day.date:%Y-%m-%d}"


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    out = []
    for p in folder.rglob("*"):
        if not p.is_file() or p.is_symlink():
            continue
        rel = p.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or p.name.endswith(SKIP_SUFFIXES):
            continue
        out.append(p)
    return sorted(out, key=lambda p: p.relative_to(folder).as_posix())


def newest_b2p(export_dir: Path) -> Optional[Path]:
    files = [p for p in export_dir.glob("*.b2p") if p.is_file()] if export_dir.is_dir() else []
    if not files:
        return None
    return max(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def plan(root: Path, day=None) -> Plan:
    """What the handoff will copy from the workspace folder `root`."""
    root = Path(root)
    items: list[Item] = []
    warnings: list[str] = []
    b2p = newest_b2p(root / "export")
    if b2p is None:
        warnings.append("Нет файла результатов B2P в папке export: сначала проверьте и "
                        "выгрузите результаты (F8), иначе МСУ получит только аудио и бланки.")
    else:
        items.append(Item(b2p, b2p.name, b2p.stat().st_size, "b2p"))
    left_out: list[str] = []
    for kind in ("audio", "forms", "scans"):
        base = root / kind
        files = _files_under(base)
        if kind == "audio":
            left_out = [f"{kind}/{p.relative_to(base).as_posix()}" for p in files if not is_answer_audio(p)]
            files = [p for p in files if is_answer_audio(p)]
        if not files and kind != "scans":  # scans: only where the region wants them (missing_for)
            what = "аудиозаписей (папка audio)" if kind == "audio" else "бланков и актов (папка forms)"
            warnings.append(f"Нет {what}.")
        for p in files:
            items.append(Item(p, f"{kind}/{p.relative_to(base).as_posix()}", p.stat().st_size, kind))
    if left_out:
        warnings.append(f"Не передаются (не записи ответов): пробные записи и служебные файлы — "
                        f"{len(left_out)}.")
    return Plan(folder_name(day), items, warnings, root, left_out=left_out)


def is_answer_audio(path: Path) -> bool:
    """A recording of answers (room stream, personal, remote session), not a test recording
    or a service file."""
    name = path.name.lower()
    return not name.startswith("test_") and not name.endswith(".json")


def plan_for(store) -> Plan:
    from .remote import is_remote

    if is_remote(store):  # the connection schedule goes to the МСУ with the forms (seed 002)
        from .forms import build_form

        try:
            build_form(store, "график")
        except ShtabError:
            pass
    p = plan(store.root, store.exam_day())
    p.questions = missing_for(store, p)
    return p


def missing_for(store, p: Plan) -> list[str]:
    """What the seeds say the МСУ must get and the plan lacks (seed 004, 12.2): the recordings
    of every room with participants, ИС-02 and ИС-03."""
    out = []
    seated = sorted({x.room for x in store.participants() if x.room and not x.absent})
    audio = [i.rel for i in p.items if i.kind == "audio"]
    no_audio = [r for r in seated
                if not any(f"_aud{_safe(r)}_" in a or a.endswith(f"_aud{_safe(r)}") for a in audio)]
    if no_audio:
        out.append("Нет аудиозаписей аудиторий: " + ", ".join(no_audio) + ".")
    forms = [i.rel for i in p.items if i.kind == "forms"]
    for code in ("IS-02", "IS-03"):
        if not any(f"/{code}_" in f for f in forms):
            out.append(f"Нет {code.replace('IS', 'ИС')} в папке forms (напечатайте форму).")
    from . import scans

    if scans.required(store):
        lack = scans.missing(store)
        if lack:
            out.append("Нет сканов подписанных ведомостей: " + ", ".join(lack[:6])
                       + (f" и ещё {len(lack) - 6}" if len(lack) > 6 else "") + " (is-shtab scans add ПАПКА).")
    return out


def _safe(room: str) -> str:
    from ..audio.names import safe_part

    return safe_part(room)


# -- copying -------------------------------------------------------------------------------
def check_space(plan_: Plan, target: Path) -> None:
    """Refuse a target that is missing, not a folder, or too small — before writing."""
    target = Path(target)
    if not target.exists():
        raise HandoffRefused(f"Папка «{target}» не найдена. Вставьте флешку и выберите её "
                             "в списке или введите существующую папку.")
    if not target.is_dir():
        raise HandoffRefused(f"«{target}» — не папка. Выберите папку на флешке.")
    if plan_.root is not None:
        t, r = target.resolve(), Path(plan_.root).resolve()
        if t == r or r in t.parents:
            raise HandoffRefused("Папка назначения находится внутри рабочей папки программы. "
                                 "Выберите флешку или другую папку.")
    try:
        free = shutil.disk_usage(target).free
    except OSError as e:
        raise HandoffRefused(f"Не удалось узнать свободное место на «{target}». "
                             f"{os_error_text(e, target)}") from None
    if free < plan_.needed:
        raise HandoffRefused(
            f"На носителе недостаточно места: нужно {format_size(plan_.needed)}, свободно "
            f"{format_size(free)}. Освободите место или выберите другой носитель. "
            "Ничего не записано.")


def _unique_dir(target: Path, name: str) -> Path:
    d = target / name
    n = 2
    while d.exists():
        d = target / f"{name}_{n}"
        n += 1
    return d


def _write_chunk(f, data: bytes) -> None:
    """One chunk to the target (a seam for tests that simulate a faulty stick)."""
    f.write(data)


def _drop_cache(fd: int) -> None:
    """Ask the OS to forget the cached pages, so the read-back comes from the device."""
    if hasattr(os, "posix_fadvise"):
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass


def _sha256_file(path: Path, on_bytes: Callable[[int], None], cancel) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        _drop_cache(f.fileno())
        while True:
            _check_cancel(cancel)
            data = f.read(CHUNK)
            if not data:
                break
            h.update(data)
            on_bytes(len(data))
    return h.hexdigest()


def _check_cancel(cancel) -> None:
    if cancel is not None and cancel.is_set():
        raise HandoffFailed("Копирование прервано. Файлы на носителе неполные — запустите "
                            "передачу заново.")


class _Meter:
    def __init__(self, total: int, progress: Optional[ProgressFn]) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.start = time.monotonic()
        self.progress = progress
        self.phase = "copy"
        self.file = ""
        self._last = 0.0

    def add(self, n: int, force: bool = False) -> None:
        self.done += n
        if self.progress is None:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1 and self.done < self.total:
            return
        self._last = now
        elapsed = now - self.start
        eta = None
        if self.done and elapsed > 0.2:
            eta = elapsed * (self.total - self.done) / self.done
        self.progress(Progress(self.phase, self.done, self.total, self.file, elapsed, eta))


def execute(plan_: Plan, target: Path | str, progress: Optional[ProgressFn] = None,
            cancel: Optional[threading.Event] = None) -> Result:
    """Copy, read back and verify, then write the manifest. Raises HandoffRefused (nothing
    written) or HandoffFailed (the copy on the target is incomplete or wrong)."""
    target = Path(target)
    if not plan_.items:
        raise HandoffRefused("Нечего передавать: в рабочей папке нет ни файла B2P, ни аудио, "
                             "ни бланков.")
    check_space(plan_, target)
    remove_incomplete(target)
    meter = _Meter(2 * plan_.total, progress)
    dest = _unique_dir(target, plan_.folder + INCOMPLETE_SUFFIX)
    current = ""
    try:
        dest.mkdir()
        _write_file(dest / INCOMPLETE_MARKER, INCOMPLETE_TEXT.encode("utf-8"))
        hashes: dict[str, str] = {}
        made: set[Path] = {dest}
        for item in plan_.items:
            current = item.rel
            meter.file = item.rel
            out = dest.joinpath(*item.rel.split("/"))
            for parent in reversed(out.relative_to(dest).parents):
                d = dest / parent
                if d not in made:
                    d.mkdir(exist_ok=True)
                    made.add(d)
            h = hashlib.sha256()
            try:
                src = open(item.src, "rb")
            except OSError as e:
                raise HandoffFailed(
                    f"Передача НЕ выполнена: не удалось прочитать «{item.rel}» в рабочей папке. "
                    f"{os_error_text(e, item.src)} Если идёт запись звука — остановите её; затем "
                    "повторите передачу.") from None
            with src, open(out, "wb") as dst:
                while True:
                    _check_cancel(cancel)
                    data = src.read(CHUNK)
                    if not data:
                        break
                    h.update(data)
                    _write_chunk(dst, data)
                    meter.add(len(data))
                dst.flush()
                os.fsync(dst.fileno())
            hashes[item.rel] = h.hexdigest()
        for d in sorted(made, key=lambda p: len(p.parts), reverse=True):
            fsync_dir(d)
        meter.phase = "verify"
        bad: list[str] = []
        for item in plan_.items:
            current = item.rel
            meter.file = item.rel
            got = _sha256_file(dest.joinpath(*item.rel.split("/")), meter.add, cancel)
            if got != hashes[item.rel]:
                bad.append(item.rel)
        if bad:
            shown = ", ".join(bad[:3]) + (f" и ещё {len(bad) - 3}" if len(bad) > 3 else "")
            raise HandoffFailed(
                f"Проверка не прошла: на носителе искажены файлы: {shown}. Носитель "
                "неисправен или был извлечён. Возьмите другую флешку и повторите передачу.")
        current = MANIFEST
        manifest = dest / MANIFEST
        text = "".join(manifest_line(hashes[i.rel], i.rel) for i in plan_.items)
        with open(manifest, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        fsync_dir(dest)
        if manifest.read_bytes() != text.encode("utf-8"):
            raise HandoffFailed("Не удалось записать список контрольных сумм на носитель. "
                                "Повторите передачу на другую флешку.")
        current = INCOMPLETE_MARKER
        (dest / INCOMPLETE_MARKER).unlink()
        fsync_dir(dest)
        final = _unique_dir(target, plan_.folder)
        os.rename(dest, final)  # the real name only now: a killed copy never looks done
        dest = final
        fsync_dir(target)
    except HandoffFailed:
        _remove_partial(dest)
        raise
    except OSError as e:
        _remove_partial(dest)
        where = f" на файле «{current}»" if current else ""
        if os_error_kind(e) is ReadOnly:
            raise HandoffFailed(
                f"Передача НЕ выполнена: носитель {target} защищён от записи. Снимите защиту "
                "(переключатель на флешке) или возьмите другую флешку и повторите передачу.") from None
        raise HandoffFailed(
            f"Передача НЕ выполнена{where}: {os_error_text(e, e.filename or target)} "
            "Файлы на носителе неполные (папка «….incomplete» — не передача): вставьте флешку "
            "и повторите передачу.") from None
    meter.add(0, force=True)
    return Result(dest, len(plan_.items), plan_.total, time.monotonic() - meter.start, manifest)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def is_incomplete(folder: Path) -> bool:
    """A handoff folder that never finished (killed, pulled out): not a handoff."""
    return (INCOMPLETE_SUFFIX in folder.name or (folder / INCOMPLETE_MARKER).exists()
            or not (folder / MANIFEST).exists())


def remove_incomplete(target: Path) -> list[str]:
    """Remove the folders earlier, unfinished handoffs left on this target (ours by name:
    IS_….incomplete…). Returns their names."""
    gone = []
    try:
        found = [d for d in Path(target).glob(f"IS_*{INCOMPLETE_SUFFIX}*") if d.is_dir()]
    except OSError:
        return gone
    for d in found:
        shutil.rmtree(d, ignore_errors=True)
        if not d.exists():
            gone.append(d.name)
    return gone


def _remove_partial(dest: Path) -> None:
    """Best effort: an incomplete folder must not look like a handoff (a pulled stick
    cannot be cleaned; then the folder has no SHA256SUMS, which marks it incomplete)."""
    shutil.rmtree(dest, ignore_errors=True)


def record_done(store, result: Result) -> None:
    """Only after a verified copy: the checklist item «передать файлы» is done."""
    store.record_progress(handoff_done=True, handoff_last={
        "folder": str(result.folder),
        "files": result.files,
        "bytes": result.bytes,
        "at": datetime.now().isoformat(timespec="seconds"),
    })


def handoff(store, target: Path | str, progress: Optional[ProgressFn] = None,
            cancel: Optional[threading.Event] = None) -> Result:
    """Plan, copy, verify, and mark the handoff done in the store."""
    result = execute(plan_for(store), target, progress, cancel)
    record_done(store, result)
    return result


def manifest_line(digest: str, rel: str) -> str:
    """One line as GNU sha256sum writes it; a name with a backslash or a newline is escaped
    and the line starts with a backslash (what `sha256sum -c` expects)."""
    if "\\" in rel or "\n" in rel:
        esc = rel.replace("\\", "\\\\").replace("\n", "\\n")
        return f"\\{digest}  {esc}\n"
    return f"{digest}  {rel}\n"


def _parse_line(line: str) -> tuple[str, str]:
    if line.startswith("\\"):
        digest, esc = line[1:].split("  ", 1)
        out, i = [], 0
        while i < len(esc):
            if esc[i] == "\\" and i + 1 < len(esc):
                out.append("\n" if esc[i + 1] == "n" else esc[i + 1])
                i += 2
            else:
                out.append(esc[i])
                i += 1
        return digest, "".join(out)
    digest, rel = line.split("  ", 1)
    return digest, rel


def verify_manifest(folder: Path | str) -> list[str]:
    """Re-check a handoff folder against its SHA256SUMS (as `sha256sum -c` does).
    Returns the relative paths that are missing or differ (empty = all good)."""
    folder = Path(folder)
    bad = []
    for line in (folder / MANIFEST).read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        digest, rel = _parse_line(line)
        p = folder.joinpath(*rel.split("/"))
        try:
            ok = _sha256_file(p, lambda n: None, None) == digest
        except OSError:
            ok = False
        if not ok:
            bad.append(rel)
    return bad


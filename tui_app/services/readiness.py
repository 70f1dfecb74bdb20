"""The readiness check of the Штаб and room PCs, the day before (issue 20): one list of
checks, each «готово» / «не готово» / «внимание» with what was found and what to do, and the
«Протокол технической готовности» PDF (forms/readiness.py) that the technician signs.

The checks: free disk in hours of recording per room; each room's test recording (its
verdict) and a microphone on this PC; the default printer; the fonts of the forms; the clock
(the PC's date against the exam date, a sane year and time zone); the workspace (the database
reads back whole, its last copy); the USB stick writable; the program's version.

`run_checks(store, …)` is what the screen (F5) and `is-shtab readiness` both call.
"""
from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Optional

from .. import __version__
from ..audio.quality import Verdict
from ..diskspace import free_bytes, format_mb, require_free
from ..errors import NotFound, ShtabError, StorageError, from_os_error, user_message
from ..store.atomic import SPACE_MARGIN, durable_write
from ..store.workspace import DB_NAME, Store
from . import audio as audio_svc
from .distribute import schedule_settings

OK, FAIL, WARN = "ok", "fail", "warn"
LABELS = {OK: "готово", FAIL: "НЕ ГОТОВО", WARN: "внимание"}
DAY_MARGIN = 1.5  # a room needs its day of recording × this, at least MIN_HOURS
MIN_HOURS = 2.0
EARLIEST_YEAR = 2024  # a clock before this was reset (a dead BIOS battery gives 2015, 2000, 1970)
STICK_PROBE = 256 * 1024
PROBE_NAME = ".is-shtab-readiness.tmp"
CLOCK_BACK = timedelta(minutes=10)  # the database written later than «now»: the clock went back
BACKUP_AGE = timedelta(days=2)


@dataclass(frozen=True)
class Check:
    group: str  # «Диск», «Микрофон», «Принтер», …
    what: str  # the check, e.g. «аудитория 101»
    state: str  # OK | FAIL | WARN
    detail: str  # what was found, and what to do when it is not ready

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def line(self) -> str:
        what = f"{self.group}: {self.what}" if self.what else self.group
        return f"[{self.label}] {what} — {self.detail}"


@dataclass
class Readiness:
    at: datetime
    computer: str
    checks: list[Check] = field(default_factory=list)
    exam: Optional[date] = None
    oo: str = ""
    oo_name: str = ""

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.state == FAIL]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.state == WARN]

    @property
    def ready(self) -> bool:
        return not self.failed

    @property
    def summary(self) -> str:
        if self.ready:
            tail = f"; внимание: {len(self.warnings)}" if self.warnings else ""
            return f"Компьютер готов: проверок {len(self.checks)}, все пройдены{tail}."
        return f"Компьютер НЕ готов: не пройдено {len(self.failed)} из {len(self.checks)} проверок."

    def group(self, name: str) -> list[Check]:
        return [c for c in self.checks if c.group == name]


# -- the checks --------------------------------------------------------------------------------
def _hours(h: float) -> str:
    """«7,2 ч», «1 162 ч»: Russian decimals."""
    return (f"{h:.1f}".replace(".", ",") if h < 100 else f"{round(h):,}".replace(",", " ")) + " ч"


def room_need_hours(store: Store) -> dict[str, float]:
    """Hours of recording each room needs on the day: its participants × the minutes each,
    with a margin (DAY_MARGIN), at least MIN_HOURS."""
    minutes = schedule_settings(store).minutes
    count: dict[str, int] = {}
    for p in store.participants():
        if p.room and not p.absent:
            count[p.room] = count.get(p.room, 0) + 1
    return {r.number: max(MIN_HOURS, count.get(r.number, 0) * minutes / 60 * DAY_MARGIN)
            for r in store.rooms()}


def check_disk(store: Store) -> list[Check]:
    dh = audio_svc.disk_hours(store)
    kind = dh.fmt.upper()
    if dh.free is None:
        return [Check("Диск", "", WARN, "свободное место неизвестно (диск не сообщает): проверьте его вручную.")]
    needs = room_need_hours(store)
    if not needs:
        state = OK if dh.hours >= MIN_HOURS else FAIL
        return [Check("Диск", "", state, f"свободно {format_mb(dh.free)} — ≈ {_hours(dh.hours)} записи {kind}"
                      + ("." if state == OK else f"; нужно не меньше {MIN_HOURS:.0f} ч: освободите место."))]
    out = []
    for room, need in needs.items():
        state = OK if dh.hours_each >= need else FAIL
        text = (f"≈ {_hours(dh.hours_each)} записи {kind} на аудиторию (свободно {format_mb(dh.free)} "
                f"на {dh.rooms} ауд.), нужно ≈ {_hours(need)}")
        text += (": освободите место на диске или пишите эту аудиторию на другой компьютер."
                 if state == FAIL else ".")
        out.append(Check("Диск", f"аудитория {room}", state, text))
    return out


def check_microphones(store: Store, devices: Optional[Callable[[], list]] = None) -> list[Check]:
    out = []
    try:
        found = (devices or audio_svc.list_devices)()
        names = ", ".join(d.name for d in found[:2]) + (f" и ещё {len(found) - 2}" if len(found) > 2 else "")
        out.append(Check("Микрофон", "на этом компьютере", OK, f"устройств записи: {len(found)} ({names})."))
    except audio_svc.AudioUnavailable as e:
        out.append(Check("Микрофон", "на этом компьютере", FAIL, str(e)))
    tests = store.settings().audio_tests or {}
    for r in store.rooms():
        t = tests.get(r.number) or {}
        verdict = t.get("verdict")
        if not verdict:
            out.append(Check("Микрофон", f"аудитория {r.number}", FAIL,
                             "проверочная запись не сделана: F7 → проверочная запись в этой аудитории."))
            continue
        try:
            v = Verdict(verdict)
        except ValueError:
            v = None
        when = str(t.get("at", "")).replace("T", " ")[:16]
        label = v.label if v else verdict
        state = OK if v is Verdict.GOOD else FAIL
        text = f"проверочная запись {when}: «{label}» ({t.get('device', 'устройство не указано')})"
        if state == FAIL:
            text += f". {v.advice if v else 'Повторите проверку.'}"
        out.append(Check("Микрофон", f"аудитория {r.number}", state, text))
    return out


def check_printer(printer: Optional[Callable[[], object]] = None) -> list[Check]:
    from .printing import default_printer

    pr = (printer or default_printer)()
    return [Check("Принтер", "по умолчанию", OK if pr.ready else FAIL, pr.text)]


def check_fonts() -> list[Check]:
    from ..forms.readiness import font_status

    ok, text = font_status()
    return [Check("Шрифты", "бланков PDF", OK if ok else FAIL, text)]


def _local(now: datetime) -> datetime:
    """`now` as this PC's naive local time (what file time stamps are compared with)."""
    return now.astimezone().replace(tzinfo=None) if now.tzinfo is not None else now


def _last_write(store: Store) -> Optional[datetime]:
    """When the workspace's database was last written (its files' time stamps)."""
    times = []
    for name in (DB_NAME, f"{DB_NAME}.journal"):
        try:
            times.append((store.root / name).stat().st_mtime)
        except OSError:
            pass
    return datetime.fromtimestamp(max(times)) if times else None


def check_clock(store: Store, now: datetime) -> list[Check]:
    """`now` naive is this PC's local time; an aware one (tests) carries its own zone."""
    offset = now.astimezone().utcoffset() if now.tzinfo is None else now.utcoffset()
    local = _local(now)
    now = now.replace(tzinfo=None)
    out = []
    ed = store.exam_day()
    shown = f"{now:%d.%m.%Y %H:%M}"
    wrong = ("установите дату и время, иначе ИС-02 и аудиозаписи получат неверное время.")
    last = _last_write(store)
    if now.year < EARLIEST_YEAR or (ed and now.year > ed.date.year + 1):
        out.append(Check("Часы", "дата", FAIL, f"на компьютере {shown} — дата явно неверна (сбились часы): {wrong}"))
    elif last is not None and last - local > CLOCK_BACK:
        out.append(Check("Часы", "дата", FAIL, f"на компьютере {shown}, а база записана {last:%d.%m.%Y %H:%M} — "
                         f"часы отстали или переведены назад: {wrong}"))
    elif ed is None:
        out.append(Check("Часы", "дата", WARN, f"на компьютере {shown}; дата собеседования ещё не задана "
                         "(загрузите список участников)."))
    else:
        days = (ed.date - now.date()).days
        if days < 0:
            out.append(Check("Часы", "дата", FAIL, f"на компьютере {shown} — позже даты собеседования "
                             f"{ed.date:%d.%m.%Y}: проверьте дату на компьютере (или дату в списке)."))
        elif days > 14:
            out.append(Check("Часы", "дата", WARN, f"на компьютере {shown}, до собеседования "
                             f"{ed.date:%d.%m.%Y} {days} дн.: проверку готовности делают накануне."))
        else:
            when = "сегодня" if days == 0 else ("завтра" if days == 1 else f"через {days} дн.")
            out.append(Check("Часы", "дата", OK, f"на компьютере {shown}; собеседование {ed.date:%d.%m.%Y} — {when}."))
    hours = offset.total_seconds() / 3600 if offset is not None else 0.0
    if 2 <= hours <= 12:  # Калининград UTC+2 … Камчатка UTC+12
        out.append(Check("Часы", "часовой пояс", OK, f"UTC{hours:+.0f} — часовой пояс России."))
    else:
        out.append(Check("Часы", "часовой пояс", WARN, f"UTC{hours:+.0f} — не часовой пояс России: время в "
                         "ИС-02 и в именах аудиофайлов будет сдвинуто; выберите свой пояс в настройках системы."))
    return out


def check_workspace(store: Store, now: datetime) -> list[Check]:
    from ..store import journal as jr

    now = _local(now)
    out = []
    problem = store.storage.verify_files()
    if problem:
        out.append(Check("Рабочая папка", "база", FAIL, f"{problem}: перезапустите программу — она "
                         "восстановит базу из последней целой копии и скажет, что могло пропасть."))
    else:
        notice = store.recovery_notice()
        size = sum(f.stat().st_size for f in store.root.glob(f"{DB_NAME}*") if f.is_file())
        text = (f"файлы базы проверены по контрольным суммам ({format_mb(size)}, участников "
                f"{len(store.participants())}, аудиторий {len(store.rooms())})")
        if notice is not None:
            out.append(Check("Рабочая папка", "база", WARN, text + f"; база восстанавливалась: {notice.title} "
                             "— проверьте данные и отметьте сообщение прочитанным."))
        else:
            out.append(Check("Рабочая папка", "база", OK, text + "."))
    if store.read_only:
        out.append(Check("Рабочая папка", "запись", FAIL, store.storage.read_only_message()))
    try:
        snaps = sorted((store.root / "backups").glob("is-shtab-*.json"))
    except OSError:
        snaps = []
    if not snaps:
        out.append(Check("Рабочая папка", "резервная копия", FAIL, "копий базы нет (папка backups пуста): "
                         "перезапустите программу — копия делается при каждом запуске."))
        return out
    last = snaps[-1]
    try:
        jr.read_base(last, legacy_ok=True)
        when = datetime.fromtimestamp(last.stat().st_mtime)
    except (OSError, jr.Damaged) as e:
        why = e.reason if isinstance(e, jr.Damaged) else type(e).__name__
        out.append(Check("Рабочая папка", "резервная копия", FAIL, f"последняя копия {last.name} не "
                         f"читается ({why}): перезапустите программу, чтобы сделать новую."))
        return out
    state = OK if now - when <= BACKUP_AGE else WARN
    out.append(Check("Рабочая папка", "резервная копия", state,
                     f"последняя копия {when:%d.%m.%Y %H:%M} ({last.name}) проверена, копий {len(snaps)}"
                     + ("." if state == OK else "; копия старше двух дней — перезапустите программу.")))
    return out


def check_stick(stick: Optional[Path | str]) -> list[Check]:
    """Write a probe file on the stick, read it back, delete it."""
    from .drives import removable_drives

    targets = [Path(stick)] if stick else [d.path for d in removable_drives()]
    if not targets:
        return [Check("Флешка", "", FAIL, "флешка не найдена: вставьте её (или укажите папку: --stick ПАПКА).")]
    out = []
    for t in targets:
        probe = t / PROBE_NAME
        data = os.urandom(STICK_PROBE)
        try:
            if not t.is_dir():
                raise NotFound(f"папки {t} нет: вставьте флешку или укажите другую папку.")
            durable_write(probe, data, keep_backup=False, what="проверки флешки")
            back = probe.read_bytes()
            probe.unlink()
        except (ShtabError, OSError) as e:
            try:
                probe.unlink(missing_ok=True)
            except OSError:
                pass
            out.append(Check("Флешка", str(t), FAIL, f"не записывается: {user_message(e)}"))
            continue
        free = free_bytes(t)
        if back != data:
            out.append(Check("Флешка", str(t), FAIL, "записанное не совпало с прочитанным: флешка неисправна."))
        else:
            out.append(Check("Флешка", str(t), OK, "запись и чтение проверены"
                             + (f"; свободно {format_mb(free)}." if free is not None else ".")))
    return out


def check_version() -> list[Check]:
    py = platform.python_version()
    return [Check("Программа", "версия", OK, f"ИС-Штаб {__version__}, Python {py}, "
                  f"{platform.system()} {platform.release()}.")]


def run_checks(store: Store, *, stick: Optional[Path | str] = None, now: Optional[datetime] = None,
               devices: Optional[Callable[[], list]] = None,
               printer: Optional[Callable[[], object]] = None) -> Readiness:
    """Every check, in the protocol's order. `now`, `devices`, `printer`: what tests put in
    place of the PC's clock, its microphones and its printer."""
    now = now or datetime.now()
    ed = store.exam_day()
    r = Readiness(now.replace(microsecond=0, tzinfo=None), platform.node() or "этот компьютер", [],
                  ed.date if ed else None, ed.oo if ed else "", ed.oo_name if ed else "")
    r.checks += check_disk(store)
    r.checks += check_microphones(store, devices)
    r.checks += check_printer(printer)
    r.checks += check_fonts()
    r.checks += check_clock(store, now)
    r.checks += check_workspace(store, now)
    r.checks += check_stick(stick)
    r.checks += check_version()
    return r


def remember(store: Store, r: Readiness, pdf: Optional[Path] = None) -> bool:
    """Keep the last check in the settings (for `info` and the next look). False when it
    cannot be written (read-only, or the very full disk the check has just found)."""
    if store.read_only:
        return False
    try:
        store.update_settings(readiness_last={
            "at": r.at.isoformat(), "ready": r.ready, "failed": [c.line for c in r.failed],
            "pdf": str(pdf) if pdf else ""})
    except StorageError:
        return False
    return True


def file_name(r: Readiness) -> str:
    return f"READY_{r.oo or 'OO'}_{r.at:%Y%m%d_%H%M}.pdf"


def save_pdf(store: Store, r: Readiness, out_dir: Optional[Path | str] = None) -> Path:
    """«Протокол технической готовности» as READY_<ОО>_<ГГГГММДД>_<ЧЧММ>.pdf in forms/ (or
    `out_dir`, e.g. the stick when the workspace's disk is the one that is full)."""
    from ..forms.readiness import build
    from .forms import context

    data = bytes(build(context(store), r).output())
    folder = Path(out_dir) if out_dir else store.dir("forms")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise from_os_error(e, folder) from e
    from .documents import write_document

    path = folder / file_name(r)
    require_free(folder, len(data) + SPACE_MARGIN, "протокола технической готовности")
    return write_document(path, data)  # a viewer holding the last one (Windows) is said so

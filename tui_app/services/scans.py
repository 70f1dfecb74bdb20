"""Scans of the signed ИС-02 / ИС-03 for the handoff (issue 20): where a region wants them
«в электронном виде» (seed 004), the Штаб adds the scanner's PDF/JPEG files from a folder.

`find(store, folder)` looks at every PDF/JPEG there (hidden folders too) and guesses the form
and the room from the file's name and folders («IS-02», «ведомость», «ИС 03», «протокол»;
«101», «ауд 101», «room101»); the user confirms or corrects (`scans add --form --room`).
`add(store, found)` copies each one, bytes untouched and verified, into scans/ named by the
rule of the forms: ``SCAN_IS-02_<ОО>_<ГГГГММДД>_room<ауд>_<NN>.pdf``. The handoff takes
scans/ like forms/ (listed in SHA256SUMS); the checklist item «ведомости всех аудиторий
отсканированы» appears when the setting `scans_required` is on and is done when every room
with participants has its ИС-02 and ИС-03 scans.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..diskspace import require_free
from ..domain.limits import MAX_SCAN_BYTES
from ..domain.models import Attendance, Participant
from ..domain.ordering import room_number_key
from ..errors import NotFound, Refused, from_os_error
from ..exchange import untrusted
from ..store.atomic import durable_write
from ..store.workspace import Store

FOLDER = "scans"
FORMS = ("IS-02", "IS-03")
SUFFIXES = {".pdf": "pdf", ".jpg": "jpg", ".jpeg": "jpg"}
MAGIC = {"pdf": b"%PDF-", "jpg": b"\xff\xd8\xff"}
_NAME = re.compile(r"^SCAN_(IS-0[23])_\d{6}_\d{8}_room([0-9A-Za-z-]+)_(\d{2})\.(pdf|jpg)$")
_FORM_HINTS = (
    ("IS-02", re.compile(r"(?:is|ис)[\s_-]*0?2(?!\d)|ведомост", re.I)),
    ("IS-03", re.compile(r"(?:is|ис)[\s_-]*0?3(?!\d)|протокол", re.I)),
)
_ROOM_HINT = re.compile(r"(?:ауд(?:итория)?|aud|room|каб(?:инет)?)[\s._-]*([0-9]{1,4}[а-яa-z]?)", re.I)


class ScanRefused(Refused):
    """A scan that cannot be added as asked (Russian)."""


@dataclass
class Found:
    path: Path
    rel: str  # under the folder looked at
    kind: str  # pdf | jpg
    form: str = ""  # IS-02 | IS-03 | "" (not guessed)
    room: str = ""
    refused: str = ""  # why it cannot be added

    @property
    def line(self) -> str:
        if self.refused:
            return f"{self.rel}: не добавлен — {self.refused}"
        return f"{self.rel}: {self.form.replace('IS', 'ИС')}, аудитория {self.room}"


def guess(rel: str, rooms: list[str]) -> tuple[str, str]:
    """(form, room) from a file's relative path; "" where nothing says."""
    text = rel.replace("\\", "/")
    form = next((f for f, rx in _FORM_HINTS if rx.search(text)), "")
    room = ""
    m = _ROOM_HINT.search(text)
    if m and m.group(1) in rooms:
        room = m.group(1)
    else:
        for token in re.findall(r"(?<![0-9])[0-9]{2,4}(?![0-9])", text):
            if token in rooms:
                room = token
                break
    return form, room


def _rooms(store: Store) -> list[str]:
    return [r.number for r in store.rooms()]


def find(store: Store, folder: Path | str, *, form: str = "", room: str = "") -> list[Found]:
    """Every PDF/JPEG under `folder` (or that one file) with its guessed form and room;
    `form`/`room` given: for all of them (the user's correction)."""
    folder = Path(folder)
    if not folder.exists():
        raise NotFound(f"Папки или файла «{folder}» нет: укажите папку со сканами.")
    files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
    rooms = _rooms(store)
    form = normalize_form(form) if form else ""
    if room and room not in rooms:
        raise ScanRefused(f"Аудитории «{room}» нет в списке аудиторий: {', '.join(rooms) or 'не заведены'}.")
    out = []
    for p in files:
        kind = SUFFIXES.get(p.suffix.lower())
        if kind is None:
            continue
        rel = p.name if folder.is_file() else p.relative_to(folder).as_posix()
        g_form, g_room = guess(rel, rooms)
        f = Found(p, rel, kind, form or g_form, room or g_room)
        try:
            untrusted.check_input(p, MAX_SCAN_BYTES)  # read whole when added: bounded first
            with open(p, "rb") as fh:
                head = fh.read(8)
        except untrusted.InputRefused as e:
            f.refused = str(e)
        except OSError as e:
            f.refused = str(from_os_error(e, p))
        else:
            if not head.startswith(MAGIC[kind]):
                f.refused = f"это не {kind.upper()} (содержимое не совпадает с расширением)"
            elif not f.form:
                f.refused = "не понятно, ИС-02 это или ИС-03: укажите --form ИС-02 или --form ИС-03"
            elif not f.room:
                f.refused = "не понятно, какой аудитории: укажите --room НОМЕР"
        out.append(f)
    return out


def normalize_form(text: str) -> str:
    t = text.strip().upper().replace("ИС", "IS").replace(" ", "").replace("_", "-")
    t = {"IS02": "IS-02", "IS03": "IS-03", "02": "IS-02", "03": "IS-03"}.get(t, t)
    if t not in FORMS:
        raise ScanRefused(f"Сканы принимаются для ИС-02 и ИС-03, а не «{text}».")
    return t


def scan_dir(store: Store) -> Path:
    return store.dir(FOLDER)


def listing(store: Store) -> list[tuple[str, str, Path]]:
    """(form, room, file) of every scan kept, in room order."""
    folder = scan_dir(store)
    out = []
    for p in sorted(folder.glob("SCAN_*")) if folder.is_dir() else []:
        m = _NAME.match(p.name)
        if m:
            out.append((m.group(1), m.group(2), p))
    return sorted(out, key=lambda t: (room_number_key(t[1]), t[0], t[2].name))


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


def add(store: Store, found: list[Found]) -> list[Path]:
    """Copy the accepted files into scans/ by the rule; a file already there (same bytes) is
    not copied twice. Returns the new paths."""
    from ..audio.names import safe_part

    day = store.exam_day()
    if day is None:
        raise ScanRefused("Дата собеседования не задана: сначала загрузите список участников.")
    folder = scan_dir(store)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise from_os_error(e, folder) from e
    have = {_digest(p) for _, _, p in listing(store)}
    ok = [f for f in found if not f.refused]
    require_free(folder, sum(f.path.stat().st_size for f in ok) + 1024 * 1024, "сканов ведомостей")
    out = []
    for f in ok:
        data = f.path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest in have:
            f.refused = "уже добавлен (тот же файл)"
            continue
        stem = f"SCAN_{f.form}_{day.oo}_{day.date:%Y%m%d}_room{safe_part(f.room)}"
        n = 1 + sum(1 for p in folder.glob(f"{stem}_*.*"))
        path = folder / f"{stem}_{n:02d}.{f.kind}"
        durable_write(path, data, keep_backup=False, what="скана ведомости")
        if _digest(path) != digest:
            path.unlink(missing_ok=True)
            raise ScanRefused(f"Скан {f.rel} записан с ошибкой (контрольная сумма не совпала): "
                              "проверьте диск и повторите.")
        have.add(digest)
        out.append(path)
    return out


def seated_rooms(store: Store) -> set[str]:
    """The rooms with a participant not marked absent (from the stored documents: the main
    screen's checklist asks at start, where building every participant's model is too slow)."""
    return {d["room"] for d in store.documents(Participant)
            if d.get("room") and d.get("attendance") != Attendance.ABSENT.value}


def missing(store: Store) -> list[str]:
    """«ИС-02 ауд. 101» for every room with participants lacking a scan (empty when done)."""
    seated = sorted(seated_rooms(store), key=room_number_key)
    from ..audio.names import safe_part

    kept = {(form, room) for form, room, _ in listing(store)}
    return [f"{form.replace('IS', 'ИС')} ауд. {r}" for r in seated for form in FORMS
            if (form, safe_part(r)) not in kept]


def required(store: Store) -> bool:
    return bool(store.settings().scans_required)


def checklist_item(store: Store) -> Optional[tuple[bool, str]]:
    if not required(store):
        return None
    lack = missing(store)
    seated = len(seated_rooms(store))
    done = seated - len({m.split("ауд. ")[1] for m in lack})
    return (not lack, f"Ведомости всех аудиторий отсканированы ({done} из {seated})")

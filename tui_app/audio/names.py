"""File names for recordings: date, room, ОО code (+ participant code), safe for Windows
and FAT32 USB sticks: ASCII letters, digits, '-', '_' and one '.' before the extension."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Optional

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
MAX_PART = 24


def safe_part(text: str, fallback: str = "x") -> str:
    """One name component: transliterated, unsafe characters -> '-', trimmed."""
    out = []
    for ch in str(text or ""):
        low = ch.lower()
        if low in _TRANSLIT:
            t = _TRANSLIT[low]
            out.append(t.upper() if ch != low and t else t)
        else:
            out.append(ch)
    s = _UNSAFE.sub("-", "".join(out)).strip("-")[:MAX_PART].strip("-")
    if not s or s.upper() in _RESERVED:
        s = f"{fallback}{s}" if s else fallback
    return s


def day_stamp(d: date) -> str:
    return d.strftime("%Y-%m-%d")


def room_base(d: date, room: str, oo: str) -> str:
    """`2027-02-10_OO470123_aud101`: the stem shared by all files of a room's day."""
    return f"{day_stamp(d)}_OO{safe_part(oo)}_aud{safe_part(room)}"


def segment_name(base: str, index: int, start: datetime, ext: str) -> str:
    """`<base>_001_090012.mp3`: segment number and the wall-clock time of its first frame."""
    return f"{base}_{index:03d}_{start:%H%M%S}.{ext}"


_SEGMENT_RE = re.compile(r"^(?P<base>.+)_(?P<idx>\d{3,})_(?P<hms>\d{6})\.(?P<ext>[a-z0-9]+)$")


def parse_segment_name(name: str) -> Optional[tuple[str, int, str]]:
    m = _SEGMENT_RE.match(name)
    if not m:
        return None
    return m["base"], int(m["idx"]), m["hms"]


def participant_part(code: str, guid: str = "") -> str:
    """Participant code (Код_участника) or, when it is empty, the first 8 characters of the id."""
    return "uch" + safe_part(code or guid[:8], fallback="0")


def personal_name(base: str, code: str, guid: str, start: datetime, ext: str) -> str:
    return f"{base}_{participant_part(code, guid)}_{start:%H%M%S}.{ext}"


def clip_name(base: str, code: str, guid: str, ext: str) -> str:
    return f"{base}_{participant_part(code, guid)}_fragment.{ext}"


def test_name(when: datetime, room: str = "", ext: str = "wav") -> str:
    room_s = f"_aud{safe_part(room)}" if room else ""
    return f"test_{when:%Y-%m-%d_%H%M%S}{room_s}.{ext}"


def is_fat32_safe(name: str) -> bool:
    return (
        bool(name)
        and len(name) <= 120
        and name.isascii()
        and not re.search(r'[<>:"/\\|?*\x00-\x1f]', name)
        and not name.endswith((" ", "."))
        and name.split(".")[0].upper() not in _RESERVED
    )

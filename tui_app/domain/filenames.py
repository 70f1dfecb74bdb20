"""Names that become part of a path on a USB stick (FAT32/exFAT) or a Windows disk (NTFS) (pure).

A results file is written as `<FileName>.b2p` with the FileName exactly as the РЦОИ sent it
(its rows are matched by that name), so a FileName that Windows or FAT cannot hold must be
refused when the roster arrives, not when the stick is written at the end of the day. The
same rule is applied at import to everything else from a file that ends up in a path (room
numbers).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

FORBIDDEN_CHARS = '<>:"/\\|?*'
RESERVED_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                            *(f"LPT{i}" for i in range(10)), "CONIN$", "CONOUT$"})
MAX_COMPONENT = 255  # characters of one path component (NTFS, FAT32 long names)


@lru_cache(maxsize=1024)
def file_name_problem(name: str, what: str = "имя файла") -> Optional[str]:
    """Why `name` cannot be one path component on FAT32/exFAT/NTFS (Russian), or None."""
    if not name:
        return f"{what} пустое"
    bad = sorted({ch for ch in name if ch in FORBIDDEN_CHARS})
    if bad:
        shown = " ".join(f"«{ch}»" for ch in bad)
        return f"{what} «{name}» содержит {shown} — такие знаки запрещены в именах файлов Windows и флешек"
    ctrl = next((ch for ch in name if ord(ch) < 32 or ord(ch) == 127), None)
    if ctrl is not None:
        return f"{what} «{name!r}» содержит управляющий символ (код {ord(ctrl)})"
    if name != name.rstrip(" ."):
        return f"{what} «{name}» оканчивается точкой или пробелом — Windows их отбросит"
    if name.startswith(" "):
        return f"{what} «{name}» начинается с пробела"
    if name.split(".")[0].upper().rstrip() in RESERVED_NAMES:
        return f"{what} «{name}» — зарезервированное имя устройства Windows"
    if len(name) > MAX_COMPONENT:
        return f"{what} длиннее {MAX_COMPONENT} знаков"
    return None

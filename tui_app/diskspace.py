"""Free disk space as a first-class condition (bottom layer, imports only tui_app.errors).

Every write that can be big (start-up snapshot, save, export, forms, audio, handoff) asks
`require_free(folder, need, what)` first: a full disk is a Russian message with figures
(«нужно N МБ, свободно M МБ»), never a half-written file.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Optional, Union

from .errors import DiskFull

MB = 1024 * 1024

PathArg = Union[str, "os.PathLike[str]"]


def _existing(path: PathArg) -> Path:
    p = Path(path)
    while not p.exists() and p.parent != p:
        p = p.parent
    return p


def free_bytes(path: PathArg) -> Optional[int]:
    """Bytes free for us on the disk holding `path` (or its nearest existing parent);
    None when the file system does not tell (some FUSE/FAT drivers report no blocks at all)."""
    try:
        usage = shutil.disk_usage(_existing(path))
    except OSError:
        return None
    if usage.total == 0:
        return None
    return usage.free


def format_mb(n: int) -> str:
    """Megabytes for a message: «0,4 МБ», «12 МБ», «1 530 МБ» (below 0,1 МБ in КБ: «16 КБ»)."""
    if n < MB // 10:
        return f"{max(0, round(n / 1024))} КБ"
    mb = n / MB
    if mb < 10:
        return f"{mb:.1f}".replace(".", ",") + " МБ"
    return f"{round(mb):,}".replace(",", " ") + " МБ"


def require_free(path: PathArg, need: int, what: str = "") -> None:
    """Raise DiskFull unless the disk holding `path` has at least `need` bytes free."""
    free = free_bytes(path)
    if free is None or free >= need:
        return
    subject = f" для {what}" if what else ""
    raise DiskFull(f"На диске недостаточно места{subject}: нужно {format_mb(need)}, "
                   f"свободно {format_mb(free)}. Освободите место или выберите другой диск.",
                   path=os.fspath(path))


LOW_SPACE = 500 * MB  # below this the main screen and F7 warn
CRITICAL_SPACE = 100 * MB


def low_space_warning(path: PathArg, extra: str = "") -> str:
    """The warning before the disk fills («» while there is room). `extra` is a figure the
    caller knows, e.g. the audio screen's « — около 1,5 ч записи»."""
    free = free_bytes(path)
    if free is None or free >= LOW_SPACE:
        return ""
    head = "Очень мало места" if free < CRITICAL_SPACE else "Мало места"
    return (f"{head} на диске рабочей папки: свободно {format_mb(free)}{extra}. Освободите место: "
            "когда оно кончится, сохранения и запись звука остановятся.")

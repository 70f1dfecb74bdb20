"""Removable drives to offer as the handoff target.

Linux: what is mounted under /media/* and /run/media/*/* (read from /proc/mounts).
Windows: the drive letters whose GetDriveTypeW is DRIVE_REMOVABLE.
Any other folder may still be typed by hand.
"""
from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

DRIVE_REMOVABLE = 2
_LINUX_PREFIXES = ("/media/", "/run/media/")
_OCTAL = re.compile(r"\\([0-7]{3})")


@dataclass(frozen=True)
class Drive:
    path: Path
    label: str
    free: Optional[int] = None
    total: Optional[int] = None

    @property
    def title(self) -> str:
        from .handoff import format_size

        if self.free is None:
            return f"{self.label}  ({self.path})"
        return f"{self.label}  ({self.path}) — свободно {format_size(self.free)} из {format_size(self.total or 0)}"


def _unescape(field: str) -> str:
    """/proc/mounts escapes space, tab, newline and backslash as \\040 etc."""
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), field)


def parse_mounts(text: str) -> list[Path]:
    """Mount points of removable media in /proc/mounts text."""
    out: list[Path] = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mnt = _unescape(parts[1])
        if mnt.startswith("/media/") and mnt.count("/") >= 2 and mnt != "/media/":
            out.append(Path(mnt))
        elif mnt.startswith("/run/media/") and mnt.count("/") >= 4:
            out.append(Path(mnt))
    seen, uniq = set(), []
    for p in out:
        if p not in seen:
            seen.add(p)
            uniq.append(p)
    return uniq


def _usage(path: Path) -> tuple[Optional[int], Optional[int]]:
    try:
        u = shutil.disk_usage(path)
        return u.free, u.total
    except OSError:
        return None, None


def linux_drives(mounts_file: str = "/proc/mounts") -> list[Drive]:
    try:
        text = Path(mounts_file).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    drives = []
    for p in parse_mounts(text):
        free, total = _usage(p)
        drives.append(Drive(p, p.name or str(p), free, total))
    return drives


def windows_drives(k32=None) -> list[Drive]:
    """Removable drive letters (k32: kernel32, injectable for tests off Windows)."""
    import ctypes

    if k32 is None:  # pragma: no cover - Windows only
        k32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    mask = k32.GetLogicalDrives()
    drives = []
    for i in range(26):
        if not mask & (1 << i):
            continue
        letter = chr(ord("A") + i)
        root = f"{letter}:\\"
        if k32.GetDriveTypeW(ctypes.c_wchar_p(root)) != DRIVE_REMOVABLE:
            continue
        label = f"Съёмный диск {letter}:"
        buf = ctypes.create_unicode_buffer(261)
        if k32.GetVolumeInformationW(ctypes.c_wchar_p(root), buf, 261, None, None, None, None, 0):
            if buf.value:
                label = f"{buf.value} ({letter}:)"
        free, total = _usage(Path(root))
        drives.append(Drive(Path(root), label, free, total))
    return drives


def removable_drives() -> list[Drive]:
    if sys.platform.startswith("win"):
        try:
            return windows_drives()
        except (OSError, AttributeError):
            return []
    return linux_drives()

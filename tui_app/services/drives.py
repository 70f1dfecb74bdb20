"""Removable drives to offer as the handoff target.

Linux: what is mounted under /media/* and /run/media/*/* (read from /proc/mounts).
Windows: the drive letters whose GetDriveTypeW is DRIVE_REMOVABLE, and the "fixed" ones on
an external bus (USB, SD, MMC, FireWire): USB hard disks and many sticks report "fixed".
The system drive never; an empty card-reader slot neither (and it must not pop up Windows'
«Нет диска» dialog: the drives are looked at with SetErrorMode(SEM_FAILCRITICALERRORS)).
Any other folder may still be typed by hand.
"""
from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

DRIVE_REMOVABLE, DRIVE_FIXED = 2, 3
SEM_FAILCRITICALERRORS, SEM_NOOPENFILEERRORBOX = 0x0001, 0x8000
ERROR_NOT_READY = 21
# STORAGE_BUS_TYPE values of external buses: 1394, USB, SD, MMC
EXTERNAL_BUSES = {4, 7, 12, 13}
IOCTL_STORAGE_QUERY_PROPERTY = 0x2D1400
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


def bus_type(letter: str) -> Optional[int]:  # pragma: no cover - Windows only
    """STORAGE_BUS_TYPE of the disk behind a drive letter (IOCTL_STORAGE_QUERY_PROPERTY,
    no admin rights needed), or None when Windows does not say."""
    import ctypes
    from ctypes import wintypes

    k32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    k32.CreateFileW.restype = wintypes.HANDLE
    k32.CreateFileW.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPVOID,
                                wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE]
    k32.DeviceIoControl.argtypes = [wintypes.HANDLE, wintypes.DWORD, wintypes.LPVOID, wintypes.DWORD,
                                    wintypes.LPVOID, wintypes.DWORD, ctypes.POINTER(wintypes.DWORD),
                                    wintypes.LPVOID]
    h = k32.CreateFileW(f"\\\\.\\{letter}:", 0, 3, None, 3, 0, None)  # share r/w, OPEN_EXISTING
    if h in (None, 0, ctypes.c_void_p(-1).value):
        return None
    try:
        query = (ctypes.c_uint32 * 3)(0, 0, 0)  # StorageDeviceProperty, PropertyStandardQuery
        out = ctypes.create_string_buffer(1024)
        got = wintypes.DWORD()
        if not k32.DeviceIoControl(h, IOCTL_STORAGE_QUERY_PROPERTY, query, ctypes.sizeof(query),
                                   out, ctypes.sizeof(out), ctypes.byref(got), None):
            return None
        if got.value < 32:
            return None
        return int.from_bytes(out.raw[28:32], "little")  # STORAGE_DEVICE_DESCRIPTOR.BusType
    finally:
        k32.CloseHandle(h)


def windows_drives(k32=None, bus=None, system_drive: Optional[str] = None) -> list[Drive]:
    """Drive letters to offer for the handoff: removable ones, and "fixed" ones on an external
    bus. k32 (kernel32) and bus (letter -> STORAGE_BUS_TYPE) are injectable for tests."""
    import ctypes
    import os

    last_error = getattr(k32, "GetLastError", lambda: 0)
    if k32 is None:  # pragma: no cover - Windows only
        k32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        last_error = ctypes.get_last_error
    bus = bus or bus_type
    system = (system_drive or os.environ.get("SystemDrive", "C:"))[:1].upper()
    set_mode = getattr(k32, "SetErrorMode", None)
    # no «Нет диска» / «Вставьте диск» dialog for an empty slot while we look
    old_mode = set_mode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX) if set_mode else None
    try:
        mask = k32.GetLogicalDrives()
        drives = []
        for i in range(26):
            if not mask & (1 << i):
                continue
            letter = chr(ord("A") + i)
            root = f"{letter}:\\"
            kind = k32.GetDriveTypeW(ctypes.c_wchar_p(root))
            if kind == DRIVE_REMOVABLE:
                label = f"Съёмный диск {letter}:"
            elif kind == DRIVE_FIXED and letter != system and bus(letter) in EXTERNAL_BUSES:
                label = f"Внешний диск {letter}:"
            else:
                continue
            buf = ctypes.create_unicode_buffer(261)
            if k32.GetVolumeInformationW(ctypes.c_wchar_p(root), buf, 261, None, None, None, None, 0):
                if buf.value:
                    label = f"{buf.value} ({letter}:)"
            elif last_error() == ERROR_NOT_READY:
                continue  # a card reader's empty slot: nothing to write to
            free, total = _usage(Path(root))
            drives.append(Drive(Path(root), label, free, total))
        return drives
    finally:
        if set_mode:
            set_mode(old_mode)


def removable_drives() -> list[Drive]:
    if sys.platform.startswith("win"):
        try:
            return windows_drives()
        except (OSError, AttributeError):
            return []
    return linux_drives()

"""Files the user is likely to load: rosters and saved results on removable drives, in the
user's Downloads, Desktop and Documents (where Windows and a browser put them; the home
folder itself holds nothing there), the current folder and the home folder (one level
deep, never a whole-disk walk)."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Iterable, Optional

from ..exchange.untrusted import SPREADSHEET_SUFFIXES
from .drives import removable_drives

# a workbook is listed too: choosing it says how to save it as CSV (a stick holding only
# «список 9А.xlsx» showed an empty list)
SUFFIXES = (".b2p", ".csv", *SPREADSHEET_SUFFIXES)
# Windows known folders (SHGetKnownFolderPath): they may be moved, e.g. to D:\ or OneDrive
KNOWN_FOLDERS = {
    "Downloads": "{374DE290-123F-4565-9164-39C4925E467B}",
    "Desktop": "{B4BFCC3A-DB2C-424C-B029-7FE99A87C641}",
    "Documents": "{FDD39AD0-238F-46AF-ADB4-6C85480369C7}",
}
# Linux: xdg-user-dirs names, then the usual English and Russian folder names
_XDG = {"Downloads": "XDG_DOWNLOAD_DIR", "Desktop": "XDG_DESKTOP_DIR",
        "Documents": "XDG_DOCUMENTS_DIR"}
_NAMES = {"Downloads": ("Downloads", "Загрузки"), "Desktop": ("Desktop", "Рабочий стол"),
          "Documents": ("Documents", "Документы")}


def _known_folder(guid: str) -> Optional[Path]:  # pragma: no cover - Windows only
    import ctypes
    import uuid
    from ctypes import wintypes

    class GUID(ctypes.Structure):
        _fields_ = [("d1", wintypes.DWORD), ("d2", wintypes.WORD), ("d3", wintypes.WORD),
                    ("d4", ctypes.c_ubyte * 8)]

    u = uuid.UUID(guid)
    g = GUID(u.time_low, u.time_mid, u.time_hi_version, (ctypes.c_ubyte * 8)(*u.bytes[8:]))
    out = ctypes.c_wchar_p()
    try:
        shell32, ole32 = ctypes.windll.shell32, ctypes.windll.ole32  # type: ignore[attr-defined]
        if shell32.SHGetKnownFolderPath(ctypes.byref(g), 0, None, ctypes.byref(out)) != 0:
            return None
        try:
            return Path(out.value) if out.value else None
        finally:
            ole32.CoTaskMemFree(out)
    except (OSError, AttributeError):
        return None


def _xdg_dirs(home: Path) -> dict[str, Path]:
    try:
        text = (home / ".config" / "user-dirs.dirs").read_text(encoding="utf-8")
    except OSError:
        return {}
    found = {}
    for key, value in re.findall(r'^(XDG_\w+_DIR)="([^"]*)"', text, re.M):
        found[key] = Path(value.replace("$HOME", str(home)))
    return found


def user_folders(home: Optional[Path] = None, windows: Optional[bool] = None) -> list[Path]:
    """Downloads, Desktop, Documents of the current user that exist (in that order)."""
    home = home or Path.home()
    windows = sys.platform.startswith("win") if windows is None else windows
    xdg = {} if windows else _xdg_dirs(home)
    out: list[Path] = []
    for what, guid in KNOWN_FOLDERS.items():
        found = _known_folder(guid) if windows else xdg.get(_XDG[what])
        tries = [found] if found else []
        tries += [home / name for name in _NAMES[what]]
        if windows:
            od = os.environ.get("OneDrive")
            if od:
                tries += [Path(od) / name for name in _NAMES[what]]
        for p in tries:
            if p is not None and p != home and p.is_dir() and p not in out:
                out.append(p)
                break
    return out


def _files_in(folder: Path) -> Iterable[Path]:
    try:
        for p in sorted(folder.iterdir()):
            if p.is_file() and p.suffix.lower() in SUFFIXES:
                yield p
    except OSError:
        return


def candidate_files(extra: Iterable[Path] = (), limit: int = 50) -> list[Path]:
    folders = [d.path for d in removable_drives()] + user_folders() + [Path.cwd(), Path.home(),
                                                                       *extra]
    seen: set[Path] = set()
    out: list[Path] = []
    for folder in folders:
        for f in _files_in(folder):
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append(f)
            if len(out) >= limit:
                return out
    return out

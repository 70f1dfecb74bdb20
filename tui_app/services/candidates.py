"""Files the user is likely to load: rosters and saved results on removable drives, in the
current folder and in the home folder (one level deep, never a whole-disk walk)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .drives import removable_drives

SUFFIXES = (".b2p", ".csv")


def _files_in(folder: Path) -> Iterable[Path]:
    try:
        for p in sorted(folder.iterdir()):
            if p.is_file() and p.suffix.lower() in SUFFIXES:
                yield p
    except OSError:
        return


def candidate_files(extra: Iterable[Path] = (), limit: int = 50) -> list[Path]:
    folders = [d.path for d in removable_drives()] + [Path.cwd(), Path.home(), *extra]
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

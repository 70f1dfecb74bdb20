"""Markers beside the stream: who answered from when to when (`<base>_markers.json`).

Written with durable_write at every change. They hold participant codes, never names.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional

from ..store.atomic import durable_write


@dataclass
class Marker:
    guid: str  # Participant.guid
    code: str  # Код_участника (may be empty)
    start: str  # ISO datetime
    end: Optional[str] = None
    source: str = "personal"  # "personal" (key on the audio screen) | "log" (ИС-02 times)

    @property
    def start_dt(self) -> datetime:
        return datetime.fromisoformat(self.start)

    @property
    def end_dt(self) -> Optional[datetime]:
        return datetime.fromisoformat(self.end) if self.end else None


def markers_path(folder: Path, base: str) -> Path:
    return Path(folder) / f"{base}_markers.json"


def load(path: Path) -> list[Marker]:
    path = Path(path)
    if not path.exists():
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [Marker(**m) for m in raw.get("markers", [])]
    except (ValueError, TypeError):
        return []


def save(path: Path, markers: list[Marker]) -> None:
    data = {"markers": [asdict(m) for m in sorted(markers, key=lambda m: m.start)]}
    durable_write(Path(path), json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"),
                  keep_backup=False)


def upsert(path: Path, marker: Marker) -> list[Marker]:
    """Replace the participant's marker of the same source (one answer per participant)."""
    markers = [m for m in load(path) if not (m.guid == marker.guid and m.source == marker.source)]
    markers.append(marker)
    save(path, markers)
    return markers


def find(path: Path, guid: str) -> Optional[Marker]:
    """The participant's marker; a personal one (exact, from the key) beats one from the log."""
    ms = [m for m in load(path) if m.guid == guid and m.end]
    ms.sort(key=lambda m: (m.source != "personal", m.start))
    return ms[0] if ms else None

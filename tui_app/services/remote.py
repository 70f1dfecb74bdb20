"""Recordings of remote-form sessions (seed 002, п. 1 and 6; seed 004, 10.1): the video
conference software records them outside the program; they are brought into the workspace
under the naming rule (date, room, ОО code — seed 000:17) so the handoff carries them. And
whether the day, a room or a participant is remote (apart from the distribution: the main
screen's checklist asks at every start, its deadlines differ for the remote form)."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Optional

from ..audio import names
from ..diskspace import require_free
from ..domain.limits import MAX_AUDIO_BYTES
from ..domain.models import Participant
from ..errors import NotFound, Refused, from_os_error
from ..exchange import untrusted
from ..store.workspace import Store


def is_remote(store: Store, room: Optional[str] = None) -> bool:
    """The remote form (seed 002): the whole day, or (with `room`) that room or anybody in it
    marked «дистанционно»; without `room`, any part of the day."""
    day = store.exam_day()
    if day is not None and day.remote:
        return True
    rooms = [r for r in store.rooms() if room is None or r.number == room]
    if any(r.remote for r in rooms):
        return True
    # the stored documents (the main screen's checklist asks at every start: no models)
    return any(d.get("remote") for d in store.documents(Participant) if room is None or d.get("room", "") == room)


def remote_of(store: Store):
    """Participant -> connects remotely (the day, the participant's room, or the participant)."""
    day = store.exam_day()
    whole = bool(day is not None and day.remote)
    rooms = {r.number for r in store.rooms() if r.remote}
    return lambda p: whole or p.remote or p.room in rooms


KNOWN = (".mp3", ".wav", ".mp4", ".m4a", ".webm", ".ogg", ".mkv", ".avi", ".flac", ".aac")


def recording_name(store: Store, room: str, src: Path, participant=None,
                   when: Optional[datetime] = None) -> tuple[str, str]:
    day = store.exam_day()
    if day is None:
        raise Refused("Экзаменационный день не задан: сначала загрузите список участников.")
    base = names.room_base(day.date, room, day.oo)
    when = when or datetime.fromtimestamp(src.stat().st_mtime)
    who = f"_{names.participant_part(participant.code, participant.guid)}" if participant else ""
    return base, f"{base}_distant{who}_{when:%H%M%S}{src.suffix.lower()}"


def import_recording(store: Store, path: str | Path, room: str, participant=None) -> Path:
    src = Path(path).expanduser()
    try:  # a folder, a pipe or a device is named as such, not as «не найден»
        untrusted.check_input(src, MAX_AUDIO_BYTES)
    except untrusted.InputRefused as e:
        raise (NotFound if e.kind == "not_found" else Refused)(str(e)) from None
    if src.suffix.lower() not in KNOWN:
        raise Refused(f"«{src.name}»: не аудио- или видеофайл ({', '.join(KNOWN)}).")
    room = (room or "").strip()
    if not room:
        raise Refused("Укажите аудиторию (рабочее место собеседника): --room НОМЕР.")
    base, name = recording_name(store, room, src, participant)
    folder = store.dir("audio") / base
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    require_free(folder, src.stat().st_size + 1024 * 1024, "запись дистанционного сеанса")
    tmp = target.with_name(target.name + ".part")
    try:
        shutil.copyfile(src, tmp)
        tmp.replace(target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise from_os_error(e, target) from None
    return target

"""Data helpers: copies of prepared workspaces, a day before typing, fingerprints."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from tui_app.domain.models import Act, Attendance, Participant, Protocol, RoomLogEntry
from tui_app.services.entry import PASS2_TABLE, room_list
from tui_app.store.workspace import AUDIT_NAME, DB_NAME


def copy_workspace(src: Path, dst: Path) -> Path:
    """A copy of a closed workspace folder (without its lock file)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".lock"))
    return dst


def clear_results(store) -> None:
    """Drop all protocols, both passes, the room log and the acts (a day before typing: an
    act ИС-08/ИС-09 saves its protocol, so an act without one is not a state of the day)."""
    store.clear(Protocol, RoomLogEntry, Act, PASS2_TABLE)


def present_in(store, room: str) -> list[Participant]:
    return [p for p in room_list(store, room) if p.attendance is not Attendance.ABSENT]


def protocol(store, guid: str, table=None) -> Protocol | None:
    return store.get(Protocol, guid, table)


def db_fingerprint(root: Path) -> tuple[str, str]:
    """(sha256 of the database files — the base and its journal —, sha256 of the audit log):
    «unchanged» means equal."""
    def h(*ps: Path) -> str:
        return hashlib.sha256(b"".join(p.read_bytes() if p.exists() else b"absent" for p in ps)).hexdigest()

    return h(root / DB_NAME, root / f"{DB_NAME}.journal"), h(root / AUDIT_NAME)


def comparable(store) -> dict:
    """Everything the B2P file carries, in a form two workspaces can be compared by."""
    day = store.exam_day()
    parts = {}
    for p in store.all(Participant):
        d = p.model_dump(mode="json", exclude={"birth_date", "sex", "order", "added_locally",
                                               "category_confirmed_by", "category_confirmed_at"})
        if p.absent:
            d["room"] = ""  # the file has «Н» in place of the absentee's room (contract)
        parts[p.guid] = d
    protos = {g: pr.model_dump(mode="json", exclude={"saved_at", "scheme", "source"})
              for g, pr in store.protocols().items()}
    return {"day": day.model_dump(mode="json", include={"date", "region", "msu", "oo", "source_file"}),
            "participants": parts, "protocols": protos}


def confirm_ovz_categories(store, truth) -> None:
    """Set the ОВЗ categories the generated roster knows (its file carries only «22»), as the
    organizer does on the roster screen (issue 17: never a silent «Общая»)."""
    from tui_app.services.roster import edit_participant

    by_guid = {p.guid: p for p in truth}
    for p in store.participants():
        if p.category_unset and p.guid in by_guid:
            edit_participant(store, p.guid, category=by_guid[p.guid].category)


def drop_demo_acts(store) -> None:
    """The demo day has an act for every «не завершил»/«удалён» mark (issue 17); tests written
    for a day without acts remove them first (the marks stay)."""
    from tui_app.domain.models import Act

    for a in store.all(Act):
        store.delete(Act, a.id)

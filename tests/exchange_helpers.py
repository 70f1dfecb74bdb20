"""Helpers shared by the tests/test_exchange_*.py files (not a conftest: others own that)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tui_app.domain.models import Participant
from tui_app.store.workspace import DB_NAME

FIX = Path(__file__).parent / "fixtures" / "exchange"


def db_fingerprint(root: Path) -> tuple[str, str]:
    """(sha256 of the database files — the base and its journal —, sha256 of the audit log):
    «unchanged» means equal."""
    def h(*ps: Path) -> str:
        return hashlib.sha256(b"".join(p.read_bytes() if p.exists() else b"absent" for p in ps)).hexdigest()

    return h(root / DB_NAME, root / f"{DB_NAME}.journal"), h(root / "audit.jsonl")


def comparable(store) -> dict:
    """Everything the B2P file carries, in a form two workspaces can be compared by."""
    day = store.exam_day()
    parts = {}
    for p in store.all(Participant):
        d = p.model_dump(mode="json", exclude={"birth_date", "sex", "order", "added_locally"})
        if p.absent:
            d["room"] = ""  # the file has «Н» in place of the absentee's room (contract)
        parts[p.guid] = d
    protos = {g: pr.model_dump(mode="json", exclude={"saved_at", "scheme"})
              for g, pr in store.protocols().items()}
    return {"day": day.model_dump(mode="json", include={"date", "region", "msu", "oo", "source_file"}),
            "participants": parts, "protocols": protos}


ROOT = Path(__file__).resolve().parents[1]


def cli(*args, ws=None):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    cmd = [sys.executable, "-m", "tui_app"]
    if ws is not None:
        cmd += ["-w", str(ws)]
    p = subprocess.run(cmd + [str(a) for a in args], cwd=ROOT, capture_output=True, text=True,
                       encoding="utf-8", env=env, timeout=120)
    assert "Traceback" not in p.stdout + p.stderr, p.stdout + p.stderr
    return p

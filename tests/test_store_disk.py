"""A real small disk (a tmpfs of a few MB; root only, as in CI) full, nearly full, and
write-protected — the cases of issue 15 that ended in tracebacks before:

- nearly full at start: the program starts, shows, exports and hands off what it has, and
  leaves no partial snapshot behind;
- full at a save: a Russian message with figures, nothing changed on disk or in memory, no
  audit line; the same save works once there is room;
- full at an import (CLI): a message, the workspace unchanged;
- write-protected: every command opens the workspace read-only with a banner; view, check,
  forms and export to another folder work; edits are refused with a message; the TUI shows
  the banner.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.faults import abandon

from tui_app.domain.models import Protocol
from tui_app.errors import DiskFull, ReadOnly
from tui_app.services.protocols import save_protocol
from tui_app.store.workspace import Workspace

POSIX_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0 and sys.platform.startswith("linux")
needs_tmpfs = pytest.mark.skipif(not POSIX_ROOT, reason="mounting a tmpfs needs root on Linux")

FIX = Path(__file__).parent / "fixtures" / "exchange"
ROSTER = FIX / "47002090-06-470123-005(ok)-20270210.b2p"


@contextmanager
def small_disk(path: Path, size: str = "6m"):
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                       capture_output=True, text=True)
    if r.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(disk: Path, leave: int) -> Path:
    """Leave `leave` bytes free on the disk."""
    filler = disk / "filler.bin"
    free = shutil.disk_usage(disk).free
    with open(filler, "ab") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tui_app", *map(str, args)], capture_output=True,
                          text=True, timeout=120, cwd=cwd,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def _put_demo(_demo_template, disk: Path) -> Path:
    root = disk / "ws"
    shutil.copytree(_demo_template[1], root, ignore=shutil.ignore_patterns(".lock", "backups"))
    return root


@needs_tmpfs
def test_nearly_full_disk_still_starts_shows_exports_and_hands_off(_demo_template, tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        root = _put_demo(_demo_template, disk)
        assert cli("-w", root, "export", "--force").returncode == 0
        w = Workspace.open(root)  # a session: the journal has something to compact
        g = sorted(w.store.protocols())[0]
        save_protocol(w.store, w.store.get(Protocol, g).model_copy(update={"variant": "5"}))
        abandon(w)  # a power cut: no compaction at close
        fill(disk, 20_000)
        r = cli("-w", root, "info")
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr + r.stdout
        assert "Участников: 120" in r.stdout
        assert "недостаточно места" in r.stderr  # the start-up copy was skipped, and said so
        assert not list(root.rglob(".*.tmp"))  # no partial snapshot or base
        out = tmp_path / "out"
        r = cli("-w", root, "export", "--force", "--out", out)
        assert r.returncode == 0, r.stderr
        assert list(out.glob("*.b2p"))
        stick = tmp_path / "stick"
        stick.mkdir()
        r = cli("-w", root, "handoff", "--to", stick, "--yes")
        assert r.returncode == 0, r.stderr
        assert len(list(stick.glob("IS_*/SHA256SUMS"))) == 1
        with Workspace.open(root) as w:
            assert w.store.get(Protocol, g).variant == "5"


@needs_tmpfs
def test_full_disk_at_a_save_is_a_message_and_changes_nothing(_demo_template, tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        root = _put_demo(_demo_template, disk)
        ws = Workspace.open(root)
        try:
            s = ws.store
            guid = sorted(s.protocols())[0]
            old = s.get(Protocol, guid)
            audit = (root / "audit.jsonl").read_bytes() if (root / "audit.jsonl").exists() else b""
            filler = fill(disk, 4096)
            s.storage.recheck_space()
            with pytest.raises(DiskFull, match=r"недостаточно места.*нужно .* МБ, свободно .* [КМ]Б"):
                save_protocol(s, old.model_copy(update={"variant": "71"}))
            assert s.get(Protocol, guid).variant == old.variant
            got = (root / "audit.jsonl").read_bytes() if (root / "audit.jsonl").exists() else b""
            assert got == audit  # no line for the change that was not saved
            filler.unlink()
            save_protocol(s, old.model_copy(update={"variant": "72"}))
            assert s.get(Protocol, guid).variant == "72"
        finally:
            ws.close()
        with Workspace.open(root) as w:
            assert w.store.get(Protocol, guid).variant == "72"
            assert [e.new for e in w.store.audit.for_key(guid, "variant")][-1] == "72"


@needs_tmpfs
def test_full_disk_at_an_import_is_a_message_and_changes_nothing(tmp_path):
    with small_disk(tmp_path / "disk", "3m") as disk:
        root = disk / "ws"
        Workspace.open(root).close()
        fill(disk, 30_000)
        r = cli("-w", root, "import", ROSTER)
        assert r.returncode == 2, r.stdout + r.stderr
        assert "Traceback" not in r.stderr + r.stdout
        assert "недостаточно места" in r.stderr
        with Workspace.open(root) as w:
            assert w.store.participants() == []


@needs_tmpfs
def test_read_only_workspace_opens_read_only_with_a_banner(_demo_template, tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        root = _put_demo(_demo_template, disk)
        Workspace.open(root).close()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        r = cli("-w", root, "info")
        assert r.returncode == 0, r.stderr
        assert "только для чтения" in r.stderr and "Участников: 120" in r.stdout
        r = cli("-w", root, "check")
        assert "Traceback" not in r.stderr + r.stdout and r.returncode in (0, 1)
        r = cli("-w", root, "import", ROSTER)
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert "только для чтения" in r.stderr or "защищён от записи" in r.stderr
        out = tmp_path / "elsewhere"
        r = cli("-w", root, "export", "--force", "--out", out)
        assert r.returncode == 0, r.stderr
        r = cli("-w", root, "forms", "ИС-01", "--out", out)
        assert r.returncode == 0, r.stderr
        assert list(out.glob("*.b2p")) and list(out.glob("*.pdf"))
        r = cli("-w", root, "export", "--force")  # into the workspace itself: refused, truly
        assert r.returncode == 2 and "защищён от записи" in r.stderr and "Traceback" not in r.stderr

        with Workspace.open(root) as w:
            assert w.read_only
            with pytest.raises(ReadOnly, match="только для чтения"):
                w.store.update_settings(roster_reviewed=True)
            assert w.store.settings().roster_reviewed is False

            async def go():
                from tui_app.app import ShtabApp

                app = ShtabApp(w)
                async with app.run_test(size=(80, 25)) as pilot:
                    await pilot.pause()
                    banner = app.screen.query_one("#ws-notice")
                    assert banner.display and "только для чтения" in str(banner.render())

            asyncio.run(go())


def test_a_folder_without_write_rights_opens_read_only(demo_results_ws, monkeypatch):
    from tui_app.store import lock

    root = demo_results_ws.root
    demo_results_ws.close()

    def refused(self):
        raise PermissionError(13, "Permission denied", str(self.path))

    monkeypatch.setattr(lock.WorkspaceLock, "acquire", refused)
    with Workspace.open(root) as w:
        assert w.read_only and "нет прав на запись" in w.store.notices()[0]
        assert len(w.store.participants()) == 120

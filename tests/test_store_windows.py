"""The store's Windows behaviour, simulated at the OS boundary (issue 14), and for real under
the Windows leg where it runs:

- another program (a backup tool, an antivirus, an editor) holding the database file open:
  on Windows the file can then be neither replaced nor renamed through any of its links
  (ERROR_SHARING_VIOLATION, winerror 32, or ERROR_ACCESS_DENIED, 5). A save must survive it;
  where nothing can be written, it fails with a true message and changes nothing;
- the replace is write-through (MoveFileExW with MOVEFILE_REPLACE_EXISTING |
  MOVEFILE_WRITE_THROUGH): «saved» means saved after a power cut on NTFS;
- the workspace folder is restricted to the current user (icacls) where the file system
  has ACLs.
"""
from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

import pytest

from support.wine import under_wine
from tui_app.domain.models import Protocol
from tui_app.errors import FileBusy
from tui_app.services.protocols import save_protocol
from tui_app.store import atomic
from tui_app.store.workspace import DB_NAME, Workspace


def _sharing_violation(path) -> PermissionError:
    e = PermissionError(13, "The process cannot access the file because it is being used "
                            "by another process", str(path))
    e.winerror = 32
    return e


class _HeldByAnotherProgram:
    """Windows' rules for a file another program holds open without FILE_SHARE_DELETE: no
    rename or replace touches it, through any of its hard links."""

    def __init__(self, monkeypatch, held: Path) -> None:
        self.held = held
        self.refused = 0
        self.active = True
        real_replace = os.replace
        ino = lambda p: os.stat(p).st_ino if os.path.exists(p) else None  # noqa: E731

        def move(src, dst):
            src, dst = os.fspath(src), os.fspath(dst)
            target = ino(self.held) if self.active else None
            if target is not None and target in (ino(src), ino(dst)):
                self.refused += 1
                raise _sharing_violation(dst)
            real_replace(src, dst)

        monkeypatch.setattr(atomic, "IS_WINDOWS", True)
        monkeypatch.setattr(atomic, "RETRY_DELAYS", (0.0, 0.0), raising=False)
        monkeypatch.setattr(os, "replace", move)
        if hasattr(atomic, "_win_move"):
            monkeypatch.setattr(atomic, "_win_move", move)


def test_saves_survive_a_program_holding_the_database_file(demo_results_ws, monkeypatch):
    ws = demo_results_ws
    s = ws.store
    guids = sorted(s.protocols())[:5]
    held = _HeldByAnotherProgram(monkeypatch, ws.root / DB_NAME)
    for i, g in enumerate(guids):
        save_protocol(s, s.get(Protocol, g).model_copy(update={"variant": f"4{i}"}))
    s.storage.compact_quietly()  # a compaction now cannot replace the held file: deferred
    assert [s.get(Protocol, g).variant for g in guids] == ["40", "41", "42", "43", "44"]
    root = ws.root
    ws.close()  # the compaction at close is refused too: nothing is lost, the journal stays
    assert held.refused
    with Workspace.open(root) as w:  # still held at the next start
        assert [w.store.get(Protocol, g).variant for g in guids] == ["40", "41", "42", "43", "44"]
        assert w.store.recovery_notice() is None
    held.active = False  # the backup tool is done: the next start compacts as usual
    with Workspace.open(root) as w:
        assert w.store.storage.compacted
        assert [w.store.get(Protocol, g).variant for g in guids] == ["40", "41", "42", "43", "44"]


def test_a_save_that_cannot_be_written_says_so_and_changes_nothing(demo_results_ws, monkeypatch):
    """The journal itself locked by another program (a lock violation on the write): the
    message names the cause, memory keeps the data as on disk, the next save works."""
    s = demo_results_ws.store
    guid = sorted(s.protocols())[0]
    old = s.get(Protocol, guid)

    def locked(*a, **kw):
        e = PermissionError(13, "The process cannot access the file because another process "
                                "has locked a portion of the file")
        e.winerror = 33
        raise e

    with monkeypatch.context() as m:
        m.setattr(os, "pwrite", locked, raising=False)
        m.setattr(os, "write", locked)
        with pytest.raises(FileBusy, match="открыт в другой программе"):
            save_protocol(s, old.model_copy(update={"variant": "91"}))
    assert s.get(Protocol, guid).variant == old.variant
    save_protocol(s, old.model_copy(update={"variant": "92"}))
    assert s.get(Protocol, guid).variant == "92"


def test_busy_file_operations_are_retried_on_windows(monkeypatch):
    monkeypatch.setattr(atomic, "IS_WINDOWS", True)
    calls, slept = [], []

    def op():
        calls.append(1)
        if len(calls) < 3:
            raise _sharing_violation("x")

    atomic.retry_busy(op, sleep=slept.append)
    assert len(calls) == 3 and len(slept) == 2
    monkeypatch.setattr(atomic, "IS_WINDOWS", False)  # elsewhere a refusal is final
    calls.clear()
    with pytest.raises(PermissionError):
        atomic.retry_busy(op, sleep=slept.append)
    assert len(calls) == 1


def test_the_windows_replace_is_write_through(monkeypatch, tmp_path):
    made = []

    class Kernel32:
        class MoveFileExW:
            argtypes = restype = None

            def __new__(cls, src, dst, flags):
                made.append((src, dst, flags))
                return 1

    monkeypatch.setattr(ctypes, "WinDLL", lambda name, use_last_error=False: Kernel32, raising=False)
    monkeypatch.setattr(atomic, "IS_WINDOWS", True)
    atomic.replace(tmp_path / "a", tmp_path / "b")
    assert made == [(str(tmp_path / "a"), str(tmp_path / "b"), 0x1 | 0x8)]


def test_a_refused_windows_replace_is_an_os_error_with_its_winerror(monkeypatch, tmp_path):
    class Kernel32:
        class MoveFileExW:
            argtypes = restype = None

            def __new__(cls, src, dst, flags):
                return 0

    monkeypatch.setattr(ctypes, "WinDLL", lambda name, use_last_error=False: Kernel32, raising=False)
    monkeypatch.setattr(ctypes, "get_last_error", lambda: 32, raising=False)
    monkeypatch.setattr(ctypes, "FormatError", lambda code: "used by another process", raising=False)
    with pytest.raises(OSError) as e:
        atomic._win_move("a", "b")
    assert e.value.filename == "b" and "another process" in str(e.value)


def test_the_workspace_folder_is_restricted_to_the_user_on_windows(monkeypatch, tmp_path):
    runs = []

    class Done:
        returncode = 0

    monkeypatch.setattr(atomic, "IS_WINDOWS", True)
    monkeypatch.setenv("USERNAME", "uchitel")
    monkeypatch.setenv("USERDOMAIN", "SCHOOL-PC")
    monkeypatch.setattr(atomic.subprocess, "run", lambda cmd, **kw: runs.append(cmd) or Done())
    folder = atomic.make_private_dir(tmp_path / "ws")
    assert folder.is_dir()
    assert runs == [["icacls", str(tmp_path / "ws"), "/inheritance:r", "/grant:r",
                     "SCHOOL-PC\\uchitel:(OI)(CI)F", "/grant:r", "*S-1-5-18:(OI)(CI)F", "/Q"]]
    atomic.make_private_dir(tmp_path / "ws")  # an existing folder is left as it is
    assert len(runs) == 1


def test_a_file_system_without_acls_leaves_the_folder_as_it_is(monkeypatch, tmp_path):
    class Refused:
        returncode = 1332  # FAT32: no security information

    monkeypatch.setattr(atomic, "IS_WINDOWS", True)
    monkeypatch.setenv("USERNAME", "uchitel")
    assert atomic.restrict_to_user(tmp_path, run=lambda cmd, **kw: Refused()) is False

    def missing(cmd, **kw):
        raise FileNotFoundError(2, "icacls")

    assert atomic.restrict_to_user(tmp_path, run=missing) is False


def test_a_replace_refused_past_the_retries_says_the_file_is_open_elsewhere(monkeypatch, tmp_path):
    """Windows refuses a replace onto a file held open with ERROR_ACCESS_DENIED (5): past the
    bounded retries that is «открыт в другой программе», never «нет прав»."""
    monkeypatch.setattr(atomic, "IS_WINDOWS", True)
    monkeypatch.setattr(atomic, "RETRY_DELAYS", (0.0, 0.0, 0.0))
    tries = []

    def denied(src, dst):
        tries.append(dst)
        e = PermissionError(13, "Access is denied", dst)
        e.winerror = 5
        raise e

    monkeypatch.setattr(atomic, "_win_move", denied)
    target = tmp_path / "ИС-04 101.pdf"
    target.write_bytes(b"old")
    with pytest.raises(FileBusy, match="открыт в другой программе") as e:
        atomic.durable_write(target, b"new", keep_backup=False)
    assert "прав" not in str(e.value)
    assert len(tries) == 4  # bounded: the first try and one per delay
    assert target.read_bytes() == b"old" and not list(tmp_path.glob(".*.tmp"))


# -- for real, under Windows (the Windows leg of CI runs these under a Windows CPython) ---------

WINDOWS = sys.platform.startswith("win")
on_windows = pytest.mark.skipif(not WINDOWS, reason="a real Windows file handle (CreateFileW, "
                                "LockFileEx); the same rules are simulated above on every OS")


class _WindowsHandle:
    """Another program's handle on a file: a backup tool or an antivirus reading it
    (share read+write, no FILE_SHARE_DELETE), optionally with a byte range locked."""

    GENERIC_READ, GENERIC_WRITE = 0x80000000, 0x40000000

    def __init__(self, path: Path, write: bool = False) -> None:
        from ctypes import wintypes

        self.k32 = k32 = ctypes.WinDLL("kernel32", use_last_error=True)
        k32.CreateFileW.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD,
                                    wintypes.LPVOID, wintypes.DWORD, wintypes.DWORD,
                                    wintypes.HANDLE]
        k32.CreateFileW.restype = wintypes.HANDLE
        access = self.GENERIC_READ | (self.GENERIC_WRITE if write else 0)
        self.h = k32.CreateFileW(str(path), access, 0x1 | 0x2, None, 3, 0x80, None)
        assert self.h not in (None, wintypes.HANDLE(-1).value), ctypes.get_last_error()

    def lock(self, length: int = 1 << 30) -> None:
        from ctypes import wintypes

        class OVERLAPPED(ctypes.Structure):
            _fields_ = [("Internal", ctypes.c_void_p), ("InternalHigh", ctypes.c_void_p),
                        ("Offset", wintypes.DWORD), ("OffsetHigh", wintypes.DWORD),
                        ("hEvent", wintypes.HANDLE)]

        ov = OVERLAPPED()
        self.k32.LockFileEx.argtypes = [wintypes.HANDLE, wintypes.DWORD, wintypes.DWORD,
                                        wintypes.DWORD, wintypes.DWORD, ctypes.c_void_p]
        assert self.k32.LockFileEx(self.h, 0x2 | 0x1, 0, length, 0, ctypes.byref(ov)), \
            ctypes.get_last_error()  # LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY

    def close(self) -> None:
        if self.h is not None:
            self.k32.CloseHandle(self.h)
            self.h = None


@on_windows
def test_windows_a_backup_tool_holding_the_database_keeps_every_save(demo_results_ws, monkeypatch):
    monkeypatch.setattr(atomic, "RETRY_DELAYS", (0.01, 0.02))  # the retries still happen, shorter
    ws = demo_results_ws
    root, s = ws.root, ws.store
    guids = sorted(s.protocols())[:3]
    held = _WindowsHandle(root / DB_NAME)
    try:
        for i, g in enumerate(guids):
            save_protocol(s, s.get(Protocol, g).model_copy(update={"variant": f"5{i}"}))
        assert s.storage.compact_quietly() is False  # the base cannot be replaced: deferred
        ws.close()
        with Workspace.open(root) as w:  # still held at the next start: nothing lost, no notice
            assert [w.store.get(Protocol, g).variant for g in guids] == ["50", "51", "52"]
            assert w.store.recovery_notice() is None
    finally:
        held.close()
    with Workspace.open(root) as w:  # the tool is done: the next start compacts as usual
        assert w.store.storage.compacted
        assert [w.store.get(Protocol, g).variant for g in guids] == ["50", "51", "52"]


@on_windows
def test_windows_a_file_held_for_a_moment_is_replaced_after_a_retry(tmp_path):
    import threading

    target = tmp_path / "is-shtab.json"
    target.write_bytes(b"old")
    held = _WindowsHandle(target)
    threading.Timer(0.15, held.close).start()  # an antivirus scan that ends
    atomic.durable_write(target, b"new")
    assert target.read_bytes() == b"new" and atomic.backup_path(target).read_bytes() == b"old"


@on_windows
def test_windows_a_file_held_for_good_is_a_true_message(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "RETRY_DELAYS", (0.01, 0.02))
    target = tmp_path / "ИС-04 101.pdf"
    target.write_bytes(b"old")
    held = _WindowsHandle(target)  # a PDF open in a viewer
    try:
        with pytest.raises(FileBusy, match="открыт в другой программе") as e:
            atomic.durable_write(target, b"new", keep_backup=False)
        assert "прав" not in str(e.value)
    finally:
        held.close()
    assert target.read_bytes() == b"old" and not list(tmp_path.glob(".*.tmp"))


@on_windows
def test_windows_a_locked_journal_refuses_the_save_and_keeps_memory(demo_results_ws):
    """Another program locks the journal (LockFileEx): the save fails with a true message,
    memory keeps what is on disk, and the next save after the unlock works."""
    if under_wine():
        pytest.skip("wine does not enforce byte-range locks on writes (Windows does); "
                    "simulated in test_a_save_that_cannot_be_written_says_so_and_changes_nothing")
    s = demo_results_ws.store
    guid = sorted(s.protocols())[0]
    old = s.get(Protocol, guid)
    held = _WindowsHandle(demo_results_ws.root / f"{DB_NAME}.journal", write=True)
    try:
        held.lock()
        with pytest.raises(FileBusy, match="открыт в другой программе"):
            save_protocol(s, old.model_copy(update={"variant": "93"}))
        assert s.get(Protocol, guid).variant == old.variant
    finally:
        held.close()
    save_protocol(s, old.model_copy(update={"variant": "94"}))
    assert s.get(Protocol, guid).variant == "94"

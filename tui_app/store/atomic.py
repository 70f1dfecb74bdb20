"""Durable file writes: temp file in the same folder, fsync, a durable replace, backup kept.

When durable_write() returns, the new content is on disk: a crash, a power cut or a
kill -9 after that leaves either this version or (during the next write) this one as
the backup and the next as the main file.

The replace is the platform's durable one:
- POSIX: `os.replace`, then `fsync` of the folder (the rename itself reaches the disk);
- Windows: `MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)` through ctypes
  (the call returns only when the rename is on the disk; NTFS cannot fsync a folder without
  admin rights), retried while another program (a backup tool, an antivirus, an editor)
  holds the file: a sharing violation (winerror 32/33) or the access-denied an open handle
  without FILE_SHARE_DELETE gives (winerror 5).

Every OS error leaves this module as the error family (tui_app/errors.py: `DiskFull`,
`ReadOnly`, `FileBusy`, `StorageError`) with its true Russian message; a half-written temp
file is removed.
"""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Optional

from ..diskspace import require_free
from ..errors import from_os_error

IS_WINDOWS = sys.platform.startswith("win")
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
TEMP_SUFFIX = ".tmp"
SPACE_MARGIN = 64 * 1024  # folder entries, a partial last block: a write never fills the disk to 0
STALE_TEMP_SECONDS = 600  # a temp file this old beside a target belongs to a killed write

# Windows errors worth a retry: someone holds the file for a moment
_WIN_RETRY = {5, 32, 33}  # ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS,
             getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)}  # FAT, some network shares
RETRY_DELAYS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8)  # ~2 s in all

_MOVEFILE_REPLACE_EXISTING = 0x1
_MOVEFILE_WRITE_THROUGH = 0x8


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def _win_move(src: str, dst: str) -> None:  # pragma: no cover - Windows only
    """A replace that is on the disk when it returns (NTFS write-through)."""
    import ctypes
    from ctypes import wintypes

    k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    move = k32.MoveFileExW
    move.argtypes = [wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.DWORD]
    move.restype = wintypes.BOOL
    if not move(src, dst, _MOVEFILE_REPLACE_EXISTING | _MOVEFILE_WRITE_THROUGH):
        code = ctypes.get_last_error()
        raise OSError(0, ctypes.FormatError(code).strip(), dst, code)


def _move(src: str, dst: str) -> None:
    """The platform's durable replace (the seam the Windows simulation patches)."""
    if IS_WINDOWS:
        _win_move(src, dst)
    else:
        os.replace(src, dst)


def _busy(e: OSError) -> bool:
    return IS_WINDOWS and getattr(e, "winerror", None) in _WIN_RETRY


def retry_busy(op: Callable[[], None], sleep: Callable[[float], None] = time.sleep) -> None:
    """Run a file operation; on Windows retry it while another program holds the file."""
    for delay in RETRY_DELAYS:
        try:
            op()
            return
        except OSError as e:
            if not _busy(e):
                raise
            sleep(delay)
    op()


def replace(src: str | Path, dst: str | Path) -> None:
    """Durable replace of `dst` by `src` (retried on Windows while `dst` is held open).

    On Windows a replace onto a file another program holds open without FILE_SHARE_DELETE
    fails with ERROR_ACCESS_DENIED (5), not a sharing violation; our temp file beside it was
    just written, so the folder is ours to write: past the retries it is reported as the
    sharing violation it is (FileBusy «открыт в другой программе», not «нет прав»)."""
    try:
        retry_busy(lambda: _move(os.fspath(src), os.fspath(dst)))
    except PermissionError as e:
        if not (_busy(e) and e.winerror == 5):
            raise
        held = PermissionError(e.errno, e.strerror, os.fspath(dst))
        held.winerror = 32  # ERROR_SHARING_VIOLATION: what it means here
        raise held from e


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); on Windows the replace itself is write-through."""
    if IS_WINDOWS:
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as e:  # some filesystems (e.g. certain FUSE mounts) refuse
        if e.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def fsync_file(fd: int) -> None:
    """Data and size on the disk (fdatasync where there is one; FlushFileBuffers on Windows)."""
    if hasattr(os, "fdatasync"):
        os.fdatasync(fd)
    else:
        os.fsync(fd)


def _copy_durably(src: Path, dst: Path) -> None:
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        shutil.copyfileobj(fi, fo, 1024 * 1024)
        fo.flush()
        os.fsync(fo.fileno())


def keep_backup(path: Path, bak: Optional[Path] = None) -> None:
    """The current version of `path` becomes `bak` (default: path.bak).

    A hard link where the file system has them (no data copied, the old inode lives on as
    the backup); a copy where it has not (FAT32) or where the link cannot be renamed — on
    Windows another program holding the file open blocks renaming any of its links, while a
    fresh copy is a file nobody holds."""
    if not path.exists():
        return
    bak = bak or backup_path(path)
    try:
        if bak.exists() and os.path.samefile(path, bak):
            return  # already the backup (a rename of a link onto itself would do nothing)
    except OSError:
        pass
    tmp_bak = path.with_name(f".{bak.name}{TEMP_SUFFIX}")
    try:
        tmp_bak.unlink(missing_ok=True)
        try:
            os.link(path, tmp_bak)
            linked = True
        except OSError as e:
            if not IS_WINDOWS and e.errno not in _NO_LINKS:
                raise
            linked = False
        if linked:
            try:
                replace(tmp_bak, bak)
                return
            except OSError:
                if not IS_WINDOWS:
                    raise
                tmp_bak.unlink(missing_ok=True)  # held open by another program: copy instead
        _copy_durably(path, tmp_bak)
        replace(tmp_bak, bak)
    except BaseException:
        try:
            tmp_bak.unlink(missing_ok=True)
        except OSError:
            pass
        raise


def _remove_stale_temps(folder: Path, name: str) -> None:
    """Temp files of an earlier, killed write of the same target (older than 10 minutes:
    another program writing the same name right now is left alone)."""
    try:
        old = time.time() - STALE_TEMP_SECONDS
        for tmp in folder.glob(f".{name}.*{TEMP_SUFFIX}"):
            try:
                if tmp.stat().st_mtime < old:
                    tmp.unlink()
            except OSError:
                pass
    except OSError:
        pass


def durable_write(path: Path, data: bytes, *, keep_backup: bool = True, what: str = "") -> None:
    """Write `data` as `path` durably. Raises the error family (DiskFull with figures before
    anything is written when the disk is too small; ReadOnly, FileBusy, StorageError)."""
    path = Path(path)
    folder = path.parent
    try:
        _durable_write(path, folder, data, keep_backup, what)
    except OSError as e:
        raise from_os_error(e, path) from e


def _durable_write(path: Path, folder: Path, data: bytes, backup: bool, what: str) -> None:
    need = len(data) + SPACE_MARGIN
    if backup and IS_WINDOWS:  # the backup may have to be a copy there (see keep_backup)
        need += file_size(path)
    require_free(folder, need, what or f"записи файла «{path.name}»")
    _remove_stale_temps(folder, path.name)
    tmp = write_temp(folder, path.name, data)
    try:
        if backup:
            keep_backup(path)
        replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    fsync_dir(folder)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


@contextmanager
def _temp_file(folder: Path, name: str, mode: str = "wb") -> Iterator[tuple[BinaryIO, str]]:
    """A new private temp file `.NAME.*.tmp` in `folder`, open as `mode`: yields (file, its
    path); fsync'd when the block ends. Nothing is left behind when the block fails."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=folder)
    owned = False  # once the file object has the descriptor, closing it closes the fd
    try:
        if not IS_WINDOWS:
            os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, mode) as f:
            owned = True
            yield f, tmp
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        if not owned:  # Windows cannot delete a file that is still open
            try:
                os.close(fd)
            except OSError:
                pass
        _unlink_quietly(tmp)
        raise


def write_temp(folder: Path, name: str, data: bytes | list[bytes]) -> str:
    """`data` (bytes, or a list of pieces written one after another) in a new private temp
    file `.NAME.*.tmp` in `folder`, fsync'd; its path (the caller replaces the target with
    it). Nothing is left behind when it fails."""
    with _temp_file(folder, name) as (f, tmp):
        for piece in ([data] if isinstance(data, (bytes, bytearray, memoryview)) else data):
            f.write(piece)
    return tmp


def file_size(path: Path) -> int:
    """Its size, 0 when there is none."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def append_durable(path: Path, line: bytes) -> None:
    """Append one line and fsync it (the audit log)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def make_private_dir(path: Path, *, ours: bool = False) -> Path:
    """Create the folder (and parents), private to the user: 0700 on POSIX, an ACL of the
    current user on Windows where the file system has ACLs (NTFS; not FAT sticks).

    A folder that already exists is left as it is (a folder the user chose to write into:
    the desktop, a stick, a shared folder), unless it is `ours` (the workspace and its
    folders), which on POSIX is narrowed to 0700 if others could read it."""
    path = Path(path)
    existed = path.is_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not IS_WINDOWS:
            if not existed or (ours and path.stat().st_mode & 0o077):
                os.chmod(path, PRIVATE_DIR)
    except OSError as e:
        raise from_os_error(e, path) from e
    if IS_WINDOWS and not existed:
        restrict_to_user(path)
    return path


def icacls_command(path: Path) -> Optional[list[str]]:
    """The icacls call that leaves `path` (and what is created in it) to the current user and
    SYSTEM only, or None when the user is unknown."""
    user = os.environ.get("USERNAME")
    if not user:
        return None
    domain = os.environ.get("USERDOMAIN")
    who = f"{domain}\\{user}" if domain else user
    return ["icacls", os.fspath(path), "/inheritance:r", "/grant:r", f"{who}:(OI)(CI)F",
            "/grant:r", "*S-1-5-18:(OI)(CI)F", "/Q"]


def restrict_to_user(path: Path, run: Optional[Callable] = None) -> bool:
    """Windows: restrict the folder's ACL to the current user (and SYSTEM) with icacls (part of
    every Windows since Vista; no admin rights needed on one's own folder). A file system
    without ACLs (FAT32/exFAT sticks) or a missing icacls leaves the folder as it is: True
    when the ACL was set."""
    cmd = icacls_command(path)
    if cmd is None:
        return False
    run = run or subprocess.run
    try:
        r = run(cmd, capture_output=True, timeout=30,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode == 0


@contextmanager
def durable_stream(path: Path) -> Iterator[BinaryIO]:
    """durable_write for a file written piece by piece (a region's B2P export): the pieces go
    to a private temporary file `.NAME.*.tmp` in the same folder (opened "w+b": the writer may
    seek back to patch and re-read what it wrote), which is fsync'd and put in place with
    `replace` only when the block ends without an error. The file appears whole or not at
    all. OS errors become the error family. The caller checks the free space first (the size
    is known only at the end)."""
    path = Path(path)
    folder = path.parent
    _remove_stale_temps(folder, path.name)
    try:
        with _temp_file(folder, path.name, "w+b") as (f, tmp):
            yield f
        try:
            replace(tmp, path)
        except BaseException:
            _unlink_quietly(tmp)
            raise
        fsync_dir(folder)
    except OSError as e:
        raise from_os_error(e, path) from e

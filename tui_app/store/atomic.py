"""Durable file writes: temp file in the same folder, fsync, os.replace, backup kept.

When durable_write() returns, the new content is on disk: a crash, a power cut or a
kill -9 after that leaves either this version or (during the next write) this one as
the backup and the next as the main file.
"""
from __future__ import annotations

import errno
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

IS_WINDOWS = sys.platform.startswith("win")
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def _replace(src: str, dst: str) -> None:
    """os.replace, retried on Windows where an antivirus or indexer may hold the file."""
    delay = 0.01
    for attempt in range(10):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if not IS_WINDOWS or attempt == 9:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be opened (Windows)."""
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


def _keep_backup(path: Path) -> None:
    """The current version becomes the backup, without copying data where possible."""
    if not path.exists():
        return
    bak = backup_path(path)
    tmp_bak = path.with_name(f".{path.name}.bak.tmp")
    try:
        if tmp_bak.exists():
            tmp_bak.unlink()
        os.link(path, tmp_bak)  # a hard link: the old inode lives on as the backup
    except OSError:  # FAT32, some network shares: copy instead
        data = path.read_bytes()
        with open(tmp_bak, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    _replace(str(tmp_bak), str(bak))


def durable_write(path: Path, data: bytes, *, keep_backup: bool = True) -> None:
    path = Path(path)
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        if not IS_WINDOWS:
            os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if keep_backup:
            _keep_backup(path)
        _replace(tmp, str(path))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(folder)


def append_durable(path: Path, line: bytes) -> None:
    """Append one line and fsync it (the audit log)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def make_private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if not IS_WINDOWS:
        os.chmod(path, PRIVATE_DIR)
    return path


@contextmanager
def durable_stream(path: Path) -> Iterator[BinaryIO]:
    """durable_write for a file written piece by piece (a region's B2P export): the pieces go
    to a temporary file in the same folder (opened "w+b": the writer may seek back to patch
    and re-read what it wrote), which is fsync'd and put in place with os.replace only when
    the block ends without an error. The file appears whole or not at all."""
    path = Path(path)
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        if not IS_WINDOWS:
            os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "w+b") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _replace(tmp, str(path))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(folder)

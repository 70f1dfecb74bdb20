"""One program per workspace: an OS file lock, released by the OS when the process dies
(so a kill -9 or a power cut never leaves a stale lock)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import ShtabError


class WorkspaceLocked(ShtabError):
    pass


class WorkspaceLock:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / ".lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if sys.platform.startswith("win"):
                import msvcrt

                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise WorkspaceLocked(
                f"Рабочая папка «{self.path.parent}» уже открыта другой копией ИС-Штаба. "
                "Закройте её (или дождитесь завершения) и запустите снова."
            ) from None
        try:  # the pid is for a person looking at the file; a full disk must not stop the start
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
        except OSError:
            pass
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            if sys.platform.startswith("win"):
                import msvcrt

                os.lseek(self._fd, 0, os.SEEK_SET)
                msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None

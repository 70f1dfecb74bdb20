"""One family of errors a user can cause or fix, and one translation of OS errors.

Every error the program expects (a refused file, a full disk, a locked workspace, a missing
microphone) is a `ShtabError`: its text is a Russian message for the user, shown as is. The
CLI (`commands/_common.run_command`) and the screens (`screens/jobs.py`) each translate the
family in one place; anything else that escapes is a bug and may show as one.

`ValueError` is deliberately *not* a base: a stray pydantic or parsing error must not pass for
a user's mistake.

This module is at the bottom of the house: it imports nothing of ours.
"""
from __future__ import annotations

import errno
import os
from typing import Optional, Union

PathLike = Union[str, "os.PathLike[str]", None]


class ShtabError(Exception):
    """An error the user can understand and act on; `str(e)` is the Russian message."""


class Refused(ShtabError):
    """The request or the input was refused as it is: nothing was changed."""


class NotFound(Refused):
    """What the user named (a participant, a room, a file) does not exist."""


class StorageError(ShtabError):
    """The disk, the stick or the workspace store failed (full, read-only, busy, damaged)."""

    def __init__(self, message: str, *, path: PathLike = None, cause: Optional[OSError] = None) -> None:
        super().__init__(message)
        self.path = None if path is None else os.fspath(path)
        self.cause = cause


class DiskFull(StorageError):
    """Not enough free space for the write that was asked for."""


class ReadOnly(StorageError):
    """The disk or the workspace is write-protected."""


class FileBusy(StorageError):
    """Another program holds the file open (Windows sharing violation)."""


class DeviceError(ShtabError):
    """A device (microphone, speakers, printer) is missing or refused to work."""


# -- OS errors -> Russian -----------------------------------------------------------------

# Windows error codes that arrive as PermissionError / OSError.winerror
_WIN_SHARING = {32, 33}  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
_WIN_WRITE_PROTECT = {19}  # ERROR_WRITE_PROTECT
_WIN_NOT_READY = {21, 55, 1110, 1112, 1117, 1167}  # not ready, gone, media changed, no media,
#   I/O device error, device not connected (a stick pulled out)
_WIN_DISK_FULL = {39, 112}  # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
_WIN_NO_ACCESS = {5}  # ERROR_ACCESS_DENIED
_WIN_TOO_LONG = {206}  # ERROR_FILENAME_EXCED_RANGE
_WIN_NOT_FOUND = {2, 3}  # ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND
# MAX_PATH: without the «long paths» policy (off by default on Windows 10) a longer path
# is refused, and Windows says "path not found" (or 206) rather than "too long"
WIN_MAX_PATH = 260

_ENOSPC = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_GONE = {errno.ENODEV, errno.ENXIO, getattr(errno, "ENOMEDIUM", errno.ENODEV)}


def _name(path: PathLike) -> str:
    return f"«{os.fspath(path)}»" if path not in (None, "") else ""


def busy_text(path: PathLike = None) -> str:
    """A file another program holds open (Windows): the viewer the user has it open in."""
    name = os.path.basename(os.fspath(path)) if path not in (None, "") else ""
    subject = f"Файл {_name(path)}" if name else "Файл"
    which = f"файл «{name}»" if name else "его"
    return (f"{subject} открыт в другой программе: закройте {which} в программе просмотра "
            "(Adobe Reader, Excel, просмотр PDF) или дождитесь антивируса и повторите.")


def os_error_kind(e: OSError) -> type[StorageError]:
    """Which member of the family an OS error is."""
    win = getattr(e, "winerror", None)
    if e.errno in _ENOSPC or win in _WIN_DISK_FULL:
        return DiskFull
    if e.errno == errno.EROFS or win in _WIN_WRITE_PROTECT:
        return ReadOnly
    if win in _WIN_SHARING:
        return FileBusy
    return StorageError


def _too_long_for_windows(e: OSError, path: PathLike = None) -> bool:
    win = getattr(e, "winerror", None)
    name = path if path not in (None, "") else e.filename
    if win not in _WIN_TOO_LONG | _WIN_NOT_FOUND or name in (None, ""):
        return False
    return win in _WIN_TOO_LONG or len(os.fspath(name)) >= WIN_MAX_PATH


def os_error_text(e: OSError, path: PathLike = None) -> str:
    """A true Russian sentence for an OS error a user can cause (disk full, write-protected
    stick, file open in another program, stick pulled out, no rights, no such file)."""
    where = _name(path if path is not None else (e.filename or None))
    win = getattr(e, "winerror", None)
    kind = os_error_kind(e)
    if kind is DiskFull:
        return f"На диске недостаточно места{' для ' + where if where else ''}: освободите место или выберите другой диск."
    if kind is ReadOnly:
        return f"Диск защищён от записи{' (' + where + ')' if where else ''}: снимите защиту или выберите другой диск."
    if kind is FileBusy:
        return busy_text(path if path is not None else (e.filename or None))
    if win in _WIN_NOT_READY or e.errno in _GONE:
        return f"Устройство не готово{' (' + where + ')' if where else ''}: флешка или диск извлечены? Вставьте и повторите."
    if e.errno == errno.EIO:
        return (f"Ошибка чтения или записи на устройстве{' (' + where + ')' if where else ''}: "
                "флешка извлечена или неисправна. Проверьте её и повторите.")
    if _too_long_for_windows(e, path):
        n = len(os.fspath(path if path is not None else e.filename))
        return (f"Слишком длинный путь ({n} знаков, Windows принимает до {WIN_MAX_PATH - 1}): "
                f"{where}. Выберите папку ближе к корню диска (например, D:\\Штаб) "
                "или с именами покороче.")
    if isinstance(e, FileNotFoundError) or e.errno == errno.ENOENT:
        return f"Нет такого файла или папки{': ' + where if where else ''}."
    if isinstance(e, IsADirectoryError):
        return f"{where or 'Это'} — папка, а нужен файл."
    if isinstance(e, FileExistsError):  # (a folder to make where a file or device is)
        return f"Уже есть файл с таким именем{' (' + where + ')' if where else ''}: выберите другое имя или папку."
    if isinstance(e, NotADirectoryError):
        return f"{where or 'Это'} — файл, а нужна папка."
    if isinstance(e, PermissionError) or e.errno in (errno.EACCES, errno.EPERM) or win in _WIN_NO_ACCESS:
        return (f"Нет доступа к {where or 'файлу'}: файл может быть открыт в другой программе "
                "или у вас нет прав на эту папку.")
    if e.errno == errno.ENAMETOOLONG:
        return f"Слишком длинное имя файла{': ' + where if where else ''}."
    if e.errno == errno.EINVAL and path is not None:
        return f"Недопустимое имя файла для этого диска: {where}."
    if e.errno == errno.ELOOP:
        return (f"Ссылка{' ' + where if where else ''} ведёт сама на себя (петля символических "
                "ссылок): файла за ней нет.")
    detail = e.strerror or e.__class__.__name__
    return f"Ошибка диска{' (' + where + ')' if where else ''}: {detail}."


def from_os_error(e: OSError, path: PathLike = None) -> StorageError:
    """The family's error for an OS error, with its Russian text (raise it `from e`)."""
    kind = os_error_kind(e)
    return kind(os_error_text(e, path), path=path if path is not None else e.filename, cause=e)


def user_message(e: BaseException) -> Optional[str]:
    """The Russian text to show for an error a user can cause, or None for a bug."""
    if isinstance(e, ShtabError):
        return str(e)
    if isinstance(e, OSError):
        return os_error_text(e)
    return None

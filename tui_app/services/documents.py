"""Writing a document the user opens in another program (a PDF form or act, a CSV list,
the exported B2P): durably, and with a true message when that program holds the old file.

On Windows a file open in Acrobat Reader, Excel or a PDF preview cannot be replaced: the
rename fails with ERROR_SHARING_VIOLATION (32) or, when the viewer opened it without
FILE_SHARE_DELETE, with ERROR_ACCESS_DENIED (5), which Python reports as "permission
denied". The folder is writable (the temporary file beside the target was just written),
so the user's fix is to close the file in the viewer, not to look at the permissions.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import FileBusy, StorageError, busy_text, from_os_error
from ..store.atomic import durable_write

_SHARING = {32, 33}  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
_ACCESS_DENIED = 5


def held_open(e: OSError, path: Path) -> bool:
    """Is this failure to replace `path` another program holding it open (Windows)?"""
    win = getattr(e, "winerror", None)
    if win in _SHARING:
        return True
    if win != _ACCESS_DENIED:
        return False
    try:
        st = os.stat(path)
    except OSError:
        return False
    attrs = getattr(st, "st_file_attributes", 0)
    readonly = attrs & getattr(stat, "FILE_ATTRIBUTE_READONLY", 1) if attrs else False
    return not readonly and not stat.S_ISDIR(st.st_mode)


def write_document(path: Path | str, data: bytes) -> Path:
    """durable_write without a backup; an OS error becomes the family's error with a true
    Russian message (FileBusy when a viewer holds the file)."""
    path = Path(path)
    try:
        durable_write(path, data, keep_backup=False)
    except StorageError as e:  # durable_write translates the OS error itself; its cause is kept
        if (not isinstance(e, FileBusy) and isinstance(e.cause, OSError)
                and held_open(e.cause, path)):
            raise FileBusy(busy_text(path), path=path, cause=e.cause) from e.cause
        raise
    except OSError as e:
        if held_open(e, path):
            raise FileBusy(busy_text(path), path=path, cause=e) from e
        raise from_os_error(e, path) from e
    return path

"""The Windows leg runs the portable suite under wine: what is wine's and not Windows'.

Wine under load now and then fails CreateProcess with WinError 1359 («внутренняя ошибка»)
before the child exists; Windows itself does not. `retry_spawns()` starts such a child once
more (after a pause), so a test that runs the CLI in a subprocess tests the program and not
wine's process table. tools/windows/cli_matrix.py does the same for its steps."""
from __future__ import annotations

import ctypes
import subprocess
import sys
import time

ERROR_INTERNAL_ERROR = 1359


def under_wine() -> bool:
    """Is this Windows Python running under wine (ntdll has wine_get_version)?"""
    if sys.platform != "win32":
        return False
    try:
        return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")
    except (AttributeError, OSError):
        return False


def retry_spawns(tries: int = 3, pause: float = 2.0) -> None:
    """Under wine only: a child that could not be started with WinError 1359 is started
    again, up to `tries` times in all; any other error, and the last 1359, goes on as it is.
    Wraps the one place every subprocess call starts its child (Popen._execute_child)."""
    if not under_wine() or getattr(subprocess.Popen, "_wine_retry", False):
        return
    start = subprocess.Popen._execute_child

    def execute_child(self, *args, **kwargs):
        for attempt in range(1, tries + 1):
            try:
                return start(self, *args, **kwargs)
            except OSError as e:
                if getattr(e, "winerror", None) != ERROR_INTERNAL_ERROR or attempt == tries:
                    raise
                print(f"[wine] CreateProcess gave WinError 1359; starting the child again "
                      f"({attempt + 1}/{tries})", file=sys.stderr, flush=True)
                time.sleep(pause)

    subprocess.Popen._execute_child = execute_child
    subprocess.Popen._wine_retry = True

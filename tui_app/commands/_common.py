"""What every command shares: opening the workspace, turning known errors into Russian
messages and exit codes (never a traceback for an error the user can cause)."""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

from ..services.workspace import open_workspace, resolve_root
from ..store.lock import WorkspaceLocked
from ..store.storage import StoreCorrupted
from ..store.workspace import Workspace

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class UserError(Exception):
    """An error the user can fix; its text is shown as is (Russian), exit code 2."""


def say(text: str = "") -> None:
    print(text, flush=True)


def warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextmanager
def workspace(args: argparse.Namespace) -> Iterator[Workspace]:
    ws = open_workspace(resolve_root(getattr(args, "workspace", None)))
    try:
        yield ws
    finally:
        ws.close()


def run_command(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return int(func(args) or 0)
    except (WorkspaceLocked, StoreCorrupted, UserError) as e:
        warn(f"Ошибка: {e}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        warn("Прервано.")
        return 130
    except PermissionError as e:
        warn(f"Ошибка: нет доступа к «{e.filename}». Проверьте права на папку.")
        return EXIT_ERROR


def open_tui(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        from ..app import ShtabApp

        ShtabApp(ws).run()
    return EXIT_OK

"""What every command shares: opening the workspace, turning known errors into Russian
messages and exit codes (never a traceback for an error the user can cause)."""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

from ..errors import Refused, ShtabError, user_message
from ..services.workspace import open_workspace, resolve_root
from ..store.workspace import Workspace

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class UserError(Refused):
    """An error the user can fix; its text is shown as is (Russian), exit code 2."""


def out_folder(value: Optional[str], *file_suffixes: str) -> Optional[Path]:
    """`--out ПАПКА`: None when not given, else the folder. A file's name given instead (it
    ends in one of `file_suffixes` and is no folder) is refused with the folder to give: the
    program names its files itself (the results file by the rule), and `--out итоги.b2p` would
    make a folder of that name."""
    if not value:
        return None
    out = Path(value)
    if out.suffix.lower() in file_suffixes and not out.is_dir():
        raise UserError(f"--out — это папка, а «{out.name}» похоже на имя файла: имена файлов "
                        f"программа даёт сама. Укажите папку, например «{out.absolute().parent}».")
    return out


def say(text: str = "") -> None:
    print(text, flush=True)


def warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextmanager
def workspace(args: argparse.Namespace) -> Iterator[Workspace]:
    ws = open_workspace(resolve_root(getattr(args, "workspace", None)))
    try:
        show_notices(ws)
        yield ws
    finally:
        ws.close()


def show_notices(ws: Workspace) -> None:
    """What the user must know about the workspace itself (read-only, a recovery, a disk
    about to fill), on stderr before the command's own output."""
    for note in ws.store.notices(full=True):
        warn(f"Внимание: {note}")
    if ws.store.recovery_notice() is not None and not ws.store.read_only:
        warn("Проверив данные, отметьте сообщение прочитанным: is-shtab info --ack "
             "(до этого старые копии базы не удаляются).")


def run_command(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; the one place where the CLI turns the error family and OS errors into
    a Russian message and exit code 2 (anything else is a bug and shows as one)."""
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        warn("Прервано.")
        return 130
    except (ShtabError, OSError) as e:
        warn(f"Ошибка: {user_message(e)}")
        return EXIT_ERROR


def open_tui(args: argparse.Namespace) -> int:
    from ..console import quickedit_off, tui_driver_class

    with workspace(args) as ws:
        import gc

        # what the start made (the modules, the store's documents: ~1 M objects at 36,000
        # participants) lives as long as the program: the collector need not walk it again
        # and again while the screens are built (the store parsed it with collection off)
        gc.freeze()
        from ..app import ShtabApp

        app = ShtabApp(ws)
        app.driver_class = tui_driver_class() or app.driver_class  # classic console: its glyphs
        with quickedit_off():  # a stray click must not freeze the screen
            app.run()
    # a crash inside the app (Textual printed its traceback) is not a success
    return app.return_code or EXIT_OK

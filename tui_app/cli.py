"""Command line: `is-shtab [--workspace DIR] [КОМАНДА …]`; no command opens the TUI.

Subcommands live one group per module in tui_app/commands/; each module has
register(subparsers) and sets `func` (args -> exit code) on its parsers. Every command
calls services/, never the store directly for logic.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Callable, Optional, Sequence

from . import __version__

# argparse's own words, in Russian
_RU = {
    "usage: ": "Использование: ",
    "positional arguments": "аргументы",
    "options": "параметры",
    "optional arguments": "параметры",
    "show this help message and exit": "показать эту справку и выйти",
    "the following arguments are required: %s": "не хватает обязательных аргументов: %s",
    "unrecognized arguments: %s": "неизвестные аргументы: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "недопустимое значение %(value)r (возможны: %(choices)s)",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "expected one argument": "ожидается одно значение",
    "expected at least one argument": "ожидается хотя бы одно значение",
    "invalid %(type)s value: %(value)r": "недопустимое значение %(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ошибка: %(message)s\n",
    "show program's version number and exit": "показать версию программы и выйти",
    "ambiguous option: %(option)s could match %(matches)s": "неоднозначный параметр %(option)s: подходит %(matches)s",
}


def _ru(text: str) -> str:
    return _RU.get(text, text)


argparse._ = _ru  # type: ignore[attr-defined]  # argparse looks up _ at call time


def _ngettext(s: str, p: str, n: int) -> str:
    return _ru(s if n == 1 else p)


argparse.ngettext = _ngettext  # type: ignore[attr-defined]


class RussianParser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "аргументы"
        self._optionals.title = "параметры"


Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = RussianParser(
        prog="is-shtab",
        description=(
            "ИС-Штаб — рабочее место штаба школы в день итогового собеседования по русскому языку.\n"
            "Без команды открывает экранный интерфейс для рабочей папки."
        ),
        epilog="Рабочая папка: --workspace ПАПКА, переменная IS_SHTAB_WORKSPACE или папка по умолчанию.",
    )
    parser.add_argument("--version", action="version", version=f"ИС-Штаб {__version__}",
                        help="показать версию программы и выйти")
    parser.add_argument("--workspace", "-w", metavar="ПАПКА",
                        help="рабочая папка (база, аудио, бланки, выгрузка, резервные копии)")
    sub = parser.add_subparsers(dest="command", metavar="КОМАНДА", title="команды",
                                parser_class=RussianParser)
    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register:
            register(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    from .commands._common import run_command
    from .console import safe_streams

    safe_streams()  # a redirected stdout in cp1251/cp1252 must never raise on «→ ⚠ ✔»

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        from .commands._common import open_tui

        return run_command(open_tui, args)
    return run_command(args.func, args)


if __name__ == "__main__":
    sys.exit(main())

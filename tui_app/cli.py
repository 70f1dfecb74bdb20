"""Command line: `is-shtab [--workspace DIR] [КОМАНДА …]`; no command opens the TUI.

Subcommands live one group per module in tui_app/commands/; each module has
register(subparsers) and sets `func` (args -> exit code) on its parsers. Every command
calls services/, never the store directly for logic.

Only the module of the command given is imported (a command module pulls in its services:
lxml, fpdf2, sounddevice…). Which module registers which command is read from the modules'
source (`add_parser("name"`), so a new module in commands/ is found without a list to keep.
The TUI imports no command module; `--help`, `--version` and an unknown name import them all.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import pkgutil
import re
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


# a top-level command: `sub.add_parser("name"` in a module's register(sub); a command's own
# subcommands (scans add, scans required) hang on another variable and are not commands
_ADD_PARSER = re.compile(r"""\bsub\.add_parser\(\s*["']([^"']+)["']""")
_GLOBAL_WITH_VALUE = ("--workspace", "-w")
ALL = object()  # build_parser(ALL): every command module


def _command_module_names() -> list[str]:
    from . import commands

    return [f"{commands.__name__}.{info.name}"
            for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name)]


def command_modules() -> dict[str, str]:
    """Command name -> the module of tui_app/commands/ that registers it, read from the
    modules' source without importing them."""
    found: dict[str, str] = {}
    for name in _command_module_names():
        spec = importlib.util.find_spec(name)
        try:
            source = spec.loader.get_source(name) if spec and spec.loader else None
        except (ImportError, OSError):
            source = None
        for command in _ADD_PARSER.findall(source or ""):
            found.setdefault(command, name)
    return found


def command_word(argv: Sequence[str]) -> Optional[str]:
    """The command of the arguments: the first word that is not a global option or its value."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _GLOBAL_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(modules: object = ALL) -> argparse.ArgumentParser:
    """The parser with the commands of `modules` (module names), or of every module."""
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
    names = _command_module_names() if modules is ALL else list(modules)  # type: ignore[call-overload]
    for name in names:
        register = getattr(importlib.import_module(name), "register", None)
        if register:
            register(sub)
    return parser


def parser_for(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser these arguments need: the TUI none of the commands, a known command its
    own module, anything else (help, version, a typo) every module."""
    command = command_word(argv)
    if command is None:
        if any(a in ("-h", "--help", "--version") for a in argv):
            return build_parser(ALL)
        return build_parser(())
    module = command_modules().get(command)
    return build_parser((module,) if module else ALL)


def main(argv: Optional[Sequence[str]] = None) -> int:
    from .commands._common import run_command
    from .console import safe_streams

    safe_streams()  # a redirected stdout in cp1251/cp1252 must never raise on «→ ⚠ ✔»

    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser_for(argv).parse_args(argv)
    if not getattr(args, "func", None):
        from .commands._common import open_tui

        return run_command(open_tui, args)
    return run_command(args.func, args)


if __name__ == "__main__":
    sys.exit(main())

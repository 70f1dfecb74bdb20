"""`is-shtab keys`: what the terminal sends for each key, the ids of actions, the keymap file."""
from __future__ import annotations

import argparse

from ._common import EXIT_OK, EXIT_PROBLEMS, say, warn


def register(sub) -> None:
    p = sub.add_parser(
        "keys", help="клавиши: что присылает терминал, свои клавиши вместо F1/F10",
        description=(
            "Без параметров — окно, где каждая нажатая клавиша показывается так, как её\n"
            "получает программа (название, символ, какое действие на ней). Полезно, когда\n"
            "терминал забирает F1 или F10 себе (GNOME Terminal, MATE, Tilix): назначьте\n"
            "действию другую клавишу в файле клавиш (путь — в --list).\n"
            "Выход из окна — Esc три раза подряд."))
    p.add_argument("--list", action="store_true",
                   help="напечатать действия (идентификатор, клавиши, что делает) и файл клавиш")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..keymap import all_bindings, read_keymap

    km = read_keymap()
    if args.list:
        say(f"Файл клавиш: {km.path}" + ("" if km.path.exists() else " (нет; создайте его, чтобы "
                                                                     "назначить свои клавиши)"))
        say("Строка файла: «идентификатор = клавиши», например «quit = f12» или «help = f11,ctrl+h».")
        say("")
        for b in all_bindings():
            keys = km.keymap.get(b.id, ",".join(b.keys))
            mark = " (из файла)" if b.id in km.keymap else ""
            say(f"{b.id:<24} {keys:<16} {b.description}{mark}")
        for line in km.problems:
            warn(f"Файл клавиш: {line}")
        return EXIT_PROBLEMS if km.problems else EXIT_OK
    from ._keys_app import KeysApp

    KeysApp(km.keymap).run()
    return EXIT_OK

"""`is-shtab demo`: the demo workspace."""
from __future__ import annotations

import argparse

from ..services.demo import create_demo, demo_root_for
from ..services.workspace import open_workspace
from ._common import EXIT_OK, say


def register(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="создать демонстрационную рабочую папку (вымышленная школа, ~120 участников)",
        description="Создаёт (или пересоздаёт) демонстрационную рабочую папку: вымышленная школа, "
        "~120 участников, 4 аудитории, 8 участников с ОВЗ. Без --workspace — папка demo "
        "в каталоге данных пользователя.",
    )
    p.add_argument("--with-results", action="store_true",
                   help="также распределить участников и заполнить правдоподобные протоколы")
    p.add_argument("--open", action="store_true", help="сразу открыть экранный интерфейс")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root = demo_root_for(args.workspace)
    ws = open_workspace(root)
    try:
        counts = create_demo(ws.store, with_results=args.with_results)
        say(f"Демо-папка: {ws.root}")
        say(f"Участников: {counts['participants']}, аудиторий: {counts['rooms']}, "
            f"протоколов: {counts['protocols']}")
        if args.open:
            from ..app import ShtabApp

            ShtabApp(ws).run()
    finally:
        ws.close()
    return EXIT_OK

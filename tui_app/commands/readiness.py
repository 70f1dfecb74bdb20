"""`is-shtab readiness`: the readiness check of this PC the day before (issue 20) — every
check with its result, and the «протокол технической готовности» PDF (and --print)."""
from __future__ import annotations

import argparse

from ..services import readiness as rd
from ._common import EXIT_OK, EXIT_PROBLEMS, out_folder, say, workspace
from .printing import add_print_options, send_to_printer


def register(sub) -> None:
    p = sub.add_parser(
        "readiness", help="проверка технической готовности компьютера накануне (протокол PDF)",
        description="Проверяет компьютер штаба или аудитории накануне собеседования: место на диске "
                    "в часах записи на аудиторию, проверочную запись микрофона в каждой аудитории, "
                    "принтер, шрифты бланков, часы (дату против даты собеседования), целость базы и "
                    "последнюю резервную копию, запись на флешку, версию программы. Печатает итог и "
                    "сохраняет «Протокол технической готовности» (PDF) в папку forms.\n"
                    "Код выхода 0 — готов, 1 — есть непройденные проверки.",
        epilog="Пример:\n  is-shtab readiness --stick /media/usb --print")
    p.add_argument("--stick", metavar="ПАПКА",
                   help="флешка (папка), на которую проверить запись; без него — все съёмные диски")
    p.add_argument("--out", metavar="ПАПКА",
                   help="куда сохранить протокол (по умолчанию папка forms рабочей папки)")
    p.add_argument("--no-pdf", action="store_true", help="только проверить, протокол не сохранять")
    add_print_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = out_folder(args.out, ".pdf")
    with workspace(args) as ws:
        r = rd.run_checks(ws.store, stick=args.stick)
        for c in r.checks:
            say(c.line)
        say()
        say(r.summary + ("" if r.ready else " Исправьте и повторите проверку."))
        path = None
        if not args.no_pdf:
            path = rd.save_pdf(ws.store, r, out)
            say(f"PDF сохранён: {path}")
        rd.remember(ws.store, r, path)
        if path is not None:
            send_to_printer(ws.store, args, [path], title="Протокол технической готовности")
    return EXIT_OK if r.ready else EXIT_PROBLEMS

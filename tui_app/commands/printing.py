"""`is-shtab print ФАЙЛ…` sends PDFs to the default printer; `is-shtab printer` says which it
is. The form commands (`forms`, `act`) take `--print` and `--copies N` from here."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..services.printing import default_printer, print_for, windows_command
from ._common import EXIT_OK, EXIT_PROBLEMS, say, workspace


def add_print_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--print", dest="to_printer", action="store_true",
                   help="сразу отправить PDF на принтер по умолчанию")
    p.add_argument("--copies", metavar="N", default="1", help="число копий при --print (1–50)")


def send_to_printer(store, args: argparse.Namespace, paths, title: str = "") -> None:
    if getattr(args, "to_printer", False):
        say(print_for(store, paths, args.copies, title=title).message)


def register(sub) -> None:
    p = sub.add_parser("print", help="напечатать PDF на принтере по умолчанию (число копий)",
                       description="Отправляет PDF-файлы на принтер по умолчанию: в Linux через "
                       "CUPS (lp), в Windows командой «Печать» программы просмотра PDF "
                       "(os.startfile(файл, \"print\")) или SumatraPDF, если он задан.\n"
                       "«Напечатан» значит: отправлен в очередь принтера.",
                       epilog="Пример:\n  is-shtab print forms/IS-02_470123_20270210_room101.pdf --copies 2")
    p.add_argument("files", metavar="ФАЙЛ", nargs="+", help="PDF-файл(ы)")
    p.add_argument("--copies", metavar="N", default="1", help="число копий (1–50)")
    p.set_defaults(func=run)
    q = sub.add_parser("printer", help="какой принтер по умолчанию и готов ли он",
                       description="Показывает принтер по умолчанию и команду печати этой системы.")
    q.set_defaults(func=run_status)


def run(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        files = [Path(f) if Path(f).is_absolute() or Path(f).exists() else ws.root / f for f in args.files]
        say(print_for(ws.store, files, args.copies).message)
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    pr = default_printer()
    say(pr.text)
    from ..services.printing import is_windows

    if is_windows():
        say("Команда печати: " + windows_command("ФАЙЛ.pdf", 2))
    else:
        say("Команда печати: lp -n КОПИЙ -t НАЗВАНИЕ ФАЙЛ.pdf")
    return EXIT_OK if pr.ready else EXIT_PROBLEMS

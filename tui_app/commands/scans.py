"""`is-shtab scans`: the scans of the signed ИС-02/ИС-03 for the handoff (issue 20)."""
from __future__ import annotations

import argparse

from ..services import scans as sc
from ._common import EXIT_OK, EXIT_PROBLEMS, say, workspace


def register(sub) -> None:
    p = sub.add_parser(
        "scans", help="сканы подписанных ИС-02/ИС-03 для передачи в МСУ",
        description="Где регион требует ведомости «в электронном виде», добавляет сканы (PDF или "
                    "JPEG из папки сканера или с флешки) в папку scans/ рабочей папки под именем по "
                    "правилу SCAN_IS-02_<ОО>_<ГГГГММДД>_room<ауд>_<NN>.pdf; при передаче в МСУ они "
                    "идут вместе с бланками и попадают в SHA256SUMS. Форма и аудитория угадываются "
                    "по имени файла и папок («ИС-02», «ведомость», «протокол», «ауд 101»); "
                    "--form и --room задают их явно.\n"
                    "Без подкоманды: список добавленных сканов и чего не хватает.",
        epilog="Примеры:\n  is-shtab scans add /media/usb/scan --form ИС-02 --room 101\n"
               "  is-shtab scans required on")
    p.set_defaults(func=run_list)
    s = p.add_subparsers(dest="scans_cmd", metavar="ДЕЙСТВИЕ", title="действия")
    a = s.add_parser("add", help="добавить сканы из папки (или один файл)")
    a.add_argument("folder", metavar="ПАПКА", help="папка со сканами или один файл")
    a.add_argument("--form", metavar="ФОРМА", default="", help="ИС-02 или ИС-03 (если не угадывается)")
    a.add_argument("--room", metavar="НОМЕР", default="", help="аудитория (если не угадывается)")
    a.add_argument("--dry-run", action="store_true", help="только показать, что будет добавлено")
    a.set_defaults(func=run_add)
    r = s.add_parser("required", help="требует ли регион сканы (пункт «Что дальше» и вопрос при передаче)")
    r.add_argument("value", choices=["on", "off"], metavar="on|off")
    r.set_defaults(func=run_required)


def run_list(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        kept = sc.listing(ws.store)
        for form, room, path in kept:
            say(f"{form.replace('IS', 'ИС')}  ауд. {room}  {path.name}")
        if not kept:
            say("Сканов нет: is-shtab scans add ПАПКА.")
        lack = sc.missing(ws.store)
        need = sc.required(ws.store)
        say(f"Сканы требуются регионом: {'да' if need else 'нет'} (is-shtab scans required on|off).")
        if need and lack:
            say("Не хватает: " + ", ".join(lack) + ".")
            return EXIT_PROBLEMS
    return EXIT_OK


def run_add(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        found = sc.find(ws.store, args.folder, form=args.form, room=args.room)
        if not found:
            say("В папке нет файлов PDF или JPEG.")
            return EXIT_PROBLEMS
        added = [] if args.dry_run else sc.add(ws.store, found)
        for f in found:
            say(f.line)
        for p in added:
            say(f"Добавлен: scans/{p.name}")
        refused = [f for f in found if f.refused]
        say(f"Добавлено сканов: {len(added)}" + (f", не добавлено: {len(refused)}" if refused else "") + ".")
        return EXIT_PROBLEMS if refused else EXIT_OK


def run_required(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        ws.store.update_settings(scans_required=args.value == "on")
        say("Сканы ИС-02/ИС-03 " + ("требуются: пункт добавлен в «Что дальше»." if args.value == "on"
                                     else "не требуются."))
    return EXIT_OK

"""`is-shtab forms ФОРМА …` prints a form to PDF; `is-shtab act ВИД …` draws up an act."""
from __future__ import annotations

import argparse

from ..services.acts import create_act
from ..services.forms import FORMS, build_form, find_participant
from ._common import EXIT_OK, out_folder, say, workspace
from .printing import add_print_options, send_to_printer

FORM_LIST = "\n".join(f"  {code:<10} {title}" for code, title in FORMS.items())


def register(sub) -> None:
    p = sub.add_parser(
        "forms",
        help="напечатать бланк в PDF: ИС-01, ИС-02, ИС-03, ИС-04, ИС-08, ИС-09, заявление",
        description="Создаёт PDF-файл формы в папке forms/ рабочей папки (или в --out).\n"
        "Формы:\n" + FORM_LIST + "\n\nФорму можно указать латиницей: IS-01 … IS-09, application.",
        epilog="Примеры:\n"
        "  is-shtab forms ИС-01                 список всех участников\n"
        "  is-shtab forms ИС-02 --room 101       ведомость аудитории 101\n"
        "  is-shtab forms ИС-03 --blank          бланки протоколов для экспертов\n"
        "  is-shtab forms ИС-03 --participant 100037   заполненный протокол участника\n"
        "  is-shtab forms IS-09 --blank --out E:\\   пустой бланк акта на флешку",
    )
    p.add_argument("form", metavar="ФОРМА", help="ИС-01 … ИС-09 или «заявление»")
    p.add_argument("--room", metavar="АУД", help="только одна аудитория")
    p.add_argument("--participant", metavar="КОД",
                   help="только один участник (код участника или фамилия)")
    p.add_argument("--blank", action="store_true",
                   help="пустой бланк (для ИС-03 — с ФИО, классом и аудиторией для эксперта)")
    p.add_argument("--out", metavar="ПАПКА", help="папка для PDF (по умолчанию forms/ рабочей папки)")
    p.add_argument("--grade", metavar="КЛАСС", default="", help="для «ознакомление»: один класс")
    add_print_options(p)
    p.set_defaults(func=run)

    a = sub.add_parser(
        "act",
        help="составить акт ИС-08 (досрочное завершение) или ИС-09 (удаление) и напечатать его",
        description="Составляет акт на участника: сохраняет его, ставит отметку в протоколе "
        "(«не завершил по объективным причинам» или «удалён») — она же попадает в ИС-02, ИС-03 "
        "и ИС-04 — и печатает акт в PDF.",
        epilog="Пример:\n  is-shtab act ИС-08 --participant 100037 --time 10:42 "
        "--reason \"Плохое самочувствие, справка медпункта\"",
    )
    a.add_argument("kind", metavar="ВИД", help="ИС-08 или ИС-09 (IS-08 / IS-09)")
    a.add_argument("--participant", metavar="КОД", required=True, help="код участника или фамилия")
    a.add_argument("--reason", metavar="ТЕКСТ", required=True, help="причина (как в акте)")
    a.add_argument("--time", metavar="ЧЧ:ММ", required=True,
                   help="время завершения / удаления")
    a.add_argument("--organizer", metavar="ФИО", help="ответственный организатор (по умолчанию из списка работников)")
    a.add_argument("--head", metavar="ФИО", help="руководитель ОО (по умолчанию из списка работников)")
    a.add_argument("--no-print", action="store_true", help="не создавать PDF акта")
    a.add_argument("--out", metavar="ПАПКА", help="папка для PDF (по умолчанию forms/)")
    add_print_options(a)
    a.set_defaults(func=run_act)


def run(args: argparse.Namespace) -> int:
    out = out_folder(args.out, ".pdf")
    with workspace(args) as ws:
        paths = build_form(ws.store, args.form, room=args.room,
                           participant=args.participant, blank=args.blank, out_dir=out,
                           grade=args.grade)
        for path in paths:
            say(f"Готово, PDF сохранён: {path}")
        send_to_printer(ws.store, args, paths, args.form)
    return EXIT_OK


def run_act(args: argparse.Namespace) -> int:
    out = out_folder(args.out, ".pdf")
    with workspace(args) as ws:
        who = find_participant(ws.store, args.participant)
        signers = [args.organizer or "", args.head or ""]
        if not args.organizer and not args.head:
            signers = []
        act = create_act(ws.store, who, args.kind, args.reason, args.time,
                         signed_by=[s for s in signers] or None)
        say(f"Акт {act.kind.value} составлен: {who.short_fio}, {act.time:%H:%M}. "
            f"Отметка в протоколе: «{act.kind.status.label}».")
        if not args.no_print:
            paths = build_form(ws.store, act.kind.value, act=act, participant=who,
                               out_dir=out)
            for path in paths:
                say(f"Готово, PDF сохранён: {path}")
            send_to_printer(ws.store, args, paths, act.kind.value)
    return EXIT_OK

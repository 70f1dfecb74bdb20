"""`is-shtab handoff`, `is-shtab retention`, `is-shtab retakes`: after the exam day."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ._common import EXIT_OK, EXIT_PROBLEMS, UserError, say, warn, workspace


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"дата «{text}» не в формате ГГГГ-ММ-ДД") from None


def register(sub) -> None:
    p = sub.add_parser(
        "handoff", help="передать файлы в МСУ: B2P, аудио, бланки на флешку с проверкой",
        description="Копирует в одну папку с датой на флешке: последний файл результатов "
        "(export/*.b2p), аудиозаписи всех аудиторий (audio/), бланки и акты (forms/), "
        "и файл контрольных сумм SHA256SUMS. Каждый файл читается с флешки обратно и "
        "сверяется; «готово» — только если всё совпало. Без --to показывает съёмные диски.")
    p.add_argument("--to", metavar="ПАПКА", help="флешка или папка назначения")
    p.add_argument("--yes", action="store_true",
                   help="передать, даже если нет записей аудитории или ИС-02/ИС-03 (не спрашивать)")
    p.add_argument("--verify", metavar="ПАПКА_ПЕРЕДАЧИ",
                   help="перепроверить ранее записанную папку по её SHA256SUMS")
    p.set_defaults(func=run_handoff)

    r = sub.add_parser(
        "retention", help="сроки хранения материалов и уничтожение по акту",
        description="Показывает материалы и сроки их хранения (до 1 марта следующего года; "
        "КИМ и прочее — месяц после экзамена). С --destroy составляет акт об уничтожении "
        "(PDF в папке retention/) и удаляет файлы, срок которых истёк.")
    r.add_argument("--date", type=_date, metavar="ГГГГ-ММ-ДД", help="на какую дату (по умолчанию сегодня)")
    r.add_argument("--destroy", action="store_true", help="уничтожить по акту то, что пора")
    r.add_argument("--member", action="append", default=[], metavar="ФИО",
                   help="член комиссии (можно несколько раз)")
    r.add_argument("--head", default="", metavar="ФИО", help="руководитель ОО")
    r.set_defaults(func=run_retention)

    t = sub.add_parser(
        "retakes", help="кто допускается к дополнительному сроку; список на следующую дату",
        description="Список участников, допущенных к дополнительному сроку (п. 15 Порядка): "
        "незачёт (не более двух пересдач в учебном году), удалённые, не явившиеся или не "
        "завершившие по уважительной причине, подтверждённой документально.")
    t.add_argument("--out", metavar="ФАЙЛ.csv", help="записать список на следующую дату в CSV")
    t.add_argument("--new-workspace", metavar="ПАПКА",
                   help="создать рабочую папку следующей даты с этим списком")
    t.add_argument("--date", type=_date, metavar="ГГГГ-ММ-ДД",
                   help="дата дополнительного срока (по умолчанию ближайшая по Порядку)")
    t.add_argument("--document", nargs=2, metavar=("УЧАСТНИК", "ДОКУМЕНТ"),
                   help="внести документ уважительной причины (код участника, штрих-код или GUID)")
    t.add_argument("--all", action="store_true", help="показать и недопущенных с причиной")
    t.add_argument("--carry-from", metavar="ФАЙЛ.csv",
                   help="перенести число прежних незачётов из списка, записанного --out "
                   "(после загрузки официального списка доп. срока)")
    t.set_defaults(func=run_retakes)


class _TtyProgress:
    def __init__(self) -> None:
        self.tty = sys.stdout.isatty()
        self.last = -1

    def __call__(self, p) -> None:
        pct = int(p.fraction * 100)
        if self.tty:
            bar = "#" * (pct // 4)
            print(f"\r[{bar:<25}] {pct:3d}%  {p.text}   ", end="", flush=True)
        elif pct // 10 != self.last // 10:
            say(f"{pct:3d}%  {p.text}")
        self.last = pct


def run_handoff(args: argparse.Namespace) -> int:
    from ..services import drives, handoff

    if args.verify:
        if Path(args.verify).is_dir() and handoff.is_incomplete(Path(args.verify)):
            warn(f"Папка «{args.verify}» — незавершённая передача (копирование было прервано): "
                 "её нельзя использовать. Повторите передачу из ИС-Штаба.")
            return EXIT_PROBLEMS
        try:
            bad = handoff.verify_manifest(args.verify)
        except (OSError, ValueError):
            raise UserError(f"В папке «{args.verify}» нет читаемого файла {handoff.MANIFEST}.") from None
        if bad:
            warn("Не совпадают или отсутствуют: " + ", ".join(bad))
            return EXIT_PROBLEMS
        say("Все файлы совпадают с SHA256SUMS.")
        return EXIT_OK
    if not args.to:
        found = drives.removable_drives()
        if not found:
            say("Съёмные диски не найдены. Вставьте флешку или укажите папку: "
                "is-shtab handoff --to ПАПКА")
        for d in found:
            say(d.title)
        return EXIT_OK
    with workspace(args) as ws:
        plan = handoff.plan_for(ws.store)
        for w in plan.warnings:
            warn(f"Внимание: {w}")
        if plan.questions and not args.yes:
            for q in plan.questions:
                warn(f"Не хватает: {q}")
            if not (sys.stdin.isatty() and input("Передать всё равно? [д/Н] ").strip().lower()
                    in ("д", "да", "y", "yes")):
                warn("Передача не начата. Допечатайте недостающее или запустите с --yes.")
                return EXIT_PROBLEMS
        say(f"Передаётся файлов: {len(plan.items)} ({handoff.format_size(plan.total)}) → "
            f"{args.to}")
        prog = _TtyProgress()
        try:
            result = handoff.execute(plan, args.to, prog)
        except handoff.HandoffError:
            if prog.tty:
                print()
            raise
        if prog.tty:
            print()
        handoff.record_done(ws.store, result)
        say(result.message)
    return EXIT_OK


def run_retention(args: argparse.Namespace) -> int:
    from ..services import retention
    from ..services.handoff import format_size

    today = args.date or date.today()
    with workspace(args) as ws:
        if ws.store.exam_day() is None:
            raise UserError("Экзаменационный день не задан: сроки хранения считать не от чего.")
        rows = retention.status(ws.store, today)
        say(f"Сроки хранения на {today:%d.%m.%Y}:")
        for r in rows:
            mark = "ПОРА УНИЧТОЖИТЬ" if r.due else "хранить"
            files = f", файлов {len(r.files)} ({format_size(r.bytes)})" if r.files else ""
            say(f"  {r.material.label}: до {r.keep_until:%d.%m.%Y} — {mark}{files}")
        if not rows:
            say("  всё уже уничтожено по актам.")
        if args.destroy:
            res = retention.destroy(ws.store, today, args.member, args.head)
            say(f"Акт: {res.act}")
            say(f"Удалено файлов: {res.files_removed} ({format_size(res.bytes_removed)})"
                + ("; списки и протоколы удалены из базы" if res.db_cleared else ""))
            if res.failed:
                warn("Не удалось удалить: " + ", ".join(res.failed))
                return EXIT_PROBLEMS
        elif any(r.due for r in rows):
            say("Есть материалы с истёкшим сроком: is-shtab retention --destroy --member ФИО …")
    return EXIT_OK


def run_retakes(args: argparse.Namespace) -> int:
    from ..services import retakes

    with workspace(args) as ws:
        store = ws.store
        if args.carry_from:
            try:
                n = retakes.carry_prior_fails(store, args.carry_from)
            except (OSError, ValueError) as e:
                raise UserError(f"Не удалось прочитать «{args.carry_from}»: {e}") from None
            say(f"Число прежних незачётов перенесено: {n} участников.")
        if args.document:
            p = retakes.record_document(store, *args.document)
            say(f"Документ внесён: {p.short_fio}.")
        rows = retakes.verdicts(store)
        ok = [r for r in rows if r.verdict.eligible]
        say(f"Допущены к дополнительному сроку: {len(ok)}")
        for r in ok:
            say(f"  {r.participant.short_fio} ({r.participant.grade}) — {r.verdict.note}")
        pending = [r for r in rows if not r.verdict.eligible and r.verdict.ground is not None]
        if pending:
            say(f"Не допущены (проверьте): {len(pending)}")
            for r in pending:
                say(f"  {r.participant.short_fio} ({r.participant.grade}) — {r.verdict.note}")
        if args.all:
            for r in rows:
                if not r.verdict.eligible and r.verdict.ground is None:
                    say(f"  {r.participant.short_fio} — {r.verdict.note}")
        if args.out:
            day, n = retakes.write_roster_csv(store, args.out, args.date)
            say(f"Список на {day.date:%d.%m.%Y}: {n} участников → {args.out}")
        if args.new_workspace:
            day, n = retakes.create_next_workspace(store, args.new_workspace, args.date)
            say(f"Рабочая папка на {day.date:%d.%m.%Y}: {args.new_workspace} ({n} участников)")
    return EXIT_OK

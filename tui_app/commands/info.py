"""`is-shtab info`: the exam day and its counts, as on the main screen."""
from __future__ import annotations

import argparse

from ..services.summary import summarize
from ._common import EXIT_OK, say, workspace


def register(sub) -> None:
    p = sub.add_parser("info", help="сводка экзаменационного дня: коды, дата, счётчики, что дальше",
                       description="Печатает сводку рабочей папки: коды, дату, счётчики и список дел дня.")
    p.add_argument("--ack", action="store_true",
                   help="отметить сообщение о восстановлении базы как прочитанное")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        if getattr(args, "ack", False) and ws.store.recovery_notice() is not None:
            ws.store.acknowledge_recovery()
            say("Сообщение о восстановлении базы отмечено прочитанным.")
        s = summarize(ws.store)
        say(f"Рабочая папка: {ws.root}")
        if s.day is None:
            say("Экзаменационный день не задан: загрузите список участников (is-shtab import ФАЙЛ).")
        else:
            d = s.day
            say(f"Дата: {d.date:%d.%m.%Y} ({d.kind.label}); регион {d.region}, МСУ {d.msu}, ОО {d.oo}")
            if d.oo_name:
                say(f"ОО: {d.oo_name}")
        say(f"Участников: {s.total}; распределено: {s.distributed}; не явились: {s.absent}; "
            f"с ОВЗ: {s.ovz}; аудиторий: {s.rooms}")
        say(f"Протоколов: {s.protocols}; зачёт: {s.passed}; незачёт: {s.failed}; "
            f"не завершили: {s.early}; удалены: {s.removed}")
        say("Что дальше:")
        for done, text in s.checklist:
            say(f"  [{'x' if done else ' '}] {text}")
        for r in s.reminders:
            say(f"  ⚠ {r}")
        if s.date_question:
            say(f"  ⚠ {s.date_question}")
        if s.deadlines:
            from datetime import date as _date

            today = _date.today()
            say("Сроки (производственный календарь и порядок региона):")
            for d in s.deadlines:
                late = " — СРОК ПРОШЁЛ" if d.due < today else ""
                say(f"  {d.label()}{late}")
    return EXIT_OK

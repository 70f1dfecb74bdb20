"""`is-shtab distribute` and `is-shtab timetable`: the F3 screen's distribution from the CLI."""
from __future__ import annotations

import argparse

from ..services import distribute as dist
from ..services.remote import is_remote
from ._common import EXIT_OK, EXIT_PROBLEMS, UserError, say, workspace


def register(sub) -> None:
    p = sub.add_parser(
        "distribute",
        help="распределить участников по аудиториям автоматически (по времени, ОВЗ — в доступные)",
        description="Распределяет всех участников по аудиториям: по времени (15–16 минут на участника, "
        "участникам с ОВЗ +30 минут), участники с ОВЗ — только в доступные аудитории, класс — в одну "
        "аудиторию, где помещается. Участники с внесённым протоколом остаются на месте.",
    )
    p.set_defaults(func=run_distribute)
    t = sub.add_parser(
        "timetable",
        help="расписание аудиторий (при дистанционной форме — график подключения)",
        description="Печатает расписание каждой аудитории с 9:00 (или с начала, заданного на экране F3): "
        "порядок, участник, начало и окончание; аудитория, не успевающая к пределу, помечается «!».",
    )
    t.add_argument("--room", metavar="АУДИТОРИЯ", help="только эта аудитория")
    t.set_defaults(func=run_timetable)


def run_distribute(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        res = dist.auto_distribute(ws.store)
        say(res.message())
        for t in dist.timetables(ws.store):
            people = sum(1 for s in t.slots if not s.absent)
            flag = "  ! позже предела" if t.over_limit else ""
            say(f"  аудитория {t.room}: участников {people}, {t.start:%H:%M}–{t.end:%H:%M}{flag}")
        return EXIT_PROBLEMS if res.unplaced else EXIT_OK


def run_timetable(args: argparse.Namespace) -> int:
    with workspace(args) as ws:
        store = ws.store
        people = {p.guid: p for p in store.participants()}
        tables = dist.timetables(store)
        if args.room:
            tables = [t for t in tables if t.room == args.room]
            if not tables:
                raise UserError(f"Аудитории {args.room} нет.")
        for t in tables:
            remote = is_remote(store, t.room)
            kind = "График подключения" if remote else "Расписание"
            flag = f"  ! позже {t.limit:%H:%M}" if t.over_limit and t.limit else ""
            say(f"{kind}: аудитория {t.room}, {t.start:%H:%M}–{t.end:%H:%M}{flag}")
            calls = {c.guid: c for c in dist.room_trial_calls(store, t.room)} if remote else {}
            for s in t.slots:
                p = people[s.guid]
                if s.absent:
                    say(f"  {s.order:>3}. {p.short_fio:<40} Н")
                    continue
                line = f"  {s.order:>3}. {p.short_fio:<40} {p.grade:<4} "
                if remote and s.connect is not None:
                    c = calls.get(s.guid)
                    line += (f"подключение и проверка {s.connect:%H:%M} (за {dist.schedule_settings(store).remote_prep} мин), "
                             f"ответ {s.start:%H:%M}–{s.end:%H:%M}")
                    if c:
                        line += f"; тест {c.day:%d.%m} {c.start:%H:%M}"
                else:
                    line += f"{s.start:%H:%M}–{s.end:%H:%M} ({s.minutes} мин.)"
                say(line)
        return EXIT_OK

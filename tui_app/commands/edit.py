"""Every edit a screen can make, from the command line (issue 17): `participant`, `room`,
`staff`, `log`, `school`, `retake-today`, `recheck`, `deadlines`."""
from __future__ import annotations

import argparse
from datetime import date

from ._common import EXIT_OK, UserError, out_folder, say, warn, workspace


def _date(text: str) -> date:
    t = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            from datetime import datetime

            return datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"дата «{text}» не в формате ДД.ММ.ГГГГ или ГГГГ-ММ-ДД")


def register(sub) -> None:
    p = sub.add_parser(
        "participant", help="изменить участника: категория ОВЗ, основание, условия, «Н», "
        "дистанционно, дата рождения, аудитория",
        description="Меняет данные участника так же, как экран списка (F2). Категория ОВЗ "
        "записывается с тем, кто и когда её выбрал; «--category general» у участника с «Резерв = "
        "22» — явное подтверждение «Общая».",
        epilog="Примеры:\n  is-shtab participant 100037 --category autism --basis ПМПК "
        "--basis-number 12/3 --basis-date 10.12.2026\n  is-shtab participant 100037 --remote\n"
        "  is-shtab participant 100037 --absent\n  is-shtab participant 100037 --show")
    p.add_argument("who", metavar="КОД", help="код участника, штрих-код, GUID или фамилия")
    p.add_argument("--category", metavar="ИД", help="категория ОВЗ (список: --categories)")
    p.add_argument("--categories", action="store_true", help="показать категории и выйти")
    p.add_argument("--basis", metavar="ПМПК|МСЭ", help="документ-основание особых условий")
    p.add_argument("--basis-number", metavar="НОМЕР")
    p.add_argument("--basis-date", type=_date, metavar="ДАТА")
    p.add_argument("--condition", action="append", metavar="ИД",
                   help="особое условие (можно несколько раз; список: --categories)")
    p.add_argument("--no-conditions", action="store_true", help="снять все особые условия")
    p.add_argument("--remote", action=argparse.BooleanOptionalAction, default=None,
                   help="дистанционная форма (--no-remote — снять)")
    p.add_argument("--absent", action=argparse.BooleanOptionalAction, default=None,
                   help="отметка о неявке «Н» (--no-absent — снять)")
    p.add_argument("--birth-date", type=_date, metavar="ДАТА")
    p.add_argument("--room", metavar="АУД", help="пересадить в аудиторию")
    p.add_argument("--show", action="store_true", help="только показать")
    p.set_defaults(func=run_participant)

    r = sub.add_parser("room", help="завести или изменить аудиторию: вместимость, доступность, "
                       "схема оценивания, дистанционно, собеседник, эксперт",
                       description="Как экран аудиторий (F3). Схема 1 — эксперт в аудитории, "
                       "2 — проверка по аудиозаписи (обязательна для РАС).")
    r.add_argument("number", metavar="НОМЕР")
    r.add_argument("--capacity", type=int, metavar="N")
    r.add_argument("--accessible", action=argparse.BooleanOptionalAction, default=None)
    r.add_argument("--scheme", type=int, choices=(1, 2))
    r.add_argument("--remote", action=argparse.BooleanOptionalAction, default=None,
                   help="рабочее место собеседника для дистанционной формы")
    r.add_argument("--interlocutor", metavar="ФИО")
    r.add_argument("--expert", metavar="ФИО")
    r.add_argument("--delete", action="store_true", help="удалить аудиторию")
    r.set_defaults(func=run_room)

    s = sub.add_parser("staff", help="работники: список, добавить, удалить",
                       description="Как экран работников. Роли: собеседник, эксперт, организатор, "
                       "техспециалист, руководитель.")
    s.add_argument("action", choices=("list", "add", "delete"), metavar="list|add|delete")
    s.add_argument("fio", nargs="?", metavar="ФИО")
    s.add_argument("--role", metavar="РОЛЬ", default="",
                   help="interlocutor|expert|organizer|tech|head (или по-русски)")
    s.add_argument("--room", metavar="АУД", default="")
    s.set_defaults(func=run_staff)

    lg = sub.add_parser("log", help="время начала и окончания в ведомости ИС-02",
                        description="Вносит время участника в ИС-02 (как экран ведомости).")
    lg.add_argument("who", metavar="КОД")
    lg.add_argument("--start", metavar="ЧЧ:ММ")
    lg.add_argument("--end", metavar="ЧЧ:ММ")
    lg.set_defaults(func=run_log)

    sc = sub.add_parser("school", help="полное наименование и адрес школы для бланков",
                        description="Наименование и адрес печатаются в ИС-08, ИС-09 и заявлении.")
    sc.add_argument("--name", metavar="НАИМЕНОВАНИЕ")
    sc.add_argument("--address", metavar="АДРЕС")
    sc.add_argument("--region-name", metavar="СУБЪЕКТ")
    sc.set_defaults(func=run_school)

    rt = sub.add_parser("retake-today", help="повторное прохождение в тот же день с другим вариантом "
                        "(после ИС-08 из-за записи или сбоя)",
                        description="Прежнее прохождение (протокол, время, акт ИС-08) сохраняется; "
                        "открывается новое с другим вариантом КИМ (seed 004, 8.9 и 10.14).")
    rt.add_argument("who", metavar="КОД")
    rt.add_argument("--variant", required=True, metavar="N")
    rt.add_argument("--room", metavar="АУД", default="")
    rt.set_defaults(func=run_retake_today)

    rc = sub.add_parser("recheck", help="заявления на повторную проверку; список «ознакомление»",
                        description="Записывает заявление (кто, дата, передано в МСУ, итог) и "
                        "проверяет срок; без КОДА — показывает все заявления.")
    rc.add_argument("who", nargs="?", metavar="КОД")
    rc.add_argument("--date", type=_date, metavar="ДАТА", help="дата заявления (по умолчанию сегодня)")
    rc.add_argument("--applicant", metavar="ФИО", default="")
    rc.add_argument("--handed", type=_date, metavar="ДАТА", help="передано в МСУ")
    rc.add_argument("--outcome", metavar="ТЕКСТ", default="")
    rc.set_defaults(func=run_recheck)

    dl = sub.add_parser("deadlines", help="даты года и сроки: по производственному календарю и "
                        "данным региона",
                        description="Сроки дня (T-14, T-3, ввод результатов, передача в МСУ, "
                        "результаты, повторная проверка) и проверка даты экзамена.")
    dl.set_defaults(func=run_deadlines)

    ai = sub.add_parser("recording-import", help="принять запись дистанционного сеанса (видео/аудио) "
                        "под правило имени: дата, аудитория, код ОО",
                        description="Запись видеоконференции сохраняется в audio/ с именем по правилу "
                        "(seed 000:17) и уходит в МСУ при передаче.")
    ai.add_argument("file", metavar="ФАЙЛ")
    ai.add_argument("--room", required=True, metavar="АУД")
    ai.add_argument("--participant", metavar="КОД")
    ai.set_defaults(func=run_recording_import)

    ts = sub.add_parser("typing-sheet", help="лист для перепечатки результатов (PDF и CSV) в "
                        "порядке столбцов федеральной программы или онлайн-формы региона",
                        description="Где РЦОИ принимает только файл федеральной программы или "
                        "онлайн-кабинет: лист из проверенных данных с суммами строк и "
                        "контрольной суммой (docs/b2p.md).")
    ts.add_argument("--layout", default="federal", metavar="federal|47",
                    help="federal — сетка программы; 47 — онлайн-форма Ленинградской обл.")
    ts.add_argument("--out", metavar="ПАПКА")
    ts.set_defaults(func=run_typing_sheet)


def _who(store, key: str):
    from ..services.forms import find_participant

    return find_participant(store, key)


def _describe(store, p) -> list[str]:
    from ..services.calendar import rules_for
    from ..services.data import scheme_for

    sch = scheme_for(store)
    cat = sch.category(p.category) if sch.has_category(p.category) else None
    rules = rules_for(store)
    lines = [f"{p.fio} ({p.grade or '—'}), код {p.code or '—'}, аудитория {p.room_mark or '—'}"
             + (", дистанционно" if p.remote else "")]
    if p.category_unset:
        lines.append("Категория: НЕ ВЫБРАНА (Резерв = 22) — баллы не вносятся")
    elif cat is not None:
        who = (f" — выбрал {p.category_confirmed_by} {p.category_confirmed_at:%d.%m.%Y %H:%M}"
               if p.category_confirmed_at else "")
        lines.append(f"Категория: {cat.short or cat.name} ({cat.id}){who}")
        note = rules.category_note(cat)
        if note:
            lines.append(f"  ⚠ {note}")
    if p.ovz_basis:
        when = f" от {p.ovz_doc_date:%d.%m.%Y}" if p.ovz_doc_date else ""
        lines.append(f"Основание: {p.ovz_basis} № {p.ovz_doc_number or '—'}{when}")
    if p.conditions:
        lines.append("Особые условия: " + "; ".join(rules.condition_name(c) for c in p.conditions))
    if p.birth_date:
        lines.append(f"Дата рождения: {p.birth_date:%d.%m.%Y}")
    return lines


def run_participant(args: argparse.Namespace) -> int:
    from ..services import roster as svc
    from ..services.calendar import rules_for
    from ..services.data import scheme_for

    with workspace(args) as ws:
        store = ws.store
        if args.categories:
            for c in scheme_for(store).categories:
                say(f"  {c.id:<16} {c.name} (макс. {c.max}, зачёт от {c.pass_min})")
            say("Особые условия:")
            for c in rules_for(store).conditions:
                say(f"  {c['id']:<16} {c['name']}")
            return EXIT_OK
        p = _who(store, args.who)
        changes = {}
        if args.category is not None:
            changes["category"] = args.category.strip()
        if args.basis is not None:
            changes["ovz_basis"] = args.basis
        if args.basis_number is not None:
            changes["ovz_doc_number"] = args.basis_number
        if args.basis_date is not None:
            changes["ovz_doc_date"] = args.basis_date
        if args.no_conditions:
            changes["conditions"] = []
        if args.condition:
            changes["conditions"] = sorted(set((changes.get("conditions", p.conditions)) + args.condition))
        if args.remote is not None:
            changes["remote"] = args.remote
        if args.birth_date is not None:
            changes["birth_date"] = args.birth_date
        if args.room is not None:
            changes["room"] = args.room
        if changes and not args.show:
            p = svc.edit_participant(store, p.guid, **changes)
        if args.absent is not None and not args.show:
            p = svc.set_absent(store, p.guid, args.absent)
        for line in _describe(store, p):
            say(line)
        warning = svc.placement_warning(store, p)
        if warning:
            warn(f"Внимание: {warning}")
    return EXIT_OK


def run_room(args: argparse.Namespace) -> int:
    from ..domain.models import Role, Room
    from ..services import rooms, staff

    with workspace(args) as ws:
        store = ws.store
        if args.delete:
            rooms.remove_room(store, args.number)
            say(f"Аудитория {args.number} удалена.")
            return EXIT_OK
        if store.get(Room, args.number) is None:
            rooms.create_room(store, args.number, capacity=args.capacity or 30,
                              accessible=bool(args.accessible))
            say(f"Аудитория {args.number} заведена.")
        r = rooms.edit_room(store, args.number, capacity=args.capacity, accessible=args.accessible,
                            scheme=args.scheme, remote=args.remote)
        for fio, role in ((args.interlocutor, Role.INTERLOCUTOR), (args.expert, Role.EXPERT)):
            if fio:
                member = next((m for m in staff.staff_list(store)
                               if m.fio == fio.strip() and m.role is role), None)
                member = member or staff.add_staff(store, fio, role)
                staff.assign(store, member.id, r.number)
        r = store.get(Room, args.number)
        scheme = "2 (по аудиозаписи)" if r.scheme == 2 else "1 (эксперт в аудитории)"
        say(f"Аудитория {r.number}: мест {r.capacity}, {'доступна' if r.accessible else 'не доступна'} "
            f"для ОВЗ, схема {scheme}" + (", дистанционно" if r.remote else ""))
    return EXIT_OK


def _role(text: str):
    from ..domain.models import Role

    t = (text or "").strip().lower()
    for r in Role:
        if t in (r.value, r.label) or (t and r.label.startswith(t)):
            return r
    raise UserError(f"Роль «{text}» неизвестна: " + ", ".join(f"{r.value} ({r.label})" for r in Role))


def run_staff(args: argparse.Namespace) -> int:
    from ..services import staff

    with workspace(args) as ws:
        store = ws.store
        if args.action == "list":
            for m in staff.staff_list(store):
                say(f"  {m.fio:<40} {m.role.label:<24} {m.room or ''}")
            return EXIT_OK
        if not args.fio:
            raise UserError("Укажите ФИО.")
        if args.action == "add":
            m = staff.add_staff(store, args.fio, _role(args.role), args.room)
            say(f"Добавлен: {m.fio} — {m.role.label}" + (f", аудитория {m.room}" if m.room else ""))
        else:
            found = [m for m in staff.staff_list(store) if m.fio == args.fio.strip()]
            if not found:
                raise UserError(f"Работника «{args.fio}» нет.")
            staff.remove_staff(store, found[0].id)
            say(f"Удалён: {found[0].fio}")
    return EXIT_OK


def run_log(args: argparse.Namespace) -> int:
    from ..domain.models import RoomLogEntry
    from ..services import room_log

    with workspace(args) as ws:
        store = ws.store
        p = _who(store, args.who)
        old = store.get(RoomLogEntry, p.guid)
        start = args.start if args.start is not None else (old.start if old else None)
        end = args.end if args.end is not None else (old.end if old else None)
        e = room_log.set_times(store, p.guid, start, end)
        fmt = (lambda t: t.strftime("%H:%M") if t else "—")
        say(f"ИС-02, аудитория {e.room}: {p.short_fio} {fmt(e.start)}–{fmt(e.end)}")
    return EXIT_OK


def run_school(args: argparse.Namespace) -> int:
    from ..services.school import set_school

    with workspace(args) as ws:
        day = set_school(ws.store, args.name, args.address, args.region_name)
        say(f"ОО {day.oo}: {day.oo_name or '(наименование не задано)'}")
        say(f"Адрес: {day.oo_address or '(не задан)'}")
        say(f"Субъект РФ: {day.region} {day.region_name}")
    return EXIT_OK


def run_retake_today(args: argparse.Namespace) -> int:
    from ..services.acts import retake_today

    with workspace(args) as ws:
        p = _who(ws.store, args.who)
        proto = retake_today(ws.store, p, args.variant, args.room)
        say(f"{p.short_fio}: прохождение {proto.sitting}, вариант {proto.variant}, аудитория "
            f"{proto.room}. Прежнее прохождение и акт ИС-08 сохранены; внесите новый протокол.")
    return EXIT_OK


def run_recheck(args: argparse.Namespace) -> int:
    from ..domain.models import RecheckApplication
    from ..services.recheck import recheck_deadline, record_application

    with workspace(args) as ws:
        store = ws.store
        deadline = recheck_deadline(store)
        if args.who:
            p = _who(store, args.who)
            a = record_application(store, p, args.date or date.today(), args.applicant,
                                   args.handed, args.outcome)
            say(f"Заявление записано: {p.short_fio}, {a.applied_on:%d.%m.%Y}"
                + (f", передано в МСУ {a.handed_on:%d.%m.%Y}" if a.handed_on else ""))
            if a.late:
                warn(f"Внимание: заявление подано после срока ({deadline:%d.%m.%Y}).")
            if a.handed_on and a.handed_on != a.applied_on:
                warn("Внимание: ОО передаёт заявление в МСУ в день получения (seed 004, 16.3).")
            return EXIT_OK
        if deadline:
            say(f"Срок подачи заявлений: до {deadline:%d.%m.%Y}")
        apps = store.all(RecheckApplication)
        if not apps:
            say("Заявлений на повторную проверку нет.")
        for a in apps:
            p = store.participant(a.participant)
            say(f"  {p.short_fio if p else a.participant}: {a.applied_on:%d.%m.%Y}"
                + (f", в МСУ {a.handed_on:%d.%m.%Y}" if a.handed_on else ", в МСУ не передано")
                + (f", итог: {a.outcome}" if a.outcome else "") + (" (после срока)" if a.late else ""))
    return EXIT_OK


def run_deadlines(args: argparse.Namespace) -> int:
    from ..services.calendar import exam_date_question, rules_for, store_deadlines, year_dates

    with workspace(args) as ws:
        store = ws.store
        day = store.exam_day()
        if day is None:
            raise UserError("Экзаменационный день не задан: сначала загрузите список участников.")
        rules = rules_for(store)
        say(f"Регион {day.region}: {rules.name}")
        say("Даты ИС учебного года: " + ", ".join(
            f"{e.day:%d.%m.%Y} ({e.text})" for e in year_dates(day.date, day.region)))
        q = exam_date_question(day.date, day.region)
        if q:
            warn(f"⚠ {q}")
        for d in store_deadlines(store):
            say(f"  {d.label()}  [{d.quote}]")
    return EXIT_OK


def run_typing_sheet(args: argparse.Namespace) -> int:
    from ..services.sheets import write_typing_sheet

    out = out_folder(args.out, ".pdf", ".csv")
    with workspace(args) as ws:
        pdf, csv_path, sheet = write_typing_sheet(ws.store, args.layout, out)
        say(f"Готово: {pdf}")
        say(f"Готово: {csv_path}")
        say(f"Строк: {len(sheet.rows)}; зачётов: {sheet.passed}; контрольная сумма: {sheet.control_sum}")
        if sheet.note:
            warn(f"⚠ {sheet.note}")
    return EXIT_OK


def run_recording_import(args: argparse.Namespace) -> int:
    from ..services.remote import import_recording

    with workspace(args) as ws:
        who = _who(ws.store, args.participant) if args.participant else None
        path = import_recording(ws.store, args.file, args.room, who)
        say(f"Запись принята: {path}")
    return EXIT_OK

"""Commands of the B2P exchange: import, import-scores, check, export, consolidate.

Exit codes: 0 done; 1 the file or the data has problems (listed in Russian, nothing changed);
2 a usage error (no such file, workspace locked, bad flags).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..services.checks import run_checks
from ..services.consolidate import ConsolidateRefused, consolidate
from ..services.export_results import ExportRefused, export_results
from ..services.import_plan import check_import_file
from ..services.import_roster import ImportRefused, import_file
from ..services.import_scores import import_scores
from ..errors import os_error_text
from ._common import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, UserError, out_folder, say, warn, workspace

_USAGE_KINDS = {"not_found", "not_regular", "flags", "no_roster", "other_day", "other_file"}


def register(sub) -> None:
    p = sub.add_parser(
        "import", help="загрузить список участников: файл B2P (статус 10) или CSV из Excel",
        description="Загружает список участников в рабочую папку: файл B2P от РЦОИ (статус 10), "
        "ранее сохранённый файл результатов (12/13/19 — продолжить работу) или CSV из Excel "
        "(UTF-8 или windows-1251, разделитель «;» или «,»; обязательные столбцы: Фамилия, Имя, "
        "Класс). Загрузка «всё или ничего»: файл с ошибкой ничего не меняет. Повторная загрузка "
        "исправленного списка добавляет новых, сообщает об исчезнувших и не трогает внесённые "
        "результаты.")
    p.add_argument("file", metavar="ФАЙЛ", help="файл .b2p или .csv")
    p.add_argument("--region", metavar="РР", help="код региона (2 цифры), для CSV")
    p.add_argument("--msu", metavar="МСУ", help="код МСУ (3 цифры), для CSV")
    p.add_argument("--oo", metavar="ОО", help="код ОО (6 цифр), для CSV")
    p.add_argument("--date", metavar="ГГГГ-ММ-ДД", help="дата экзамена, для CSV")
    p.set_defaults(func=run_import)

    p = sub.add_parser(
        "import-scores", help="загрузить баллы протоколов из CSV (массовый ввод)",
        description="Загружает протоколы из CSV: столбцы Код_в_базе или Код_участника, Аудитория, "
        "Вариант, Ч1 … Р4, Эксперт; по желанию Статус (явился, не явился, не завершил, удален) и "
        "Схема (1 или 2, по умолчанию 2 — оценивание по аудиозаписи). Каждая строка проверяется "
        "по правилам оценивания; одна ошибка — файл не загружается, ошибки перечислены с "
        "номерами строк. Уже внесённые результаты не перезаписываются.")
    p.add_argument("file", metavar="ФАЙЛ", help="файл .csv")
    p.set_defaults(func=run_import_scores)

    p = sub.add_parser(
        "check", help="проверка перед выгрузкой результатов",
        description="Проверяет согласованность данных перед выгрузкой: у каждого явившегося "
        "протокол или отметка о досрочном завершении/удалении, нет протоколов у не явившихся, "
        "баллы в пределах категории, заполнены аудитория, вариант, эксперт. Код выхода 0 — "
        "ошибок нет, 1 — есть (список на экране).")
    p.set_defaults(func=run_check)

    p = sub.add_parser(
        "export", help="выгрузить файл результатов B2P для передачи в МСУ",
        description="Выгружает специализированную форму (файл B2P) в папку export/ рабочей папки "
        "или в --out. Статус 19 — только если проверка прошла без ошибок; с --force файл "
        "записывается со статусом 13 «сохранён с ошибками». Имя файла и коды участников — как "
        "в загруженном списке.")
    p.add_argument("--out", metavar="ПАПКА", help="куда записать файл (по умолчанию export/)")
    p.add_argument("--force", action="store_true",
                   help="записать и при ошибках проверки (статус 13, РЦОИ спросит)")
    p.set_defaults(func=run_export)

    p = sub.add_parser(
        "consolidate", help="свести файлы результатов многих школ (для МСУ)",
        description="Проверяет каждый файл B2P из указанных папок, отказывает, если участник "
        "встречается в двух файлах, печатает сводку по школам и записывает один CSV со всеми "
        "строками. Рабочая папка не нужна.")
    p.add_argument("paths", metavar="ПАПКА", nargs="+", help="папки (или файлы) с файлами .b2p")
    p.add_argument("--out", metavar="ФАЙЛ.csv", required=True, help="куда записать сводный CSV")
    p.set_defaults(func=run_consolidate)


def _refused(title: str, problems: list[str], kind: str = "", more: str = "") -> int:
    warn(title)
    for m in problems:
        warn(f"  • {m}")
    if more:
        warn(f"  {more}")
    return EXIT_ERROR if kind in _USAGE_KINDS else EXIT_PROBLEMS


def _import(args: argparse.Namespace, load, refused: str) -> int:
    """Both imports: the file must be a file (missing, a folder, a pipe or a device: named for
    what it is, before any workspace is opened); all or nothing; the summary or every problem."""
    path = Path(args.file)
    try:
        check_import_file(path)
    except ImportRefused as e:
        return _refused(f"{refused}, рабочая папка не изменена:", e.problems, e.kind)
    with workspace(args) as ws:
        try:
            s = load(ws.store, path)
        except ImportRefused as e:
            return _refused(f"{refused}, рабочая папка не изменена (ошибок: {e.count_text}):",
                            e.problems, e.kind, e.more_text(len(e.problems)))
        for line in s.lines():
            say(line)
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    return _import(args, lambda store, path: import_file(store, path, region=args.region,
                                                         msu=args.msu, oo=args.oo,
                                                         exam_date=args.date),
                   "Файл не загружен")


def run_import_scores(args: argparse.Namespace) -> int:
    return _import(args, import_scores, "Баллы не загружены")


def run_check(args: argparse.Namespace) -> int:
    from ..services.export_results import row_counts

    with workspace(args) as ws:
        problems = run_checks(ws.store)
        counts = row_counts(ws.store)
    say(counts.line())
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    if warnings:
        say(f"Предупреждений: {len(warnings)} (выгрузку не блокируют)")
        for p in warnings:
            say(f"  ⚠ {p.message}")
    if not errors:
        say("Проверка пройдена: ошибок нет, можно выгружать (статус 19).")
        return EXIT_OK
    say(f"Найдено ошибок: {len(errors)}")
    for p in errors:
        say(f"  • {p.message}")
    return EXIT_PROBLEMS


def run_export(args: argparse.Namespace) -> int:
    from ..services.export_results import row_counts

    out = out_folder(args.out, ".b2p", ".xml")
    with workspace(args) as ws:
        say(row_counts(ws.store).line())  # both counts before the file is written
        try:
            r = export_results(ws.store, out, force=args.force)
        except ExportRefused as e:
            warn(f"Файл не выгружен: {e}")
            for p in e.problems:
                warn(f"  • {p.message}")
            return EXIT_PROBLEMS if e.kind in ("check", "rows") else EXIT_ERROR
        except OSError as e:
            raise UserError(f"Файл результатов не записан. {os_error_text(e, e.filename or args.out)}") \
                from None
        for line in r.lines():
            say(line)
        for p in r.problems:
            say(f"  • {p.message}")
    return EXIT_OK


def run_consolidate(args: argparse.Namespace) -> int:
    try:
        r = consolidate(args.paths, args.out)
    except ConsolidateRefused as e:
        return _refused(f"Сводка не сделана (ошибок: {len(e.problems)}):", e.problems,
                        "not_found" if e.kind in ("not_found", "no_files") else e.kind)
    except OSError as e:
        raise UserError(f"Сводка не записана. {os_error_text(e, e.filename or args.out)}") from None
    for line in r.table_lines():
        say(line)
    for w in r.warnings:
        say(f"Внимание: {w}")
    say(f"Сводный CSV: {r.out} (строк {r.rows}).")
    return EXIT_OK

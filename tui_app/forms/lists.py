"""Lists the regulations ask for besides the forms: the remote form's connection schedule,
the «ознакомление с результатами» list per class, and the typing sheet (services/sheets.py
computes their rows; this module only lays them out)."""
from __future__ import annotations

from typing import Sequence

from .context import FormContext
from .is01 import header_codes
from .kit import Col, FormPDF, paged_rows


def _table(pdf: FormPDF, ctx: FormContext, titles: list[str], cols: list[Col],
           rows: Sequence[Sequence[str]], code: str, subtitle: str = "", foot: str = "") -> None:
    first = pdf.page + 1

    def new_page() -> float:
        pdf.add_page()
        y = pdf.title_block(pdf.t_margin + 2, titles, size=12)
        y = header_codes(pdf, ctx, y)
        line = f"Дата проведения: {ctx.date_text}" + (f" · {subtitle}" if subtitle else "")
        pdf.box(pdf.left, y, pdf.width, 6, line, size=10, border=False)
        return y + 7

    def header(y: float) -> float:
        return pdf.table_row(pdf.left, y, cols, [c.title for c in cols], 12, header=True)

    y = paged_rows(pdf, cols, rows, y=new_page(), row_h=7, draw_header=header, new_page=new_page,
                   keep_after=12 if foot else 0)
    if foot:
        pdf.box(pdf.left, y + 2, pdf.width, 8, foot, size=9, style="I", border=False)
    pdf.number_pages(first, code)


def connection_schedule_pdf(ctx: FormContext, rows) -> FormPDF:
    pdf = FormPDF("L", title="График подключения (дистанционная форма)")
    prep = ctx.extra.get("prep", 15)
    by_room: dict[str, list] = {}
    for r in rows:
        by_room.setdefault(r.room, []).append(r)
    for room, items in by_room.items():
        w = pdf.width
        cols = [Col("№", 12), Col("ФИО участника", w - 12 - 16 - 44 - 44 - 30 - 30, "L"),
                Col("Класс", 16), Col("Тестовое подключение (накануне)", 44),
                Col(f"Подключение и проверка (за {prep} мин)", 44), Col("Начало ответа", 30),
                Col("Окончание", 30)]
        data = [[str(r.order), r.fio, r.grade, r.test, r.check, r.start, r.end] for r in items]
        _table(pdf, ctx, ["График подключения участников к видеоконференции",
                          "(итоговое собеседование в дистанционной форме)"], cols, data,
               f"График · аудитория {room}", f"Аудитория (рабочее место собеседника) {room}",
               f"За {prep} минут до начала: проверка оборудования участника, включение записи, "
               "осмотр помещения и стола, документ, инструктаж (seed 002, п. 5). Тестовый "
               "видеозвонок — не позднее чем за день (seed 002, п. 3; seed 004, 10.6).")
    return pdf


def acquaintance_pdf(ctx: FormContext, rows) -> FormPDF:
    pdf = FormPDF("P", title="Ознакомление с результатами итогового собеседования")
    by_grade: dict[str, list] = {}
    for r in rows:
        by_grade.setdefault(r.participant.grade or "—", []).append(r)
    for grade, items in by_grade.items():
        w = pdf.width
        cols = [Col("№", 10), Col("ФИО участника", w - 10 - 26 - 14 - 30 - 36, "L"),
                Col("Результат", 26), Col("Балл", 14), Col("Дата ознакомления", 30),
                Col("Подпись", 36)]
        data = [[str(i), r.participant.fio, r.result, r.total, "", ""] for i, r in enumerate(items, 1)]
        _table(pdf, ctx, ["Ознакомление с результатами итогового собеседования",
                          "под подпись с указанием даты ознакомления"], cols, data,
               f"Ознакомление · класс {grade}", f"Класс {grade} · {ctx.oo_full}",
               "Основание: seed 004, п. 14.3 — не позднее одного рабочего дня после получения "
               "протоколов с результатами.")
    return pdf


def typing_sheet_pdf(ctx: FormContext, sheet) -> FormPDF:
    pdf = FormPDF("L", title=sheet.title)
    n = len(sheet.header) + 1
    wide = {"ФИО участника": 46.0, "ФИО эксперта": 34.0, "Не завершил / удалён": 22.0,
            "Зачёт/незачёт": 16.0, "Код участника": 18.0}
    fixed = sum(wide.get(h, 0) for h in sheet.header)
    narrow = [h for h in sheet.header if h not in wide] + ["Сумма строки"]
    each = max(6.0, (pdf.width - fixed) / len(narrow))
    cols = [Col(h, wide.get(h, each), "L" if h in ("ФИО участника", "ФИО эксперта") else "C", 8)
            for h in sheet.header] + [Col("Сумма строки", each, "C", 8)]
    data = [list(r) + [str(t)] for r, t in zip(sheet.rows, sheet.totals)]
    sums = " ".join(f"{k}={v}" for k, v in sheet.column_sums.items())
    foot = (f"Контрольная сумма (сумма общих баллов): {sheet.control_sum}; зачётов: {sheet.passed}; "
            f"строк: {len(sheet.rows)}. Суммы по критериям: {sums}. Сверьте с итогом в программе "
            f"после перепечатки." + (f" {sheet.note}" if sheet.note else ""))
    _table(pdf, ctx, [sheet.title], cols, data, "Лист для перепечатки", "", foot)
    assert n == len(cols)
    return pdf

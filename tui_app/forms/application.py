"""«Заявление об участии в итоговом собеседовании по русскому языку» (seed 004,
Приложение 1 к Порядку), one page per participant, prefilled from the roster: фамилия,
имя, отчество, дата рождения and пол in letter cells, the document's series and number,
the school's name. The rest (телефон, СНИЛС, conditions, signatures) is written by hand.
"""
from __future__ import annotations

from typing import Optional, Sequence

from ..domain.models import Participant
from .context import FormContext
from .kit import LINE, PT, FormPDF

CODE = "Приложение 1"
TITLE = "Заявление об участии в итоговом собеседовании по русскому языку"
COMB_N = 34  # letter cells per line: «Константинопольская-Милославская» (32) fits
CELL = 4.2


def _text(pdf: FormPDF, x: float, y: float, w: float, text: str, size: float = 10,
          style: str = "") -> float:
    """A borderless paragraph; returns the y below it."""
    s, lines = pdf.layout(text, w, 200, size, style, min_size=size)
    h = len(lines) * s * PT * LINE + 1
    pdf.box(x, y, w, h, text, size=size, style=style, valign="T", border=False, min_size=size)
    return y + h


def page(pdf: FormPDF, ctx: FormContext, p: Optional[Participant]) -> None:
    pdf.add_page()
    L, W = pdf.left, pdf.width
    y = pdf.t_margin - 4
    for line in ("Приложение 1", "к Порядку проведения и проверки итогового",
                 "собеседования по русскому языку (форма)"):
        pdf.box(pdf.right - 75, y, 75, 4.2, line, size=8, style="I", align="R", border=False)
        y += 4.2
    y += 2
    pdf.box(pdf.right - 90, y, 90, 5, "Руководителю образовательной организации", size=10,
            align="L", border=False)
    y += 5.5
    pdf.fill_line(pdf.right - 90, y, 90, ctx.oo_name if p else "", size=10, align="L")
    y += 9
    y = pdf.title_block(y, [TITLE], size=13)
    comb_x = L + 40
    for label, value in (("Фамилия", p.surname if p else ""), ("Имя", p.name if p else ""),
                         ("Отчество (при наличии)", p.patronymic if p else ""),
                         ("Дата рождения", p.birth_date.strftime("%d.%m.%Y") if p and p.birth_date else ""),
                         ("Контактный телефон", "")):
        pdf.box(L, y, 40, 6.5, label, size=10, style="I", border=False)
        value = value.upper()
        if len(value) <= COMB_N:
            pdf.comb(comb_x, y, value, COMB_N, cell=CELL, h=6.5, size=9.5)
        else:  # longer than the cells: one box, fitted
            pdf.box(comb_x, y, COMB_N * CELL, 6.5, value, size=9.5)
        y += 8
    y += 1
    pdf.box(L, y, W, 6, "Наименование документа, удостоверяющего личность:", size=10,
            style="B", border=False)
    y += 6
    doc_name = ""
    if p and p.doc_series.isdigit() and len(p.doc_series) == 4 and len(p.doc_number) == 6:
        doc_name = "паспорт гражданина Российской Федерации"
    pdf.fill_line(L, y, W, doc_name)
    y += 8
    pdf.box(L, y, W, 6, "Реквизиты документа, удостоверяющего личность:", size=10, style="B",
            border=False)
    y += 7
    pdf.box(L, y, 14, 6.5, "Серия", size=10, style="B", border=False)
    pdf.comb(L + 14, y, p.doc_series if p else "", 8, cell=CELL, h=6.5)
    x = L + 14 + 8 * CELL + 8
    pdf.box(x, y, 16, 6.5, "Номер", size=10, style="B", border=False)
    pdf.comb(x + 16, y, p.doc_number if p else "", 12, cell=CELL, h=6.5)
    y += 9
    pdf.box(L, y, 12, 6, "Пол:", size=10, style="B", border=False)
    pdf.checkbox(L + 13, y + 1, bool(p and p.sex == "М"))
    pdf.box(L + 18, y, 25, 6, "Мужской", size=10, border=False)
    pdf.checkbox(L + 45, y + 1, bool(p and p.sex == "Ж"))
    pdf.box(L + 50, y, 25, 6, "Женский", size=10, border=False)
    pdf.box(L + 85, y, 16, 6, "СНИЛС", size=10, style="B", border=False)
    pdf.comb(L + 101, y, "", 14, cell=CELL, h=6.5)
    y += 10
    y = _text(pdf, L, y, W,
              "Прошу зарегистрировать меня для участия в итоговом собеседовании по русскому "
              "языку для получения допуска к государственной итоговой аттестации по "
              "образовательным программам основного общего образования.")
    y += 1
    y = _text(pdf, L, y, W,
              "Прошу организовать проведение итогового собеседования по русскому языку в "
              "условиях, учитывающих состояние моего здоровья, особенности психофизического "
              "развития, подтверждаемые:")
    for text in ("оригиналом или надлежащим образом заверенной копией рекомендаций ПМПК",
                 "оригиналом или надлежащим образом заверенной копией справки, подтверждающей "
                 "факт установления инвалидности, выданной ФГУ МСЭ"):
        pdf.checkbox(L + 2, y + 0.8, False)
        y = _text(pdf, L + 9, y, W - 9, text) + 0.5
    y += 1
    pdf.box(L, y, W, 5.5, "Необходимые условия для прохождения итогового собеседования по "
            "русскому языку:", size=10, style="I", border=False)
    y += 5
    for _ in range(3):
        pdf.fill_line(L, y, W)
        y += 6.5
    y += 2
    y = _text(pdf, L, y, W,
              "С порядком проведения итогового собеседования по русскому языку, в том числе "
              "со сроками, местами проведения, с основаниями для удаления с итогового "
              "собеседования по русскому языку за нарушение установленных требований, с "
              "процедурой досрочного завершения итогового собеседования по русскому языку по "
              "объективным причинам, со временем и местом ознакомления с результатами "
              "итогового собеседования по русскому языку ознакомлен / ознакомлена.", size=9.5)
    y += 3
    for label, fio in (("Подпись участника итогового собеседования", p.short_fio if p else ""),
                       ("Подпись родителя (законного представителя) участника итогового "
                        "собеседования", "")):
        pdf.box(L, y, W, 5.5, label, size=10, border=False)
        y += 6
        pdf.signature(L, y, 120, fio, sign_w=45, fio_caption="(Ф.И.О.)")
        pdf.date_line(L + 125, y)
        y += 12
    y += 1
    pdf.box(L, y, 45, 6.5, "Регистрационный номер", size=10, style="B", border=False)
    pdf.comb(L + 46, y, "", 20, cell=CELL + 0.5, h=6.5)


def build(ctx: FormContext, people: Sequence[Optional[Participant]], *,
          pdf: Optional[FormPDF] = None, progress=None) -> FormPDF:
    pdf = pdf or FormPDF("P", title=TITLE)
    people = list(people) or [None]
    for i, p in enumerate(people):
        page(pdf, ctx, p)
        if progress and (i % 10 == 9 or i == len(people) - 1):
            progress(i + 1, len(people))
    return pdf

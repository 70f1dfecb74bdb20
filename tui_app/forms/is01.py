"""ИС-01 «Списки участников итогового собеседования» (seed 004, сборник форм).

All participants in alphabetical order, or the participants of one room. The last column
is «Номер аудитории / отметка о неявке»: «101», or «101 Н» for an absentee. The participant's
code follows the name (the form keeps its three columns): namesakes are told apart by it on
the entry and acts screens.
"""
from __future__ import annotations

from typing import Optional

from ..domain.ordering import name_key
from .context import FormContext
from .kit import Col, FormPDF, paged_rows

CODE = "ИС-01"
TITLE = "Списки участников итогового собеседования"
BLANK_ROWS = 30


def header_codes(pdf: FormPDF, ctx: FormContext, y: float) -> float:
    """«Субъект РФ: [47] … Код МСУ [005] Код ОО [470123]»."""
    x = pdf.left
    x += pdf.label(x, y, "Субъект РФ:", size=10)
    x += pdf.comb(x, y - 0.5, ctx.region, 2) + 1
    name_w = 62
    pdf.box(x, y, name_w, 5.5, ctx.region_name, size=9, border=False)
    x += name_w + 2
    x += pdf.label(x, y, "Код МСУ", size=10)
    x += pdf.comb(x, y - 0.5, ctx.msu, 3) + 3
    x += pdf.label(x, y, "Код ОО", size=10)
    pdf.comb(x, y - 0.5, ctx.oo, 6)
    return y + 8


def build(ctx: FormContext, *, room: Optional[str] = None, blank: bool = False,
          pdf: Optional[FormPDF] = None, progress=None) -> FormPDF:
    pdf = pdf or FormPDF("P", title=f"{CODE}. {TITLE}")
    if blank:
        people = []
    elif room:
        people = sorted((p for p in ctx.participants if p.room == room), key=name_key)
    else:
        people = sorted(ctx.participants, key=name_key)
    cols = [Col("№ п.п.", 14, "C"), Col("ФИО участника", pdf.width - 14 - 48, "L", 11),
            Col("Номер аудитории / отметка о неявке", 48, "C", 11)]
    if blank:
        rows = [[str(i + 1), "", ""] for i in range(BLANK_ROWS)]
    else:
        rows = [[str(i + 1), f"{p.fio} · {p.code}" if p.code else p.fio, p.room_mark]
                for i, p in enumerate(people)]
    first = pdf.page + 1

    def new_page() -> float:
        pdf.add_page()
        pdf.form_code(CODE)
        y = pdf.title_block(pdf.t_margin + 2, [TITLE])
        y = header_codes(pdf, ctx, y)
        x = pdf.left
        x += pdf.label(x, y, "Итоговое собеседование по русскому языку", size=10, style="B") + 6
        x += pdf.label(x, y, "Дата", size=10)
        pdf.box(x, y - 0.5, 28, 6, "" if blank else ctx.date_text, size=10, align="C")
        if room:
            x += 34
            x += pdf.label(x, y, "Аудитория", size=10)
            pdf.box(x, y - 0.5, 18, 6, room, size=10, style="B", align="C")
        return y + 9

    def header(y: float) -> float:
        return pdf.table_row(pdf.left, y, cols, [c.title for c in cols], 11, header=True)

    paged_rows(pdf, cols, rows, y=new_page(), row_h=7, draw_header=header, new_page=new_page)
    pdf.number_pages(first, CODE)
    if progress:
        progress(1, 1)
    return pdf

"""ИС-08 «Акт о досрочном завершении итогового собеседования по русскому языку по
уважительным причинам» — and the page layout ИС-09 shares (is09.py).

Filled from the participant and the act: регион, код МСУ, код ОО, кабинет, дата;
фамилия, имя, отчество, документ (серия, номер), дата рождения ДД.ММ.ГГГГ, ОО; the reason;
the time (час, мин); signature lines; the date of signing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from ..domain.models import Act, Participant, Role
from .context import FormContext
from .kit import FormPDF, fmt_date

CODE = "ИС-08"


@dataclass(frozen=True)
class ActLayout:
    code: str
    subtitle: str
    about: str  # «Сведения об участнике …»
    reason_label: str
    time_label: str
    participant_signs: bool


LAYOUT = ActLayout(
    code=CODE,
    subtitle="о досрочном завершении итогового собеседования по русскому языку по уважительным причинам",
    about="Сведения об участнике итогового собеседования по русскому языку",
    reason_label="Досрочно завершил итоговое собеседование по русскому языку по следующим причинам:",
    time_label="Время завершения итогового собеседования по русскому языку",
    participant_signs=False,
)


def work_code(p: Optional[Participant]) -> str:
    return (p.barcode or p.code) if p else ""


def _signers(ctx: FormContext, act: Optional[Act]) -> tuple[str, str]:
    """(ответственный организатор, руководитель ОО): the act's, else the staff list's."""
    names = list(act.signed_by) if act else []
    organizer = names[0] if names else ctx.staff_of(Role.ORGANIZER)
    head = names[1] if len(names) > 1 else ctx.staff_of(Role.HEAD)
    return organizer, head


def act_page(pdf: FormPDF, ctx: FormContext, layout: ActLayout, act: Optional[Act],
             p: Optional[Participant]) -> None:
    pdf.add_page()
    L, W = pdf.left, pdf.width
    y = pdf.t_margin + 2
    # -- header codes with their captions ----------------------------------------
    x = L
    cells = [
        ("(регион)", ctx.region, 2, None),
        ("(код МСУ)", ctx.msu, 3, None),
        ("(код ОО (места проведения))", ctx.oo, 6, None),
        ("(номер учебного кабинета)", p.room if p else "", 0, 24.0),
        # «(код работы)» (seed 004, ИС-09; «Вип работы» in ИС-08 is the same cell misread):
        # the participant's work code — the barcode of the roster, else the participant code
        ("(код работы)", work_code(p), 0, 24.0),
        ("(дата проведения: число-месяц-год)", ctx.date_text, 0, 30.0),
    ]
    gaps = [3, 3, 3, 3, 3, 0]
    for (cap, value, n, w), gap in zip(cells, gaps):
        if n:
            used = pdf.comb(x, y, value, n, cell=5.5, h=7)
        else:
            used = w
            pdf.box(x, y, w, 7, value, size=11 if len(value) < 10 else 8, align="C")
        cap_w = max(used, 26.0)
        pdf.box(x + used / 2 - cap_w / 2, y + 7.3, cap_w, 6.5, cap, size=7, style="I",
                align="C", border=False)
        x += max(used, cap_w - 4) + gap
    y += 17
    # -- АКТ and the form code ---------------------------------------------------
    code_w = 26
    pdf.box(pdf.right - code_w, y, code_w, 9, layout.code, size=14, style="B", align="C")
    pdf.caption(pdf.right - code_w - 4, y + 9.3, code_w + 8, "(код формы)")
    pdf.box(L + 30, y, W - 60, 9, "АКТ", size=16, style="B", align="C", border=False)
    y += 10
    pdf.box(L + 15, y, W - code_w - 30, 11, layout.subtitle, size=12, style="B", align="C",
            border=False)
    y += 15
    pdf.box(L, y, W, 7, layout.about, size=11, style="B", align="C", border=False)
    y += 9
    # -- the participant -----------------------------------------------------------
    lw = 72.0
    for label, value in (("Фамилия", p.surname if p else ""), ("Имя", p.name if p else ""),
                         ("Отчество", p.patronymic if p else "")):
        pdf.box(L, y, lw, 8, label, size=11, border=False)
        pdf.box(L + lw, y, W - lw, 8, value, size=12, style="B")
        y += 10
    pdf.box(L, y, lw, 8, "Документ, удостоверяющий личность (паспорт)", size=10, border=False)
    x = L + lw
    pdf.box(x, y, 12, 8, "серия", size=10, border=False)
    x += 12
    pdf.box(x, y, 30, 8, p.doc_series if p else "", size=12, align="C")
    x += 36
    pdf.box(x, y, 14, 8, "номер", size=10, border=False)
    x += 14
    pdf.box(x, y, 45, 8, p.doc_number if p else "", size=12, align="C")
    y += 10
    pdf.box(L, y, lw, 8, "Дата рождения (в формате ДД.ММ.ГГГГ)", size=10, border=False)
    pdf.box(L + lw, y, 40, 8, fmt_date(p.birth_date) if p else "", size=12, align="C")
    y += 10
    pdf.box(L, y, lw, 12, "Образовательная организация участника", size=10, border=False)
    oo = (ctx.oo_full + (f", {ctx.oo_address}" if ctx.oo_address else "")) if p else ""
    pdf.box(L + lw, y, W - lw, 12, oo, size=11)
    y += 16
    # -- the reason ------------------------------------------------------------------
    pdf.box(L, y, W, 7, layout.reason_label, size=11, style="B", border=False)
    y += 8
    reason_h = 30.0
    pdf.rect(L, y, W, reason_h)
    for k in range(1, 4):  # ruled lines to write on by hand
        pdf.set_draw_color(190)
        pdf.hline(L + 2, y + k * reason_h / 4, W - 4)
    pdf.set_draw_color(0)
    if act:
        size = 12
        lines = pdf.wrap(act.reason, size, "", W - 4)
        step = reason_h / 4
        if len(lines) <= 4:  # written on the ruled lines
            for k, line in enumerate(lines):
                pdf.box(L, y + k * step, W, step, line, size=size, valign="B", border=False)
        else:  # a long reason: fitted into the whole box
            pdf.box(L, y, W, reason_h, act.reason, size=12, valign="T", border=False)
    y += reason_h + 5
    # -- the time --------------------------------------------------------------------
    pdf.box(L, y, 105, 9, layout.time_label, size=10.5, border=False)
    x = L + 110
    hh = f"{act.time.hour:02d}" if act else ""
    mm = f"{act.time.minute:02d}" if act else ""
    pdf.box(x, y, 16, 9, hh, size=13, style="B", align="C")
    pdf.box(x + 16, y, 6, 9, ":", size=13, style="B", align="C", border=False)
    pdf.box(x + 22, y, 16, 9, mm, size=13, style="B", align="C")
    pdf.caption(x, y + 9.3, 16, "час.")
    pdf.caption(x + 22, y + 9.3, 16, "мин.")
    y += 18
    # -- signatures -----------------------------------------------------------------
    organizer, head = _signers(ctx, act)
    signers = []
    if layout.participant_signs:
        signers.append(("Участник итогового собеседования", p.short_fio if p else ""))
    signers += [("Ответственный организатор ОО (места проведения)", organizer if act or p else ""),
                ("Руководитель ОО (места проведения)", head if act or p else "")]
    for label, fio in signers:
        pdf.box(L, y, 72, 10, label, size=10, border=False)
        pdf.signature(L + 74, y + 1, W - 74, fio, sign_w=40)
        y += 15
    # -- date of signing -------------------------------------------------------------
    y += 2
    d = (act.act_date if act and act.act_date else (ctx.day.date if ctx.day and act else None))
    pdf.box(L + 60, y, 40, 8, "Дата подписания", size=10, style="B", align="R", border=False)
    x = L + 104
    for value, w, cap in ((f"{d.day:02d}" if d else "", 12, "число"),
                          (f"{d.month:02d}" if d else "", 12, "месяц"),
                          (f"{d.year}" if d else "", 18, "год")):
        pdf.box(x, y, w, 8, value, size=12, align="C")
        pdf.caption(x - 2, y + 8.3, w + 4, cap)
        x += w + 3


def build(ctx: FormContext, act: Optional[Act], p: Optional[Participant], *,
          pdf: Optional[FormPDF] = None, progress=None, layout: ActLayout = LAYOUT) -> FormPDF:
    pdf = pdf or FormPDF("P", title=f"{layout.code}. АКТ {layout.subtitle}")
    act_page(pdf, ctx, layout, act, p)
    if progress:
        progress(1, 1)
    return pdf


def build_many(ctx: FormContext, acts: Sequence[tuple[Act, Optional[Participant]]], *,
               progress=None, layout: ActLayout = LAYOUT) -> FormPDF:
    pdf = FormPDF("P", title=f"{layout.code}. АКТ {layout.subtitle}")
    for i, (act, p) in enumerate(acts):
        act_page(pdf, ctx, layout, act, p)
        if progress:
            progress(i + 1, len(acts))
    return pdf

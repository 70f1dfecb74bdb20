"""«Протокол технической готовности» — the readiness check of the Штаб and room PCs, signed
by the technical specialist the day before (issue 20; services/readiness.py makes the checks).

One A4 page (more when the rooms are many): the school, the exam date, the computer and the
moment of the check; a table «№ · Проверка · Результат · Что найдено»; the verdict; the
signatures of the technical specialist and the head of the school.

`font_status()` checks the bundled fonts of every PDF: present, readable, with the Cyrillic
letters and the signs the forms print.
"""
from __future__ import annotations

from .context import FormContext
from .kit import FONT, LINE, PAD, PT, Col, FormPDF, fmt_date

CODE = "ГОТОВНОСТЬ"
TITLE = "Протокол технической готовности"
SUBTITLE = "штаба и аудиторий к проведению итогового собеседования по русскому языку"
NEEDED = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя№«»—"
DETAIL_SIZE = 9.0


def font_status() -> tuple[bool, str]:
    """(the fonts are usable, what was found) — never raises."""
    from fontTools import ttLib

    from .kit import font_path

    try:
        paths = [font_path(s) for s in ("", "B", "I")]
    except FileNotFoundError as e:
        return False, str(e)
    for path in paths:
        try:
            cmap = ttLib.TTFont(path, lazy=True).getBestCmap() or {}
        except Exception as e:  # noqa: BLE001 - any damage of the file is the one answer
            return False, f"файл шрифта {path} повреждён ({type(e).__name__}): переустановите программу."
        missing = [ch for ch in NEEDED if ord(ch) not in cmap]
        if missing:
            return False, (f"в шрифте {path} нет знаков {''.join(missing[:10])}: бланки будут "
                           "с пустыми клетками — переустановите программу.")
    return True, f"{FONT} (Liberation Serif): обычный, полужирный, курсив; кириллица на месте."


def _row_h(pdf: FormPDF, col: Col, text: str) -> float:
    lines = pdf.wrap(" ".join(text.split()), DETAIL_SIZE, "", col.w - 2 * PAD)
    return max(7.0, len(lines) * DETAIL_SIZE * PT * LINE + 2.0)


def build(ctx: FormContext, r, *, pdf: FormPDF | None = None) -> FormPDF:
    """`r` is a services.readiness.Readiness (duck-typed: forms/ does not import services/)."""
    from ..domain.models import Role

    pdf = pdf or FormPDF("P", title=TITLE)
    w = pdf.width
    cols = [Col("№", 8), Col("Проверка", 44, "L", 9), Col("Результат", 22, "C", 9, "B"),
            Col("Что найдено, что сделать", 0, "L", DETAIL_SIZE)]
    cols[3].w = w - sum(c.w for c in cols[:3])
    first = pdf.page + 1

    def new_page() -> float:
        pdf.add_page()
        y = pdf.title_block(pdf.t_margin + 2, [TITLE], size=14)
        pdf.box(pdf.left, y - 1, w, 6, SUBTITLE, size=11, align="C", border=False)
        y += 7
        school = ctx.oo_full or r.oo_name or (f"ОО {r.oo}" if r.oo else "не задана")
        pdf.field(pdf.left, y, "Образовательная организация:", school, w)
        y += 8
        x = pdf.field(pdf.left, y, "Код ОО:", ctx.oo or r.oo, 45) + 4
        x = pdf.field(x, y, "Дата собеседования:", fmt_date(r.exam) or "не задана", 70) + 4
        pdf.field(x, y, "Проверено:", f"{r.at:%d.%m.%Y %H:%M}", pdf.left + w - x)
        y += 8
        pdf.field(pdf.left, y, "Компьютер:", r.computer, w)
        return y + 9

    def header(y: float) -> float:
        return pdf.table_row(pdf.left, y, cols, [c.title for c in cols], 7, header=True)

    y = header(new_page())
    for i, c in enumerate(r.checks, 1):
        what = f"{c.group}: {c.what}" if c.what else c.group
        h = _row_h(pdf, cols[3], c.detail)
        if y + h > pdf.bottom - 4:
            y = header(new_page())
        x = pdf.left
        for col, text in zip(cols, [str(i), what, c.label, c.detail]):
            pdf.box(x, y, col.w, h, text, size=col.size, style=col.style, align=col.align,
                    valign="M")
            x += col.w
        y += h
    _verdict(pdf, ctx, r, y + 4, Role)
    pdf.number_pages(first, TITLE)
    return pdf


def _verdict(pdf: FormPDF, ctx: FormContext, r, y: float, Role) -> None:
    need = 60
    if y + need > pdf.bottom:
        pdf.add_page()
        y = pdf.t_margin + 4
    w = pdf.width
    pdf.box(pdf.left, y, w, 7, "Заключение: " + r.summary, size=11, style="B", border=False)
    y += 9
    bad = [str(i) for i, c in enumerate(r.checks, 1) if c.state == "fail"]
    if bad:
        pdf.box(pdf.left, y, w, 6, f"Не пройдены проверки № {', '.join(bad)}: исправьте (см. таблицу) и "
                "повторите проверку.",
                size=10, border=False)
        y += 6
    y += 6
    for role, caption in ((Role.TECH, "Технический специалист"), (Role.HEAD, "Руководитель ОО")):
        pdf.label(pdf.left, y, caption, size=10, w=55)
        pdf.signature(pdf.left + 57, y, w - 57, ctx.staff_of(role))
        y += 14
    pdf.date_line(pdf.left, y, f"{r.at:%d.%m.%Y}")

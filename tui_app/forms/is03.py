"""ИС-03 «Протокол эксперта по оцениванию ответов участников итогового собеседования».

One page per participant. Blank: ФИО, класс, аудитория and (when known) вариант are
prefilled for the expert. Filled: the entered protocol with the points, subtotals, total,
зачёт/незачёт and the two marks (from Protocol.status). Criteria that the participant's
ОВЗ category does not score are marked «—». The tables follow the criteria data file.
"""
from __future__ import annotations

from typing import Optional, Sequence

from ..domain.models import Participant, Protocol, ProtocolStatus
from ..domain.scoring import score
from .context import FormContext
from .kit import FormPDF

CODE = "ИС-03"
TITLE = ["Протокол эксперта по оцениванию ответов участников", "итогового собеседования"]
SKIP = "—"
ROW = 6.0
LABEL_W = 66.0
CRIT_W = 19.0
TOTAL_W = 22.0


def _n(v: Optional[int]) -> str:
    return "" if v is None else str(v)


def page(pdf: FormPDF, ctx: FormContext, p: Participant, proto: Optional[Protocol],
         blank: bool) -> None:
    sch = ctx.scheme
    cat = sch.category(p.category if sch.has_category(p.category) else None)
    allowed = set(cat.criteria)
    filled = proto is not None and not blank
    status = proto.status if filled else None
    scores = proto.scores if filled and status is ProtocolStatus.PRESENT else {}
    res = score(sch, cat, scores, status or ProtocolStatus.PRESENT) if filled else None
    has_points = filled and status is ProtocolStatus.PRESENT

    pdf.add_page()
    pdf.form_code(CODE)
    y = pdf.title_block(pdf.t_margin + 1, TITLE, size=13)
    pdf.field(pdf.left, y, "ФИО участника:", p.fio, pdf.width, label_w=30, h=7,
              size=12, label_style="B", value_style="B")
    y += 9
    x = pdf.left
    x = pdf.field(x, y, "Класс:", p.grade, 40, label_w=16, h=7, size=11, label_style="B") + 8
    x = pdf.field(x, y, "Номер аудитории:", p.room or (proto.room if proto else ""), 62,
                  label_w=36, h=7, size=11, label_style="B") + 8
    variant = proto.variant if proto else ""
    pdf.field(x, y, "Номер варианта:", variant, pdf.right - x, label_w=34, h=7, size=11,
              label_style="B")
    y += 9
    from .is02 import scheme_text

    scheme_no = proto.scheme if proto is not None else ctx.scheme_of(p.room)
    scheme_line = f"Схема оценивания: {scheme_text(cat.requires_scheme or scheme_no)}."
    if cat.id != sch.default_category:
        rcoi = ctx.note_of(cat)
        if rcoi:  # an assumption of the data is never printed to experts as a rule
            note = (f"Особенности оценивания: {cat.name}. Максимум {cat.max} б., зачёт от "
                    f"{cat.pass_min} б. Критерии ({', '.join(cat.criteria)}) — УТОЧНИТЕ В РЦОИ: "
                    f"приложение их не перечисляет. {scheme_line}")
        else:
            note = (f"Особенности оценивания: {cat.name}. Оцениваются критерии "
                    f"{', '.join(cat.criteria)}; максимум {cat.max} б., зачёт от {cat.pass_min} б. "
                    f"Критерии, которые не оцениваются, отмечены «{SKIP}». {scheme_line}")
        pdf.box(pdf.left, y, pdf.width, 8.5, note, size=8.5, style="I", border=False)
        y += 9
    else:
        pdf.box(pdf.left, y, pdf.width, 5, scheme_line, size=8.5, style="I", border=False)
        y += 6

    def crit_table(y: float, task_no: int) -> float:
        crits = sch.task_criteria(task_no)
        task = next(t for t in sch.tasks if t.no == task_no)
        w = LABEL_W + CRIT_W * len(crits) + TOTAL_W
        x0 = pdf.left
        pdf.box(x0, y, w, ROW, task.name, size=10, style="B", fill=235)
        y += ROW
        scored = [c for c in crits if c.code in allowed]
        task_max = sum(c.max for c in scored)
        got = sum(int(scores.get(c.code) or 0) for c in scored)
        rows = [
            ("Название критерия", [c.code for c in crits], "Итого", "B"),
            ("Максимальный балл", [str(c.max) for c in crits],
             str(task_max) if scored else SKIP, ""),
            ("Балл, выставленный участнику",
             [(SKIP if c.code not in allowed else (_n(scores.get(c.code)) if has_points else ""))
              for c in crits],
             (SKIP if not scored else (str(got) if has_points else "")), "B"),
        ]
        for label, cells, total, style in rows:
            pdf.box(x0, y, LABEL_W, ROW, label, size=10)
            cx = x0 + LABEL_W
            for value in cells:
                pdf.box(cx, y, CRIT_W, ROW, value, size=10, style=style, align="C")
                cx += CRIT_W
            pdf.box(cx, y, TOTAL_W, ROW, total, size=10, style="B", align="C")
            y += ROW
        return y + 1.5

    for sub in sch.subtotals:
        for task_no in sub.tasks:
            y = crit_table(y, task_no)
        if len(sub.tasks) > 1:
            nums = " и ".join(str(t) for t in sub.tasks)
            widest = max(len(sch.task_criteria(t)) for t in sub.tasks)
            x0 = pdf.left + LABEL_W + CRIT_W * widest + TOTAL_W - (2 * CRIT_W + 14) - TOTAL_W
            pdf.box(pdf.left, y, x0 - pdf.left, 2 * ROW, f"Итого за задания {nums}:",
                    size=10, style="B", border=False)
            pdf.box(x0, y, 2 * CRIT_W + 14, ROW, "Максимум", size=10)
            pdf.box(x0 + 2 * CRIT_W + 14, y, TOTAL_W, ROW, str(sch.subtotal_max(sub, cat)),
                    size=10, style="B", align="C")
            pdf.box(x0, y + ROW, 2 * CRIT_W + 14, ROW, "Балл, выставленный участнику", size=10)
            pdf.box(x0 + 2 * CRIT_W + 14, y + ROW, TOTAL_W, ROW,
                    str(res.subtotals[sub.code]) if has_points else "", size=10, style="B",
                    align="C")
            y += 2 * ROW + 2
        else:
            y += 1

    # -- Результаты оценивания ---------------------------------------------------
    y += 1
    pdf.label(pdf.left, y, "Результаты оценивания итогового собеседования:", size=11, style="B")
    y += 6.5
    first_w = 50.0
    sub_w = 23.0
    total_w = 28.0
    res_w = (pdf.width - first_w - sub_w * len(sch.subtotals) - total_w) / 2
    x = pdf.left
    pdf.box(x, y, first_w, 2 * ROW, "", size=9)
    x += first_w
    for sub in sch.subtotals:
        pdf.box(x, y, sub_w, 2 * ROW, sub.name, size=9, style="B", align="C", fill=235)
        x += sub_w
    pdf.box(x, y, total_w, 2 * ROW, "Итоговое собеседование", size=9, style="B", align="C",
            fill=235)
    x += total_w
    pdf.box(x, y, 2 * res_w, ROW, "Результат", size=9, style="B", align="C", fill=235)
    pdf.box(x, y + ROW, res_w, ROW, "Зачёт", size=9, style="B", align="C", fill=235)
    pdf.box(x + res_w, y + ROW, res_w, ROW, "Незачёт", size=9, style="B", align="C", fill=235)
    y += 2 * ROW
    sub_max = {s.code: sch.subtotal_max(s, cat) for s in sch.subtotals}
    max_row = [str(sub_max[s.code]) if sub_max[s.code] else SKIP for s in sch.subtotals] + [
        str(cat.max), "", ""]
    if has_points and res is not None:
        got_row = [str(res.subtotals[s.code]) if sub_max[s.code] else SKIP
                   for s in sch.subtotals] + [
            str(res.total),
            "X" if res.passed is True else "",
            "X" if res.passed is False else ""]
    else:
        got_row = [("" if sub_max[s.code] else SKIP) for s in sch.subtotals] + [""] * 3
    for label, cells in (("Максимальный балл", max_row), ("Балл, выставленный участнику", got_row)):
        x = pdf.left
        pdf.box(x, y, first_w, ROW + 1, label, size=10)
        x += first_w
        widths = [sub_w] * len(sch.subtotals) + [total_w, res_w, res_w]
        for value, w in zip(cells, widths):
            pdf.box(x, y, w, ROW + 1, value, size=11, style="B", align="C")
            x += w
        y += ROW + 1

    # -- the two marks, expert, signature, date ----------------------------------
    y += 4
    for text, st in (("Не завершил итоговое собеседование по объективным причинам",
                      ProtocolStatus.EARLY),
                     ("Удалён с итогового собеседования за нарушение требований Порядка",
                      ProtocolStatus.REMOVED)):
        pdf.checkbox(pdf.left, y + 0.5, status is st, side=5)
        pdf.box(pdf.left + 7, y, pdf.width - 7, 6, text, size=10, border=False)
        y += 7.5
    y += 3
    expert = (proto.expert if filled else "") or ctx.expert(p.room)
    lw = 30
    pdf.label(pdf.left, y, "ФИО эксперта", size=10, style="B", w=lw)
    pdf.fill_line(pdf.left + lw, y, 110, expert, align="L", size=11)
    y += 10
    pdf.label(pdf.left, y, "Подпись", size=10, style="B", w=lw)
    pdf.fill_line(pdf.left + lw, y, 60)
    y += 10
    pdf.label(pdf.left, y, "Дата", size=10, style="B", w=lw)
    when = ""
    if filled:
        # scheme 1: scored in the room on the exam day; scheme 2: from the audio, later
        if proto.scheme == 2 and proto.saved_at:
            d = proto.saved_at.date()
        else:
            d = ctx.day.date if ctx.day else (proto.saved_at.date() if proto.saved_at else None)
        when = d.strftime("%d.%m.%Y") if d else ""
    pdf.date_line(pdf.left + lw, y, when)


def build(ctx: FormContext, people: Sequence[Participant], *, blank: bool = False,
          pdf: Optional[FormPDF] = None, progress=None) -> FormPDF:
    """Blank: one page per participant who is not absent. Filled: one page per participant
    with an entered protocol."""
    pdf = pdf or FormPDF("P", title=f"{CODE}. Протоколы эксперта")
    if blank:
        todo = [(p, ctx.protocols.get(p.guid)) for p in people if not p.absent]
    else:
        todo = [(p, ctx.protocols[p.guid]) for p in people if p.guid in ctx.protocols]
    if not todo:
        from .context import FormError

        raise FormError("Нет протоколов для печати: протоколы ИС-03 ещё не внесены "
                        "(пустые бланки: --blank)." if not blank else
                        "Нет участников для бланков ИС-03.")
    for i, (p, proto) in enumerate(todo):
        page(pdf, ctx, p, proto, blank)
        if progress and (i % 10 == 9 or i == len(todo) - 1):
            progress(i + 1, len(todo))
    return pdf

"""ИС-04 «Специализированная форма для внесения информации из протоколов оценивания».

Landscape; one row per participant who sat the exam (has a protocol): room, variant,
points per criterion, total, зачёт/незачёт, the mark of an act, the expert. The two header
rows repeat on every page. Criteria a participant's category does not score show «—».
"""
from __future__ import annotations

from typing import Optional

from ..domain.models import ProtocolStatus
from ..domain.ordering import name_key
from ..domain.scoring import score
from .context import FormContext
from .kit import Col, FormPDF, paged_rows

CODE = "ИС-04"
TITLE = ("Специализированная форма для внесения информации из протоколов оценивания "
         "итогового собеседования")
SUBJECT_CODE = "20"
SUBJECT_NAME = "Итоговое собеседование по русскому языку"
SKIP = "—"
BLANK_ROWS = 20
GROUP = {1: "Задание 1", 2: "Задание 2", 3: "Задание 3", 4: "Задание 4", 5: "Грамотность речи"}


def _cols(pdf: FormPDF, ctx: FormContext) -> tuple[list[Col], list[str]]:
    codes = [c.code for c in ctx.scheme.criteria]
    crit_w = 8.0
    cols = [Col("№", 8), Col("ФИО участника", 0, "L", 9), Col("Класс", 10, size=9),
            Col("Ауди-тория", 12, size=9), Col("Вари-ант", 10, size=9)]
    per_task: dict[int, int] = {}
    for c in ctx.scheme.criteria:
        per_task[c.task] = per_task.get(c.task, 0) + 1
    # a task with one criterion gets a wider column, so its group title stays legible
    cols += [Col(c.code, crit_w if per_task[c.task] > 1 else 14, size=9)
             for c in ctx.scheme.criteria]
    cols += [Col("Итого", 11, style="B", size=9), Col("Результат", 16, size=9),
             Col("Отметка", 17, size=8), Col("Эксперт", 34, "L", 8)]
    used = sum(c.w for c in cols)
    cols[1].w = pdf.width - used
    return cols, codes


def build(ctx: FormContext, *, room: Optional[str] = None, blank: bool = False,
          pdf: Optional[FormPDF] = None, progress=None) -> FormPDF:
    pdf = pdf or FormPDF("L", title=f"{CODE}. Специализированная форма")
    pdf.set_margins(10, 12, 10)
    cols, codes = _cols(pdf, ctx)
    sch = ctx.scheme
    numbers = [room] if room else ctx.room_numbers()
    people = [p for n in numbers for p in ctx.in_room(n)]
    if not room:
        people += sorted((p for p in ctx.participants if not p.room and p.guid in ctx.protocols), key=name_key)
    rows: list[list[str]] = []
    first = pdf.page + 1
    for p in people:
        proto = ctx.protocols.get(p.guid)
        if blank:
            if p.absent:
                continue
        elif proto is None:
            continue
        cat = sch.category(p.category if sch.has_category(p.category) else None)
        allowed = set(cat.criteria)
        row = [str(len(rows) + 1), p.fio, p.grade, p.room or (proto.room if proto else ""),
               proto.variant if proto else ""]
        if blank or proto is None:
            row += [("" if c in allowed else SKIP) for c in codes] + ["", "", "", ""]
        else:
            present = proto.status is ProtocolStatus.PRESENT
            res = score(sch, cat, proto.scores, proto.status)
            for c in codes:
                v = proto.scores.get(c)
                row.append(SKIP if c not in allowed else ("" if v is None or not present else str(v)))
            mark = {ProtocolStatus.EARLY: "не завершил", ProtocolStatus.REMOVED: "удалён"}.get(
                proto.status, "")
            row += [str(res.total) if present else "", res.result_label if present else "",
                    mark, proto.expert]
        rows.append(row)
    if blank and not rows:
        rows = [[str(i + 1)] + [""] * (len(cols) - 1) for i in range(BLANK_ROWS)]
    if not rows:
        from .context import FormError

        raise FormError("Нет внесённых протоколов для ИС-04 (пустая форма: --blank).")

    def new_page() -> float:
        pdf.add_page()
        pdf.form_code(CODE)
        y = pdf.title_block(pdf.t_margin + 1, [TITLE], size=12)
        x = pdf.left
        x += pdf.label(x, y + 0.5, "Регион:", size=10)
        x += pdf.comb(x, y, ctx.region, 2) + 6
        x += pdf.label(x, y + 0.5, "Код предмета:", size=10)
        x += pdf.comb(x, y, SUBJECT_CODE, 2) + 6
        x = pdf.field(x, y, "Предмет:", SUBJECT_NAME, 110) + 6
        x += pdf.label(x, y + 0.5, "Код МСУ:", size=10)
        x += pdf.comb(x, y, ctx.msu, 3) + 6
        x += pdf.label(x, y + 0.5, "Код ОО:", size=10)
        x += pdf.comb(x, y, ctx.oo, 6) + 6
        y += 8
        x = pdf.left
        x = pdf.field(x, y, "Дата:", "" if blank else ctx.date_text, 40) + 6
        if room:
            pdf.field(x, y, "Аудитория:", room, 40)
        return y + 9

    def header(y: float) -> float:
        h = 6.0
        x = pdf.left
        i = 0
        while i < len(cols):
            col = cols[i]
            if col.title in codes:
                task = sch.criterion(col.title).task
                span = [c for c in cols[i:] if c.title in codes and sch.criterion(c.title).task == task]
                w = sum(c.w for c in span)
                pdf.box(x, y, w, h, GROUP.get(task, f"Задание {task}"), size=8, style="B",
                        align="C", fill=235)
                for c in span:
                    pdf.box(x, y + h, c.w, h, c.title, size=9, style="B", align="C", fill=235)
                    x += c.w
                i += len(span)
                continue
            pdf.box(x, y, col.w, 2 * h, col.title, size=9, style="B", align="C", fill=235)
            x += col.w
            i += 1
        return y + 2 * h

    y = paged_rows(pdf, cols, rows, y=new_page(), row_h=6.5, draw_header=header,
                   new_page=new_page, keep_after=14)
    y += 4
    x = pdf.left
    x += pdf.label(x, y, "Ответственный за внесение сведений", size=10)
    pdf.signature(x, y, 140)
    pdf.number_pages(first, CODE)
    if progress:
        progress(1, 1)
    return pdf

"""ИС-02 «Ведомость учёта проведения итогового собеседования в аудитории», one per room.

Times come from the room log (RoomLogEntry); the marks «не завершил по объективным
причинам» / «удалён за нарушение требований» come from Protocol.status (the acts set it) and
carry the act's own time beside the mark: the act never overwrites the ИС-02 end time. An
earlier sitting of the day (a same-day retake with another variant) is its own row.
A room with more participants than one page holds runs on to more pages, each with the
header; the interlocutor's signature closes the room's last page.
"""
from __future__ import annotations

from typing import Optional

from ..domain.models import ProtocolStatus
from .context import SUBJECT, FormContext, FormError
from .kit import Col, FormPDF, fmt_time, paged_rows

CODE = "ИС-02"
TITLE = "Ведомость учёта проведения итогового собеседования в аудитории"
MARK = "X"
BLANK_ROWS = 15


def _cols(pdf: FormPDF) -> list[Col]:
    fixed = [Col("№ п.п.", 12), None, Col("Серия документа", 20), Col("Номер документа", 24),
             Col("Класс", 14), Col("Время начала", 18), Col("Время завершения", 20),
             Col("Не завершил по объективным причинам", 28),
             Col("Удалён за нарушение требований", 28), Col("Подпись участника", 34)]
    used = sum(c.w for c in fixed if c)
    fixed[1] = Col("ФИО участника", pdf.width - used, "L", 10.5)
    return fixed  # type: ignore[return-value]


def _mark(ctx: FormContext, guid: str, sitting: int, status, which) -> str:
    if status is not which:
        return ""
    acts = [a for a in ctx.acts_of(guid, sitting) if a.kind.status is which]
    return f"{MARK} акт {fmt_time(acts[0].time)}" if acts else MARK


def rows_for_room(ctx: FormContext, room: str) -> list[list[str]]:
    rows = []
    prior = {}
    for s in ctx.prior:
        prior.setdefault(s.participant, []).append(s)
    n = 0
    for p in ctx.in_room(room):
        for s in sorted(prior.get(p.guid, []), key=lambda x: x.sitting):
            if s.room != room:
                continue
            n += 1
            rows.append([str(n), f"{p.fio} (вариант {s.variant}, прохождение {s.sitting})",
                         p.doc_series, p.doc_number, p.grade, fmt_time(s.start), fmt_time(s.end),
                         _mark(ctx, p.guid, s.sitting, ProtocolStatus.EARLY, ProtocolStatus.EARLY),
                         "", ""])
        entry = ctx.log.get(p.guid)
        proto = ctx.protocols.get(p.guid)
        status = proto.status if proto else None
        sitting = proto.sitting if proto else 1
        start = fmt_time(entry.start) if entry else ""
        end = fmt_time(entry.end) if entry else ""
        if p.absent:
            start, end = "не явился", "—"
        fio = p.fio if sitting == 1 else f"{p.fio} (повторно, вариант {proto.variant})"
        n += 1
        rows.append([
            str(n), fio, p.doc_series, p.doc_number, p.grade, start, end,
            _mark(ctx, p.guid, sitting, status, ProtocolStatus.EARLY),
            _mark(ctx, p.guid, sitting, status, ProtocolStatus.REMOVED),
            "",
        ])
    return rows


def scheme_text(no: int) -> str:
    return ("первая (эксперт в аудитории)" if no == 1
            else "вторая (по аудиозаписи, эксперта в аудитории нет)")


def _room_pages(pdf: FormPDF, ctx: FormContext, room: str, rows: list[list[str]],
                blank: bool) -> None:
    cols = _cols(pdf)
    first = pdf.page + 1

    def new_page() -> float:
        pdf.add_page()
        pdf.form_code(CODE)
        y = pdf.title_block(pdf.t_margin + 1, [TITLE], size=13)
        x = pdf.left
        x = pdf.field(x, y, "Аудитория", room, 40, label_style="B", value_style="B") + 6
        x += pdf.label(x, y + 0.5, "Код ОО", size=10)
        x += pdf.comb(x, y, ctx.oo, 6) + 6
        x += pdf.label(x, y + 0.5, "Код МСУ", size=10)
        x += pdf.comb(x, y, ctx.msu, 3) + 6
        x += pdf.label(x, y + 0.5, "Субъект РФ:", size=10)
        x += pdf.comb(x, y, ctx.region, 2) + 1
        pdf.box(x, y + 0.5, pdf.right - x, 5.5, ctx.region_name, size=9, border=False)
        y += 8
        x = pdf.left
        x = pdf.field(x, y, "Предмет", SUBJECT, 110) + 6
        x = pdf.field(x, y, "Дата", "" if blank else ctx.date_text, 45) + 6
        if not blank:
            r = ctx.room(room)
            remote = " · дистанционно" if r is not None and r.remote else ""
            pdf.field(x, y, "Схема оценивания", scheme_text(ctx.scheme_of(room)) + remote,
                      pdf.right - x)
        return y + 9

    def header(y: float) -> float:
        return pdf.table_row(pdf.left, y, cols, [c.title for c in cols], 14, header=True)

    y = paged_rows(pdf, cols, rows, y=new_page(), row_h=7, draw_header=header,
                   new_page=new_page, keep_after=16)
    y += 5
    x = pdf.left
    x += pdf.label(x, y, "ФИО собеседника", size=10)
    fio = "" if blank else ctx.interlocutor(room)
    pdf.fill_line(x, y, 95, fio, caption="(ФИО)", align="C")
    x += 100
    x += pdf.label(x, y, "Подпись", size=10)
    pdf.fill_line(x, y, 45, caption="(подпись)")
    x += 50
    x += pdf.label(x, y, "Дата", size=10)
    pdf.fill_line(x, y, 35, "" if blank else ctx.date_text, align="C")
    pdf.number_pages(first, f"{CODE} · аудитория {room}")


def build(ctx: FormContext, *, room: Optional[str] = None, blank: bool = False,
          pdf: Optional[FormPDF] = None, progress=None) -> FormPDF:
    pdf = pdf or FormPDF("L", title=f"{CODE}. {TITLE}")
    rooms = [room] if room else ctx.room_numbers()
    if blank and not rooms:
        rooms = [""]
    for i, number in enumerate(rooms):
        if blank and not ctx.in_room(number):
            rows = [[str(k + 1)] + [""] * 9 for k in range(BLANK_ROWS)]
        elif blank:
            rows = [[str(k + 1), p.fio, p.doc_series, p.doc_number, p.grade, "", "", "", "", ""]
                    for k, p in enumerate(ctx.in_room(number))]
        else:
            rows = rows_for_room(ctx, number)
        _room_pages(pdf, ctx, number, rows, blank)
        if progress:
            progress(i + 1, len(rooms))
    if not rooms:
        raise FormError("Нет аудиторий с участниками: сначала распределите участников.")
    return pdf

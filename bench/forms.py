"""Benchmark: 300 filled protocols ИС-03 in one PDF (goal ≤ 10 s on the Штаб's PC).

Prints the time of the 300-page document and a ratio against a baseline measured in the
same run doing the same drawing with nothing of ours: bare fpdf2 (its public API, the same
bundled font) writing the very pages ИС-03 wrote — every text cell recorded by the form kit
(`FormPDF.cells`: page, place, size, lines) as a rectangle and its lines of text — and the
output. The ratio is what our layout (fitting, wrapping, the header blocks) costs on top of
putting the same text on the same pages. (The old baseline, one page, was not the same work.)

Then ИС-01 of the same N participants (issue 16): CPU time with ordinary names, with the
longest names the import allows (60+60+60 characters, shown whole: shrunk to 5.5 pt and
wrapped on two lines), their ratio, and the noise: the ordinary names measured again;
and, for scale, the same ratio of bare fpdf2 replaying the cells each ИС-01 drew.
Run: python bench/forms.py [N] [--is01]   (--is01: only the ИС-01 line)
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_app.domain.models import Protocol
from tui_app.forms.context import FormContext
from tui_app.forms.kit import FormPDF
from tui_app.services.data import scheme
from tui_app.services.demo import DEMO_DAY, generate_participants
from tui_app.forms import is03


def make_context(n: int) -> FormContext:
    sch = scheme()
    rng = random.Random(1)
    people = generate_participants(n, seed=3)
    rooms = ["101", "102", "201", "202"]
    people = [p.model_copy(update={"room": rooms[i % 4], "order": i // 4 + 1})
              for i, p in enumerate(people)]
    protocols = {}
    for p in people:
        cat = sch.category(p.category)
        scores = {c: rng.randint(0, sch.criterion(c).max) for c in cat.criteria}
        protocols[p.guid] = Protocol(participant=p.guid, room=p.room, variant=str(rng.randint(1, 8)),
                                     expert="Громова Наталья Сергеевна", scores=scores)
    return FormContext(day=DEMO_DAY, scheme=sch, participants=people, protocols=protocols)


def baseline(cells, pages: int, out: Path) -> float:
    """The same pages with bare fpdf2: every recorded cell as a rectangle and its lines."""
    from fpdf import FPDF

    from tui_app.forms.kit import ASCENT, FONT, LINE, PAD, PT, _font_files

    t = time.perf_counter()
    pdf = FPDF("P", "mm", "A4")
    pdf.set_auto_page_break(False)
    pdf.add_font(FONT, "", _font_files()[""])
    pdf.set_line_width(0.25)
    by_page: dict[int, list] = {}
    for c in cells:
        by_page.setdefault(c.page, []).append(c)
    for page in range(1, pages + 1):
        pdf.add_page()
        for c in by_page.get(page, ()):
            pdf.set_font(FONT, "", c.size)
            pdf.rect(c.x, c.y, c.w, c.h)
            step = c.size * PT * LINE
            for i, line in enumerate(c.lines):
                pdf.text(c.x + PAD, c.y + PAD + c.size * PT * ASCENT + i * step, line)
    out.write_bytes(bytes(pdf.output()))
    return time.perf_counter() - t


def protocols(ctx: FormContext, out: Path):
    t = time.perf_counter()
    pdf = is03.build(ctx, ctx.participants)
    data = bytes(pdf.output())
    out.write_bytes(data)
    return time.perf_counter() - t, pdf.pages_count, pdf.cells


def measure(n: int = 300) -> dict:
    """Ours (best of 2) and the bare fpdf2 replay of the same pages (best of 3), in seconds."""
    ctx = make_context(n)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        runs = [protocols(ctx, folder / f"is03-{i}.pdf") for i in range(2)]
        _, pages, cells = runs[0]
        size = (folder / "is03-0.pdf").stat().st_size
        base = min(baseline(cells, pages, folder / f"b{i}.pdf") for i in range(3))
    return {"n": n, "ours": min(r[0] for r in runs), "base": base, "pages": pages,
            "cells": len(cells), "kb": size / 1024}


def figures_json(n: int = 300) -> list[dict]:
    """The rows of bench/run_all.py (this process's peak memory with them)."""
    from bench.common import Figure, peak_rss_mb

    r = measure(n)
    f = is01_long_names(n)
    return [Figure(f"ИС-03: {n} протоколов в один PDF ({r['pages']} стр.)", None, r["ours"] * 1000,
                   baseline=r["base"] * 1000, baseline_what="голый fpdf2, те же страницы",
                   goal_value=10000 if n == 300 else None, peak_mb=peak_rss_mb(),
                   note="цель ≤ 10 с (SPEC)").to_json(),
            Figure(f"ИС-01: {n} участников, самые длинные допустимые ФИО (ЦП)", None,
                   f["long_s"] * 1000, baseline=f["plain_s"] * 1000,
                   baseline_what="тот же ИС-01 с обычными ФИО",
                   goal_ratio=round(max(f["replay_ratio"], 1.0), 2),
                   note=(f"цель: не дольше, чем голому fpdf2 нарисовать те же ячейки (его "
                         f"отношение {f['replay_ratio']:.2f}×); шум {f['noise']:.2f}×")).to_json()]


def _longest(text: str, field: str) -> str:
    """A realistic name stretched to the longest the import accepts (domain/limits.py)."""
    from tui_app.domain.limits import FIELDS
    n = FIELDS[field].max_len
    return (text * (n // len(text) + 1))[:n]


def is01_long_names(n: int = 300, repeat: int = 9) -> dict:
    """ИС-01 of n participants with ordinary names and with the longest allowed names
    (issue 16: 5,000-character surnames once took minutes; now the import refuses anything
    longer than the limits). Returns CPU seconds of each (best of repeat: the machine is
    shared, and a PDF is built in one thread), pages and the ratio; and the noise: the
    ordinary names measured again after the long ones, against the first measure (a
    ratio within noise of 1.0 is "the same time")."""
    from tui_app.forms import is01

    ctx = make_context(n)
    long_people = [p.model_copy(update={  # each name different, as in a real roster
        "surname": _longest(f"{p.surname}-Константинопольская-", "surname"),
        "name": _longest(f"{p.name}-Анастасия-Виктория-", "name"),
        "patronymic": _longest(f"{p.patronymic or p.name}-Александровна-", "patronymic")})
        for p in ctx.participants]
    long_ctx = FormContext(day=ctx.day, scheme=ctx.scheme, participants=long_people,
                           protocols=ctx.protocols)

    def best(c: FormContext) -> tuple[float, int]:
        runs = []
        for _ in range(repeat):
            t = time.process_time()
            pdf = is01.build(c)
            bytes(pdf.output())
            runs.append((time.process_time() - t, pdf.pages_count))
        return min(runs)

    def replay(c: FormContext) -> float:
        """Bare fpdf2 drawing the very cells ИС-01 drew (see baseline), CPU seconds."""
        pdf = is01.build(c)
        runs = []
        with tempfile.TemporaryDirectory() as d:
            for i in range(repeat):
                t = time.process_time()
                baseline(pdf.cells, pdf.pages_count, Path(d) / f"r{i}.pdf")
                runs.append(time.process_time() - t)
        return min(runs)

    best(ctx)  # warm-up (font)
    (t_plain, p_plain), (t_long, p_long), (t_again, _) = best(ctx), best(long_ctx), best(ctx)
    r_plain, r_long = replay(ctx), replay(long_ctx)
    return {"n": n, "plain_s": t_plain, "long_s": t_long, "plain_pages": p_plain,
            "long_pages": p_long, "ratio": t_long / t_plain, "ratio_per_page":
            (t_long / p_long) / (t_plain / p_plain), "again_s": t_again,
            "noise": t_again / t_plain, "replay_ratio": r_long / r_plain}


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--is01"]
    n = int(args[0]) if args else 300
    if "--is01" not in sys.argv:
        is03_figures(n)
    is01_figures(n)


def is03_figures(n: int) -> None:
    r = measure(n)
    print(f"ИС-03: {n} протоколов, {r['pages']} стр., {r['cells']} ячеек, {r['kb']:.0f} КБ")
    print(f"  голый fpdf2, те же страницы и ячейки: {r['base']:.2f} с")
    print(f"  {n} протоколов ИС-03: {r['ours']:.2f} с  ({r['ours'] / n * 1000:.1f} мс на протокол)")
    print(f"  отношение к голому fpdf2: {r['ours'] / r['base']:.2f}×")
    print(f"  цель ≤ 10 с: {'да' if r['ours'] <= 10 else 'НЕТ'}")


def is01_figures(n: int) -> None:
    f = is01_long_names(n)
    print(f"ИС-01 (время процессора): {n} участников; обычные ФИО {f['plain_s']:.3f} с "
          f"({f['plain_pages']} стр.), самые длинные допустимые ФИО (60+60+60 символов) "
          f"{f['long_s']:.3f} с "
          f"({f['long_pages']} стр.): отношение {f['ratio']:.2f}×, на страницу "
          f"{f['ratio_per_page']:.2f}×; шум: обычные ФИО ещё раз {f['again_s']:.3f} с, "
          f"{f['noise']:.2f}×; голый fpdf2, рисующий те же ячейки (самые длинные против "
          f"обычных): {f['replay_ratio']:.2f}×")
    # the same time = the long names cost no more than drawing their longer text costs
    # fpdf2 itself (the cells as ИС-01 laid them out, no layout at all): what is left is
    # the characters drawn, not the fitting that once took minutes
    same = f["ratio"] <= max(f["replay_ratio"], f["noise"], 1.0)
    print(f"  вывод: подгонка длинных ФИО не добавляет времени сверх рисования их символов "
          f"(наше {f['ratio']:.2f}× против {f['replay_ratio']:.2f}× у голого fpdf2): "
          f"{'да' if same else 'НЕТ'}")


if __name__ == "__main__":
    main()

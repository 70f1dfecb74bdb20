"""Benchmark: 300 filled protocols ИС-03 in one PDF (goal ≤ 10 s on the Штаб's PC).

Prints the time of the 300-page document and a ratio against a baseline measured in the
same run: a one-page PDF with the same bundled font (font loading, one page, output).
Run: python -m bench.forms [N]
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

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


def baseline(out: Path) -> float:
    t = time.perf_counter()
    pdf = FormPDF("P", title="baseline")
    pdf.add_page()
    pdf.box(20, 20, 100, 8, "Протокол эксперта ИС-03 — Константинопольская-Милославская")
    out.write_bytes(bytes(pdf.output()))
    return time.perf_counter() - t


def protocols(ctx: FormContext, out: Path) -> tuple[float, int]:
    t = time.perf_counter()
    pdf = is03.build(ctx, ctx.participants)
    data = bytes(pdf.output())
    out.write_bytes(data)
    return time.perf_counter() - t, pdf.pages_count


def _longest(text: str, field: str) -> str:
    """A realistic name stretched to the longest the import accepts (domain/limits.py)."""
    from tui_app.domain.limits import FIELDS
    n = FIELDS[field].max_len
    return (text * (n // len(text) + 1))[:n]


def is01_long_names(n: int = 300, repeat: int = 3) -> dict:
    """ИС-01 of n participants with ordinary names and with the longest allowed names
    (issue 16: 5,000-character surnames once took minutes; now the import refuses anything
    longer than the limits). Returns CPU seconds of each (best of repeat: the machine is
    shared, and a PDF is built in one thread), pages and the ratio."""
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

    best(ctx)  # warm-up (font)
    (t_plain, p_plain), (t_long, p_long) = best(ctx), best(long_ctx)
    return {"n": n, "plain_s": t_plain, "long_s": t_long, "plain_pages": p_plain,
            "long_pages": p_long, "ratio": t_long / t_plain, "ratio_per_page":
            (t_long / p_long) / (t_plain / p_plain)}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    ctx = make_context(n)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        baseline(folder / "warmup.pdf")  # imports, first font parse
        base = min(baseline(folder / f"b{i}.pdf") for i in range(3))
        runs = [protocols(ctx, folder / f"is03-{i}.pdf") for i in range(2)]
        best = min(t for t, _ in runs)
        pages = runs[0][1]
        size = (folder / "is03-0.pdf").stat().st_size
    print(f"ИС-03: {n} протоколов, {pages} стр., {size / 1024:.0f} КБ")
    print(f"  baseline (одна страница тем же шрифтом): {base * 1000:.0f} мс")
    print(f"  {n} протоколов ИС-03: {best:.2f} с  ({best / n * 1000:.1f} мс на протокол)")
    print(f"  отношение к baseline: {best / base:.1f}×")
    print(f"  цель ≤ 10 с: {'да' if best <= 10 else 'НЕТ'}")
    f = is01_long_names(n)
    print(f"ИС-01 (время процессора): {n} участников; обычные ФИО {f['plain_s']:.2f} с "
          f"({f['plain_pages']} стр.), самые длинные допустимые ФИО (60+60+60 символов) "
          f"{f['long_s']:.2f} с "
          f"({f['long_pages']} стр.): отношение {f['ratio']:.1f}×, на страницу "
          f"{f['ratio_per_page']:.1f}×")


if __name__ == "__main__":
    main()

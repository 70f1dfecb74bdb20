"""Printable lists the regulations ask for beyond the forms ИС-01…ИС-09 (issue 17):

- the remote form's connection schedule (seed 002, п. 2-5; seed 004, 10.3 and 10.6): per room,
  the participant's connection with the 15-minute check before the answer, and the test
  connection the (working) day before;
- the «ознакомление с результатами под подпись с датой» list per class (seed 004, 14.3);
- the typing sheet (PDF and CSV) for re-keying the verified results into the federal program's
  grid or a region's online form, in that program's column order (data/typing/*.json), with row
  totals and a control sum to compare after typing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..domain.models import ProtocolStatus
from ..domain.ordering import name_key
from ..domain.scoring import score_protocol
from ..errors import Refused
from ..paths import data_path
from ..store.workspace import Store
from .data import scheme_for
from .documents import write_document


# -- the connection schedule -------------------------------------------------------------

@dataclass(frozen=True)
class ConnectRow:
    room: str
    order: int
    fio: str
    grade: str
    test: str  # «09.02 15:00»
    check: str  # «09:00» — connection and the 15-minute check
    start: str
    end: str


def connection_rows(store: Store, room: Optional[str] = None) -> list[ConnectRow]:
    from . import distribute as dist
    from .remote import remote_of

    people = {p.guid: p for p in store.participants()}
    remote = remote_of(store)
    out = []
    for t in dist.timetables(store):
        if room and t.room != room:
            continue
        calls = {c.guid: c for c in dist.room_trial_calls(store, t.room)}
        for s in t.slots:
            p = people[s.guid]
            if s.absent or not remote(p):
                continue
            c = calls.get(p.guid)
            out.append(ConnectRow(t.room, s.order, p.fio, p.grade,
                                  f"{c.day:%d.%m.%Y} {c.start:%H:%M}" if c else "",
                                  f"{s.connect:%H:%M}" if s.connect else "",
                                  f"{s.start:%H:%M}", f"{s.end:%H:%M}"))
    if not out:
        raise Refused("Нет участников в дистанционной форме: отметьте участника или аудиторию "
                      "«дистанционно» (is-shtab participant КОД --remote, is-shtab room N --remote).")
    return out


# -- the typing sheet ------------------------------------------------------------------------

@dataclass
class TypingSheet:
    title: str
    note: str
    header: list[str]
    rows: list[list[str]]
    totals: list[int]  # row totals, in row order
    control_sum: int  # the sum of the row totals
    passed: int
    column_sums: dict[str, int] = field(default_factory=dict)


def _layout(name: str) -> dict:
    path = data_path("typing", f"{name}.json")
    if not path.exists():
        raise Refused(f"Нет раскладки листа «{name}» (data/typing/{name}.json): возможны federal, 47.")
    return json.loads(path.read_text(encoding="utf-8"))


def typing_sheet(store: Store, layout: str = "federal") -> TypingSheet:
    """The verified results (protocols that pass the check) in the order of the target grid."""
    lay = _layout(layout)
    sch = scheme_for(store)
    crit = list(sch.b2p_order)
    names = {"no": "№", "code": "Код участника", "fio": "ФИО участника", "grade": "Класс",
             "room": "Аудитория", "variant": "Вариант", "D1": "Задания 1–2", "D2": "Задания 3–4",
             "D3": "Грамотность", "total": "Общий балл", "result": "Зачёт/незачёт",
             "expert": "ФИО эксперта", "mark": "Не завершил / удалён"}
    header: list[str] = []
    for c in lay["columns"]:
        header += crit if c == "criteria" else [names[c]]
    protocols = store.protocols()
    rows, totals, passed = [], [], 0
    sums = {c: 0 for c in crit}
    people = sorted((p for p in store.participants() if not p.absent and p.guid in protocols),
                    key=name_key)
    for i, p in enumerate(people, 1):
        proto = protocols[p.guid]
        res = score_protocol(sch, p, proto)
        present = proto.status is ProtocolStatus.PRESENT
        passed += bool(res.passed)
        vals = {"no": str(i), "code": p.code, "fio": p.fio, "grade": p.grade,
                "room": proto.room or p.room, "variant": proto.variant,
                "D1": str(res.subtotals.get("D1", "")) if present else "",
                "D2": str(res.subtotals.get("D2", "")) if present else "",
                "D3": str(res.subtotals.get("D3", "")) if present else "",
                "total": str(res.total) if present else "", "result": res.result_label if present else "",
                "expert": proto.expert,
                "mark": "" if present else proto.status.label}
        row: list[str] = []
        for c in lay["columns"]:
            if c == "criteria":
                for code in crit:
                    v = proto.scores.get(code) if present else None
                    row.append("" if v is None else str(v))
                    sums[code] += int(v or 0)
            else:
                row.append(vals[c])
        rows.append(row)
        totals.append(res.total if present else 0)
    return TypingSheet(lay["title"], lay.get("to_confirm", ""), header, rows, totals, sum(totals),
                       passed, sums)


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """The one way this module writes CSV: the exchange's writer (formula cells escaped there)."""
    from ..exchange.csvio import write_table

    return write_table(header, rows)


def write_typing_sheet(store: Store, layout: str = "federal", out_dir: Optional[Path | str] = None
                       ) -> tuple[Path, Path, TypingSheet]:
    """PDF and CSV of the typing sheet in forms/ (or out_dir)."""
    from ..forms.lists import typing_sheet_pdf
    from .forms import context

    sheet = typing_sheet(store, layout)
    if not sheet.rows:
        raise Refused("Нет внесённых протоколов: лист для перепечатки пуст.")
    day = store.exam_day()
    folder = Path(out_dir) if out_dir else store.dir("forms")
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"typing_{layout}_{day.oo if day else ''}_{day.date:%Y%m%d}" if day else f"typing_{layout}"
    rows = [r + [str(t)] for r, t in zip(sheet.rows, sheet.totals)]
    rows.append([""] * len(sheet.header) + [f"контрольная сумма {sheet.control_sum}"])
    csv_path = folder / f"{stem}.csv"
    write_document(csv_path, csv_bytes(sheet.header + ["Сумма строки"], rows))  # Excel may hold it
    pdf = typing_sheet_pdf(context(store), sheet)
    pdf_path = folder / f"{stem}.pdf"
    write_document(pdf_path, bytes(pdf.output()))
    return pdf_path, csv_path, sheet

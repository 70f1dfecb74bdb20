"""Retention of the exam day's materials: what is due, reminders, destruction by act.

The rules are in domain/retention.py (seed 004, п. 13). Destruction: the act is written
as a PDF first (retention/ in the workspace, kept), then the files are removed, the
personal data tables are cleared when the lists and protocols are due, and the
destruction is recorded in the store (settings «retention_destroyed», «retention_acts»).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Optional

from ..errors import Refused
from ..domain.models import Act, Participant, Protocol, RoomLogEntry, ValidReason
from ..domain.retention import Material, classify_file, schedule
from ..store.atomic import make_private_dir
from .documents import write_document

FILE_FOLDERS = ("audio", "export", "forms", "backups", "retakes")
ACTS_DIR = "retention"
# the database tables that hold lists, protocols and room logs (13.1)
DB_MATERIALS = (Material.LISTS, Material.PROTOCOLS, Material.ROOM_LOGS)


class RetentionError(Refused):
    """A Russian message for the user."""


@dataclass
class Row:
    material: Material
    keep_until: date
    due: bool
    files: list[Path] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        total = 0
        for p in self.files:
            try:
                total += p.stat().st_size
            except OSError:
                pass
        return total


@dataclass
class Destroyed:
    act: Path
    materials: list[Material]
    files_removed: int
    bytes_removed: int
    db_cleared: bool
    failed: list[str]


def workspace_files(root: Path) -> dict[Material, list[Path]]:
    out: dict[Material, list[Path]] = {m: [] for m in Material}
    for kind in FILE_FOLDERS:
        base = Path(root) / kind
        if not base.is_dir():
            continue
        for p in sorted(base.rglob("*")):
            if p.is_file() and not p.is_symlink():
                out[classify_file(kind, p.name)].append(p)
    return out


def destroyed(store) -> frozenset[Material]:
    return frozenset(Material(v) for v in store.settings().retention_destroyed or [])


def status(store, today: date) -> list[Row]:
    """Every material not yet destroyed: its keep-until date, due or not, its files."""
    day = store.exam_day()
    if day is None:
        return []
    files = workspace_files(store.root)
    return [Row(s.material, s.keep_until, s.due, files[s.material])
            for s in schedule(day.date, today, destroyed(store))]


def today() -> date:
    """Today's date (one seam, so screenshot tests can pin it)."""
    return date.today()


def due_reminders(store, today_: Optional[date] = None) -> list[str]:
    """Russian one-liners for the main screen: what must be destroyed by act now."""
    today_ = today_ or today()
    rows = [r for r in status(store, today_) if r.due]
    if not rows:
        return []
    out = []
    by_date: dict[date, list[Row]] = {}
    for r in rows:
        by_date.setdefault(r.keep_until, []).append(r)
    for d in sorted(by_date):
        names = ", ".join(r.material.label for r in by_date[d])
        out.append(f"Срок хранения истёк {d:%d.%m.%Y}: {names}. Уничтожьте по акту "
                   "(is-shtab retention --destroy).")
    return out


# -- the act -------------------------------------------------------------------------------
def act_pdf(store, rows: list[Row], today: date, members: list[str], head: str,
            db_too: bool = False) -> bytes:
    from fpdf import FPDF

    from ..forms.kit import font_path

    day = store.exam_day()
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 15, 15)
    pdf.add_font("Serif", "", font_path())
    pdf.add_font("Serif", "B", font_path("B"))
    pdf.add_page()
    w = pdf.epw
    pdf.set_font("Serif", "B", 13)
    pdf.multi_cell(w, 6, "АКТ\nоб уничтожении материалов итогового собеседования\n"
                         "по русскому языку", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Serif", "", 11)
    oo = (day.oo_name or "") if day else ""
    pdf.multi_cell(w, 5.5, f"Образовательная организация: {oo} (код ОО {day.oo if day else ''}, "
                           f"код МСУ {day.msu if day else ''}, регион {day.region if day else ''})",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(w, 5.5, f"Дата проведения итогового собеседования: {day.date:%d.%m.%Y}" if day else "",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(w, 5.5, f"Дата составления акта: {today:%d.%m.%Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(w, 5.5, "Комиссия, определённая руководителем образовательной организации, "
                           "в соответствии с пунктом 13 Порядка проведения итогового собеседования "
                           "уничтожила по истечении срока хранения следующие материалы:",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    cols = (10, 80, 35, w - 125)
    pdf.set_font("Serif", "B", 10)
    for width, head_text in zip(cols, ("№", "Материалы", "Срок хранения до", "Электронные файлы")):
        pdf.cell(width, 7, head_text, border=1, align="C")
    pdf.ln()
    pdf.set_font("Serif", "", 10)
    from .handoff import format_size

    for n, r in enumerate(rows, 1):
        files = f"{len(r.files)} шт., {format_size(r.bytes)}" if r.files else "—"
        if db_too and r.material in DB_MATERIALS:
            files = "записи в базе" + (f"; {files}" if r.files else "")
        pdf.cell(cols[0], 7, str(n), border=1, align="C")
        pdf.cell(cols[1], 7, r.material.label, border=1)
        pdf.cell(cols[2], 7, f"{r.keep_until:%d.%m.%Y}", border=1, align="C")
        pdf.cell(cols[3], 7, files, border=1, align="C")
        pdf.ln()
    pdf.ln(3)
    pdf.multi_cell(w, 5.5, "Электронные файлы удалены из рабочей папки программы «ИС-Штаб»; "
                           "бумажные материалы уничтожены способом, исключающим восстановление "
                           "и ознакомление с их содержанием.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.multi_cell(w, 5.5, "Члены комиссии:", new_x="LMARGIN", new_y="NEXT")
    for m in (members or ["", "", ""]):
        pdf.cell(110, 9, m or "_" * 40)
        pdf.cell(0, 9, "_______________ (подпись)", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(110, 9, f"Руководитель ОО: {head}" if head else "Руководитель ОО: " + "_" * 28)
    pdf.cell(0, 9, "_______________ (подпись)", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def destroy(store, today: date, members: list[str], head: str = "",
            materials: Optional[list[Material]] = None) -> Destroyed:
    """Destroy what is due today: the act PDF first, then the files and data."""
    rows = [r for r in status(store, today) if r.due]
    if materials is not None:
        rows = [r for r in rows if r.material in materials]
    if not rows:
        raise RetentionError("Сегодня уничтожать нечего: сроки хранения ещё не истекли "
                             "(или материалы уже уничтожены по акту).")
    due_now = {r.material for r in rows}
    db_too = all(m in due_now or m in destroyed(store) for m in DB_MATERIALS)
    pdf = act_pdf(store, rows, today, members, head, db_too)
    folder = make_private_dir(store.root / ACTS_DIR, ours=True)
    act = folder / f"akt-unichtozheniya-{today:%Y-%m-%d}-{datetime.now():%H%M%S}.pdf"
    write_document(act, pdf)
    removed = nbytes = 0
    failed: list[str] = []
    for r in rows:
        for p in r.files:
            try:
                size = p.stat().st_size
                p.unlink()
                removed += 1
                nbytes += size
            except FileNotFoundError:
                pass
            except OSError:
                failed.append(str(p.relative_to(store.root)))
    done = due_now
    db_cleared = False
    if db_too:
        store.clear(Participant, Protocol, RoomLogEntry, Act, ValidReason)
        store.compact(forget_history=True)  # no earlier version of the data stays beside it
        db_cleared = True
    log = list(store.settings().retention_acts or [])
    log.append({"date": today.isoformat(), "act": act.name,
                "materials": sorted(m.value for m in done), "files": removed,
                "failed": len(failed)})
    store.update_settings(retention_acts=log,
                          retention_destroyed=sorted({m.value for m in destroyed(store)} | {m.value for m in done}))
    return Destroyed(act, sorted(done, key=list(Material).index), removed, nbytes, db_cleared, failed)

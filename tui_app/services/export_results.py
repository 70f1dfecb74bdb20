"""Export of the results file (the specialized form ИС-04 as a B2P package).

Which rows the file holds (decision, see docs/b2p.md): the file is the roster sent back, so
it holds EVERY participant of the list, sorted by surname, 20 a page: those who sat the exam
with their results (or the early/removed mark), absentees with Аудитория «Н» and empty
scores. The РЦОИ matches rows by FileName + ExamDate + GUID; dropping absentees would lose
their «Н». The number of rows that carry a result or a mark must equal the participants who
sat the exam: the export reads its own bytes back (every value must come back exactly as
built), compares the rows with the workspace, and the result object (and the CLI, and the
screen) always states rows / sat / absent.

Condition 19 only when the pre-export check is clean; force=True writes 13 and says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Optional

from ..errors import Refused
from ..domain.checks import Problem, errors_only, results_rows_problems
from ..domain.models import Participant
from ..exchange import mapping
from ..exchange.b2p import STEM_RE, VERSION, B2PError, B2PPackage, no_gc, stem_for, write_verified
from ..store.atomic import make_private_dir
from ..store.workspace import Store
from .data import scheme_for
from .documents import write_document


class ExportRefused(Refused):
    """Nothing was written. .problems: list[Problem] (or Russian strings in .messages)."""

    def __init__(self, message: str, problems: Optional[list[Problem]] = None,
                 kind: str = "refused") -> None:
        self.problems = problems or []
        self.kind = kind
        super().__init__(message)


@dataclass
class ExportResult:
    path: Path
    condition: str  # "19" clean, "13" saved with errors (forced)
    rows: int  # participant rows in the file
    sat: int  # rows with a result or an early/removed mark
    absent: int  # rows with Аудитория «Н»
    unmarked: int  # rows with neither (only in a forced export)
    problems: list[Problem] = field(default_factory=list)
    forced: bool = False
    pages: int = 0

    @property
    def clean(self) -> bool:
        return self.condition == "19"

    def lines(self) -> list[str]:
        out = [f"Файл результатов: {self.path}",
               f"Строк участников: {self.rows} (страниц {self.pages}): сдавали {self.sat}, "
               f"не явились «Н» {self.absent}" + (f", без отметки {self.unmarked}" if self.unmarked else "")
               + "."]
        if self.clean:
            out.append("Статус 19: проверен, сохранён без ошибок.")
        else:
            out.append(f"ВНИМАНИЕ: статус 13 — сохранён С ОШИБКАМИ ({len(self.problems)}). "
                       f"РЦОИ не примет его без вопросов: исправьте ошибки и выгрузите снова.")
        return out


def build_package(store: Store, condition: str, participants: Optional[list[Participant]] = None,
                  protocols: Optional[dict] = None) -> B2PPackage:
    day = store.exam_day()
    if day is None:
        raise ExportRefused("Не задан экзаменационный день: сначала загрузите список участников.",
                            kind="no_day")
    sch = scheme_for(store)
    file_name = day.source_file or stem_for(day.region, day.oo, day.msu, day.date)
    if not STEM_RE.match(file_name):
        raise ExportRefused(f"Имя исходного файла «{file_name}» не по правилу "
                            f"РР002090-06-ОООООО-МСУ-ГГГГММДД.", kind="filename")
    protocols = store.protocols() if protocols is None else protocols
    participants = store.all(Participant) if participants is None else participants
    rows = [mapping.participant_to_row(sch, p, protocols.get(p.guid))
            for p in sorted(participants, key=mapping.sort_key)]
    return B2PPackage(condition=condition, file_name=file_name, region=day.region, oo=day.oo,
                      msu=day.msu, exam_date=day.date, rows=rows, version=VERSION)


@dataclass(frozen=True)
class RowCounts:
    """The two counts side by side before export (issue 17): the rows the file will hold and
    the participants who sat the exam, with the region's rule (data/regions, results_rows)."""
    rows: int
    sat: int
    absent: int
    rule: str
    rule_text: str

    def line(self) -> str:
        return (f"В файле будет строк: {self.rows}; сдававших: {self.sat}; не явились «Н»: "
                f"{self.absent}. Правило региона: {self.rule_text}.")


def file_participants(store: Store, participants: Optional[list[Participant]] = None
                      ) -> list[Participant]:
    """The participants the results file holds, by the region's `results_rows` setting."""
    from .calendar import rules_for

    participants = store.all(Participant) if participants is None else participants
    if rules_for(store).results_rows == "sat":
        return [p for p in participants if not p.absent]
    return participants


def row_counts(store: Store) -> RowCounts:
    from ..domain.checks import attended_count
    from ..domain.regions import RESULTS_ROWS
    from .calendar import rules_for

    rule = rules_for(store).results_rows
    everyone = store.all(Participant)
    in_file = file_participants(store, everyone)
    return RowCounts(len(in_file), attended_count(everyone, store.protocols()),
                     sum(1 for p in in_file if p.absent), rule, RESULTS_ROWS.get(rule, rule))


def export_results(store: Store, out_dir: Optional[Path | str] = None, force: bool = False,
                   progress=None) -> ExportResult:
    with no_gc():
        return _export(store, out_dir, force, progress)


def _export(store: Store, out_dir, force: bool, progress) -> ExportResult:
    """Check, write <FileName>.b2p into out_dir (default: the workspace's export/), verify.

    Raises ExportRefused when the check finds problems and force is False (nothing written).
    progress: optional callable(fraction 0..1) for a screen's progress bar.
    """
    participants = store.all(Participant)
    protocols = store.protocols()
    from .checks import run_checks

    problems = errors_only(run_checks(store, participants, protocols))  # warnings never block 19
    blocking = [p for p in problems if p.kind in ("no_exam_day", "empty_roster")]
    if blocking:
        raise ExportRefused("\n".join(p.message for p in blocking), blocking, kind="no_data")
    if problems and not force:
        raise ExportRefused(f"Проверка перед выгрузкой нашла ошибки ({len(problems)}). Исправьте их "
                            f"или выгрузите со статусом 13 «сохранён с ошибками» (--force).",
                            problems, kind="check")
    in_file = file_participants(store, participants)  # the region's rule (data/regions)
    pkg = build_package(store, "13" if problems else "19", in_file, protocols)
    # the rows against the workspace (SPEC §7); the file holds exactly these rows, which
    # write_verified() proves on the bytes below
    info = [(r.guid, r.absent, r.has_result_fields()) for r in pkg.rows]
    mismatch = results_rows_problems(in_file, protocols, info)
    if mismatch and not force:
        raise ExportRefused("Число строк в файле не совпадает с участниками: "
                            + "; ".join(p.message for p in mismatch), mismatch, kind="rows")
    problems = problems + mismatch  # forced: told in the result, never silent
    condition = pkg.condition = "13" if problems else "19"
    if progress:
        progress(0.3)
    try:
        data = write_verified(pkg)
    except B2PError as e:  # a bug of ours: never write such a file
        raise ExportRefused(f"Внутренняя ошибка: выгруженный файл не прошёл проверку: {e}",
                            kind="self_check") from None
    if progress:
        progress(0.5)
    out = Path(out_dir) if out_dir else store.dir("export")
    make_private_dir(out)
    path = out / f"{pkg.file_name}.b2p"
    write_document(path, data)
    if progress:
        progress(0.9)
    sat = sum(1 for _, absent, res in info if res and not absent)
    absent = sum(1 for _, a, _ in info if a)
    result = ExportResult(path=path, condition=condition, rows=len(info), sat=sat, absent=absent,
                          unmarked=len(info) - sat - absent, problems=problems, forced=bool(problems),
                          pages=max(1, -(-len(info) // 20)))
    store.record_progress(last_export={"path": str(path), "condition": condition,
                                      "rows": result.rows, "sat": sat, "absent": absent,
                                      "crc": pkg.crc,
                                      "at": datetime.now().replace(microsecond=0).isoformat()},
                          export_done=True,
                          handoff_done=False)  # the stick, if any, holds an older results file
    if progress:
        progress(1.0)
    return result

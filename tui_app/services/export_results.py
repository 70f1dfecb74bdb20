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
from typing import Iterable, Iterator, Optional

from ..errors import Refused
from ..domain.checks import Problem, errors_only, results_rows_problems
from ..domain.models import ExamDay, Participant, Protocol
from ..exchange import mapping
from ..diskspace import require_free
from ..exchange.b2p import (ROWS_PER_PAGE, STEM_RE, VERSION, B2PError, B2PPackage, B2PRow,
                             stem_for)
from ..exchange.b2p_write import write_b2p_file
from ..store.atomic import make_private_dir
from ..store.journal import no_gc
from ..store.workspace import Store
from .data import scheme_for_day
from .documents import writing_document

class ExportRefused(Refused):
    """Nothing was written. .problems: list[Problem] (or Russian strings in .messages)."""

    def __init__(self, message: str, problems: Optional[list[Problem]] = None,
                 kind: str = "refused") -> None:
        self.problems = problems or []
        self.kind = kind
        super().__init__(message)

    def __reduce__(self):  # travels from a worker process
        return (self.__class__, (str(self), self.problems, self.kind))


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
    crc: str = ""

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


@dataclass
class ExportInput:
    """What the export reads from the workspace, read once (picklable: the export may run
    in a worker process, services/jobs.py): the participants the file holds by the region's
    rule, and the errors of the pre-export check (services.checks, which needs the store)."""

    day: Optional[ExamDay]
    participants: list[Participant]
    protocols: dict[str, Protocol]
    problems: list[Problem]
    out_dir: Path


def export_input(store: Store, out_dir: Optional[Path | str] = None) -> ExportInput:
    from .checks import run_checks

    everyone = store.all(Participant)
    protocols = store.protocols()
    problems = errors_only(run_checks(store, everyone, protocols))  # warnings never block 19
    return ExportInput(day=store.exam_day(), participants=file_participants(store, everyone),
                       protocols=protocols, problems=problems,
                       out_dir=Path(out_dir) if out_dir else store.dir("export"))


def build_package(day: Optional[ExamDay], condition: str, participants: list[Participant],
                  protocols: dict) -> B2PPackage:
    if day is None:
        raise ExportRefused("Не задан экзаменационный день: сначала загрузите список участников.",
                            kind="no_day")
    sch = scheme_for_day(day)
    file_name = day.source_file or stem_for(day.region, day.oo, day.msu, day.date)
    if not STEM_RE.match(file_name):
        raise ExportRefused(f"Имя исходного файла «{file_name}» не по правилу "
                            f"РР002090-06-ОООООО-МСУ-ГГГГММДД.", kind="filename")
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


BYTES_PER_ROW = 1900  # our serialization: ~1.8 KB a participant (64 MB for 36,000)


def _write_file(path: Path, pkg: B2PPackage, progress, rows: Optional[Iterable[B2PRow]] = None,
                before_replace=None) -> None:
    """The file, page by page, each page's bytes checked (write_b2p_file); only a file that
    passed every check (and before_replace) is put in place."""
    created = not path.parent.exists()
    make_private_dir(path.parent)
    step = (lambda f: progress(0.3 + 0.6 * f)) if progress else None
    try:
        require_free(path.parent, (pkg.count + ROWS_PER_PAGE) * BYTES_PER_ROW + 65536,
                     "файла результатов")
        with writing_document(path):  # an editor holding the old file: «закройте файл…»
            write_b2p_file(path, pkg, rows, n_rows=None if rows is None else pkg.count,
                           progress=step, before_replace=before_replace)
    except B2PError as e:  # a bug of ours: never write such a file
        raise ExportRefused(f"Внутренняя ошибка: выгруженный файл не прошёл проверку: {e}",
                            kind="self_check") from None
    finally:
        if created and not path.exists():  # nothing written: no folder left behind either
            try:
                path.parent.rmdir()
            except OSError:
                pass


def export_results(store: Store, out_dir: Optional[Path | str] = None, force: bool = False,
                   progress=None) -> ExportResult:
    """Check, write <FileName>.b2p into out_dir (default: the workspace's export/), verify,
    and note the export in the workspace. Raises ExportRefused when the check finds problems
    and force is False (nothing written). progress: optional callable(fraction 0..1)."""
    result = write_export(export_input(store, out_dir), force, progress)
    record_export(store, result)
    if progress:
        progress(1.0)
    return result


class _RowsChanged(Exception):
    """The rows written do not match the workspace while the file says 19 (forced): written
    again as 13."""


def write_export(inp: ExportInput, force: bool = False, progress=None) -> ExportResult:
    """Everything of the export but the note in the workspace (no store: this may run in a
    worker process). The rows are made page by page as the file is written (a region's
    36,000 rows are never all held); the rows against the workspace (SPEC §7) are compared
    once the last is written, before the file is put in place — the file holds exactly these
    rows, which the self-check of write_b2p_file proves on the bytes."""
    with no_gc():
        problems = _checked(inp, force)
        pkg = build_package(inp.day, "13" if problems else "19", [], {})
        sch = scheme_for_day(inp.day)
        people = sorted(inp.participants, key=mapping.sort_key)
        pkg.n_rows = len(people)
        protocols = inp.protocols
        path = inp.out_dir / f"{pkg.file_name}.b2p"
        if progress:
            progress(0.3)
        while True:
            info: list[tuple] = []
            mismatch: list[Problem] = []

            def rows() -> Iterator[B2PRow]:
                for p in people:
                    r = mapping.participant_to_row(sch, p, protocols.get(p.guid))
                    info.append((r.guid, r.absent, r.has_result_fields()))
                    yield r

            def compare() -> None:
                mismatch[:] = results_rows_problems(inp.participants, protocols, info)
                if mismatch and not force:
                    raise ExportRefused("Число строк в файле не совпадает с участниками: "
                                        + "; ".join(p.message for p in mismatch), mismatch,
                                        kind="rows")
                if mismatch and pkg.condition == "19":
                    raise _RowsChanged()

            try:
                _write_file(path, pkg, progress, rows(), compare)
            except _RowsChanged:  # forced: told in the result and in the file, never silent
                pkg.condition = "13"
                continue
            break
        return _result(path, pkg, info, problems + mismatch)


def _checked(inp: ExportInput, force: bool) -> list[Problem]:
    problems = inp.problems
    blocking = [p for p in problems if p.kind in ("no_exam_day", "empty_roster")]
    if blocking:
        raise ExportRefused("\n".join(p.message for p in blocking), blocking, kind="no_data")
    if problems and not force:
        raise ExportRefused(f"Проверка перед выгрузкой нашла ошибки ({len(problems)}). Исправьте их "
                            f"или выгрузите со статусом 13 «сохранён с ошибками» (--force).",
                            problems, kind="check")
    return problems


def _result(path: Path, pkg: B2PPackage, info: list, problems: list[Problem]) -> ExportResult:
    sat = sum(1 for _, absent, res in info if res and not absent)
    absent = sum(1 for _, a, _ in info if a)
    return ExportResult(path=path, condition=pkg.condition, rows=len(info), sat=sat,
                        absent=absent, unmarked=len(info) - sat - absent, problems=problems,
                        forced=bool(problems), pages=pkg.pages, crc=pkg.crc)


def record_export(store: Store, result: ExportResult) -> None:
    """The note of a written results file in the workspace (one durable write; skipped on a
    read-only or full disk: the file is the result, store.record_progress)."""
    store.record_progress(last_export={"path": str(result.path), "condition": result.condition,
                                      "rows": result.rows, "sat": result.sat,
                                      "absent": result.absent, "crc": result.crc,
                                      "at": datetime.now().replace(microsecond=0).isoformat()},
                          export_done=True,
                          handoff_done=False)  # the stick, if any, holds an older results file

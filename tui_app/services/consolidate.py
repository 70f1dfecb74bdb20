"""Municipal consolidation: many schools' results files -> one summary and one CSV.

Each file is read by the same strict reader as the import and its results are checked by
the domain rules (sums, зачёт); a participant (GUID) present in two files refuses the whole
consolidation. Nothing is written unless every file is valid.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import Refused
from ..domain.criteria import Scheme
from ..domain.models import ProtocolStatus
from ..domain.scoring import result_matches, validate_protocol
from ..exchange import mapping
from ..exchange.b2p import B2PError, B2PPackage, read_b2p
from ..exchange.csvio import write_table
from .documents import write_document
from .data import scheme


class ConsolidateRefused(Refused):
    def __init__(self, problems: list[str], kind: str = "refused") -> None:
        self.problems = problems
        self.kind = kind
        super().__init__("\n".join(problems))


@dataclass
class SchoolSummary:
    file: str
    oo: str
    msu: str
    exam_date: str
    condition: str
    condition_label: str
    participants: int = 0
    attended: int = 0
    passed: int = 0
    failed: int = 0
    early: int = 0
    removed: int = 0
    absent: int = 0


@dataclass
class ConsolidateResult:
    schools: list[SchoolSummary]
    rows: int
    out: Optional[Path]
    warnings: list[str] = field(default_factory=list)

    def table_lines(self) -> list[str]:
        head = f"{'ОО':<8}{'Файл':<36}{'Уч.':>6}{'Явил.':>7}{'Зачёт':>7}{'Незач.':>7}  Статус файла"
        out = [head, "-" * len(head)]
        for s in self.schools:
            out.append(f"{s.oo:<8}{s.file[:35]:<36}{s.participants:>6}{s.attended:>7}{s.passed:>7}"
                       f"{s.failed:>7}  {s.condition} {s.condition_label}")
        tot = lambda a: sum(getattr(s, a) for s in self.schools)  # noqa: E731
        out.append("-" * len(head))
        out.append(f"{'Итого':<44}{tot('participants'):>6}{tot('attended'):>7}{tot('passed'):>7}"
                   f"{tot('failed'):>7}")
        return out


CSV_HEADER = ["Регион", "Код_МСУ", "Код_ОО", "Дата", "Файл", "Статус_файла", "Код_в_базе",
              "Код_участника", "Фамилия", "Имя", "Отчество", "Класс", "Аудитория", "Вариант"]


def collect_files(paths: list[Path | str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.suffix.lower() == ".b2p" and x.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise ConsolidateRefused([f"Не найдено: «{p}»."], "not_found")
    seen, out = set(), []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _check_results(sch: Scheme, pkg: B2PPackage, name: str) -> list[str]:
    out = []
    for row in pkg.rows:
        proto = mapping.row_to_protocol(sch, row)
        if proto is None:
            continue
        cat = mapping.guess_ovz_category(sch, row) if mapping.is_ovz_reserve(row) else sch.default_category
        if mapping.is_ovz_reserve(row) and cat is None and proto.status is ProtocolStatus.PRESENT:
            # ОВЗ: the category is not in the file; check only numbers within criteria maxima
            for i, code in enumerate(sch.b2p_order):
                if row.scores[i] and int(row.scores[i]) > sch.criterion(code).max:
                    out.append(f"{name}: {row.where()}: {code}: балл {row.scores[i]} выше максимума")
            continue
        p = mapping.row_to_participant(row, cat or sch.default_category)
        errs = validate_protocol(sch, p, proto)
        if not errs:
            errs = result_matches(sch, p, proto, int(row.total) if row.total else None,
                                  None if row.passed == "" else row.passed == "1")
        out.extend(f"{name}: {row.where()}: {m}" for m in errs)
    return out


def consolidate(paths: list[Path | str], out_csv: Optional[Path | str] = None,
                year: Optional[str] = None) -> ConsolidateResult:
    files = collect_files(paths)
    if not files:
        raise ConsolidateRefused(["Не найдено ни одного файла .b2p."], "no_files")
    sch = scheme(year)
    problems: list[str] = []
    packages: list[B2PPackage] = []
    owner: dict[str, tuple[str, str]] = {}  # guid -> (file, where)
    for f in files:
        try:
            pkg = read_b2p(f)
        except B2PError as e:
            problems.extend(p.message for p in e.problems)
            continue
        problems.extend(_check_results(sch, pkg, f.name))
        for row in pkg.rows:
            if row.guid in owner:
                other, where = owner[row.guid]
                problems.append(f"{f.name}: {row.where()}: участник {row.surname} {row.name[:1]}. "
                                f"(код {row.guid}) уже есть в файле {other} ({where}). Один участник "
                                f"не может быть в двух файлах — уточните у школ.")
            else:
                owner[row.guid] = (f.name, row.where())
        packages.append(pkg)
    if problems:
        raise ConsolidateRefused(problems[:200], "invalid")
    schools: list[SchoolSummary] = []
    csv_rows: list[list[str]] = []
    warnings: list[str] = []
    for pkg in packages:
        s = SchoolSummary(file=pkg.path.name if pkg.path else pkg.file_name, oo=pkg.oo, msu=pkg.msu,
                          exam_date=pkg.exam_date.isoformat(), condition=pkg.condition,
                          condition_label=pkg.condition_label, participants=len(pkg.rows))
        for row in pkg.rows:
            if row.absent:
                s.absent += 1
            elif row.room and row.has_result_fields():
                s.attended += 1
                if row.not_finished == "1":
                    s.early += 1
                elif row.not_finished == "2":
                    s.removed += 1
                elif row.passed == "1":
                    s.passed += 1
                elif row.passed == "0":
                    s.failed += 1
            csv_rows.append([pkg.region, pkg.msu, pkg.oo, pkg.exam_date.isoformat(), s.file,
                             pkg.condition, row.guid, row.code, row.surname, row.name,
                             row.patronymic, row.grade, row.room, row.variant, *row.scores,
                             *row.subtotals, row.total, row.passed, row.not_finished, row.expert,
                             row.reserve])
        if pkg.condition != "19":
            warnings.append(f"{s.file}: статус {pkg.condition} ({pkg.condition_label}) — "
                            f"не «19 проверен без ошибок».")
        if s.attended == 0:
            warnings.append(f"{s.file}: нет ни одного сдававшего — РЦОИ такой файл не примет.")
        schools.append(s)
    header = CSV_HEADER + [f"{c}" for c in sch.b2p_order] + [s.code for s in sch.subtotals] + [
        "Итоговый_Балл", "Зачёт", "Не_закончил", "ФИО_эксперта", "РезервI"]
    out = Path(out_csv) if out_csv else None
    if out is not None:
        write_document(out, write_table(header, csv_rows))
    return ConsolidateResult(schools=schools, rows=len(csv_rows), out=out, warnings=warnings)

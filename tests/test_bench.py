"""bench/run_all.py's table logic (issue 19): goals only where a size has one (never
«цель ≤ 0 с»), verdicts from the ratio and the absolute goal, a named row for a bench that
is not here yet. The benches themselves are not run by the suite."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import run_all  # noqa: E402
from bench.common import Figure, table  # noqa: E402


def test_exchange_prints_no_goal_for_a_size_without_one():
    from bench.exchange import goal_text

    assert goal_text("import", 100, 0.05) == "цели для этого размера нет"
    assert goal_text("import", 36000, 6.0) == "цель ≤ 5 с: НЕТ"
    assert goal_text("export", 2500, 0.5) == "цель ≤ 1 с: да"


def test_verdicts_follow_the_ratio_the_value_and_the_peak():
    rows = [Figure("a", 100, 15, baseline=10, goal_ratio=1.5),
            Figure("b", 100, 16, baseline=10, goal_ratio=1.5),
            Figure("c", 36000, 4.0, unit="с", goal_value=5, peak_mb=310, goal_peak_mb=300),
            Figure("d", 100, 1.0, unit="с", note="цели для этого размера нет"),
            Figure("e", None, None, note="см. bench/exchange…")]
    assert [f.verdict() for f in rows] == ["да", "НЕТ", "НЕТ", "—", "см. bench/exchange…"]
    text = table(rows)
    assert "1.50×" in text and "пик ≤ 300 МБ" in text and "≤ 0" not in text


def test_a_bench_of_another_branch_is_a_named_row_until_it_is_here(monkeypatch):
    monkeypatch.setattr(run_all, "_has", lambda module, attr: False)
    [row] = run_all.exchange([100], True)
    assert row.value is None and "bench/exchange" in row.verdict()
    [row] = run_all.store_save([100], True)
    assert "bench/store_save.py" in row.verdict()


def test_the_table_goes_between_the_markers_of_the_doc(tmp_path, monkeypatch):
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Производительность\n\nвступление\n\n{run_all.BEGIN}\nстарое\n{run_all.END}\n\nкривые\n",
                   encoding="utf-8")
    monkeypatch.setattr(run_all, "DOCS", doc)
    run_all.write_docs("| новая таблица |")
    text = doc.read_text(encoding="utf-8")
    assert "старое" not in text and "| новая таблица |" in text
    assert text.startswith("# Производительность\n\nвступление") and text.endswith("кривые\n")

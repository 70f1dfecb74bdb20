"""Municipal consolidation of several schools' files."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from support import EXCHANGE_FIXTURES as FIX
from support.cli import run_cli
from support.generate import make_results
from tui_app.domain.models import ExamDay
from tui_app.exchange.b2p import stem_for, write_b2p
from tui_app.services.consolidate import ConsolidateRefused, consolidate

D = date(2027, 2, 10)


def _school(folder, oo: str, n: int, seed: int, condition="19"):
    day = ExamDay(date=D, region="47", msu="005", oo=oo, source_file=stem_for("47", oo, "005", D))
    pkg, _, _ = make_results(n, seed=seed, day=day, condition=condition)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pkg.file_name}.b2p"
    path.write_bytes(write_b2p(pkg))
    return pkg


def test_consolidate_three_schools(tmp_path):
    a = _school(tmp_path / "in1", "470101", 25, 1)
    b = _school(tmp_path / "in1", "470102", 30, 2)
    c = _school(tmp_path / "in2", "470103", 22, 3, condition="13")
    out = tmp_path / "свод.csv"
    r = consolidate([tmp_path / "in1", tmp_path / "in2"], out)
    assert [s.oo for s in r.schools] == ["470101", "470102", "470103"]
    assert r.rows == 25 + 30 + 22
    for s, pkg in zip(r.schools, (a, b, c)):
        assert s.participants == len(pkg.rows)
        assert s.attended == sum(1 for x in pkg.rows if not x.absent)
        assert s.passed == sum(1 for x in pkg.rows if x.passed == "1")
        assert s.failed == sum(1 for x in pkg.rows if x.passed == "0")
    assert any("470103" in w or "статус 13" in w for w in r.warnings)
    text = out.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Регион", "Код_МСУ", "Код_ОО"] and len(rows) == 1 + r.rows
    assert "Итого" in "\n".join(r.table_lines())


def test_consolidate_refuses_a_participant_in_two_files(tmp_path):
    _school(tmp_path / "in", "470101", 25, 1)
    _school(tmp_path / "in", "470102", 25, 1)  # same seed: the same GUIDs
    out = tmp_path / "свод.csv"
    with pytest.raises(ConsolidateRefused) as ei:
        consolidate([tmp_path / "in"], out)
    assert "уже есть в файле" in str(ei.value) and "47002090-06-470101-005-20270210.b2p" in str(ei.value)
    assert not out.exists()


def test_consolidate_refuses_a_broken_file(tmp_path):
    _school(tmp_path / "in", "470101", 25, 1)
    (tmp_path / "in" / "47002090-06-470123-005(crc)-20270210.b2p").write_bytes(
        (FIX / "47002090-06-470123-005(crc)-20270210.b2p").read_bytes())
    with pytest.raises(ConsolidateRefused) as ei:
        consolidate([tmp_path / "in"], tmp_path / "x.csv")
    assert "CRC" in str(ei.value)


def test_consolidate_cli(tmp_path):
    _school(tmp_path / "in", "470101", 21, 1)
    _school(tmp_path / "in", "470102", 21, 2)
    p = run_cli("consolidate", tmp_path / "in", "--out", tmp_path / "свод.csv")
    assert p.returncode == 0, p.stderr
    assert "470101" in p.stdout and "Итого" in p.stdout and "Сводный CSV" in p.stdout
    _school(tmp_path / "in", "470103", 21, 2)
    p = run_cli("consolidate", tmp_path / "in", "--out", tmp_path / "свод2.csv")
    assert p.returncode == 1 and "уже есть в файле" in p.stderr
    p = run_cli("consolidate", tmp_path / "нет", "--out", tmp_path / "свод3.csv")
    assert p.returncode == 2

"""Every CSV the program writes (consolidate --out, retakes --out), fed names that start with
= + - @, opens as text in Excel: the written bytes are read back and no cell starts with a
formula character (the OWASP rule: such a cell gets a leading apostrophe)."""
from __future__ import annotations

import csv
import io

from support.cli import run_cli
from tui_app.domain.models import Participant
from tui_app.exchange.csvio import FORMULA_START
from tui_app.services import retakes

# what a roster can carry into a name (the reader accepts them: they are valid text)
FORMULAS = ['=HYPERLINK("http://x";"жми")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"]


def _cells(path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def _assert_text_only(rows: list[list[str]]) -> None:
    bad = [(i + 1, c) for i, row in enumerate(rows) for c in row if c.startswith(FORMULA_START)]
    assert not bad, f"cells Excel would run as formulas: {bad[:5]}"
    shown = {c for row in rows for c in row}
    for f in FORMULAS:
        assert "'" + f in shown, f"{f!r} not written (escaped) at all"


def test_consolidate_csv_escapes_formula_names(tmp_path):
    from test_exchange_consolidate import _school
    from tui_app.exchange.b2p import write_b2p

    pkg = _school(tmp_path / "in", "470101", 8, 1)
    for row, name in zip(pkg.rows, FORMULAS):
        row.surname = name
    path = next((tmp_path / "in").glob("*.b2p"))
    path.write_bytes(write_b2p(pkg))
    out = tmp_path / "свод.csv"
    r = run_cli("consolidate", str(tmp_path / "in"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    _assert_text_only(_cells(out))


def test_retakes_csv_escapes_formula_names(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    people = [r.participant for r in retakes.eligible(store)]
    assert len(people) >= len(FORMULAS)
    for p, name in zip(people, FORMULAS):
        store.put(p.model_copy(update={"surname": name, "name": name}))
    out = tmp_path / "next.csv"
    retakes.write_roster_csv(store, out)
    _assert_text_only(_cells(out))
    # and our own reader takes the apostrophe off again: the names come back as they were
    back = {p.surname for p in retakes.read_roster_csv(out)}
    assert set(FORMULAS) <= back
    assert all(isinstance(p, Participant) for p in retakes.read_roster_csv(out))

"""The commands handoff, retention, retakes through the real CLI entry point."""
from __future__ import annotations


import pytest

from tui_app.cli import main
from tui_app.services import retakes
from support.sums import sha256sum_check


def _prepare(root):
    (root / "export").mkdir(exist_ok=True)
    (root / "export" / "r.b2p").write_bytes(b"<HwPackage/>")
    (root / "audio" / "101").mkdir(parents=True, exist_ok=True)
    (root / "audio" / "101" / "a.mp3").write_bytes(b"ID3" + bytes(range(256)) * 50)


def test_handoff_command(demo_results_ws, tmp_path, capsys):
    root = demo_results_ws.root
    _prepare(root)
    demo_results_ws.close()
    stick = tmp_path / "stick"
    stick.mkdir()
    # the demo's rooms have no recordings and ИС-02/ИС-03 are not printed: it asks first
    assert main(["-w", str(root), "handoff", "--to", str(stick)]) == 1
    err = capsys.readouterr().err
    assert "Нет аудиозаписей аудиторий" in err and "Передача не начата" in err
    assert not list(stick.iterdir())
    assert main(["-w", str(root), "handoff", "--to", str(stick), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Готово" in out
    folder = stick / "IS_470123_2027-02-10"
    assert sha256sum_check(folder)[0] == 0
    assert main(["-w", str(root), "handoff", "--verify", str(folder)]) == 0
    (folder / "r.b2p").write_bytes(b"<HwPackage/!")
    assert main(["-w", str(root), "handoff", "--verify", str(folder)]) == 1
    assert main(["-w", str(root), "handoff", "--to", str(tmp_path / "nope"), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "не найдена" in err and "Traceback" not in err


def test_retention_command(demo_results_ws, tmp_path, capsys):
    root = demo_results_ws.root
    _prepare(root)
    demo_results_ws.close()
    assert main(["-w", str(root), "retention", "--date", "2027-03-09"]) == 0
    out = capsys.readouterr().out
    assert "ПОРА" not in out and "до 01.03.2028" in out
    assert main(["-w", str(root), "retention", "--date", "2028-03-01", "--destroy",
                 "--member", "Петрова А. А.", "--head", "Иванова В. В."]) == 0
    out = capsys.readouterr().out
    assert "Акт:" in out and "удалены из базы" in out
    assert not (root / "audio" / "101" / "a.mp3").exists()
    assert list((root / "retention").glob("*.pdf"))
    with pytest.raises(SystemExit) as e:
        main(["-w", str(root), "retention", "--date", "bad"])
    assert e.value.code == 2 and "ГГГГ-ММ-ДД" in capsys.readouterr().err


def test_retakes_command(demo_results_ws, tmp_path, capsys):
    store = demo_results_ws.store
    absent = next(p for p in store.participants() if p.absent)
    root = demo_results_ws.root
    demo_results_ws.close()
    out_csv = tmp_path / "next.csv"
    assert main(["-w", str(root), "retakes", "--document", absent.guid, "справка № 1",
                 "--out", str(out_csv), "--new-workspace", str(tmp_path / "march")]) == 0
    out = capsys.readouterr().out
    assert "Документ внесён" in out and "10.03.2027" in out
    guids = {p.guid for p in retakes.read_roster_csv(out_csv)}
    assert absent.guid in guids
    assert main(["-w", str(root), "retakes", "--date", "2027-01-01", "--out", str(out_csv)]) == 2

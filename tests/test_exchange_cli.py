"""The exchange commands through `python -m tui_app` (a real subprocess): exit codes 0/1/2,
Russian output, never a traceback."""
from __future__ import annotations

import pytest

from support import EXCHANGE_FIXTURES as FIX
from support.cli import run_cli
from support.generate import make_results, scores_csv, write_roster
from support.workspaces import db_fingerprint
from tui_app.services.data import scheme
from tui_app.store.workspace import Workspace

N = 30


@pytest.mark.slow
def test_cli_import_check_scores_export(tmp_path):
    roster = write_roster(tmp_path, N)
    ws = tmp_path / "ws"
    p = run_cli("import", roster, ws=ws)
    assert p.returncode == 0, p.stderr
    assert f"участников в файле {N}" in p.stdout and "Добавлено: 30" in p.stdout
    p = run_cli("check", ws=ws)
    assert p.returncode == 1 and "Найдено ошибок" in p.stdout and "не указана аудитория" in p.stdout
    p = run_cli("export", ws=ws)
    assert p.returncode == 1 and "Файл не выгружен" in p.stderr and "--force" in p.stderr
    # scores from the experts
    w = Workspace.open(ws)
    people = w.store.participants()
    w.close()
    _, seated, protocols = make_results(N, seed=7)
    by = {s.guid: s for s in seated}
    csv = tmp_path / "баллы.csv"
    csv.write_bytes(scores_csv([by[x.guid] for x in people], protocols, scheme().b2p_order))
    p = run_cli("import-scores", csv, ws=ws)
    assert p.returncode == 0, p.stderr
    assert "протоколов внесено" in p.stdout
    p = run_cli("check", ws=ws)  # «22» without a chosen category blocks 19 (issue 17)
    assert p.returncode == 1 and "категория не выбрана" in p.stdout
    for x in people:
        if x.reserve == "22":  # the organizer confirms each category from the CLI
            assert run_cli("participant", x.code, "--category", by[x.guid].category,
                           ws=ws).returncode == 0
    p = run_cli("check", ws=ws)
    assert p.returncode == 0 and "ошибок нет" in p.stdout
    out = tmp_path / "usb"
    p = run_cli("export", "--out", out, ws=ws)
    assert p.returncode == 0, p.stderr
    assert "Статус 19" in p.stdout and f"Строк участников: {N}" in p.stdout
    assert (out / roster.name).is_file()


def test_cli_export_force_says_13(tmp_path):
    roster = write_roster(tmp_path, N)
    ws = tmp_path / "ws"
    run_cli("import", roster, ws=ws)
    p = run_cli("export", "--force", ws=ws)
    assert p.returncode == 0 and "статус 13" in p.stdout and "С ОШИБКАМИ" in p.stdout
    assert (ws / "export" / roster.name).is_file()


def test_cli_hostile_file_exit_1_workspace_unchanged(tmp_path):
    ws = tmp_path / "ws"
    roster = write_roster(tmp_path, N)
    assert run_cli("import", roster, ws=ws).returncode == 0
    before = db_fingerprint(ws)
    for name, words in ((FIX / "47002090-06-470123-005(xxe)-20270210.b2p", "внешняя сущность"),
                        (FIX / "47002090-06-470123-005(letter3)-20270210.b2p", "«З» не является числом")):
        p = run_cli("import", name, ws=ws)
        assert p.returncode == 1, p.stderr
        assert "Файл не загружен, рабочая папка не изменена" in p.stderr and words in p.stderr
    assert db_fingerprint(ws) == before


def test_cli_usage_errors_exit_2(tmp_path):
    ws = tmp_path / "ws"
    p = run_cli("import", tmp_path / "нет-такого.b2p", ws=ws)
    assert p.returncode == 2 and "не найден" in p.stderr
    csv = tmp_path / "r.csv"
    csv.write_text("Фамилия;Имя;Класс\nИванов;Иван;9А\n", encoding="utf-8")
    p = run_cli("import", csv, ws=ws)
    assert p.returncode == 2 and "--region" in p.stderr
    p = run_cli("import", csv, "--region", "47", "--msu", "005", "--oo", "470123", "--date", "2027-02-10",
            ws=ws)
    assert p.returncode == 0 and "Добавлено: 1" in p.stdout


def test_cli_import_of_what_is_not_a_file_says_what_it_is_and_makes_no_workspace(tmp_path):
    """A folder (or, on Linux, a pipe) given to `import` or `import-scores` is named as such —
    not «не найден» — and a mistyped name leaves no new workspace folder behind."""
    import os

    ws = tmp_path / "new-ws"
    cases = [(tmp_path, "папка, а нужен файл"), (tmp_path / "нет.b2p", "не найден")]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "канал.csv")
        cases.append((tmp_path / "канал.csv", "не обычный файл (канал, устройство или сокет)"))
    for command in ("import", "import-scores"):
        for path, words in cases:
            p = run_cli(command, path, ws=ws, timeout=60)
            assert p.returncode == 2, (command, path, p.stderr)
            assert words in p.stderr and "рабочая папка не изменена" in p.stderr, p.stderr
    assert not ws.exists()


def test_an_out_folder_that_is_a_file_is_said_in_russian(demo_results_dir, tmp_path):
    """`--out` names a file, not a folder: the export and the forms say so in Russian (not
    the OS's English «File exists»), exit 2, and write nothing; a results file's name given
    as --out is refused before anything is made (the name is the rule's)."""
    taken = tmp_path / "итоги"
    taken.write_bytes(b"not a folder")
    p = run_cli("export", "--out", taken, ws=demo_results_dir)
    assert p.returncode == 2, p.stderr
    assert "Уже есть файл с таким именем" in p.stderr and "File exists" not in p.stderr
    p = run_cli("export", "--out", tmp_path / "итоги.b2p", ws=demo_results_dir)  # a file's name
    assert p.returncode == 2 and "похоже на имя файла" in p.stderr, p.stderr
    assert not (tmp_path / "итоги.b2p").exists()
    p = run_cli("forms", "ИС-01", "--out", taken, ws=demo_results_dir)
    assert p.returncode == 2, p.stderr
    assert "— не папка" in p.stderr and "File exists" not in p.stderr
    assert taken.read_bytes() == b"not a folder"
    for command in (["forms", "ИС-01"], ["typing-sheet"], ["readiness"]):
        p = run_cli(*command, "--out", tmp_path / "список.pdf", ws=demo_results_dir)
        assert p.returncode == 2 and "похоже на имя файла" in p.stderr, (command, p.stderr)
    assert not (tmp_path / "список.pdf").exists()


def test_cli_help_is_russian(capsys):
    from tui_app.cli import main

    for cmd in ("import", "import-scores", "check", "export", "consolidate"):
        with pytest.raises(SystemExit) as ei:
            main([cmd, "--help"])
        assert ei.value.code == 0
        out = capsys.readouterr().out
        assert "Использование" in out and "параметры" in out


def test_a_refusal_counts_every_problem_and_says_how_many_are_not_listed(tmp_path):
    """A CSV with 250 bad rows: the first 100 are listed, the count is of all 250 and the
    rest are said («… и ещё 150»); a B2P whose reading stops early says the count is a
    floor. (The count once said «ошибок: 100» for a file with 40,000 bad rows.)"""
    from support import hostile
    from tui_app.exchange.b2p import write_b2p

    csv = tmp_path / "плохой.csv"
    csv.write_text("Фамилия;Имя;Класс\n" + "".join(f"Ф{i};И;\n" for i in range(250)),
                   encoding="utf-8", newline="")
    p = run_cli("import", csv, "--region", "47", "--msu", "005", "--oo", "470123",
                "--date", "2027-02-10", ws=tmp_path / "ws")
    assert p.returncode == 1, p.stderr
    lines = p.stderr.splitlines()
    assert "(ошибок: 250):" in lines[0]
    assert sum(1 for ln in lines if ln.startswith("  • ")) == 100
    assert lines[-1].strip().startswith("… и ещё 150:")
    pkg = hostile.results_pkg("many", 200)
    for r in pkg.rows:
        r.surname = "Ива\u200bнов"
    b2p = tmp_path / f"{pkg.file_name}.b2p"
    b2p.write_bytes(write_b2p(pkg))
    p = run_cli("import", b2p, ws=tmp_path / "ws2")
    assert p.returncode == 1, p.stderr
    lines = p.stderr.splitlines()
    assert "(ошибок: не меньше" in lines[0] and "проверка остановлена" in lines[0]
    assert lines[-1].strip().startswith("… и ещё не меньше")

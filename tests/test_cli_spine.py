"""The command line of the spine: Russian --help, demo, info, the workspace location."""
from support.cli import run_cli
from tui_app.cli import main
from tui_app.services.demo import generate_participants
from tui_app.store.workspace import Workspace


def test_help_is_russian(capsys):
    try:
        main(["--help"])
    except SystemExit as e:
        assert e.code == 0
    out = capsys.readouterr().out
    assert "Использование: is-shtab" in out
    assert "показать эту справку и выйти" in out
    assert "demo" in out and "info" in out
    assert "show this help" not in out and "usage:" not in out


def test_unknown_command_error_is_russian(capsys):
    try:
        main(["нет-такой"])
    except SystemExit as e:
        assert e.code == 2
    err = capsys.readouterr().err
    assert "ошибка" in err and "недопустимое значение" in err


def test_demo_then_info(tmp_path):
    root = tmp_path / "demo"
    r = run_cli("demo", "--with-results", ws=root)
    assert r.returncode == 0, r.stderr
    assert "Участников: 120, аудиторий: 4" in r.stdout
    r = run_cli("info", ws=root)
    assert r.returncode == 0, r.stderr
    assert "Дата: 10.02.2027 (основной срок); регион 47, МСУ 005, ОО 470123" in r.stdout
    assert "Участников: 120; распределено: 120" in r.stdout
    assert "[x] Загрузить список участников" in r.stdout


def test_demo_refuses_a_real_workspace(tmp_path):
    root = tmp_path / "real"
    from datetime import date

    from tui_app.domain.models import ExamDay

    with Workspace.open(root) as w:
        w.store.set_exam_day(ExamDay(date=date(2027, 2, 10), region="47", msu="005", oo="470999"))
    r = run_cli("demo", ws=root)
    assert r.returncode == 2
    assert "данные реальной школы" in r.stderr and "Traceback" not in r.stderr
    with Workspace.open(root) as w:
        assert w.store.exam_day().oo == "470999"


def test_workspace_from_environment(tmp_path):
    r = run_cli("info", env={"IS_SHTAB_WORKSPACE": str(tmp_path / "from-env")})
    assert r.returncode == 0, r.stderr
    assert f"Рабочая папка: {tmp_path / 'from-env'}" in r.stdout
    assert (tmp_path / "from-env" / "backups").is_dir()


def test_demo_roster_has_the_hard_cases():
    people = generate_participants()
    assert len(people) == 120
    assert any("ё" in p.surname or "ё" in p.name for p in people)
    assert any("-" in p.surname for p in people)
    assert any(not p.patronymic for p in people)
    assert any(p.surname == "Константинопольская-Милославская" for p in people)
    ovz = [p for p in people if p.reserve == "22"]
    assert len(ovz) == 8 and len({p.category for p in ovz}) == 8
    assert len({p.guid for p in people}) == 120
    assert len({(p.surname, p.name, p.patronymic) for p in people}) == 120
    assert {p.grade for p in people} == {"9А", "9Б", "9В", "9Г"}
    # feminine forms agree with sex
    for p in people:
        if p.sex == "Ж" and p.patronymic:
            assert p.patronymic.endswith("на"), p.fio
        if p.sex == "М" and p.patronymic:
            assert p.patronymic.endswith("ич"), p.fio
    assert generate_participants()[0] == people[0]  # deterministic

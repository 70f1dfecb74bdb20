"""Issue 17 in a real terminal (tmux), as a person would: mark a participant «дистанционно»
on the roster screen (Ctrl+D), see the connection schedule on the rooms screen and print it;
set an ОВЗ category from the command line and see it on the roster screen."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from support.tmux import Tmux

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="нет tmux")]


def _cli(root, *args):
    return subprocess.run([sys.executable, "-m", "tui_app", "-w", str(root), *args],
                          capture_output=True, text=True, cwd=str(ROOT),
                          env={"PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin"})


def _person(ws, room="101"):
    ps = [p for p in ws.store.participants() if p.room == room and not p.absent and not p.is_ovz]
    # a surname no one else in the school starts with, so typing it finds one row
    for p in ps:
        if sum(1 for q in ws.store.participants() if q.surname.startswith(p.surname)) == 1:
            return p
    return ps[0]


def _find_on_roster(t, surname: str) -> str:
    """From the main screen: F2, type the surname until one row is left; the screen."""
    t.wait_for("Что дальше", timeout=20)
    t.keys("F2")
    t.wait_for("Поиск: наберите фамилию", timeout=20)
    time.sleep(0.3)
    t.type(surname)
    return t.wait_for("показано 1 ", timeout=20)


def _back_to_main(t) -> None:
    """Esc clears the search, Esc again goes back to the main screen."""
    t.keys("Escape")
    t.wait_for("показано 120", timeout=20)
    time.sleep(0.3)
    t.keys("Escape")
    t.wait_for("Что дальше", timeout=20)


def test_mark_remote_on_screen_and_print_the_connection_schedule(demo_results_ws, tmp_path):
    root = demo_results_ws.root
    p = _person(demo_results_ws)
    demo_results_ws.close()
    t = Tmux(f"{sys.executable} -m tui_app -w {root}; echo ВЫХОД-$?", 80, 25, cwd=str(ROOT))
    try:
        _find_on_roster(t, p.surname)
        time.sleep(0.3)
        t.keys("C-d")  # Ctrl+D: «дистанционно»
        t.wait_for("· дистанционно", timeout=20)  # the details line of the participant
        _back_to_main(t)
        t.wait_for("Дистанционно: график", timeout=20)  # the checklist has the remote item
        t.keys("F3")
        screen = t.wait_for("График подключения", timeout=20)
        assert "Подкл." in screen
        time.sleep(0.3)
        t.keys("Escape")
        t.wait_for("Что дальше", timeout=20)
        time.sleep(0.3)
        t.keys("F10")
        t.wait_for("ВЫХОД-0", timeout=20)
    finally:
        t.close()
    r = _cli(root, "forms", "график", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    pdf = next(tmp_path.glob("connection-schedule_*.pdf"))
    text = " ".join(pg.extract_text() for pg in PdfReader(str(pdf)).pages)
    assert p.fio in text and "09.02.2027 15:00" in text and "за 15 мин" in text


def test_category_set_from_the_cli_is_on_the_roster_screen(demo_results_ws):
    root = demo_results_ws.root
    p = _person(demo_results_ws)
    demo_results_ws.close()
    r = _cli(root, "participant", p.code, "--category", "zpr", "--basis", "ПМПК",
             "--basis-number", "15/2", "--basis-date", "10.12.2026")
    assert r.returncode == 0, r.stderr
    assert "ЗПР" in r.stdout
    t = Tmux(f"{sys.executable} -m tui_app -w {root}; echo ВЫХОД-$?", 80, 25, cwd=str(ROOT))
    try:
        screen = _find_on_roster(t, p.surname)
        row = next(line for line in screen.splitlines() if p.surname in line and "Поиск" not in line)
        assert "ЗПР" in row and p.grade in row  # the category chosen from the command line
        _back_to_main(t)
        time.sleep(0.3)
        t.keys("F10")
        t.wait_for("ВЫХОД-0", timeout=20)
    finally:
        t.close()

"""Printing from the keyboard (issue 20) against a real CUPS queue that prints to a file: the
CLI (`forms --print --copies`, `print`, `printer`) and F4 on the forms screen; and every way
there is no printer (no scheduler, no default destination, no CUPS at all)."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from support import cups as cupslib
from support.cli import run_cli
from support.pilot import settle, text_of, wait_until
from tui_app.services import printing

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not cupslib.available(), reason="нужны cupsd, lp и cups-filters (root)")]


def pages(data: bytes) -> list[str]:
    return [pg.extract_text() for pg in PdfReader(io.BytesIO(data)).pages]


def test_cli_prints_two_copies_to_the_queue(demo_results_dir):
    with cupslib.cups() as c:
        r = run_cli("forms", "ИС-02", "--room", "101", "--print", "--copies", "2",
                    ws=demo_results_dir, env=c.env)
        assert r.returncode == 0, r.stderr
        assert "PDF сохранён" in r.stdout
        assert "Напечатан: IS-02_470123_20270210_room101.pdf — отправлено на принтер «pdfq», копий: 2 (задание pdfq-" in r.stdout
        got = pages(c.printed())
        src = pages((demo_results_dir / "forms" / "IS-02_470123_20270210_room101.pdf").read_bytes())
        assert len(got) == 2 * len(src)  # two copies as the printer gets them
        assert "ИС-02" in got[0] and got[0] == src[0]
        c.fresh()
        r = run_cli("printer", env=c.env)
        assert r.returncode == 0 and "Принтер по умолчанию: pdfq (готов)" in r.stdout
        r = run_cli("print", "forms/IS-02_470123_20270210_room101.pdf", ws=demo_results_dir, env=c.env)
        assert r.returncode == 0 and "копий: 1" in r.stdout
        assert len(pages(c.printed())) == len(src)
        r = run_cli("print", "forms/IS-02_470123_20270210_room101.pdf", "--copies", "0",
                    ws=demo_results_dir, env=c.env)
        assert r.returncode == 2 and "от 1 до 50" in r.stderr


def test_no_printer_is_said_and_nothing_is_called_printed(demo_results_dir, tmp_path):
    gone = {"CUPS_SERVER": str(tmp_path / "nobody.sock")}
    r = run_cli("forms", "ИС-01", "--print", ws=demo_results_dir, env=gone)
    assert r.returncode == 2
    assert "Служба печати не отвечает" in r.stderr and "Напечатан" not in r.stdout
    assert "PDF сохранён" in r.stdout  # the PDF is there all the same
    with cupslib.cups(queue=False) as c:  # a scheduler without any printer
        r = run_cli("printer", env=c.env)
        assert r.returncode == 1 and "Принтер по умолчанию не задан" in r.stdout
        r = run_cli("forms", "ИС-01", "--print", ws=demo_results_dir, env=c.env)
        assert r.returncode == 2 and "Принтер по умолчанию не задан" in r.stderr
    r = run_cli("printer", env={"PATH": "/nonexistent"})
    assert r.returncode == 1 and "не найдена программа lp" in r.stdout


async def test_forms_screen_prints_with_f4(demo_results_ws, monkeypatch):
    from tui_app.app import ShtabApp

    with cupslib.cups() as c:
        monkeypatch.setenv("CUPS_SERVER", c.env["CUPS_SERVER"])
        app = ShtabApp(demo_results_ws)
        async with app.run_test(size=(80, 25)) as pilot:
            app.open_screen("forms")
            await settle(pilot)
            await pilot.press("f4")  # nothing built yet
            assert "сначала создайте PDF" in text_of(app, "#forms-status")
            await pilot.press("f5")
            await wait_until(pilot, lambda: "PDF сохранён" in text_of(app, "#forms-status"))
            await pilot.press("f4")
            await wait_until(pilot, lambda: app.screen.__class__.__name__ == "PrintDialog")
            assert "pdfq" in text_of(app, "#print-printer")
            await pilot.press("3", "enter")
            await wait_until(pilot, lambda: "Напечатан" in text_of(app, "#forms-status"))
            assert "копий: 3" in text_of(app, "#forms-status")
        src = pages(sorted((demo_results_ws.root / "forms").glob("IS-01_*.pdf"))[0].read_bytes())
        assert len(pages(c.printed())) == 3 * len(src)


def test_windows_command_is_the_print_verb_or_sumatra():
    assert printing.windows_command(r"C:\f.pdf", 2) == 'os.startfile(r"C:\\f.pdf", "print")  × 2'
    assert "-print-settings \"2x\"" in printing.windows_command(r"C:\f.pdf", 2, r"C:\S\SumatraPDF.exe")

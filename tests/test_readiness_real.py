"""`is-shtab readiness` against the real parts (issue 20): PortAudio reading ALSA's file plugin
as the microphone (and a HOME with no sound device), a private cupsd whose queue prints to a
file (and one with no printer), a real small disk (tmpfs) nearly full; the protocol PDF read
back as text and as the printer got it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT
from support import cups as cupslib
from support.audio import SR, alsa_home
from support.cli import run_cli
from test_readiness import pdf_text

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not shutil.which("espeak-ng") or not shutil.which("sox"),
                                 reason="espeak-ng/sox")]


def speech(folder: Path):
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    esp = subprocess.run(["espeak-ng", "-v", "ru", "--stdout",
                          "Иванов Иван Иванович, вариант номер три. Задание первое: чтение текста."],
                         capture_output=True, check=True)
    raw = folder / "speech.raw"
    subprocess.run(["sox", "-", "-t", "raw", "-r", str(SR), "-c", "1", "-e", "signed", "-b", "16",
                    str(raw)], input=esp.stdout, check=True, capture_output=True)
    return np.fromfile(raw, "<i2")


def env(home: Path, extra: dict | None = None) -> dict:
    return {"HOME": str(home), "PYTHONPATH": str(ROOT), "TZ": "Europe/Moscow", **(extra or {})}


@pytest.mark.skipif(not cupslib.available(), reason="нужны cupsd, lp и cups-filters (root)")
def test_readiness_cli_with_a_real_microphone_and_printer(tmp_path, demo_results_dir):
    x = speech(tmp_path / "gen")
    home = alsa_home(tmp_path / "home", x)
    for room in ("101", "102", "201", "202"):  # the test recording of every room, as on F7
        r = run_cli("audio-test", "--room", room, "--seconds", f"{len(x) / SR:.3f}",
                    ws=demo_results_dir, env=env(home))
        assert r.returncode == 0, r.stdout + r.stderr
    stick = tmp_path / "stick"
    stick.mkdir()
    with cupslib.cups() as c:
        r = run_cli("readiness", "--stick", str(stick), "--print", ws=demo_results_dir,
                    env=env(home, c.env))
        assert r.returncode == 0, r.stdout + r.stderr
        out = r.stdout
        assert "Компьютер готов" in out and "НЕ ГОТОВО" not in out
        assert "[готово] Микрофон: на этом компьютере — устройств записи:" in out
        assert "[готово] Микрофон: аудитория 202 — проверочная запись" in out and "«хорошо»" in out
        assert "[готово] Принтер: по умолчанию — Принтер по умолчанию: pdfq (готов)." in out
        assert "[готово] Флешка: " in out and "UTC+3 — часовой пояс России" in out
        (pdf,) = (demo_results_dir / "forms").glob("READY_470123_*.pdf")
        assert f"PDF сохранён: {pdf}" in out
        assert "отправлено на принтер «pdfq», копий: 1" in out
        printed = c.printed()
        assert printed.startswith(b"%PDF-")
        text = pdf_text(pdf)
        assert "Протокол технической готовности" in text and "Заключение: Компьютер готов" in text
        assert "Принтер: по умолчанию готово" in text and "Микрофон: аудитория 101 готово" in text

        # the same PC without a microphone
        bare = tmp_path / "bare"  # no .asoundrc: this machine has no sound card
        bare.mkdir()
        r = run_cli("readiness", "--stick", str(stick), "--no-pdf", ws=demo_results_dir,
                    env=env(bare, c.env))
        assert r.returncode == 1
        assert "[НЕ ГОТОВО] Микрофон: на этом компьютере — Нет устройства записи" in r.stdout
        assert "Компьютер НЕ готов: не пройдено 1 из" in r.stdout
    with cupslib.cups(queue=False) as c:  # CUPS running, no printer set up
        r = run_cli("readiness", "--stick", str(stick), ws=demo_results_dir, env=env(home, c.env))
        assert r.returncode == 1
        assert "[НЕ ГОТОВО] Принтер: по умолчанию — Принтер по умолчанию не задан" in r.stdout
        newest = max((demo_results_dir / "forms").glob("READY_*.pdf"), key=os.path.getmtime)
        assert "Принтер: по умолчанию НЕ ГОТОВО Принтер по умолчанию не задан" in pdf_text(newest)


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                    reason="mounts a tmpfs (root, Linux)")
def test_readiness_on_a_nearly_full_disk(tmp_path, _demo_template):
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], check=True)
    try:
        ws = Path(shutil.copytree(_demo_template[1], disk / "ws", ignore=shutil.ignore_patterns(".lock")))
        free = shutil.disk_usage(disk).free
        with open(disk / "filler.bin", "wb") as f:  # leave 100 KB: no room for a minute of audio
            f.write(b"\0" * (free - 100 * 1024))
            f.flush()
            os.fsync(f.fileno())
        out = tmp_path / "out"
        r = run_cli("readiness", "--stick", str(tmp_path), "--out", str(out), ws=ws,
                    env=env(tmp_path / "bare"))
        assert r.returncode == 1, r.stdout + r.stderr
        for room in ("101", "102", "201", "202"):
            assert f"[НЕ ГОТОВО] Диск: аудитория {room} — ≈ 0,0 ч записи MP3 на аудиторию" in r.stdout
        assert "освободите место на диске" in r.stdout
        (pdf,) = out.glob("READY_*.pdf")  # saved elsewhere: the stick, say
        assert "Диск: аудитория 101 НЕ ГОТОВО" in pdf_text(pdf)
        # the protocol cannot go onto the full disk itself: said, the checks shown all the same
        r = run_cli("readiness", "--stick", str(tmp_path), ws=ws, env=env(tmp_path / "bare"))
        assert r.returncode == 2
        assert "[НЕ ГОТОВО] Диск: аудитория 101" in r.stdout
        assert "На диске недостаточно места для протокола технической готовности" in r.stderr
        assert not list((ws / "forms").glob("READY_*"))
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)

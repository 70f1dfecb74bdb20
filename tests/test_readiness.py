"""The readiness check the day before (issue 20): every check passes on a PC that is ready,
and each one fails when its own condition fails — no microphone (and a room whose test
recording was «слишком тихо»), a wrong clock (reset to 2015, after the exam, set back), a
full disk (a stub of the free space here; a real tmpfs in test_readiness_real.py), no
printer (a CUPS socket nobody listens on), a damaged database, no backup, a stick that is
not there; the «протокол технической готовности» PDF read back as text; the screen at 80×25.
"""
from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from support.pilot import open_from_menu, settle, text_of, wait_until
from tui_app.audio.devices import AudioUnavailable, InputDevice, NO_INPUT
from tui_app.services import audio as audio_svc
from tui_app.services import readiness as rd
from tui_app.services.printing import Printer

MSK = timezone(timedelta(hours=3))
MIC = InputDevice(0, "USB Microphone", "ALSA", 1, 16000.0, True)
PRINTER = Printer("pdfq", True, "Принтер по умолчанию: pdfq (готов).")


def pdf_text(path) -> str:
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                             capture_output=True, check=True).stdout.decode("utf-8")
    else:  # pragma: no cover - poppler is in CI
        from pypdf import PdfReader

        out = "\n".join(pg.extract_text() for pg in PdfReader(str(path)).pages)
    return " ".join(out.split())


def day_before(store) -> datetime:
    return datetime.combine(store.exam_day().date - timedelta(days=1), datetime.min.time(),
                            tzinfo=MSK).replace(hour=15)


def good_mics(store) -> None:
    at = "2027-02-09T14:00:00"
    store.update_settings(audio_tests={r.number: {"verdict": "good", "at": at, "device": MIC.name}
                                       for r in store.rooms()})


def check(store, tmp_path, **kw):
    stick = tmp_path / "stick"
    stick.mkdir(exist_ok=True)
    args = dict(stick=stick, now=day_before(store), devices=lambda: [MIC], printer=lambda: PRINTER)
    args.update(kw)
    return rd.run_checks(store, **args)


def states(r, group: str) -> set[str]:
    return {c.state for c in r.group(group)}


@pytest.fixture
def ready(demo_results_ws):
    """The demo school the day before at 15:00 (Moscow): every room's test recording good;
    the files written an hour earlier, as they would be on that day."""
    import os

    store = demo_results_ws.store
    good_mics(store)
    then = (day_before(store) - timedelta(hours=1)).timestamp()
    for f in [*store.root.glob("is-shtab.json*"), *(store.root / "backups").glob("*")]:
        os.utime(f, (then, then))
    return store


def test_a_ready_pc_passes_every_check_and_the_protocol_says_so(ready, tmp_path):
    r = check(ready, tmp_path)
    assert [c.line for c in r.checks if c.state != rd.OK] == []
    assert r.ready and r.summary.startswith("Компьютер готов")
    groups = [c.group for c in r.checks]
    for g in ("Диск", "Микрофон", "Принтер", "Шрифты", "Часы", "Рабочая папка", "Флешка", "Программа"):
        assert g in groups
    assert len(r.group("Диск")) == len(ready.rooms())  # hours of recording per room
    assert not list((tmp_path / "stick").iterdir())  # the probe file is gone
    path = rd.save_pdf(ready, r)
    assert path.parent == ready.root / "forms" and path.name == "READY_470123_20270209_1500.pdf"
    text = pdf_text(path)
    assert "Протокол технической готовности" in text
    assert "Дата собеседования: 10.02.2027" in text and "Проверено: 09.02.2027 15:00" in text
    assert "Диск: аудитория 101 готово" in text and "Принтер: по умолчанию готово" in text
    assert "собеседование 10.02.2027 — завтра" in text and "UTC+3 — часовой пояс России" in text
    assert "Заключение: Компьютер готов: проверок" in text and "НЕ ГОТОВО" not in text
    assert "Технический специалист" in text and "Руководитель ОО" in text


def test_no_microphone_and_a_quiet_room_fail(ready, tmp_path):
    def none():
        raise AudioUnavailable(NO_INPUT)

    tests = dict(ready.settings().audio_tests)
    tests["102"] = {"verdict": "quiet", "at": "2027-02-09T14:10:00", "device": MIC.name}
    tests.pop("201")
    ready.update_settings(audio_tests=tests)
    r = check(ready, tmp_path, devices=none)
    mic = {c.what: c for c in r.group("Микрофон")}
    assert mic["на этом компьютере"].state == rd.FAIL and "Нет устройства записи" in mic["на этом компьютере"].detail
    assert mic["аудитория 101"].state == rd.OK
    assert mic["аудитория 102"].state == rd.FAIL and "«слишком тихо»" in mic["аудитория 102"].detail
    assert "поднесите микрофон ближе" in mic["аудитория 102"].detail
    assert mic["аудитория 201"].state == rd.FAIL and "проверочная запись не сделана" in mic["аудитория 201"].detail
    assert not r.ready and "не пройдено 3 из" in r.summary
    text = pdf_text(rd.save_pdf(ready, r))
    assert "Микрофон: на этом компьютере НЕ ГОТОВО Нет устройства записи" in text
    assert "Компьютер НЕ готов" in text


@pytest.mark.parametrize("now, said", [
    (datetime(2015, 1, 1, 0, 3, tzinfo=MSK), "01.01.2015 00:03 — дата явно неверна (сбились часы)"),
    (datetime(2027, 2, 11, 9, 0, tzinfo=MSK), "позже даты собеседования 10.02.2027"),
])
def test_a_wrong_clock_fails(ready, tmp_path, now, said):
    r = check(ready, tmp_path, now=now)
    (date_check,) = [c for c in r.group("Часы") if c.what == "дата"]
    assert date_check.state == rd.FAIL and said in date_check.detail
    assert "ИС-02" in date_check.detail or "дату на компьютере" in date_check.detail
    assert not r.ready


def test_a_clock_set_back_behind_the_database_fails(ready, tmp_path):
    """The database was written a minute ago; a clock two hours behind that is wrong even
    though its date looks plausible."""
    now = datetime.now().astimezone(MSK) - timedelta(hours=2)
    r = check(ready, tmp_path, now=now)
    (date_check,) = [c for c in r.group("Часы") if c.what == "дата"]
    assert date_check.state == rd.FAIL and "часы отстали или переведены назад" in date_check.detail


def test_a_zone_outside_russia_is_a_warning(ready, tmp_path):
    r = check(ready, tmp_path, now=day_before(ready).astimezone(timezone.utc))
    (zone,) = [c for c in r.group("Часы") if c.what == "часовой пояс"]
    assert zone.state == rd.WARN and "UTC+0" in zone.detail
    assert r.ready  # a warning does not make the PC not ready


def test_a_full_disk_fails_per_room(ready, tmp_path, monkeypatch):
    """A stub of the free space the audio folder's disk reports (the real small disk: tmpfs
    in test_readiness_real.py): 60 MB is ≈ 4 h of MP3, an hour per room of four."""
    monkeypatch.setattr(audio_svc, "free_bytes", lambda path: 60 * 1024 * 1024)
    r = check(ready, tmp_path)
    disk = r.group("Диск")
    assert {c.state for c in disk} == {rd.FAIL}
    assert "свободно 60 МБ на 4 ауд." in disk[0].detail and "освободите место" in disk[0].detail
    monkeypatch.setattr(audio_svc, "free_bytes", lambda path: 4000 * 1024 * 1024)
    assert states(check(ready, tmp_path), "Диск") == {rd.OK}


def test_no_printer_fails(ready, tmp_path, monkeypatch):
    """The real `lpstat` against a CUPS socket nobody listens on (a PC with CUPS stopped)."""
    if shutil.which("lpstat") is None:
        pytest.skip("нет CUPS (lpstat)")
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "nobody.sock"))
    r = check(ready, tmp_path, printer=None)
    (pr,) = r.group("Принтер")
    assert pr.state == rd.FAIL and "Служба печати не отвечает" in pr.detail
    assert "Принтер: по умолчанию НЕ ГОТОВО Служба печати не отвечает" in pdf_text(rd.save_pdf(ready, r))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    (pr,) = check(ready, tmp_path, printer=None).group("Принтер")
    assert pr.state == rd.FAIL and "не найдена программа lp" in pr.detail


def test_a_damaged_database_and_no_backup_fail(ready, tmp_path):
    from tui_app.store.workspace import DB_NAME

    r = check(ready, tmp_path)
    assert states(r, "Рабочая папка") == {rd.OK}
    for snap in (ready.root / "backups").glob("is-shtab-*.json"):
        snap.unlink()
    base = ready.root / DB_NAME
    raw = bytearray(base.read_bytes())
    raw[len(raw) // 2] ^= 0x20  # one bit flipped by a failing disk or another program
    base.write_bytes(bytes(raw))
    ws = {c.what: c for c in check(ready, tmp_path).group("Рабочая папка")}
    assert ws["база"].state == rd.FAIL and "контрольная сумма не совпадает" in ws["база"].detail
    assert ws["резервная копия"].state == rd.FAIL and "копий базы нет" in ws["резервная копия"].detail


def test_a_stick_that_is_not_there_fails(ready, tmp_path, monkeypatch):
    from tui_app.services import drives

    (st,) = check(ready, tmp_path, stick=tmp_path / "gone").group("Флешка")
    assert st.state == rd.FAIL and "не записывается" in st.detail
    monkeypatch.setattr(drives, "removable_drives", lambda: [])
    (st,) = check(ready, tmp_path, stick=None).group("Флешка")
    assert st.state == rd.FAIL and "флешка не найдена" in st.detail


def test_fonts_missing_fail(ready, tmp_path, monkeypatch):
    from tui_app.forms import kit

    monkeypatch.setattr(kit, "font_path", lambda style="": str(tmp_path / "nofont.ttf"))
    (f,) = check(ready, tmp_path).group("Шрифты")
    assert f.state == rd.FAIL and "повреждён" in f.detail


async def test_screen_lists_the_checks_saves_and_rechecks(demo_results_ws, ready, tmp_path, monkeypatch):
    from tui_app.app import ShtabApp
    from tui_app.services import drives

    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setattr(drives, "removable_drives", lambda: [drives.Drive(stick, "FLASH")])
    monkeypatch.setattr(audio_svc, "list_devices", lambda: [MIC])
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "nobody.sock"))  # no printer
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await open_from_menu(pilot, app, "readiness")
        await wait_until(pilot, lambda: "Компьютер" in text_of(app, "#ready-info"))
        info = text_of(app, "#ready-info")
        assert "Компьютер НЕ готов" in info  # the printer; and the clock is not the day before
        lines = [str(o.prompt) for o in app.screen.query_one("#ready-list").options]
        assert any("[НЕ ГОТОВО] Принтер" in ln and "Служба печати не отвечает" in ln for ln in lines)
        assert any("[готово] Микрофон: на этом компьютере" in ln for ln in lines)
        assert any("[готово] Флешка" in ln for ln in lines)
        await pilot.press("f5")
        await wait_until(pilot, lambda: "PDF сохранён" in text_of(app, "#ready-status"))
        (pdf,) = (ready.root / "forms").glob("READY_*.pdf")
        assert "Принтер: по умолчанию НЕ ГОТОВО" in pdf_text(pdf)
        await pilot.press("f4")  # no printer: said, nothing sent
        await wait_until(pilot, lambda: "не напечатан" in text_of(app, "#ready-status"))
        assert "Служба печати не отвечает" in text_of(app, "#ready-status")
        monkeypatch.setattr(audio_svc, "list_devices", lambda: (_ for _ in ()).throw(AudioUnavailable(NO_INPUT)))
        await pilot.press("f3")
        await wait_until(pilot, lambda: any("[НЕ ГОТОВО] Микрофон: на этом компьютере" in str(o.prompt)
                                            for o in app.screen.query_one("#ready-list").options))
        await settle(pilot)
    assert ready.settings().readiness_last["ready"] is False


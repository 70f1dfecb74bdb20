"""The guide's screenshots are made by the program itself (scripts/screenshots.py)."""
from __future__ import annotations

import importlib.util

import pytest

from support import ROOT


@pytest.mark.slow
def test_screenshots_are_made_from_the_running_app(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    from tui_app.services import drives, retention

    # the script pins these for stable pictures; keep the rest of the session unaffected
    monkeypatch.setattr(retention, "today", retention.today)
    monkeypatch.setattr(drives, "removable_drives", drives.removable_drives)
    shots = mod.make_screenshots(tmp_path / "img", work=tmp_path / "work")
    names = [p.name for p in shots]
    assert names == ["main.svg", "exchange.svg", "roster.svg", "rooms.svg", "forms.svg",
                     "audio.svg", "room_log.svg", "entry.svg", "form04.svg", "checks.svg",
                     "stats.svg", "handoff.svg", "handoff-done.svg", "main-after-handoff.svg",
                     "retakes.svg", "retention.svg", "print.svg", "listening.svg",
                     "double-entry-halt.svg", "readiness.svg"]
    svg = {p.stem: p.read_text(encoding="utf-8").replace("&#160;", " ") for p in shots}
    assert all(s.startswith("<svg") for s in svg.values())
    assert "Что дальше" in svg["main"] and "Загрузить список" in svg["main"]
    # each section screenshot shows its own screen, not the main screen again
    assert "Ауд. 101" in svg["entry"] and "№, фамилия или код" in svg["entry"]
    assert "Микрофон" in svg["audio"] and "Расписание" in svg["rooms"]
    assert "Что дальше" not in svg["stats"] + svg["checks"] + svg["form04"] + svg["roster"]
    assert "IS_470123_2027-02-10" in svg["handoff"] and "FLASH" in svg["handoff"]
    assert "Готово: файлов 8" in svg["handoff-done"]
    assert "Допущены:" in svg["retakes"] and "требуют решения: 3" in svg["retakes"]  # the demo has its ИС-08 (issue 17)
    assert "01.03.2028" in svg["retention"]
    assert "Копий:" in svg["print"] and "HP_LaserJet" in svg["print"]
    assert "Прослушивание" in svg["listening"] and "Расхождение с первым вводом" in svg["double-entry-halt"]
    assert "Проверка технической готовности" in svg["readiness"] and "Диск: аудитория 101" in svg["readiness"]
    # the guide refers to every picture the script makes
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    for n in names:
        assert f"img/{n}" in guide

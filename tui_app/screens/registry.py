"""The screens the main menu offers, with their function keys.

A screen module is imported only when opened, so start-up stays fast.
Keys F2–F9 are reserved here so every screen keeps the same key for years:
F2 участники · F3 аудитории · F4 протоколы · F5 ИС-04 · F6 бланки и акты · F7 аудио ·
F8 проверка и выгрузка · F9 передача в МСУ. Entries without a key are reached from the menu.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class ScreenEntry:
    id: str
    title: str
    module: str  # e.g. "tui_app.screens.roster"
    cls: str
    key: Optional[str] = None  # "f2" … "f9"
    hint: str = ""

    def load(self):
        return getattr(importlib.import_module(self.module), self.cls)


# Order = order in the main menu. Each issue adds its screens here.
MENU: list[ScreenEntry] = [
    # -- results entry (issue 6) --
    ScreenEntry("entry", "Протоколы ИС-03: ввод баллов", "tui_app.screens.entry", "EntryScreen",
                "f4", "ввод протоколов стопкой по аудитории"),
    ScreenEntry("form04", "Форма ИС-04: все протоколы", "tui_app.screens.form04", "Form04Screen",
                "f5", "специализированная форма целиком"),
    ScreenEntry("checks", "Проверка перед выгрузкой", "tui_app.screens.checks", "ChecksScreen",
                "f8", "список ошибок с переходом к месту исправления"),
    ScreenEntry("room_log", "Ведомость ИС-02: время и отметки", "tui_app.screens.room_log",
                "RoomLogScreen", None, "время начала и завершения по аудиториям"),
    ScreenEntry("double_entry", "Двойной ввод и сверка", "tui_app.screens.double_entry",
                "DoubleEntryScreen", None, "второй ввод вслепую и расхождения"),
    ScreenEntry("stats", "Статистика результатов", "tui_app.screens.stats", "StatsScreen",
                None, "зачёт/незачёт, средние по критериям, распределение"),
]


def entry(screen_id: str) -> Optional[ScreenEntry]:
    return next((e for e in MENU if e.id == screen_id), None)

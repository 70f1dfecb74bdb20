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


# Order = order in the main menu: the exam day from the roster to the handoff and after.
# Titles fit a 36-column menu at 80×25; `hint` is shown below the menu for the selected entry.
MENU: list[ScreenEntry] = [
    ScreenEntry("exchange", "Загрузить список, выгрузить B2P", "tui_app.screens.exchange",
                "ExchangeScreen", None, "загрузить список B2P/CSV, выгрузить результаты"),
    ScreenEntry("roster", "Участники, неявка «Н»", "tui_app.screens.roster", "RosterScreen", "f2",
                "поиск по фамилии, ОВЗ, добавить участника, отметка «Н»"),
    ScreenEntry("rooms", "Аудитории, распределение", "tui_app.screens.rooms", "RoomsScreen", "f3",
                "аудитории, автоматическое распределение, расписание аудитории"),
    ScreenEntry("staff", "Сотрудники", "tui_app.screens.staff", "StaffScreen", None,
                "собеседники, эксперты, организаторы и их аудитории"),
    ScreenEntry("forms", "Бланки и акты (PDF)", "tui_app.screens.forms", "FormsScreen", "f6",
                "ИС-01, ИС-02, ИС-03, ИС-04, ИС-08, ИС-09, заявление"),
    ScreenEntry("audio", "Аудиозапись", "tui_app.screens.audio", "AudioScreen", "f7",
                "микрофон, проверочная запись, потоковая и персональная запись, фрагменты"),
    ScreenEntry("room_log", "Ведомость ИС-02", "tui_app.screens.room_log", "RoomLogScreen", None,
                "время начала и завершения по аудиториям"),
    ScreenEntry("acts", "Акты ИС-08 / ИС-09", "tui_app.screens.acts", "ActsScreen", None,
                "досрочное завершение, удаление участника"),
    ScreenEntry("entry", "Протоколы ИС-03", "tui_app.screens.entry", "EntryScreen", "f4",
                "ввод протоколов стопкой по аудитории"),
    ScreenEntry("form04", "Форма ИС-04", "tui_app.screens.form04", "Form04Screen", "f5",
                "специализированная форма целиком"),
    ScreenEntry("double_entry", "Двойной ввод и сверка", "tui_app.screens.double_entry",
                "DoubleEntryScreen", None, "второй ввод вслепую и расхождения"),
    ScreenEntry("listening", "Прослушивание, перепроверка", "tui_app.screens.listening",
                "ListeningScreen", None,
                "вторая схема: эксперт слушает ответ и ставит баллы; F8 — повторная проверка"),
    ScreenEntry("checks", "Проверка перед выгрузкой", "tui_app.screens.checks", "ChecksScreen",
                "f8", "список ошибок с переходом к месту исправления"),
    ScreenEntry("stats", "Статистика", "tui_app.screens.stats", "StatsScreen", None,
                "зачёт/незачёт, средние по критериям, распределение баллов"),
    ScreenEntry("handoff", "Передача в МСУ (флешка)", "tui_app.screens.handoff", "HandoffScreen",
                "f9", "B2P, аудио и бланки на флешку с проверкой контрольных сумм"),
    ScreenEntry("retakes", "Пересдачи", "tui_app.screens.retakes", "RetakesScreen", None,
                "кто допущен к дополнительному сроку, список на следующую дату"),
    ScreenEntry("retention", "Хранение и уничтожение", "tui_app.screens.retention",
                "RetentionScreen", None, "сроки хранения материалов, акт об уничтожении"),
    ScreenEntry("readiness", "Проверка готовности (накануне)", "tui_app.screens.readiness",
                "ReadinessScreen", None,
                "диск, микрофоны, принтер, часы, база, флешка; протокол технической готовности"),
]


def entry(screen_id: str) -> Optional[ScreenEntry]:
    return next((e for e in MENU if e.id == screen_id), None)

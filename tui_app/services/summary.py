"""The exam day at a glance: counts and the checklist of what comes next (SPEC §2)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..domain.models import Attendance, ExamDay, Participant, Protocol, ProtocolStatus, is_ovz
from ..store.workspace import Store
from .data import scheme_for
from .stats import GroupStats, count


@dataclass
class DaySummary:
    day: Optional[ExamDay]
    total: int = 0
    distributed: int = 0
    absent: int = 0
    present: int = 0
    ovz: int = 0
    rooms: int = 0
    protocols: int = 0
    passed: int = 0
    failed: int = 0
    early: int = 0
    removed: int = 0
    checklist: list[tuple[bool, str]] = field(default_factory=list)
    reminders: list[str] = field(default_factory=list)  # retention: what is due to destroy
    deadlines: list = field(default_factory=list)  # domain.calendar.Deadline, date order
    date_question: Optional[str] = None  # the exam date is not one of the year's dates


def audio_tests_done(store: Store) -> tuple[int, int]:
    """(rooms whose last test recording was judged «хорошо», rooms)."""
    tests = store.settings().audio_tests or {}
    numbers = [r.number for r in store.rooms()]
    good = sum(1 for n in numbers if (tests.get(n) or {}).get("verdict") == "good")
    return good, len(numbers)


def _defaults(model: type, *names: str) -> list:
    """The model's defaults of `names`: a stored document older than a field lacks it."""
    return [model.model_fields[n].get_default(call_default_factory=True) for n in names]


def summarize(store: Store) -> DaySummary:
    """Counted from the stored documents, not from models: the main screen is the first thing
    a start shows, and validating 36,000 participants took longer than the rest of it."""
    day = store.exam_day()
    status_of = {m.value: m for m in ProtocolStatus}
    attendance_of = {m.value: m for m in Attendance}
    d_status, d_scores = _defaults(Protocol, "status", "scores")
    protocols = {d["participant"]: (status_of[d.get("status", d_status)], d.get("scores", d_scores))
                 for d in store.documents(Protocol)}
    sch = scheme_for(store)
    s = DaySummary(day=day)
    s.rooms = len(store.rooms())
    outcomes = GroupStats("Всего")  # the same counting as the statistics screen
    d_room, d_attendance, d_reserve, d_category = _defaults(
        Participant, "room", "attendance", "reserve", "category")
    no_protocol = (None, None)
    for d in store.documents(Participant):
        get = d.get
        attendance = attendance_of[get("attendance", d_attendance)]
        category = get("category", d_category)
        status, scores = protocols.get(d["guid"], no_protocol)
        count(outcomes, sch, attendance, category, status, scores)
        s.total += 1
        s.distributed += bool(get("room", d_room))
        s.present += attendance is Attendance.PRESENT
        s.ovz += is_ovz(get("reserve", d_reserve), category)
        s.protocols += status is not None
    s.absent = outcomes.absent
    s.passed, s.failed = outcomes.passed, outcomes.failed
    s.early, s.removed = outcomes.early, outcomes.removed
    attendees = s.total - s.absent
    good, rooms = audio_tests_done(store)
    if rooms:
        audio_check = (good == rooms, f"Тестовая аудиозапись в каждой аудитории ({good} из {rooms})")
    else:  # no rooms yet: a check made without a room counts
        audio_check = (bool(store.settings().audio_test_ok), "Тестовая аудиозапись в каждой аудитории")
    from .calendar import exam_date_question, store_deadlines

    s.deadlines = store_deadlines(store)
    s.date_question = exam_date_question(day.date, day.region) if day else None
    due = {d.key: d for d in s.deadlines}

    def by(key: str) -> str:  # « (до 12.02)» from the production calendar and the region
        d = due.get(key)
        return f" — до {d.due:%d.%m}{' ' + d.until if d.until else ''}" if d else ""

    s.checklist = [
        (s.total > 0, "Загрузить список участников (B2P, CSV)" + by("software")),
        (s.total > 0 and store.settings().roster_reviewed, "Проверить список, в т. ч. участников с ОВЗ (Резерв = 22)"),
        (s.rooms > 0, "Завести аудитории, собеседников и экспертов"),
        (s.total > 0 and s.distributed == s.total, "Распределить участников по аудиториям (ИС-01)"),
        (bool(store.settings().forms_printed), "Напечатать ИС-01, ИС-02, ИС-03, ИС-08, ИС-09"),
        audio_check,
        (s.absent > 0 or s.present > 0, "Отметить неявившихся «Н»"),
        (attendees > 0 and s.protocols >= attendees and s.present + s.absent == s.total, "Внести все протоколы ИС-03 в ИС-04" + by("entry")),
        (bool(store.settings().export_done), "Проверить и выгрузить B2P" + by("entry")),
        (bool(store.settings().handoff_done), "Передать файлы в МСУ" + by("handoff")),
    ]
    from .scans import checklist_item

    scans_item = checklist_item(store)
    if scans_item is not None:  # the region wants the signed ИС-02/ИС-03 scanned (seed 004)
        s.checklist.insert(len(s.checklist) - 1, scans_item)
    if "remote_schedule" in due:  # the remote form (seed 002): the schedule 3 days before
        s.checklist.insert(4, ("график" in store.settings().forms_printed_codes,
                               "Дистанционно: график подключения" + by("remote_schedule")))
    from .retention import due_reminders

    s.reminders = due_reminders(store)
    return s

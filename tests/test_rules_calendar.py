"""Dates and deadlines from the production calendar and the region's data (issue 17)."""
from datetime import date

from tui_app.domain.calendar import WorkCalendar, nth_weekday
from tui_app.services.calendar import (calendar_around, day_deadlines, exam_date_question,
                                       next_additional, region_rules, year_dates)


def _by_key(dls):
    return {d.key: d for d in dls}


def test_the_2027_production_calendar_has_the_transfers():
    cal = calendar_around(date(2027, 2, 1))
    assert cal.is_working(date(2027, 2, 20))  # Saturday made working (transfer)
    assert not cal.is_working(date(2027, 2, 22))  # Monday made a day off
    assert not cal.is_working(date(2027, 5, 3)) and not cal.is_working(date(2027, 5, 10))


def test_deadlines_for_a_2027_date_use_the_holiday_transfers():
    # 17.02.2027 (Wed): 18, 19, 20 (working Saturday) are the three working days; 22 and 23 off
    d = _by_key(day_deadlines(date(2027, 2, 17), "47"))
    assert d["entry"].due == date(2027, 2, 19)  # 2 working days, Ленинградская обл.
    assert d["handoff"].due == date(2027, 2, 20)  # 3 working days: the working Saturday
    assert d["check_end"].due == date(2027, 2, 22)  # 5 calendar days
    assert d["results"].due == date(2027, 2, 24)  # +1 working day: 22 and 23 are off
    assert d["recheck"].due == date(2027, 2, 26)  # 2 working days after the results
    assert d["applications"].due == date(2027, 2, 3)
    assert d["software"].due == date(2027, 2, 12)  # T-3 is a Sunday: the Friday before


def test_without_the_calendar_the_handoff_would_be_wrong():
    plain = WorkCalendar()
    assert plain.add_working(date(2027, 2, 17), 3) == date(2027, 2, 22)
    assert calendar_around(date(2027, 2, 1)).add_working(date(2027, 2, 17), 3) == date(2027, 2, 20)


def test_entry_deadline_per_region():
    assert _by_key(day_deadlines(date(2027, 2, 10), "40"))["entry"].due == date(2027, 2, 15)  # 5 calendar
    assert _by_key(day_deadlines(date(2027, 2, 10), "47"))["entry"].due == date(2027, 2, 12)  # 2 working
    rostov = _by_key(day_deadlines(date(2023, 2, 8), "61"))["entry"]
    assert rostov.due == date(2023, 2, 8) and rostov.until == "17:00"  # seed 001: «до 17.00 08.02.2023»
    assert "17:00" in rostov.label()


def test_remote_deadlines_only_for_a_remote_day():
    assert "test_call" not in _by_key(day_deadlines(date(2027, 2, 10), "47"))
    d = _by_key(day_deadlines(date(2027, 2, 10), "47", remote=True))
    assert d["test_call"].due == date(2027, 2, 9) and d["remote_schedule"].due == date(2027, 2, 5)


def test_a_thursday_exam_date_is_questioned():
    q = exam_date_question(date(2027, 2, 11), "47")
    assert q and "четверг" in q and "10.02.2027" in q
    assert exam_date_question(date(2027, 2, 10), "47") is None
    assert exam_date_question(date(2027, 3, 10), "47") is None  # an additional date


def test_second_wednesday_of_february_per_year():
    for year, day in ((2025, 12), (2026, 11), (2027, 10), (2028, 9)):
        assert year_dates(date(year, 2, 1))[0].day == date(year, 2, day)


def test_kaluga_second_additional_date_is_the_first_working_monday_of_may():
    # 2027: 3 May and 10 May are days off, so the first WORKING Monday is 17 May (seed 003, 3.5)
    kaluga = [e.day for e in year_dates(date(2027, 2, 10), "40") if e.kind == "additional"]
    assert kaluga == [date(2027, 3, 10), date(2027, 5, 17)]
    assert [e.day for e in year_dates(date(2026, 2, 11), "40")][-1] == date(2026, 5, 4)
    assert next_additional(date(2027, 3, 10), "40") == date(2027, 5, 17)
    # Ленинградская обл. (seed 004, 15.1): the third Monday of April
    assert next_additional(date(2027, 3, 10), "47") == date(2027, 4, 19)


def test_explicit_year_dates_in_the_data_win():
    rules = region_rules("47")
    assert rules.name == "Ленинградская область" and rules.deadlines["entry"]["after"] == 2
    assert nth_weekday(2027, 5, 0, 1, calendar_around(date(2027, 5, 1)), working=True) == date(2027, 5, 17)


def test_kaluga_does_not_readmit_the_removed():
    assert region_rules("40").removed_may_retake is False
    assert region_rules("47").removed_may_retake is True

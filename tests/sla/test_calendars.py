"""Business calendars across Spring Festival and National Day 2026, midnight and time zones."""

import datetime
import os
import time

import pytest

from sla.calendars import (
    HOLIDAY,
    MAKEUP,
    OVERRIDE_CLOSED,
    WEEKEND,
    CalendarError,
    CalendarRules,
    add_business_time,
    business_time_between,
    day_info,
    explain_span,
    subtract_business_time,
)
from sla.models import CalendarOverride
from sla.services import calendar_changed
from tests.sla.conftest import sh

WORK = CalendarRules(name="work", always_open=False)
ALWAYS = CalendarRules(name="always", always_open=True)


@pytest.fixture(params=["UTC", "America/New_York"])
def process_tz(request):
    """Run the test with the server process in another time zone."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


# --- the package's 2026 holidays, as the calendar reads them -------------------------


@pytest.mark.parametrize(
    ("day", "working", "reason"),
    [
        (datetime.date(2026, 2, 13), True, "weekday"),
        (datetime.date(2026, 2, 14), True, MAKEUP),  # Saturday worked for Spring Festival
        (datetime.date(2026, 2, 15), False, HOLIDAY),
        (datetime.date(2026, 2, 23), False, HOLIDAY),
        (datetime.date(2026, 2, 24), True, "weekday"),
        (datetime.date(2026, 2, 28), True, MAKEUP),  # Saturday worked for Spring Festival
        (datetime.date(2026, 3, 1), False, WEEKEND),
        (datetime.date(2026, 9, 19), False, WEEKEND),
        (datetime.date(2026, 9, 20), True, MAKEUP),  # Sunday worked for National Day
        (datetime.date(2026, 9, 25), False, HOLIDAY),  # Mid-autumn
        (datetime.date(2026, 10, 1), False, HOLIDAY),
        (datetime.date(2026, 10, 7), False, HOLIDAY),
        (datetime.date(2026, 10, 10), True, MAKEUP),  # Saturday worked for National Day
    ],
)
def test_working_days_follow_statutory_holidays_and_make_up_days(day, working, reason):
    info = day_info(WORK, day)

    assert info.is_working is working
    assert info.reason == reason


def test_holiday_carries_its_name():
    assert day_info(WORK, datetime.date(2026, 2, 17)).holiday == "Spring Festival"
    assert day_info(WORK, datetime.date(2026, 10, 10)).holiday == "National Day"


# --- adding working days -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Same position in the working day, one working day later.
        (sh(2026, 3, 2, 15, 0), 1, sh(2026, 3, 3, 15, 0)),
        # Friday before Spring Festival: the next working day is the make-up Saturday.
        (sh(2026, 2, 13, 10, 0), 1, sh(2026, 2, 14, 10, 0)),
        (sh(2026, 2, 13, 10, 0), 2, sh(2026, 2, 24, 10, 0)),
        (sh(2026, 2, 13, 16, 0), 5, sh(2026, 2, 27, 16, 0)),
        # Received during the holiday: counting starts at the first opening.
        (sh(2026, 2, 18, 12, 0), 1, sh(2026, 2, 24, 18, 0)),
        (sh(2026, 2, 18, 12, 0), 3, sh(2026, 2, 26, 18, 0)),
        # Friday evening: due at Monday's close.
        (sh(2026, 3, 6, 20, 0), 1, sh(2026, 3, 9, 18, 0)),
        # Before the holiday week and its make-up days.
        (sh(2026, 2, 27, 10, 0), 1, sh(2026, 2, 28, 10, 0)),
        # National Day: Wednesday before the week off to the Thursday after.
        (sh(2026, 9, 30, 16, 0), 1, sh(2026, 10, 8, 16, 0)),
        (sh(2026, 9, 30, 17, 0), 3, sh(2026, 10, 10, 17, 0)),
        (sh(2026, 10, 9, 10, 0), 1, sh(2026, 10, 10, 10, 0)),
        # Mid-autumn, and the make-up Sunday before it.
        (sh(2026, 9, 18, 15, 0), 1, sh(2026, 9, 20, 15, 0)),
        (sh(2026, 9, 24, 15, 0), 1, sh(2026, 9, 28, 15, 0)),
    ],
)
def test_add_working_days(start, days, due):
    assert add_business_time(WORK, start, working_days=days) == due


def test_working_days_on_a_24x7_calendar_are_24_hours():
    assert add_business_time(ALWAYS, sh(2026, 2, 15, 10, 0), working_days=3) == sh(
        2026, 2, 18, 10, 0
    )


# --- adding minutes and hours ------------------------------------------------------------


def test_minutes_on_24x7_cross_midnight():
    assert add_business_time(ALWAYS, sh(2026, 3, 2, 23, 50), minutes=15) == sh(2026, 3, 3, 0, 5)


def test_working_minutes_skip_the_night():
    assert add_business_time(WORK, sh(2026, 3, 2, 17, 30), minutes=60) == sh(2026, 3, 3, 9, 30)


def test_working_hours_skip_the_whole_spring_festival():
    # Feb 13 has 2 h left, Feb 14 (make-up) 9 h, then nothing until Feb 24.
    assert add_business_time(WORK, sh(2026, 2, 13, 16, 0), hours=12) == sh(2026, 2, 24, 10, 0)


def test_time_that_ends_exactly_at_closing_is_due_at_closing():
    assert add_business_time(WORK, sh(2026, 3, 2, 9, 0), hours=9) == sh(2026, 3, 2, 18, 0)


def test_subtracting_is_the_inverse_of_adding():
    start = sh(2026, 2, 13, 16, 0)
    due = add_business_time(WORK, start, minutes=800)

    assert subtract_business_time(WORK, due, minutes=800) == start


def test_exactly_one_amount_is_required():
    with pytest.raises(TypeError):
        add_business_time(WORK, sh(2026, 3, 2, 9, 0), minutes=1, hours=1)


def test_naive_datetimes_are_refused():
    with pytest.raises(CalendarError):
        add_business_time(WORK, datetime.datetime(2026, 3, 2, 9, 0), minutes=1)


# --- elapsed working time --------------------------------------------------------------------


def test_working_time_between_counts_only_open_hours():
    # Feb 13 09–18, Feb 14 (make-up) 09–18, Feb 24 09–18.
    elapsed = business_time_between(WORK, sh(2026, 2, 13, 9, 0), sh(2026, 2, 24, 18, 0))

    assert elapsed == datetime.timedelta(hours=27)


def test_working_time_between_is_negative_backwards():
    assert business_time_between(
        WORK, sh(2026, 3, 2, 12, 0), sh(2026, 3, 2, 10, 0)
    ) == -datetime.timedelta(hours=2)


def test_24x7_time_between_is_wall_time():
    assert business_time_between(
        ALWAYS, sh(2026, 2, 15, 0, 0), sh(2026, 2, 16, 6, 0)
    ) == datetime.timedelta(hours=30)


# --- the process time zone does not matter ------------------------------------------------


def test_results_are_the_same_with_the_process_in_another_time_zone(process_tz):
    # 2026-02-13 08:00 UTC is 16:00 in Shanghai.
    start = datetime.datetime(2026, 2, 13, 8, 0, tzinfo=datetime.UTC)

    due = add_business_time(WORK, start, working_days=5)

    assert due == sh(2026, 2, 27, 16, 0)
    assert due.utcoffset() == datetime.timedelta(hours=8)
    assert add_business_time(WORK, start, hours=12) == sh(2026, 2, 24, 10, 0)
    assert time.strftime("%Z") in ("UTC", "EST", "EDT")


# --- explanations ------------------------------------------------------------------------------


def test_explanation_names_the_holiday_and_the_make_up_days():
    span = explain_span(WORK, sh(2026, 2, 13, 16, 0), sh(2026, 2, 27, 16, 0))

    holiday = [p for p in span.skipped if HOLIDAY in p.reasons]
    assert len(holiday) == 1
    assert holiday[0].start == sh(2026, 2, 14, 18, 0)
    assert holiday[0].end == sh(2026, 2, 24, 9, 0)
    assert holiday[0].holidays == ("Spring Festival",)
    assert [d.day for d in span.special_working_days] == [datetime.date(2026, 2, 14)]
    nights = [p for p in span.skipped if p.reasons == ("night",)]
    assert len(nights) == 4  # 13→14 and 24→25 … 26→27


def test_explanation_on_24x7_skips_nothing():
    assert explain_span(ALWAYS, sh(2026, 2, 13), sh(2026, 2, 27)).skipped == []


# --- administrator overrides ----------------------------------------------------------------------


def test_override_closes_a_working_day_and_recomputation_sees_it(workdays):
    before = add_business_time(workdays, sh(2026, 3, 2, 15, 0), working_days=1)
    CalendarOverride.objects.create(
        calendar=workdays, date=datetime.date(2026, 3, 3), is_working_day=False, note="Typhoon"
    )
    calendar_changed(workdays)

    after = add_business_time(workdays, sh(2026, 3, 2, 15, 0), working_days=1)

    assert before == sh(2026, 3, 3, 15, 0)
    assert after == sh(2026, 3, 4, 15, 0)
    assert day_info(workdays, datetime.date(2026, 3, 3)).reason == OVERRIDE_CLOSED


def test_override_opens_a_holiday_with_short_hours(workdays):
    CalendarOverride.objects.create(
        calendar=workdays,
        date=datetime.date(2026, 2, 16),
        is_working_day=True,
        opens_at=datetime.time(10, 0),
        closes_at=datetime.time(12, 0),
    )
    calendar_changed(workdays)

    due = add_business_time(workdays, sh(2026, 2, 14, 17, 0), hours=2)

    assert due == sh(2026, 2, 16, 11, 0)


def test_a_year_the_package_does_not_cover_falls_back_to_weekdays():
    info = day_info(WORK, datetime.date(2027, 1, 1))  # a Friday; holidays for 2027 unknown

    assert info.is_working
    assert info.reason == "weekday"

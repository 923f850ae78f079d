"""Deadlines that reach into a year whose public holidays nobody knows yet are pointed out.

The holiday package learns each year's holidays and make-up working days
(调休) when the State Council publishes them, late in the year before; until
then, or until an administrator enters them, working days there are plain
weekdays (DESIGN.md §2.2).
"""

import datetime

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from csc.lib.errors import DomainError
from sla import calendars, selectors
from sla.calendars import add_business_time, statutory_year_covered
from sla.forms import parse_day_lines
from sla.models import BusinessCalendar, CalendarOverride, RecomputeJob
from sla.services import calendar_changed, calendar_enter_holidays
from tests.factories import UserFactory
from tests.sla.conftest import sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def known_until_2026(monkeypatch):
    """The package as it stands before the 2027 schedule is published."""
    for module in (selectors, calendars):
        monkeypatch.setattr(module, "statutory_year_covered", lambda year: year <= 2026)


def gaps_on(day: datetime.date) -> set[tuple[str, int]]:
    return {(gap.calendar.name, gap.year) for gap in selectors.holiday_data_gaps(day)}


def test_the_package_knows_the_years_it_has_data_for():
    assert statutory_year_covered(2026)
    assert not statutory_year_covered(2099)
    # A year it does not know falls back to weekdays: 2099-01-01 is a Thursday.
    assert calendars.statutory_day(datetime.date(2099, 1, 1)) == ("", "")


def test_within_sixty_days_of_new_year_the_next_year_is_checked(known_until_2026, workdays):
    assert gaps_on(datetime.date(2026, 11, 1)) == set()
    assert gaps_on(datetime.date(2026, 11, 2)) == {(workdays.name, 2027)}
    assert gaps_on(datetime.date(2027, 3, 1)) == {(workdays.name, 2027)}


def test_only_working_time_calendars_that_follow_the_holidays_count(known_until_2026, workdays):
    BusinessCalendar.objects.create(
        name="Weekdays, no holidays", kind="working_time", follows_statutory_holidays=False
    )
    BusinessCalendar.objects.create(name="Round the clock", kind="24x7")

    assert gaps_on(datetime.date(2026, 12, 5)) == {(workdays.name, 2027)}


def test_an_administrator_entering_dates_of_the_year_closes_the_gap(known_until_2026, workdays):
    other = BusinessCalendar.objects.create(name="Walk-in halls", kind="working_time")
    CalendarOverride.objects.create(
        calendar=workdays, date=datetime.date(2027, 1, 1), is_working_day=False, note="元旦"
    )
    # A date of the year before says nothing about 2027.
    CalendarOverride.objects.create(
        calendar=other, date=datetime.date(2026, 12, 31), is_working_day=False
    )
    for calendar in (workdays, other):
        calendar_changed(calendar)  # as the admin does after saving its dates

    assert gaps_on(datetime.date(2026, 12, 5)) == {(other.name, 2027)}


def test_no_query_while_every_year_in_reach_is_known(monkeypatch, workdays):
    monkeypatch.setattr(selectors, "statutory_year_covered", lambda year: True)
    with CaptureQueriesContext(connection) as captured:
        assert selectors.holiday_data_gaps(datetime.date(2026, 12, 5)) == []
    assert len(captured) == 0


@time_machine.travel(sh(2026, 12, 5, 10, 0), tick=False)
def test_the_overview_warns_and_links_an_administrator_to_the_calendar(
    client, known_until_2026, workdays
):
    admin = UserFactory(username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "The public holidays of 2027 are not known yet" in html
    assert f'href="/admin/sla/businesscalendar/{workdays.pk}/holidays/"' in html


@time_machine.travel(sh(2026, 12, 5, 10, 0), tick=False)
def test_a_manager_is_told_who_can_enter_them(client, known_until_2026, workdays, manager_user):
    client.force_login(manager_user)

    html = client.get("/").content.decode()

    assert "2027 年的法定节假日尚未公布" in html
    assert "日历“工作日 09:00–18:00”" in html  # the default calendar's name, translated
    assert "/admin/sla/businesscalendar/" not in html
    assert "请管理员在日历上录入" in html


@time_machine.travel(sh(2026, 6, 1, 10, 0), tick=False)
def test_no_warning_while_the_holidays_in_reach_are_known(client, known_until_2026, manager_user):
    client.force_login(manager_user)

    assert "法定节假日尚未公布" not in client.get("/").content.decode()


# --- entering a year's holidays ------------------------------------------------------


def test_entered_holidays_and_make_up_days_move_working_day_deadlines(workdays):
    # 2099 is a year the package cannot know: 1 January is a Thursday there.
    start = sh(2098, 12, 31, 10, 0)
    assert add_business_time(workdays, start, working_days=1) == sh(2099, 1, 1, 10, 0)
    CalendarOverride.objects.create(
        calendar=workdays, date=datetime.date(2099, 1, 2), is_working_day=True, note="typo"
    )
    kept = CalendarOverride.objects.create(
        calendar=workdays, date=datetime.date(2099, 3, 3), is_working_day=False, note="台风"
    )
    revision = workdays.revision

    job = calendar_enter_holidays(
        workdays,
        closed_days={datetime.date(2099, 1, 1): "元旦", datetime.date(2099, 1, 2): "元旦"},
        working_days={datetime.date(2099, 1, 3): "元旦调休"},
    )

    entered = {
        o.date.isoformat(): (o.is_working_day, o.note)
        for o in CalendarOverride.objects.filter(calendar=workdays)
    }
    assert entered == {
        "2099-01-01": (False, "元旦"),
        "2099-01-02": (False, "元旦"),  # replaced, not doubled
        "2099-01-03": (True, "元旦调休"),
        "2099-03-03": (False, kept.note),
    }
    calendar = BusinessCalendar.objects.get(pk=workdays.pk)
    assert calendar.revision != revision
    assert RecomputeJob.objects.filter(pk=job.pk, calendar=calendar).exists()
    # Thursday and Friday closed, Saturday worked: one working day runs to Saturday.
    assert add_business_time(calendar, start, working_days=1) == sh(2099, 1, 3, 10, 0)


@pytest.mark.parametrize(
    ("closed", "working", "message"),
    [
        ({datetime.date(2099, 1, 1): ""}, {datetime.date(2099, 1, 1): ""}, "both a holiday"),
        ({}, {}, "at least one"),
    ],
)
def test_contradictory_or_empty_entries_are_refused(in_english, workdays, closed, working, message):
    with pytest.raises(DomainError, match=message):
        calendar_enter_holidays(workdays, closed_days=closed, working_days=working)
    assert not CalendarOverride.objects.filter(calendar=workdays).exists()


def test_a_round_the_clock_calendar_takes_no_holidays(in_english, always):
    with pytest.raises(DomainError, match="24×7"):
        calendar_enter_holidays(
            always, closed_days={datetime.date(2099, 1, 1): ""}, working_days={}
        )


def test_lines_are_days_or_ranges_with_a_note():
    assert parse_day_lines("2099-01-01元旦\n\n 2099-02-06 ~ 2099-02-08 春节 \n2099-2-9") == {
        datetime.date(2099, 1, 1): "元旦",
        datetime.date(2099, 2, 6): "春节",
        datetime.date(2099, 2, 7): "春节",
        datetime.date(2099, 2, 8): "春节",
        datetime.date(2099, 2, 9): "",
    }
    assert list(parse_day_lines("2099-10-01至2099-10-02")) == [
        datetime.date(2099, 10, 1),
        datetime.date(2099, 10, 2),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2099-01-011", "write a date"),
        ("2099-02-06 ~ 春节", "write a date"),
        ("元旦", "write a date"),
        ("2099-02-30", "is not a date"),
        ("2099-03-01 ~ 2099-02-01", "runs forward"),
        ("2099-01-01 ~ 2099-03-01", "at most 31 days"),
    ],
)
def test_a_line_that_is_not_a_day_says_which_and_why(in_english, line, message):
    with pytest.raises(ValidationError) as refused:
        parse_day_lines(f"2099-01-01 元旦\n{line}")
    assert "Line 2" in str(refused.value) and message in str(refused.value)


def holidays_page(calendar) -> str:
    return f"/admin/sla/businesscalendar/{calendar.pk}/holidays/"


def test_an_administrator_enters_a_year_from_the_calendar_page(admin_client, workdays):
    change_page = admin_client.get(f"/admin/sla/businesscalendar/{workdays.pk}/change/")
    assert holidays_page(workdays) in change_page.content.decode()

    response = admin_client.post(
        holidays_page(workdays),
        {"closed_days": "2099-01-01 元旦\n2099-02-06 ~ 2099-02-12 春节", "working_days": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    assert response["Location"] == f"/admin/sla/businesscalendar/{workdays.pk}/change/"
    assert CalendarOverride.objects.filter(calendar=workdays, is_working_day=False).count() == 8
    entry = LogEntry.objects.get(object_id=str(workdays.pk))
    assert "8 holidays and 0 make-up working days" in entry.get_change_message()


def test_a_mistyped_line_is_shown_with_everything_typed_kept(admin_client, workdays):
    typed = "2099-01-01 元旦\n2099-02-30 春节"

    response = admin_client.post(
        holidays_page(workdays), {"closed_days": typed, "working_days": "2099-01-03 调休"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "第 2 行" in html and "2099-02-30" in html
    assert "2099-01-03 调休" in html and "2099-01-01 元旦" in html
    assert not CalendarOverride.objects.filter(calendar=workdays).exists()


def test_the_page_needs_the_right_to_change_calendars(client, workdays):
    viewer = UserFactory(username="viewer")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_businesscalendar"))
    client.force_login(viewer)

    assert client.get(holidays_page(workdays)).status_code == 403
    assert (
        holidays_page(workdays)
        not in client.get(f"/admin/sla/businesscalendar/{workdays.pk}/change/").content.decode()
    )

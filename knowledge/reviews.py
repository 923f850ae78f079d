"""Review dates on the business calendar (DOMAIN.md S-47, KB-6: review every quarter).

A published article is due for review `review_months` after publication, on
the first working day of the review calendar from then (a review never falls
on a weekend or a statutory holiday). Owners are reminded on working days
only, `review_notice_working_days` ahead.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from knowledge.models import KnowledgeSettings
from sla.calendars import add_business_time, day_info, local
from sla.choices import CalendarKind
from sla.models import BusinessCalendar

# The search for a working day gives up after this many days (a calendar with none).
MAX_DAYS = 366


def review_calendar(settings: KnowledgeSettings) -> BusinessCalendar | None:
    if settings.review_calendar is not None:
        return settings.review_calendar
    return BusinessCalendar.objects.filter(kind=CalendarKind.WORKING_TIME).order_by("pk").first()


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_working_day(cal: BusinessCalendar | None, day: date) -> date:
    if cal is None:
        return day
    for offset in range(MAX_DAYS):
        candidate = day + timedelta(days=offset)
        if day_info(cal, candidate).is_working:
            return candidate
    return day


def default_review_date(published_at: datetime, settings: KnowledgeSettings) -> date:
    """A quarter (by default) after publication, on a working day."""
    due = add_months(local(published_at).date(), settings.review_months)
    return first_working_day(review_calendar(settings), due)


def is_working_moment(cal: BusinessCalendar | None, moment: datetime) -> bool:
    """Whether reminders go out now: within the calendar's working hours."""
    if cal is None:
        return True
    info = day_info(cal, local(moment).date())
    return info.is_working and info.opens <= local(moment) < info.closes


def reminder_horizon(settings: KnowledgeSettings, now: datetime) -> date:
    """Articles due for review on or before this day are reminded now."""
    cal = review_calendar(settings)
    days = settings.review_notice_working_days
    if cal is None:
        return local(now).date() + timedelta(days=days)
    return local(add_business_time(cal, now, working_days=days)).date()

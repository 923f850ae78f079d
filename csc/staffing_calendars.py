"""Answers staffing's calendar questions from `sla` (staffing sits below sla and may
not import it): public holidays from the statutory calendar the SLA engine uses,
and a team's opening hours from its service calendar (DOMAIN.md K-6)."""

from collections.abc import Callable
from datetime import date, datetime

from sla import calendars
from sla.models import BusinessCalendar
from staffing import calendar_port
from staffing.models import Team


def is_public_holiday(day: date) -> bool:
    return calendars.statutory_day(day)[0] == calendars.HOLIDAY


def opening_hours(team: Team) -> Callable[[datetime], bool]:
    if team.service_calendar_id is None:
        return lambda moment: True
    calendar = BusinessCalendar.objects.get(pk=team.service_calendar_id)
    rules = calendars.rules_for(calendar)

    def is_open(moment: datetime) -> bool:
        info = calendars.day_info(rules, calendars.local(moment).date())
        return bool(info.is_working and info.opens <= moment < info.closes)

    return is_open


def connect() -> None:
    calendar_port.register(holiday=is_public_holiday, opening_hours=opening_hours)

"""What staffing asks of the business calendars, which live in `sla` above it.

Staffing is the ground floor and may not import `sla`; csc fills these two
questions from `sla.calendars` in its AppConfig.ready (the way apps register
with the admin). Until then, public holidays come from the `chinesecalendar`
package and every team is open 7×24, as the hotline is (DOMAIN.md ST-20).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

import chinese_calendar

if TYPE_CHECKING:
    from staffing.models import Team

HolidayLookup = Callable[[date], bool]
OpeningHours = Callable[["Team"], Callable[[datetime], bool]]


def _statutory_holiday(day: date) -> bool:
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return False
    return bool(on_holiday and name)


def _always_open(team: Team) -> Callable[[datetime], bool]:
    return lambda moment: True


_holiday: HolidayLookup = _statutory_holiday
_opening_hours: OpeningHours = _always_open


def register(*, holiday: HolidayLookup, opening_hours: OpeningHours) -> None:
    global _holiday, _opening_hours
    _holiday, _opening_hours = holiday, opening_hours


def is_public_holiday(day: date) -> bool:
    """A statutory public holiday (not a plain weekend)."""
    return _holiday(day)


def opening_hours(team: Team) -> Callable[[datetime], bool]:
    """Whether the team's channels are open at a moment (its service calendar)."""
    return _opening_hours(team)

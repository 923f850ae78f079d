"""Business calendars: when is N minutes / hours / working days after t.

Everything is computed in Asia/Shanghai whatever the process time zone is
(DESIGN.md §2.2). A 24×7 calendar is plain clock arithmetic. A working-time
calendar has opening hours on its working weekdays; Chinese statutory
holidays close a day and make-up working days (调休) open one, both read from
the `chinesecalendar` package; an administrator's override for a date wins
over both.

"N working days" keeps the position in the working day: Monday 15:00 plus one
working day is Tuesday 15:00 on a 09:00–18:00 calendar. Counting starts at the
first working moment, so a complaint received on Friday night with one working
day is due at Monday's close. On a 24×7 calendar a working day is 24 hours.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import chinese_calendar
from django.utils.translation import gettext_lazy as _

from sla.choices import CalendarKind

if TYPE_CHECKING:
    from sla.models import BusinessCalendar

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A calendar with no working day in this many days is misconfigured.
MAX_SEARCH_DAYS = 3 * 366

WEEKDAY = "weekday"
WEEKEND = "weekend"
HOLIDAY = "holiday"
MAKEUP = "makeup"
OVERRIDE_OPEN = "override_open"
OVERRIDE_CLOSED = "override_closed"
ALWAYS = "always"
NIGHT = "night"

REASON_LABELS = {
    WEEKDAY: _("working day"),
    WEEKEND: _("weekend"),
    HOLIDAY: _("statutory holiday"),
    MAKEUP: _("make-up working day (调休)"),
    OVERRIDE_OPEN: _("working by administrator's override"),
    OVERRIDE_CLOSED: _("closed by administrator's override"),
    ALWAYS: _("open around the clock"),
    NIGHT: _("outside working hours"),
}

# The package names holidays in English; these are the labels shown to people.
HOLIDAY_LABELS = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _("Victory Day (70th anniversary)"),
}


class CalendarError(ValueError):
    """The calendar cannot answer (no working time at all, naive datetime)."""


@dataclass(frozen=True)
class DayRule:
    is_working: bool
    opens: time | None = None
    closes: time | None = None
    note: str = ""


@dataclass(frozen=True, eq=False)
class CalendarRules:
    """A calendar's rules detached from the database, so the maths is pure."""

    name: str
    always_open: bool
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO: Monday = 1
    statutory_holidays: bool = True
    overrides: Mapping[date, DayRule] = field(default_factory=dict)
    _days: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class DayInfo:
    day: date
    is_working: bool
    opens: datetime | None
    closes: datetime | None
    reason: str
    holiday: str = ""
    note: str = ""

    @property
    def reason_label(self) -> str:
        if self.holiday and self.reason in (HOLIDAY, MAKEUP):
            return f"{REASON_LABELS[self.reason]}: {holiday_label(self.holiday)}"
        label = str(REASON_LABELS[self.reason])
        return f"{label} ({self.note})" if self.note else label


@dataclass(frozen=True)
class SkippedPeriod:
    """Time between start and due that did not count, and why."""

    start: datetime
    end: datetime
    reasons: tuple[str, ...]
    holidays: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def label(self) -> str:
        parts = []
        for reason in self.reasons:
            if reason == HOLIDAY and self.holidays:
                names = "、".join(str(holiday_label(h)) for h in self.holidays)
                parts.append(f"{REASON_LABELS[HOLIDAY]}: {names}")
            elif reason == OVERRIDE_CLOSED and self.notes:
                parts.append(f"{REASON_LABELS[reason]} ({'; '.join(self.notes)})")
            else:
                parts.append(str(REASON_LABELS[reason]))
        return ", ".join(parts)


@dataclass(frozen=True)
class SpanExplanation:
    skipped: list[SkippedPeriod]
    special_working_days: list[DayInfo]  # make-up days and overrides that counted

    @property
    def skipped_total(self) -> timedelta:
        return sum((p.duration for p in self.skipped), timedelta())


def holiday_label(name: str) -> str:
    return str(HOLIDAY_LABELS.get(name, name))


# --- rules from the database -------------------------------------------------

_RULES_CACHE: dict[tuple[int, int], CalendarRules] = {}


def rules_for(calendar: BusinessCalendar | CalendarRules) -> CalendarRules:
    """The calendar's rules, cached per (calendar, revision) in this process."""
    if isinstance(calendar, CalendarRules):
        return calendar
    key = (calendar.pk, calendar.revision)
    cached = _RULES_CACHE.get(key) if calendar.pk else None
    if cached is not None:
        return cached
    overrides = {}
    if calendar.pk and calendar.kind == CalendarKind.WORKING_TIME:
        overrides = {
            o.date: DayRule(o.is_working_day, o.opens_at, o.closes_at, o.note)
            for o in calendar.overrides.all()
        }
    rules = CalendarRules(
        name=calendar.name,
        always_open=calendar.kind == CalendarKind.ALWAYS,
        opens=calendar.opens_at,
        closes=calendar.closes_at,
        weekdays=frozenset(int(d) for d in calendar.working_weekdays if d.isdigit()),
        statutory_holidays=calendar.follows_statutory_holidays,
        overrides=MappingProxyType(overrides),
    )
    if calendar.pk:
        if len(_RULES_CACHE) > 256:
            _RULES_CACHE.clear()
        _RULES_CACHE[key] = rules
    return rules


@cache
def statutory_day(day: date) -> tuple[str, str]:
    """("holiday" | "makeup" | "", holiday name) from the package, cached."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        _warn_year_not_covered(day.year)
        return "", ""
    if name is None:
        return "", ""
    return (HOLIDAY if on_holiday else MAKEUP), name


@cache
def statutory_year_covered(year: int) -> bool:
    """Whether the holiday package knows the year's public holidays and make-up days
    (the State Council publishes them late in the year before)."""
    try:
        chinese_calendar.get_holiday_detail(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def holidays_unknown_between(
    calendar: BusinessCalendar | CalendarRules, start: datetime, end: datetime
) -> list[int]:
    """Years of the span whose public holidays the calendar cannot see: the package has
    no data for them and no date of theirs was entered as an override. Their days
    count as plain weekdays."""
    rules = rules_for(calendar)
    if rules.always_open or not rules.statutory_holidays:
        return []
    entered = {day.year for day in rules.overrides}
    return [
        year
        for year in range(local(start).year, local(end).year + 1)
        if year not in entered and not statutory_year_covered(year)
    ]


@cache
def _warn_year_not_covered(year: int) -> None:
    log.warning(
        "chinesecalendar has no holiday data for %s; working days follow weekdays and "
        "administrator overrides only. Upgrade the package or add overrides.",
        year,
    )


def day_info(calendar: BusinessCalendar | CalendarRules, day: date) -> DayInfo:
    rules = rules_for(calendar)
    cached = rules._days.get(day)
    if cached is None:
        cached = _classify(rules, day)
        if len(rules._days) > 20_000:
            rules._days.clear()
        rules._days[day] = cached
    return cached


def _classify(rules: CalendarRules, day: date) -> DayInfo:
    def at(t: time) -> datetime:
        return datetime.combine(day, t, tzinfo=SHANGHAI)

    if rules.always_open:
        return DayInfo(day, True, at(time.min), at(time.min) + timedelta(days=1), ALWAYS)
    override = rules.overrides.get(day)
    kind, name = statutory_day(day) if rules.statutory_holidays else ("", "")
    if override is not None:
        if not override.is_working:
            return DayInfo(day, False, None, None, OVERRIDE_CLOSED, name, override.note)
        opens, closes = override.opens or rules.opens, override.closes or rules.closes
        return DayInfo(day, True, at(opens), at(closes), OVERRIDE_OPEN, name, override.note)
    if kind == HOLIDAY:
        return DayInfo(day, False, None, None, HOLIDAY, name)
    if kind == MAKEUP:
        return DayInfo(day, True, at(rules.opens), at(rules.closes), MAKEUP, name)
    if day.isoweekday() in rules.weekdays:
        return DayInfo(day, True, at(rules.opens), at(rules.closes), WEEKDAY)
    return DayInfo(day, False, None, None, WEEKEND)


# --- the maths ---------------------------------------------------------------


def local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise CalendarError("business-time maths needs an aware datetime")
    return moment.astimezone(SHANGHAI)


def _as_timedelta(minutes: Any) -> timedelta:
    # Whole seconds: due times are shown to the minute and stored to the second.
    return timedelta(seconds=round(float(Decimal(str(minutes)) * 60)))


def _intervals_from(rules: CalendarRules, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals that end after `moment`, in order."""
    day = moment.date()
    for _attempt in range(MAX_SEARCH_DAYS):
        info = day_info(rules, day)
        if info.is_working and info.closes > moment:
            yield info.opens, info.closes
        day += timedelta(days=1)
    raise CalendarError(f"calendar {rules.name!r} has no working time in {MAX_SEARCH_DAYS} days")


def _intervals_before(
    rules: CalendarRules, moment: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals that start before `moment`, latest first."""
    day = moment.date()
    for _attempt in range(MAX_SEARCH_DAYS):
        info = day_info(rules, day)
        if info.is_working and info.opens < moment:
            yield info.opens, info.closes
        day -= timedelta(days=1)
    raise CalendarError(f"calendar {rules.name!r} has no working time in {MAX_SEARCH_DAYS} days")


def _intervals_between(
    rules: CalendarRules, a: datetime, b: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals clipped to [a, b]."""
    day = a.date()
    while day <= b.date():
        info = day_info(rules, day)
        if info.is_working:
            start, end = max(info.opens, a), min(info.closes, b)
            if start < end:
                yield start, end
        day += timedelta(days=1)


def _add(rules: CalendarRules, start: datetime, amount: timedelta) -> datetime:
    if amount < timedelta():
        return _subtract(rules, start, -amount)
    if rules.always_open or amount == timedelta():
        return start + amount
    remaining = amount
    for opens, closes in _intervals_from(rules, start):
        segment_start = max(opens, start)
        available = closes - segment_start
        # `<=`: a due time that uses a day up to its close is that close, not the next opening.
        if remaining <= available:
            return segment_start + remaining
        remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover


def _subtract(rules: CalendarRules, end: datetime, amount: timedelta) -> datetime:
    if rules.always_open or amount == timedelta():
        return end - amount
    remaining = amount
    for opens, closes in _intervals_before(rules, end):
        segment_end = min(closes, end)
        available = segment_end - opens
        if remaining <= available:
            return segment_end - remaining
        remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover


def _next_working_day(rules: CalendarRules, day: date) -> DayInfo:
    for _attempt in range(MAX_SEARCH_DAYS):
        day += timedelta(days=1)
        info = day_info(rules, day)
        if info.is_working:
            return info
    raise CalendarError(f"calendar {rules.name!r} has no working day in {MAX_SEARCH_DAYS} days")


def _add_working_days(rules: CalendarRules, start: datetime, days: int) -> datetime:
    if days < 0:
        raise CalendarError("working days must not be negative")
    if rules.always_open:
        return start + timedelta(days=days)
    if days == 0:
        return start
    opens, _closes = next(_intervals_from(rules, start))
    moment = max(opens, start)
    info = day_info(rules, opens.date())
    offset = moment - info.opens
    if offset == timedelta():
        # Counting starts at an opening: the due time is the close of the N-th working day.
        for _day in range(days - 1):
            info = _next_working_day(rules, info.day)
        return info.closes
    for _day in range(days):
        info = _next_working_day(rules, info.day)
    return min(info.opens + offset, info.closes)


def add_business_time(
    calendar: BusinessCalendar | CalendarRules,
    start: datetime,
    *,
    minutes: Any = None,
    hours: Any = None,
    working_days: int | None = None,
    calendar_days: int | None = None,
) -> datetime:
    """The moment the given amount of business time after `start` (Asia/Shanghai)."""
    given = [v for v in (minutes, hours, working_days, calendar_days) if v is not None]
    if len(given) != 1:
        raise TypeError("give exactly one of minutes, hours, working_days, calendar_days")
    rules = rules_for(calendar)
    start = local(start)
    if working_days is not None:
        return _add_working_days(rules, start, int(working_days))
    if calendar_days is not None:
        return start + timedelta(days=int(calendar_days))
    if hours is not None:
        minutes = Decimal(str(hours)) * 60
    return _add(rules, start, _as_timedelta(minutes))


def subtract_business_time(
    calendar: BusinessCalendar | CalendarRules, end: datetime, *, minutes: Any
) -> datetime:
    """The moment that lies `minutes` of business time before `end`."""
    return _subtract(rules_for(calendar), local(end), _as_timedelta(minutes))


def business_time_between(
    calendar: BusinessCalendar | CalendarRules, a: datetime, b: datetime
) -> timedelta:
    """Working time elapsed from a to b (negative when b is before a)."""
    rules = rules_for(calendar)
    a, b = local(a), local(b)
    if b < a:
        return -business_time_between(rules, b, a)
    if rules.always_open:
        return b - a
    return sum((end - start for start, end in _intervals_between(rules, a, b)), timedelta())


def explain_span(
    calendar: BusinessCalendar | CalendarRules, a: datetime, b: datetime
) -> SpanExplanation:
    """What did not count between a and b (nights, weekends, holidays, closures),
    and which unusual days did count (make-up working days, overrides)."""
    rules = rules_for(calendar)
    a, b = local(a), local(b)
    if rules.always_open or b <= a:
        return SpanExplanation([], [])
    skipped = []
    cursor = a
    for start, end in [*_intervals_between(rules, a, b), (b, b)]:
        if start > cursor:
            skipped.append(_skipped_period(rules, cursor, start))
        cursor = max(cursor, end)
    special = []
    day = a.date()
    while day <= b.date():
        info = day_info(rules, day)
        if info.reason in (MAKEUP, OVERRIDE_OPEN) and info.opens < b and info.closes > a:
            special.append(info)
        day += timedelta(days=1)
    return SpanExplanation(skipped, special)


def _skipped_period(rules: CalendarRules, start: datetime, end: datetime) -> SkippedPeriod:
    reasons: list[str] = []
    holidays: list[str] = []
    notes: list[str] = []
    day = start.date()
    while day <= end.date():
        info = day_info(rules, day)
        if not info.is_working:
            if info.reason not in reasons:
                reasons.append(info.reason)
            if info.holiday and info.reason == HOLIDAY and info.holiday not in holidays:
                holidays.append(info.holiday)
            if info.note and info.note not in notes:
                notes.append(info.note)
        day += timedelta(days=1)
    return SkippedPeriod(start, end, tuple(reasons) or (NIGHT,), tuple(holidays), tuple(notes))

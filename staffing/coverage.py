"""The coverage check (DOMAIN.md P-11, K-6): every 30-minute interval in which the
team's channels are open but fewer people are rostered than the minimum.

The minimum in an interval is the largest minimum headcount of the pattern's
shifts worked then (day 1, night 2 by default, K-7); an open interval no shift
of the pattern covers (template A's 01:00–08:00, template B's weekends and
public holidays) needs at least one person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

STEP = timedelta(minutes=30)


@dataclass(frozen=True)
class ShiftWindow:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class TemplateRule:
    """A shift template reduced to what the check needs."""

    starts_at_on: Callable[[date], tuple[datetime, datetime]]
    works_on: Callable[[date], bool]
    min_headcount: int


@dataclass(frozen=True)
class Gap:
    starts_at: datetime
    ends_at: datetime
    required: int
    rostered: int

    @property
    def missing(self) -> int:
        return self.required - self.rostered


def required_at(moment: datetime, templates: Sequence[TemplateRule]) -> int:
    required = 0
    for template in templates:
        for day in (moment.date() - timedelta(days=1), moment.date()):
            if not template.works_on(day):
                continue
            start, end = template.starts_at_on(day)
            if start <= moment < end:
                required = max(required, template.min_headcount)
    return required or 1


def intervals(start: datetime, end: datetime) -> list[datetime]:
    moments = []
    moment = start
    while moment < end:
        moments.append(moment)
        moment += STEP
    return moments


def rostered_counts(start: datetime, end: datetime, shifts: Iterable[ShiftWindow]) -> list[int]:
    """How many people are on shift in each interval from start to end."""
    slots = len(intervals(start, end))
    counts = [0] * slots
    for shift in shifts:
        first = max(0, int((shift.starts_at - start) / STEP))
        last = min(slots, -int(-(shift.ends_at - start) // STEP))
        for index in range(first, last):
            counts[index] += 1
    return counts


def coverage_gaps(
    *,
    start: datetime,
    end: datetime,
    shifts: Iterable[ShiftWindow],
    templates: Sequence[TemplateRule],
    is_open: Callable[[datetime], bool],
) -> list[Gap]:
    """Under-staffed open intervals, neighbours with the same figures merged."""
    counts = rostered_counts(start, end, shifts)
    gaps: list[Gap] = []
    for moment, rostered in zip(intervals(start, end), counts, strict=True):
        if not is_open(moment):
            continue
        required = required_at(moment, templates)
        if rostered >= required:
            continue
        last = gaps[-1] if gaps else None
        if (
            last is not None
            and last.ends_at == moment
            and (last.required, last.rostered) == (required, rostered)
        ):
            gaps[-1] = Gap(last.starts_at, moment + STEP, required, rostered)
        else:
            gaps.append(Gap(moment, moment + STEP, required, rostered))
    return gaps

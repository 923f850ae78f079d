"""How a clock's due time was computed, in the words an auditor would ask for:
start, target, calendar, the nights, weekends and holidays skipped, make-up
working days counted, pauses and extensions, and the resulting due time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sla.calendars import (
    DayInfo,
    SkippedPeriod,
    business_time_between,
    explain_span,
    holidays_unknown_between,
    local,
)
from sla.choices import ClockEventKind, ClockState, TargetUnit
from sla.deadlines import Step, replay
from sla.models import Clock


def amount_text(amount: int, unit: str) -> str:
    texts = {
        TargetUnit.MINUTES: ngettext("%(n)d minute", "%(n)d minutes", amount),
        TargetUnit.HOURS: ngettext("%(n)d hour", "%(n)d hours", amount),
        TargetUnit.WORKING_DAYS: ngettext("%(n)d working day", "%(n)d working days", amount),
        TargetUnit.CALENDAR_DAYS: ngettext("%(n)d calendar day", "%(n)d calendar days", amount),
    }
    return texts[unit] % {"n": amount}


def duration_text(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes or not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


@dataclass(frozen=True)
class LimbLine:
    text: str
    due_at: datetime
    applies: bool


@dataclass(frozen=True)
class StepLine:
    kind: str
    text: str
    at: datetime
    due_before: datetime
    due_after: datetime
    skipped: list[SkippedPeriod] = field(default_factory=list)


@dataclass(frozen=True)
class Explanation:
    clock: Clock
    policy: str
    version: int
    calendar: str
    calendar_is_24x7: bool
    started_at: datetime
    target_text: str
    limbs: list[LimbLine]
    base_due: datetime
    skipped: list[SkippedPeriod]
    special_days: list[DayInfo]
    holidays_unknown: list[int]  # years counted as plain weekdays (no holiday data)
    steps: list[StepLine]
    paused_total: timedelta
    due_at: datetime
    paused_since: datetime | None
    paused_so_far: timedelta
    consistent: bool  # the log reproduces the stored due time

    @property
    def skipped_total(self) -> timedelta:
        return sum((p.duration for p in self.skipped), timedelta())


def _target_text(target: dict) -> str:
    main = amount_text(target["amount"], target["unit"])
    if target.get("business_type"):
        # Resolved to minutes when the clock started; said in days and hours as entered.
        limit = duration_text(timedelta(minutes=target["amount"]))
        main = _("%(limit)s (the business type's limit)") % {"limit": limit}
    if target.get("cap_amount") and target.get("cap_unit"):
        cap = amount_text(target["cap_amount"], target["cap_unit"])
        return _("%(main)s or %(cap)s, whichever is sooner") % {"main": main, "cap": cap}
    return main


def _step_line(clock: Clock, step: Step) -> StepLine:
    calendar = clock.calendar
    if step.kind == ClockEventKind.PAUSED:
        text = _("Paused %(start)s – %(end)s: %(time)s of working time added") % {
            "start": local(step.start).strftime("%Y-%m-%d %H:%M"),
            "end": local(step.at).strftime("%Y-%m-%d %H:%M"),
            "time": duration_text(step.business_time),
        }
    else:
        data = step.data or {}
        amount = (
            amount_text(int(data["working_days"]), TargetUnit.WORKING_DAYS)
            if data.get("working_days")
            else amount_text(int(data.get("minutes") or 0), TargetUnit.MINUTES)
        )
        text = _("Extended by %(amount)s: %(reason)s") % {
            "amount": amount,
            "reason": data.get("reason", ""),
        }
    skipped = explain_span(calendar, step.due_before, step.due_after).skipped
    return StepLine(step.kind, text, step.at, step.due_before, step.due_after, skipped)


def explain_clock(clock: Clock, *, now: datetime | None = None) -> Explanation:
    """The explanation of one clock (uses its prefetched events when there are)."""
    now = now or timezone.now()
    calendar = clock.calendar
    result = replay(calendar, clock.started_at, clock.target, clock.events.all())
    limbs = [
        LimbLine(amount_text(limb.amount, limb.unit), limb.due_at, limb.due_at == result.base_due)
        for limb in result.limbs
    ]
    span = explain_span(calendar, clock.started_at, result.base_due)
    paused_so_far = timedelta()
    if clock.state == ClockState.PAUSED and clock.paused_since:
        paused_so_far = business_time_between(calendar, clock.paused_since, now)
    version = clock.policy_version
    return Explanation(
        clock=clock,
        # Default names are in the catalogue; names an administrator typed pass through.
        policy=_(version.policy.name),
        version=version.number,
        calendar=_(calendar.name),
        calendar_is_24x7=calendar.kind == "24x7",
        started_at=clock.started_at,
        target_text=_target_text(clock.target),
        limbs=limbs,
        base_due=result.base_due,
        skipped=span.skipped,
        special_days=span.special_working_days,
        holidays_unknown=holidays_unknown_between(
            calendar, clock.started_at, max(clock.due_at, result.base_due)
        ),
        steps=[_step_line(clock, step) for step in result.steps],
        paused_total=result.paused_total,
        due_at=clock.due_at,
        paused_since=clock.paused_since if clock.state == ClockState.PAUSED else None,
        paused_so_far=paused_so_far,
        consistent=result.due_at == clock.due_at,
    )

"""Due times from targets, pauses and extensions: pure functions over a calendar.

A clock's due time is always reproducible from its start, its target and its
event log (pauses, extensions), so a calendar change can recompute it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sla.calendars import add_business_time, business_time_between, subtract_business_time
from sla.choices import ClockEventKind, TargetUnit
from sla.matching import TicketFacts

TARGET_FIELDS = (
    "metric",
    "amount",
    "unit",
    "calendar_id",
    "cap_amount",
    "cap_unit",
    "pauses_while_waiting_customer",
    "pauses_while_waiting_internal",
    "on_reopen",
    "starts_after",
    "warn_fractions",
    "note",
)
DEFAULT_WARN_FRACTIONS = [0.5, 0.8]


@dataclass(frozen=True)
class Limb:
    """One limit of a target (a target with a second limit has two; the sooner wins)."""

    amount: int
    unit: str
    due_at: datetime


@dataclass(frozen=True)
class Step:
    """A change to the due time after the start: a pause or an extension."""

    kind: str
    at: datetime
    due_before: datetime
    due_after: datetime
    start: datetime | None = None  # for pauses: when it began
    business_time: timedelta = timedelta()
    data: dict | None = None


@dataclass(frozen=True)
class Replay:
    base_due: datetime
    limbs: list[Limb]
    steps: list[Step]
    due_at: datetime
    paused_total: timedelta


def target_snapshot(target: Any) -> dict:
    """A PolicyTarget (or its dict) as stored in a version."""
    if isinstance(target, dict):
        spec = {name: target.get(name) for name in TARGET_FIELDS}
    else:
        spec = {name: getattr(target, name) for name in TARGET_FIELDS}
    spec["warn_fractions"] = sorted(float(f) for f in (spec["warn_fractions"] or []))
    spec["starts_after"] = spec["starts_after"] or ""
    spec["cap_unit"] = spec["cap_unit"] or ""
    spec["note"] = spec["note"] or ""
    return spec


def resolve_target(spec: dict, facts: TicketFacts | None) -> dict | None:
    """The target a clock runs on; None when a business-type limit is missing."""
    resolved = dict(spec)
    if spec["unit"] == TargetUnit.BUSINESS_TYPE:
        limit = facts.delivery_limit_minutes if facts else None
        if not limit:
            return None
        resolved.update(
            amount=int(limit), unit=TargetUnit.MINUTES, business_type=facts.business_type_code
        )
    return resolved


def amount_after(calendar, start: datetime, amount: int, unit: str) -> datetime:
    if unit == TargetUnit.MINUTES:
        return add_business_time(calendar, start, minutes=amount)
    if unit == TargetUnit.HOURS:
        return add_business_time(calendar, start, hours=amount)
    if unit == TargetUnit.WORKING_DAYS:
        return add_business_time(calendar, start, working_days=amount)
    if unit == TargetUnit.CALENDAR_DAYS:
        return add_business_time(calendar, start, calendar_days=amount)
    raise ValueError(f"unknown target unit {unit!r}")


def base_due(calendar, start: datetime, target: dict) -> tuple[datetime, list[Limb]]:
    limbs = [
        Limb(
            target["amount"],
            target["unit"],
            amount_after(calendar, start, target["amount"], target["unit"]),
        )
    ]
    if target.get("cap_amount") and target.get("cap_unit"):
        cap = amount_after(calendar, start, target["cap_amount"], target["cap_unit"])
        limbs.append(Limb(target["cap_amount"], target["cap_unit"], cap))
    return min(limb.due_at for limb in limbs), limbs


def extension_after(calendar, due: datetime, data: dict) -> datetime:
    if data.get("working_days"):
        after = add_business_time(calendar, due, working_days=int(data["working_days"]))
    else:
        after = add_business_time(calendar, due, minutes=int(data.get("minutes") or 0))
    # An extension granted up to a fixed limit (a complaint's 15-day reply, DOMAIN.md R-1)
    # stays under it when the log is replayed.
    if data.get("not_after"):
        after = min(after, datetime.fromisoformat(data["not_after"]))
    return after


def replay(calendar, started_at: datetime, target: dict, events: Iterable) -> Replay:
    """The due time from the start, the target and the pauses and extensions in the log."""
    due, limbs = base_due(calendar, started_at, target)
    base = due
    steps: list[Step] = []
    paused_from: datetime | None = None
    paused_total = timedelta()
    for event in sorted(events, key=lambda e: (e.at, e.pk or 0)):
        if event.kind == ClockEventKind.PAUSED:
            paused_from = event.at
        elif event.kind == ClockEventKind.RESUMED and paused_from is not None:
            paused = business_time_between(calendar, paused_from, event.at)
            new_due = add_business_time(calendar, due, minutes=Decimal(paused.total_seconds()) / 60)
            steps.append(Step(ClockEventKind.PAUSED, event.at, due, new_due, paused_from, paused))
            due, paused_from = new_due, None
            paused_total += paused
        elif event.kind == ClockEventKind.EXTENDED:
            new_due = extension_after(calendar, due, event.data)
            steps.append(Step(ClockEventKind.EXTENDED, event.at, due, new_due, data=event.data))
            due = new_due
    return Replay(base, limbs, steps, due, paused_total)


def granted_minutes(calendar, started_at: datetime, due_at: datetime) -> int:
    return max(0, round(business_time_between(calendar, started_at, due_at).total_seconds() / 60))


def warning_time(calendar, due_at: datetime, target_minutes: int, fraction: float) -> datetime:
    """When `fraction` of the target is used, counted back from the due time."""
    remaining = Decimal(str(1 - fraction)) * target_minutes
    return subtract_business_time(calendar, due_at, minutes=remaining)


def next_warning_at(
    calendar, due_at: datetime, target_minutes: int, fractions: list, sent: int
) -> datetime | None:
    if target_minutes <= 0 or sent >= len(fractions):
        return None
    return warning_time(calendar, due_at, target_minutes, sorted(fractions)[sent])


def step_time(calendar, trigger_at: datetime, target_minutes: int, fraction: Decimal) -> datetime:
    """A ladder step's time: the trigger plus a fraction of the target in business time."""
    if not fraction:
        return trigger_at
    return add_business_time(calendar, trigger_at, minutes=Decimal(fraction) * target_minutes)

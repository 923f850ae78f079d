"""The sweeper: warn, breach and escalate the clocks whose time has come.

Each clock stores `sweep_at`, the next moment anything can happen to it (a
warning, the breach, a ladder step), so finding work is one indexed range
query. A batch claims its clocks with `select_for_update(skip_locked=True)`
and does everything in one transaction: events, escalation records (unique
per clock and level), the actions' writes and the next `sweep_at`. A second
sweeper skips the claimed rows; a sweeper killed mid-batch rolls back whole;
so each ladder step happens exactly once (DESIGN.md §2.2).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sla.choices import ClockEventKind, ClockState, EscalationOutcome, EscalationTrigger
from sla.deadlines import next_warning_at, step_time
from sla.escalation import get_action
from sla.models import BusinessCalendar, Clock, ClockEvent, EscalationLevel, EscalationRecord
from sla.services import ticket_model
from sla.webhooks import clock_events_emit

log = logging.getLogger(__name__)

BATCH_SIZE = 500
UNKNOWN = "unknown"
DONE = "done"
CLOCK_FIELDS = [
    "state",
    "at_risk",
    "at_risk_since",
    "warnings_sent",
    "warn_at",
    "breached_at",
    "sweep_at",
]


@dataclass
class SweepResult:
    batches: int = 0
    clocks: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    skipped: int = 0


def sweep(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, max_batches: int | None = None
) -> SweepResult:
    """Sweep every due clock in batches; each batch is its own transaction."""
    now = now or timezone.now()
    levels = list(EscalationLevel.objects.filter(is_active=True).order_by("order", "pk"))
    result = SweepResult()
    skipped: set[int] = set()
    while max_batches is None or result.batches < max_batches:
        claimed = sweep_batch(now, levels, result, skipped, batch_size=batch_size)
        if claimed < batch_size:
            break
    return result


@transaction.atomic
def sweep_batch(
    now: datetime,
    levels: list[EscalationLevel],
    result: SweepResult,
    skipped: set[int],
    *,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Claim and work one batch; returns how many clocks it claimed."""
    due = Clock.objects.filter(sweep_at__lte=now)
    if skipped:
        due = due.exclude(pk__in=skipped)
    clocks = list(
        due.select_for_update(skip_locked=True, of=("self",))
        .select_related("ticket__assignee", "ticket__team__lead")
        .order_by("sweep_at")[:batch_size]
    )
    if not clocks:
        return 0
    result.batches += 1
    # A ticket being changed right now is left for the next sweep instead of
    # waited for: the ticket services lock the ticket before its clocks.
    locked = set(
        ticket_model()
        .objects.select_for_update(skip_locked=True)
        .filter(pk__in={c.ticket_id for c in clocks})
        .values_list("pk", flat=True)
    )
    busy = [c for c in clocks if c.ticket_id not in locked]
    skipped.update(c.pk for c in busy)
    result.skipped += len(busy)
    claimed = len(clocks)
    clocks = [c for c in clocks if c.ticket_id in locked]
    if not clocks:
        return claimed
    calendars = BusinessCalendar.objects.in_bulk({c.calendar_id for c in clocks})
    taken = set(
        EscalationRecord.objects.filter(clock__in=clocks)
        .order_by()
        .values_list("clock_id", "level_id")
    )
    events: list[dict] = []
    firings: list[tuple[Clock, EscalationLevel, datetime]] = []
    for clock in clocks:
        clock.calendar = calendars[clock.calendar_id]
        advance(clock, now, levels, taken, events, firings, result)
    # The clocks are written before the actions run: an action that changes a
    # clock through the services (an upgrade stops it) has the last word.
    _save_clocks(clocks)
    ClockEvent.objects.bulk_create([ClockEvent(**event) for event in events])
    clock_events_emit(clocks, events)
    records = _escalate(firings)
    EscalationRecord.objects.bulk_create([EscalationRecord(**record) for record in records])
    result.escalations += len(records)
    result.clocks += len(clocks)
    return claimed


def advance(
    clock: Clock,
    now: datetime,
    levels: list[EscalationLevel],
    taken: set[tuple[int, int]],
    events: list[dict],
    firings: list,
    result: SweepResult,
) -> None:
    """Bring one clock up to `now`: warnings, breach, due ladder steps, next sweep time."""
    calendar = clock.calendar
    fractions = sorted(clock.target.get("warn_fractions") or [])
    if clock.state == ClockState.RUNNING:
        # A warning overtaken by the breach (the sweeper was down) is not sent late:
        # the breach step tells more, and the log does not claim a warning nobody got.
        overdue = clock.due_at <= now
        while clock.warn_at is not None and clock.warn_at <= now and not overdue:
            events.append(
                {
                    "clock_id": clock.pk,
                    "kind": ClockEventKind.WARNED,
                    "at": clock.warn_at,
                    "due_at": clock.due_at,
                    # A warning time with no fraction left for it (a row written
                    # elsewhere) is still sent, not left to halt every sweep.
                    "data": {
                        "fraction": fractions[clock.warnings_sent]
                        if clock.warnings_sent < len(fractions)
                        else None
                    },
                }
            )
            if not clock.at_risk:
                clock.at_risk, clock.at_risk_since = True, clock.warn_at
            clock.warnings_sent += 1
            result.warnings += 1
            clock.warn_at = next_warning_at(
                calendar, clock.due_at, clock.target_minutes, fractions, clock.warnings_sent
            )
        if overdue:
            clock.state = ClockState.BREACHED
            clock.breached_at = clock.due_at
            clock.warn_at = None
            result.breaches += 1
            events.append(
                {
                    "clock_id": clock.pk,
                    "kind": ClockEventKind.BREACHED,
                    "at": clock.due_at,
                    "due_at": clock.due_at,
                }
            )
    later = []
    if clock.state in (ClockState.RUNNING, ClockState.BREACHED):
        for level in levels:
            if (level.metric and level.metric != clock.metric) or (clock.pk, level.pk) in taken:
                continue
            if level.trigger == EscalationTrigger.AT_RISK:
                trigger_at = clock.at_risk_since
            else:
                trigger_at = clock.breached_at if clock.state == ClockState.BREACHED else None
            if trigger_at is None:
                continue
            when = step_time(calendar, trigger_at, clock.target_minutes, level.delay_fraction)
            if when <= now:
                firings.append((clock, level, when))
                taken.add((clock.pk, level.pk))
            else:
                later.append(when)
    if clock.state == ClockState.RUNNING:
        later += [m for m in (clock.warn_at, clock.due_at) if m is not None]
    clock.sweep_at = min(later) if later else None


def _escalate(firings: list[tuple[Clock, EscalationLevel, datetime]]) -> list[dict]:
    """Run the ladder's actions, grouped by action, and record each step's outcome."""
    by_action: dict[str, list] = defaultdict(list)
    results: dict[tuple[int, int], dict[str, str]] = {}
    for clock, level, _when in firings:
        results[(clock.pk, level.pk)] = {}
        for name in level.actions:
            by_action[name].append((clock, level))
    for name, pairs in by_action.items():
        action = get_action(name)
        if action is None:
            log.warning("escalation action %r is not registered; recorded as failed", name)
            outcome = {(c.pk, lv.pk): UNKNOWN for c, lv in pairs}
        elif action.many:
            outcome = dict.fromkeys(((c.pk, lv.pk) for c, lv in pairs), _run(action.func, pairs))
        else:
            outcome = {(c.pk, lv.pk): _run(action.func, c, lv) for c, lv in pairs}
        for key, value in outcome.items():
            results[key][name] = value
    records = []
    for clock, level, when in firings:
        per_action = results[(clock.pk, level.pk)]
        failed = [name for name, value in per_action.items() if value != DONE]
        if not failed:
            outcome = EscalationOutcome.DONE
        elif len(failed) == len(per_action):
            outcome = EscalationOutcome.FAILED
        else:
            outcome = EscalationOutcome.PARTIAL
        records.append(
            {
                "clock_id": clock.pk,
                "level_id": level.pk,
                "due_at": when,
                "outcome": outcome,
                "results": per_action,
            }
        )
    return records


def _save_clocks(clocks: list[Clock]) -> None:
    """Write the swept fields of a batch in one statement."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        Clock.objects.bulk_update(clocks, CLOCK_FIELDS)
        return
    casts = {
        "state": "varchar",
        "at_risk": "boolean",
        "at_risk_since": "timestamptz",
        "warnings_sent": "smallint",
        "warn_at": "timestamptz",
        "breached_at": "timestamptz",
        "sweep_at": "timestamptz",
    }
    assignments = ", ".join(f"{name} = v.{name}::{casts[name]}" for name in CLOCK_FIELDS)
    one_row = "(" + ", ".join(["%s"] * (len(CLOCK_FIELDS) + 1)) + ")"
    params = [
        value
        for clock in clocks
        for value in [clock.pk, *(getattr(clock, f) for f in CLOCK_FIELDS)]
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE sla_clock AS c SET {assignments} "
            f"FROM (VALUES {', '.join([one_row] * len(clocks))}) "
            f"AS v(id, {', '.join(CLOCK_FIELDS)}) WHERE c.id = v.id",
            params,
        )


def _run(func, *args) -> str:
    # A savepoint per call: a failing action rolls back its own writes only.
    try:
        with transaction.atomic():
            func(*args)
    except Exception as exc:
        log.exception("escalation action failed")
        return f"failed: {type(exc).__name__}: {exc}"[:500]
    return DONE

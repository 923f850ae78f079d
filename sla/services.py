"""Every change to clocks, policies and calendars (DESIGN.md §2.2).

The ticket services call these inside their own transaction, with the ticket
row already locked. Lock order everywhere is ticket, then clocks; the
sweeper, which takes clocks first, never waits for a ticket (skip_locked),
so the two cannot deadlock.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Min, Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from csc.lib.errors import DomainError, IllegalTransition
from csc.lib.reference import ReferenceCache
from sla import webhooks
from sla.calendars import add_business_time, business_time_between, local
from sla.choices import (
    ACTIVE_CATEGORIES,
    COUNTING_STATES,
    OPEN_STATES,
    CalendarKind,
    ClockEventKind,
    ClockState,
    RecomputeScope,
    ReopenRule,
    StatusCategory,
    TargetUnit,
)
from sla.deadlines import (
    base_due,
    extension_after,
    granted_minutes,
    next_warning_at,
    replay,
    resolve_target,
    target_snapshot,
)
from sla.matching import TicketFacts, published_policies, targets_for
from sla.models import (
    BusinessCalendar,
    CalendarOverride,
    Clock,
    ClockEvent,
    EscalationRecord,
    PolicyVersion,
    RecomputeJob,
    SlaPolicy,
)

log = logging.getLogger(__name__)

RECOMPUTE_BATCH_SIZE = 200

# Every calendar by id, read when clocks start; they change a few times a year.
business_calendars = ReferenceCache(
    "business-calendars",
    lambda: BusinessCalendar.objects.in_bulk(),
    sources=[BusinessCalendar, CalendarOverride],
)


def business_calendar(pk: int) -> BusinessCalendar:
    """A calendar from the kept ones; one made a moment ago elsewhere is read."""
    calendar = business_calendars.get().get(pk)
    return calendar if calendar is not None else BusinessCalendar.objects.get(pk=pk)


def ticket_model():
    """worktickets.Ticket, reached through the foreign key (sla never imports it)."""
    return Clock._meta.get_field("ticket").related_model


# --- small steps on one clock --------------------------------------------------


def _event(clock: Clock, kind: str, at: datetime, *, actor=None, **data) -> ClockEvent:
    webhooks.clock_event_emit(clock, kind, at)
    return ClockEvent.objects.create(
        clock=clock, kind=kind, at=at, due_at=clock.due_at, data=data, actor=actor
    )


def _schedule(clock: Clock, at: datetime) -> None:
    """Set the next warning and the sweeper's next look at the clock."""
    if clock.state == ClockState.RUNNING:
        clock.warn_at = next_warning_at(
            clock.calendar,
            clock.due_at,
            clock.target_minutes,
            clock.target.get("warn_fractions") or [],
            clock.warnings_sent,
        )
        moments = [clock.due_at, clock.warn_at]
        if clock.at_risk:
            # Pending at-risk ladder steps: the sweeper recomputes them at once.
            moments.append(at)
        clock.sweep_at = min(m for m in moments if m is not None)
    elif clock.state == ClockState.BREACHED:
        # The sweeper works out the ladder's next step itself.
        clock.warn_at = None
        clock.sweep_at = at
    else:
        clock.warn_at = None
        clock.sweep_at = None


def _start_clock(ticket, version: PolicyVersion, target: dict, at: datetime) -> Clock:
    clock = _new_clock(ticket, version, target, at)
    clock.save()
    _event(clock, ClockEventKind.STARTED, at, **_started_data(version))
    return clock


def _started_data(version: PolicyVersion) -> dict:
    return {"policy": version.policy.name, "version": version.number}


def _new_clock(ticket, version: PolicyVersion, target: dict, at: datetime) -> Clock:
    """A clock for the target, scheduled and not yet saved."""
    calendar = business_calendar(target["calendar_id"])
    due, _limbs = base_due(calendar, at, target)
    clock = Clock(
        metric=target["metric"],
        policy_version=version,
        calendar=calendar,
        target=target,
        target_minutes=granted_minutes(calendar, at, due),
        started_at=at,
        due_at=due,
        calendar_revision=calendar.revision,
    )
    if ticket is not None:  # else set when the planned clocks are saved
        clock.ticket_id = ticket.pk
    _schedule(clock, at)
    return clock


def _pause(clock: Clock, at: datetime) -> None:
    clock.state = ClockState.PAUSED
    clock.paused_since = at
    _schedule(clock, at)
    clock.save()
    _event(clock, ClockEventKind.PAUSED, at)


def _resume(clock: Clock, at: datetime, *, save: bool = True) -> None:
    """Back to running; the due time moves by the working time spent paused."""
    assert clock.paused_since is not None  # set whenever a clock is paused
    paused = business_time_between(clock.calendar, clock.paused_since, at)
    clock.due_at = add_business_time(
        clock.calendar, clock.due_at, minutes=Decimal(paused.total_seconds()) / 60
    )
    clock.paused_total += paused
    clock.paused_since = None
    clock.state = ClockState.RUNNING
    _schedule(clock, at)
    if save:
        clock.save()
    _event(clock, ClockEventKind.RESUMED, at, paused_seconds=int(paused.total_seconds()))


def _meet(clock: Clock, at: datetime) -> None:
    if clock.state == ClockState.PAUSED:
        _resume(clock, at, save=False)
    if at > clock.due_at and clock.breached_at is None:
        # Met late before the sweeper noticed: the breach still counts.
        clock.breached_at = clock.due_at
        _event(clock, ClockEventKind.BREACHED, clock.due_at, detected="on_meet")
    clock.state = ClockState.MET
    clock.met_at = at
    clock.lateness = at - clock.due_at
    _schedule(clock, at)
    clock.save()
    _event(clock, ClockEventKind.MET, at, lateness_seconds=int(clock.lateness.total_seconds()))


def _stop(clock: Clock, at: datetime, reason: str) -> None:
    if clock.state == ClockState.PAUSED:
        _resume(clock, at, save=False)
    clock.state = ClockState.STOPPED
    clock.stopped_at = at
    _schedule(clock, at)
    clock.save()
    _event(clock, ClockEventKind.STOPPED, at, reason=reason)


def _open_clocks(ticket_id: int) -> list[Clock]:
    return list(
        Clock.objects.select_for_update(of=("self",))
        .select_related("calendar", "policy_version__policy")
        .filter(ticket_id=ticket_id, state__in=OPEN_STATES)
        .order_by("pk")
    )


def refresh_ticket_due(ticket) -> datetime | None:
    """Keep the ticket's nearest due time (the queue's ordering) in step with its clocks."""
    ticket_id = ticket if isinstance(ticket, int) else ticket.pk
    due = Clock.objects.filter(ticket_id=ticket_id, state__in=COUNTING_STATES).aggregate(
        due=Min("due_at")
    )["due"]
    ticket_model().objects.filter(pk=ticket_id).update(sla_due_at=due)
    if not isinstance(ticket, int):
        ticket.sla_due_at = due
    return due


def _pause_rule(clock: Clock, category: str) -> bool:
    if category == StatusCategory.WAITING_CUSTOMER:
        return bool(clock.target.get("pauses_while_waiting_customer"))
    if category == StatusCategory.WAITING_INTERNAL:
        return bool(clock.target.get("pauses_while_waiting_internal"))
    return False


def _apply_pause_rules(clocks: Iterable[Clock], category: str, at: datetime) -> None:
    for clock in clocks:
        pauses = _pause_rule(clock, category)
        if pauses and clock.state == ClockState.RUNNING and clock.due_at <= at:
            # Already overdue, though not swept yet: waiting now does not undo the breach.
            clock.state = ClockState.BREACHED
            clock.breached_at = clock.due_at
            _schedule(clock, at)
            clock.save()
            _event(clock, ClockEventKind.BREACHED, clock.due_at, detected="on_pause")
        elif pauses and clock.state == ClockState.RUNNING:
            _pause(clock, at)
        elif not pauses and clock.state == ClockState.PAUSED:
            _resume(clock, at)


def _plan(facts: TicketFacts) -> list[tuple[PolicyVersion, dict]]:
    """The targets to start now; a target that starts when another metric is met
    rides on that metric's clock (`then_start`), whichever policy it came from."""
    chosen = []
    for version, spec in targets_for(facts):
        target = resolve_target(spec, facts)
        if target is not None:
            chosen.append((version, target))
    later: dict[str, list] = {}
    for version, target in chosen:
        if target.get("starts_after"):
            later.setdefault(target["starts_after"], []).append(
                {"version_id": version.pk, "target": target}
            )
    plan = []
    for version, target in chosen:
        if not target.get("starts_after"):
            if target["metric"] in later:
                target = {**target, "then_start": later[target["metric"]]}
            plan.append((version, target))
    return plan


def _start_dependents(ticket, met: Clock, at: datetime) -> None:
    """Start the targets that begin when `met` is met (evidence after acceptance)."""
    dependents = met.target.get("then_start") or []
    if not dependents:
        return
    started = set(Clock.objects.filter(ticket_id=ticket.pk).values_list("metric", flat=True))
    versions = PolicyVersion.objects.select_related("policy").in_bulk(
        {d["version_id"] for d in dependents}
    )
    for dependent in dependents:
        version = versions.get(dependent["version_id"])
        if version is not None and dependent["target"]["metric"] not in started:
            _start_clock(ticket, version, dependent["target"], at)


# --- the interface the ticket services call ------------------------------------


def clocks_planned(facts: TicketFacts, *, at: datetime) -> list[Clock]:
    """The clocks a new ticket starts with, scheduled and not yet saved.

    The ticket service plans them before it inserts the ticket, so the ticket
    is written once, with its nearest due time already set (`nearest_due`).
    """
    return [_new_clock(None, version, target, at) for version, target in _plan(facts)]


def nearest_due(clocks: Iterable[Clock]) -> datetime | None:
    return min((c.due_at for c in clocks if c.state in COUNTING_STATES), default=None)


@transaction.atomic(savepoint=False)
def clocks_save_planned(ticket, clocks: list[Clock], facts: TicketFacts) -> list[Clock]:
    """Save the planned clocks of a ticket just inserted, or about to be in the same
    transaction (its id reserved: keys are checked at the commit), each with its start
    event."""
    for clock in clocks:
        clock.ticket_id = ticket.pk
    if clocks:
        _save_started(clocks, clocks[0].started_at)
    # A clock just started has climbed no rung of the ladder: its escalations are
    # prefetched from an empty queryset, which runs no query.
    prefetch_related_objects(
        clocks, Prefetch("escalations", queryset=EscalationRecord.objects.none())
    )
    if not clocks:
        log.debug("no SLA policy matches ticket %s (%s)", ticket.pk, facts)
    return clocks


def _save_started(clocks: list[Clock], at: datetime) -> None:
    # One INSERT for the clocks and one for their events, whatever the number of metrics.
    if not clocks:
        return
    Clock.objects.bulk_create(clocks)
    ClockEvent.objects.bulk_create(
        [
            ClockEvent(
                clock=clock,
                kind=ClockEventKind.STARTED,
                at=at,
                due_at=clock.due_at,
                data=_started_data(clock.policy_version),
            )
            for clock in clocks
        ]
    )


@transaction.atomic(savepoint=False)
def clocks_start(ticket, facts: TicketFacts, *, at: datetime | None = None) -> list[Clock]:
    """Start a clock per metric the matching policies target; idempotent per metric."""
    at = at or timezone.now()
    running = set(
        Clock.objects.filter(ticket_id=ticket.pk, state__in=OPEN_STATES).values_list(
            "metric", flat=True
        )
    )
    clocks = [
        _new_clock(ticket, version, target, at)
        for version, target in _plan(facts)
        if target["metric"] not in running
    ]
    _save_started(clocks, at)
    if not clocks and not running:
        log.debug("no SLA policy matches ticket %s (%s)", ticket.pk, facts)
    if running:
        refresh_ticket_due(ticket)
    else:
        # A ticket's first clocks: its nearest deadline is theirs, no need to ask.
        due = nearest_due(clocks)
        ticket_model().objects.filter(pk=ticket.pk).update(sla_due_at=due)
        ticket.sla_due_at = due
    return clocks


@transaction.atomic
def clock_meet(ticket, metric: str, *, at: datetime | None = None) -> Clock | None:
    """The metric is achieved (first reply meets first response); None if no clock runs."""
    at = at or timezone.now()
    clock = next((c for c in _open_clocks(ticket.pk) if c.metric == metric), None)
    if clock is None:
        return None
    _meet(clock, at)
    if ticket.status_category in ACTIVE_CATEGORIES:
        _start_dependents(ticket, clock, at)
    refresh_ticket_due(ticket)
    return clock


@transaction.atomic
def clocks_status_changed(
    ticket, old_category: str, new_category: str, *, at: datetime | None = None
) -> None:
    """Pause, resume, meet, stop or restart clocks as the status category moves.

    Waiting categories pause the metrics whose target says so and resume them
    otherwise; resolved meets every open clock; closed without resolving stops
    them (a rejected or cancelled order gets no verdict); leaving resolved or
    closed reopens per each target's reopen rule.
    """
    if old_category == new_category:
        return
    at = at or timezone.now()
    if new_category in ACTIVE_CATEGORIES:
        if old_category in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
            _reopen(ticket, at)
        _apply_pause_rules(_open_clocks(ticket.pk), new_category, at)
    elif new_category == StatusCategory.RESOLVED:
        for clock in _open_clocks(ticket.pk):
            _meet(clock, at)
    elif new_category == StatusCategory.CLOSED:
        for clock in _open_clocks(ticket.pk):
            if old_category == StatusCategory.RESOLVED:
                _meet(clock, at)
            else:
                _stop(clock, at, reason="closed")
    refresh_ticket_due(ticket)


def _reopen(ticket, at: datetime) -> None:
    latest: dict[str, Clock] = {}
    for clock in (
        Clock.objects.select_for_update(of=("self",))
        .select_related("calendar", "policy_version")
        .filter(ticket_id=ticket.pk)
        .order_by("pk")
    ):
        latest[clock.metric] = clock
    for clock in latest.values():
        if clock.is_open:
            continue
        rule = clock.target.get("on_reopen", ReopenRule.KEEP)
        if rule == ReopenRule.RESTART:
            _start_clock(ticket, clock.policy_version, clock.target, at)
        elif rule == ReopenRule.RESUME:
            _resume_closed_clock(clock, at)


def _resume_closed_clock(clock: Clock, at: datetime) -> None:
    clock.met_at = clock.stopped_at = clock.lateness = None
    clock.state = ClockState.RUNNING
    _event(clock, ClockEventKind.REOPENED, at)
    if clock.due_at <= at:
        clock.state = ClockState.BREACHED
        if clock.breached_at is None:
            clock.breached_at = clock.due_at
            _event(clock, ClockEventKind.BREACHED, clock.due_at, detected="on_reopen")
    _schedule(clock, at)
    clock.save()


@transaction.atomic
def clocks_rematch(ticket, facts: TicketFacts, *, at: datetime | None = None) -> list[Clock]:
    """Move a ticket to the targets its new facts match (an upgraded complaint, an
    inquiry's new category).

    Clocks whose target is unchanged keep running (the 30-working-day cap
    counts from receipt); the others stop, and new targets start from `at`,
    paused at once if the ticket waits in a category their target pauses in.
    """
    at = at or timezone.now()
    open_clocks = {c.metric: c for c in _open_clocks(ticket.pk)}
    finished = set(
        Clock.objects.filter(ticket_id=ticket.pk).values_list("metric", flat=True)
    ) - set(open_clocks)
    plan = _plan(facts)
    new_targets = {t["metric"]: (v, t) for v, t in plan if t["metric"] not in finished}
    for _version, target in plan:
        for dependent in target.get("then_start", []):
            if dependent["target"]["metric"] in open_clocks:
                # Already started (evidence after acceptance): compared like the others.
                version = PolicyVersion.objects.select_related("policy").get(
                    pk=dependent["version_id"]
                )
                new_targets[dependent["target"]["metric"]] = (version, dependent["target"])
    for metric, clock in open_clocks.items():
        target = new_targets[metric][1] if metric in new_targets else {}
        if target and target_snapshot(clock.target) == target_snapshot(target):
            new_targets.pop(metric)
        else:
            _stop(clock, at, reason="rematched")
    started = [
        _start_clock(ticket, version, target, at) for version, target in new_targets.values()
    ]
    _apply_pause_rules(started, ticket.status_category, at)
    refresh_ticket_due(ticket)
    return started


@transaction.atomic
def clock_extend(
    clock: Clock,
    *,
    by_working_days: int | None = None,
    by_minutes: int | None = None,
    reason: str,
    approved_by,
    at: datetime | None = None,
    not_after: datetime | None = None,
) -> Clock:
    """Move a clock's due time later with a recorded approval (complaint extensions).

    With `not_after` the due time moves at most to that moment (the limit is logged
    with the extension, so a recomputation keeps it).
    """
    at = at or timezone.now()
    if (by_working_days is None) == (by_minutes is None):
        raise DomainError(_("Give the extension in working days or in minutes."), code="extension")
    amount = by_working_days if by_working_days is not None else by_minutes
    if not amount or amount <= 0:
        raise DomainError(_("An extension must be longer than zero."), code="extension")
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the extension."), code="extension")
    if approved_by is None:
        raise DomainError(_("An extension needs the approver."), code="extension")
    clock = (
        Clock.objects.select_for_update(of=("self",)).select_related("calendar").get(pk=clock.pk)
    )
    if not clock.is_open:
        raise IllegalTransition(_("This clock has already stopped; it cannot be extended."))
    data: dict[str, object] = (
        {"working_days": by_working_days} if by_working_days else {"minutes": by_minutes}
    )
    if not_after is not None:
        data["not_after"] = not_after.isoformat()
    clock.due_at = extension_after(clock.calendar, clock.due_at, data)
    if clock.state == ClockState.BREACHED and clock.due_at > at:
        clock.state = ClockState.RUNNING
    _schedule(clock, at)
    clock.save()
    _event(
        clock,
        ClockEventKind.EXTENDED,
        at,
        actor=approved_by,
        reason=reason.strip(),
        approved_by=approved_by.pk,
        **data,
    )
    refresh_ticket_due(clock.ticket_id)
    return clock


# --- recomputation ---------------------------------------------------------------


@transaction.atomic
def clocks_recompute(
    ticket_ids: Iterable[int], *, adopt_version: PolicyVersion | None = None
) -> int:
    """Recompute the due times of these tickets' open clocks from their logs
    with the calendars as they are now; returns how many clocks changed.

    With `adopt_version`, open clocks of that version's policy move to it.
    """
    ticket_ids = sorted(set(ticket_ids))
    now = timezone.now()
    # Tickets first, in id order: the same lock order as the ticket services.
    list(
        ticket_model()
        .objects.select_for_update()
        .filter(pk__in=ticket_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    clocks = (
        Clock.objects.select_for_update(of=("self",))
        .select_related("calendar", "policy_version")
        .prefetch_related("events")
        .filter(ticket_id__in=ticket_ids, state__in=OPEN_STATES)
        .order_by("pk")
    )
    changed = 0
    for clock in clocks:
        if _recompute_clock(clock, now, adopt_version):
            changed += 1
    for ticket_id in ticket_ids:
        refresh_ticket_due(ticket_id)
    return changed


def _recompute_clock(clock: Clock, now: datetime, adopt_version: PolicyVersion | None) -> bool:
    target = clock.target
    old_version = clock.policy_version
    if adopt_version is not None and old_version.policy_id == adopt_version.policy_id:
        spec = adopt_version.target_for(clock.metric)
        if spec is None:
            _stop(clock, now, reason="removed_from_policy")
            return True
        target = dict(target_snapshot(spec))
        if spec["unit"] == TargetUnit.BUSINESS_TYPE:
            # The business type's limit was resolved at start; keep it.
            target.update(
                amount=clock.target["amount"],
                unit=TargetUnit.MINUTES,
                business_type=clock.target.get("business_type", ""),
            )
        clock.policy_version = adopt_version
        if target["calendar_id"] != clock.calendar_id:
            clock.calendar = BusinessCalendar.objects.get(pk=target["calendar_id"])
    result = replay(clock.calendar, clock.started_at, target, clock.events.all())
    old_due = clock.due_at
    changed = (
        result.due_at != old_due
        or target != clock.target
        or clock.policy_version_id != old_version.pk
    )
    clock.target = target
    clock.due_at = result.due_at
    clock.paused_total = result.paused_total
    clock.target_minutes = granted_minutes(clock.calendar, clock.started_at, result.base_due)
    clock.calendar_revision = clock.calendar.revision
    if clock.state == ClockState.BREACHED and clock.due_at > now:
        # The new calendar gives more time: no longer overdue.
        clock.state = ClockState.RUNNING
        clock.breached_at = None
    if clock.state != ClockState.PAUSED:
        _schedule(clock, now)
    clock.save()
    if changed:
        _event(
            clock,
            ClockEventKind.RECOMPUTED,
            now,
            old_due=local(old_due).isoformat(),
            calendar_revision=clock.calendar.revision,
            version=clock.policy_version.number,
        )
    return changed


def calendar_changed(calendar: BusinessCalendar) -> RecomputeJob:
    """Record a calendar edit: new revision, and a job recomputing its open clocks."""
    calendar.revision = secrets.randbits(62)
    BusinessCalendar.objects.filter(pk=calendar.pk).update(revision=calendar.revision)
    business_calendars.changed()
    return _recompute_job(RecomputeJob(scope=RecomputeScope.CALENDAR, calendar=calendar))


@transaction.atomic
def calendar_enter_holidays(
    calendar: BusinessCalendar,
    *,
    closed_days: Mapping[date, str],
    working_days: Mapping[date, str],
) -> RecomputeJob:
    """Enter public holidays (closed) and make-up working days (调休, open) as overrides.

    For a year the holiday package does not know yet. A date entered before is
    replaced; other overrides stay. The calendar's open clocks are recomputed.
    """
    if calendar.kind != CalendarKind.WORKING_TIME:
        raise DomainError(_("A 24×7 calendar has no holidays."), code="invalid")
    both = sorted(set(closed_days) & set(working_days))
    if both:
        listed = {"days": ", ".join(day.isoformat() for day in both)}
        raise DomainError(
            _("A day cannot be both a holiday and a working day: %(days)s.") % listed,
            code="invalid",
            details={"working_days": [_("Also entered as a holiday: %(days)s.") % listed]},
        )
    if not closed_days and not working_days:
        raise DomainError(
            _("Enter at least one holiday or make-up working day."),
            code="invalid",
            details={"closed_days": [_("This field is required.")]},
        )
    overrides = [
        CalendarOverride(calendar=calendar, date=day, is_working_day=is_working, note=note)
        for days, is_working in ((closed_days, False), (working_days, True))
        for day, note in days.items()
    ]
    # The calendar's own hours on make-up days: an earlier override's hours do not linger.
    CalendarOverride.objects.bulk_create(
        overrides,
        update_conflicts=True,
        unique_fields=["calendar", "date"],
        update_fields=["is_working_day", "note", "opens_at", "closes_at"],
    )
    return calendar_changed(calendar)


def policy_apply_to_open_clocks(version: PolicyVersion) -> RecomputeJob:
    """Move the open clocks of the version's policy to this version, in the background."""
    return _recompute_job(RecomputeJob(scope=RecomputeScope.POLICY, policy_version=version))


def _recompute_job(job: RecomputeJob) -> RecomputeJob:
    job.save()
    transaction.on_commit(lambda: _enqueue_recompute(job.pk))
    return job


def _enqueue_recompute(job_id: int) -> None:
    from sla.tasks import run_recompute_jobs

    try:
        run_recompute_jobs.apply_async(retry=False)
    except Exception:
        # The periodic run picks the job up; it was saved with the change.
        log.warning("broker unreachable; recompute job %s waits for the periodic run", job_id)


def recompute_job_run(job: RecomputeJob, *, batch_size: int = RECOMPUTE_BATCH_SIZE) -> int:
    """Work one batch of a job (its own transaction); returns clocks looked at, 0 when done."""
    clocks = Clock.objects.open().filter(pk__gt=job.last_clock_id).order_by("pk")
    if job.scope == RecomputeScope.CALENDAR:
        clocks = clocks.filter(calendar_id=job.calendar_id)
    else:
        assert job.policy_version is not None  # a policy's job names the policy's version
        clocks = clocks.filter(policy_version__policy_id=job.policy_version.policy_id)
    batch = list(clocks.values_list("pk", "ticket_id")[:batch_size])
    if not batch:
        RecomputeJob.objects.filter(pk=job.pk).update(finished_at=timezone.now())
        job.finished_at = timezone.now()
        return 0
    adopt = job.policy_version if job.scope == RecomputeScope.POLICY else None
    with transaction.atomic():
        clocks_recompute({ticket_id for _pk, ticket_id in batch}, adopt_version=adopt)
        job.last_clock_id = batch[-1][0]
        job.clocks_done += len(batch)
        job.save(update_fields=["last_clock_id", "clocks_done"])
    return len(batch)


def recompute_jobs_run(*, max_batches: int = 50) -> int:
    """Work the pending jobs, oldest first, for at most `max_batches` batches."""
    done = 0
    for job in (
        RecomputeJob.objects.filter(finished_at__isnull=True)
        .select_related("policy_version")
        .order_by("pk")
    ):
        while done < max_batches:
            count = recompute_job_run(job)
            if count == 0:
                break
            done += 1
        if done >= max_batches:
            break
    return done


# --- policies ------------------------------------------------------------------------


def policy_criteria(policy: SlaPolicy) -> dict:
    return {
        "kind": policy.kind,
        "complaint_category": policy.complaint_category,
        "complaint_tier": policy.complaint_tier,
        "vip_match": policy.vip_match,
        "channel": policy.channel,
        "min_priority": policy.min_priority,
        "business_type_code": policy.business_type_code,
        "category_code": policy.category_code,
        "service_type": policy.service_type,
        "region": policy.region,
        "order": policy.order,
    }


@transaction.atomic
def policy_publish(policy: SlaPolicy, *, by=None, note: str = "") -> PolicyVersion | None:
    """Snapshot the policy's matching and targets as a new version if they changed.

    Running clocks keep their version; `policy_apply_to_open_clocks` moves them.
    """
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    targets = [target_snapshot(t) for t in policy.targets.order_by("pk")]
    criteria = policy_criteria(policy)
    current = policy.current_version
    if current is not None and current.targets == targets and current.criteria == criteria:
        return None
    number = (current.number if current else 0) + 1
    version = PolicyVersion.objects.create(
        policy=policy, number=number, criteria=criteria, targets=targets, created_by=by, note=note
    )
    SlaPolicy.objects.filter(pk=policy.pk).update(current_version=version)
    published_policies.changed()
    return version


def paused_so_far(clock: Clock, at: datetime | None = None) -> timedelta:
    """Paused working time including a pause in progress."""
    total = clock.paused_total
    if clock.state == ClockState.PAUSED and clock.paused_since:
        total += business_time_between(clock.calendar, clock.paused_since, at or timezone.now())
    return total

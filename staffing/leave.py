"""Leave (DOMAIN.md ST-32 to ST-40, S-50, P-12, K-9, K-22).

Advance notice, checked when the request is made (K-9 defaults, shown to users):
  ordinary personal leave   24 h before the leave starts (ST-33)
  special personal leave    1 h before the shift it touches (ST-33)
  a night shift             before 12:00 on the day of the night shift (ST-37)
  a public holiday          two days ahead: by 23:59 two days before (ST-38)
  sick leave                any time; a full day needs a medical certificate,
                            due the first working day after the leave (ST-36)
A request that misses its deadline is still taken, marked late with the rule it
missed; only a manager decides it (ST-33), as every leave decision is.
Approval goes level by level (ST-34): the CS manager first; leave longer than a
day and official business (ST-40) then go to the centre director.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from staffing import calendar_port
from staffing.coverage import Gap
from staffing.models import Agent, LeaveRequest, RosterEntry, ShiftTemplate, User

ORDINARY_NOTICE = datetime.timedelta(hours=24)
SPECIAL_NOTICE = datetime.timedelta(hours=1)
NIGHT_DEADLINE = datetime.time(12, 0)
HOLIDAY_NOTICE_DAYS = 2
ONE_DAY = datetime.timedelta(days=1)

MANAGER_PERM = "staffing.decide_leave_as_manager"
DIRECTOR_PERM = "staffing.decide_leave_as_director"
PERSONAL = (LeaveRequest.Kind.ORDINARY, LeaveRequest.Kind.SPECIAL, LeaveRequest.Kind.HOLIDAY)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _at(day: datetime.date, moment: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, moment, tzinfo=timezone.get_default_timezone())


def _days(start: datetime.datetime, end: datetime.datetime) -> list[datetime.date]:
    first, last = _local_day(start), _local_day(end - datetime.timedelta(microseconds=1))
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def shifts_during(agent: Agent, start: datetime.datetime, end: datetime.datetime):
    return (
        RosterEntry.objects.filter(agent=agent, starts_at__lt=end, ends_at__gt=start)
        .select_related("template", "roster")
        .order_by("starts_at")
    )


def late_rules(
    kind: str,
    start: datetime.datetime,
    end: datetime.datetime,
    shifts: list[RosterEntry],
    now: datetime.datetime,
) -> list[str]:
    """The advance-notice rules the request misses (empty: on time)."""
    missed: list[str] = []
    if kind == LeaveRequest.Kind.SICK:
        return missed
    if kind == LeaveRequest.Kind.ORDINARY and now > start - ORDINARY_NOTICE:
        missed.append(_("Ordinary personal leave is asked 24 hours ahead (ST-33)."))
    if kind == LeaveRequest.Kind.SPECIAL:
        first = shifts[0].starts_at if shifts else start
        if now > first - SPECIAL_NOTICE:
            missed.append(_("Special personal leave is asked 1 hour before the shift (ST-33)."))
    for shift in shifts:
        if shift.template.kind == ShiftTemplate.Kind.NIGHT and now >= _at(
            shift.day, NIGHT_DEADLINE
        ):
            missed.append(_("Leave from a night shift is asked before 12:00 that day (ST-37)."))
            break
    for day in _days(start, end):
        deadline = _at(day - datetime.timedelta(days=HOLIDAY_NOTICE_DAYS - 1), datetime.time.min)
        if calendar_port.is_public_holiday(day) and now >= deadline:
            missed.append(_("Leave on a public holiday is asked two days ahead (ST-38)."))
            break
    return missed


def next_working_day(day: datetime.date) -> datetime.date:
    day += datetime.timedelta(days=1)
    while day.isoweekday() > 5 or calendar_port.is_public_holiday(day):
        day += datetime.timedelta(days=1)
    return day


@transaction.atomic
def leave_request(
    agent: Agent,
    *,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    reason: str,
    requested_by: User,
) -> LeaveRequest:
    if kind not in LeaveRequest.Kind.values:
        raise DomainError(_("Unknown leave type."), code="invalid_kind")
    if ends_at <= starts_at:
        raise DomainError(_("The leave must end after it starts."), code="invalid_period")
    if not reason.strip():
        raise DomainError(_("Give the reason for the leave."), code="reason_required")
    if requested_by.pk != agent.user_id:
        # ST-35: personal leave in person; sick leave may be phoned in by someone else,
        # and is then recorded by the team lead.
        if kind != LeaveRequest.Kind.SICK:
            raise NotAllowed(
                _("Personal leave is asked in person, not on someone's behalf (ST-35)."),
                code="in_person",
            )
        if not requested_by.has_perm("staffing.change_agent"):
            raise NotAllowed(_("Only a team lead records sick leave for someone else."))
    now = timezone.now()
    shifts = list(shifts_during(agent, starts_at, ends_at))
    swapped = [shift for shift in shifts if shift.swapped]
    if swapped:
        raise DomainError(
            _("No leave on a swapped or pay-back shift (ST-46): %(day)s %(shift)s.")
            % {"day": swapped[0].day, "shift": swapped[0].template.name},
            code="swapped_shift",
        )
    if kind == LeaveRequest.Kind.HOLIDAY and not any(
        calendar_port.is_public_holiday(day) for day in _days(starts_at, ends_at)
    ):
        raise DomainError(
            _("Public-holiday leave must fall on a public holiday."), code="not_a_holiday"
        )
    missed = late_rules(kind, starts_at, ends_at, shifts, now)
    leave = LeaveRequest(
        agent=agent,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        requested_by=requested_by,
        requested_at=now,
        is_late=bool(missed),
        late_rule=" ".join(missed),
        needs_director=kind == LeaveRequest.Kind.OFFICIAL or ends_at - starts_at > ONE_DAY,
    )
    if kind == LeaveRequest.Kind.SICK and ends_at - starts_at >= ONE_DAY:
        leave.certificate_due_on = next_working_day(
            _local_day(ends_at - datetime.timedelta(seconds=1))
        )
    leave._history_user = requested_by
    leave.save()
    return leave


def may_decide(user: User, leave: LeaveRequest) -> bool:
    if user.pk == leave.agent.user_id:
        return False
    if leave.status == LeaveRequest.Status.AWAITING_MANAGER:
        return user.has_perm(MANAGER_PERM)
    if leave.status == LeaveRequest.Status.AWAITING_DIRECTOR:
        return user.has_perm(DIRECTOR_PERM)
    return False


@transaction.atomic
def leave_decide(
    leave: LeaveRequest, *, decided_by: User, approve: bool, note: str = ""
) -> LeaveRequest:
    leave = LeaveRequest.objects.select_for_update().select_related("agent").get(pk=leave.pk)
    if not leave.is_open:
        raise IllegalTransition(_("This leave request is already decided."))
    if not may_decide(decided_by, leave):
        if leave.status == LeaveRequest.Status.AWAITING_MANAGER:
            message = _("The CS manager decides this first: no level is skipped (ST-34).")
        else:
            message = _("Only the centre director decides this level (ST-34, ST-40).")
        raise NotAllowed(message)
    if not approve and not note.strip():
        raise DomainError(_("Say why the leave is refused."), code="note_required")
    now = timezone.now()
    if leave.status == LeaveRequest.Status.AWAITING_MANAGER:
        leave.manager_decided_by, leave.manager_decided_at = decided_by, now
        if not approve:
            leave.status = LeaveRequest.Status.REFUSED
        elif leave.needs_director:
            leave.status = LeaveRequest.Status.AWAITING_DIRECTOR
        else:
            leave.status = LeaveRequest.Status.APPROVED
    else:
        leave.director_decided_by, leave.director_decided_at = decided_by, now
        leave.status = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.REFUSED
    leave.decision_note = note.strip()
    leave._history_user = decided_by
    leave.save()
    return leave


@transaction.atomic
def leave_withdraw(leave: LeaveRequest, *, withdrawn_by: User) -> LeaveRequest:
    leave = LeaveRequest.objects.select_for_update().select_related("agent").get(pk=leave.pk)
    if withdrawn_by.pk != leave.agent.user_id:
        raise NotAllowed(_("Only the person on leave withdraws the request."))
    if not leave.is_open:
        raise IllegalTransition(_("This leave request is already decided."))
    leave.status = LeaveRequest.Status.WITHDRAWN
    leave._history_user = withdrawn_by
    leave.save()
    return leave


@transaction.atomic
def leave_certificate_received(leave: LeaveRequest, *, received_by: User) -> LeaveRequest:
    if not received_by.has_perm("staffing.change_agent"):
        raise NotAllowed(_("The team lead records the medical certificate."))
    if leave.certificate_due_on is None or leave.certificate_received_at is not None:
        raise IllegalTransition(_("No medical certificate is outstanding for this leave."))
    leave.certificate_received_at = timezone.now()
    leave._history_user = received_by
    leave.save()
    return leave


# --- reads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaveImpact:
    """What approving the leave does to the roster: the shifts it empties, and the
    coverage gaps during the leave with and without the person."""

    shifts: list[RosterEntry]
    gaps_now: list[Gap]
    gaps_if_approved: list[Gap]

    @property
    def new_gaps(self) -> bool:
        return self.gaps_if_approved != self.gaps_now


def leave_impact(leave: LeaveRequest) -> LeaveImpact:
    from staffing.rosters import roster_coverage  # rosters reads leave too

    shifts = list(shifts_during(leave.agent, leave.starts_at, leave.ends_at))
    gaps_now: list[Gap] = []
    gaps_after: list[Gap] = []
    rosters = {shift.roster_id: shift.roster for shift in shifts}
    for roster in sorted(rosters.values(), key=lambda r: r.month):
        start = max(leave.starts_at, min(s.starts_at for s in shifts if s.roster_id == roster.pk))
        end = min(leave.ends_at, max(s.ends_at for s in shifts if s.roster_id == roster.pk))
        gaps_now += roster_coverage(roster, start=start, end=end)
        gaps_after += roster_coverage(
            roster, start=start, end=end, away=(leave.agent_id, leave.starts_at, leave.ends_at)
        )
    return LeaveImpact(shifts, gaps_now, gaps_after)


def leave_awaiting(user: User):
    """Leave requests waiting for this person's decision, oldest first."""
    statuses = []
    if user.has_perm(MANAGER_PERM):
        statuses.append(LeaveRequest.Status.AWAITING_MANAGER)
    if user.has_perm(DIRECTOR_PERM):
        statuses.append(LeaveRequest.Status.AWAITING_DIRECTOR)
    return (
        LeaveRequest.objects.filter(status__in=statuses)
        .exclude(agent__user=user)
        .select_related("agent__user", "agent__team")
        .order_by("starts_at", "id")
    )

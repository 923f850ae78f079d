"""Attendance against the roster (DOMAIN.md S-49 to S-52, ST-39, K-26).

After a published shift ends, the agent's presence (their status history: any
status but offline counts as at the post; a break is a break) is compared with
it: arriving 20 minutes or more after the start is late, offline for 20 minutes
or more after arriving is away from the post, never there is absent. Shifts
covered by approved leave are not checked. Each finding is an exception for the
team lead to confirm or excuse; nothing is a penalty by itself (K-26).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from staffing.models import (
    Agent,
    AttendanceException,
    LeaveRequest,
    Roster,
    RosterEntry,
    User,
)

THRESHOLD = datetime.timedelta(minutes=20)
LOOK_BACK = datetime.timedelta(days=2)
DECIDE_PERM = "staffing.decide_attendance"


def _presence(
    agent: Agent, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[datetime.datetime, datetime.datetime, bool]]:
    """(from, until, present) pieces covering [start, end)."""
    rows = list(
        Agent.history.filter(id=agent.pk, history_date__lt=end)
        .order_by("history_date", "history_id")
        .values_list("history_date", "status")
    )
    present = False
    changes: list[tuple[datetime.datetime, bool]] = []
    for moment, status in rows:
        if moment <= start:
            present = status != Agent.Status.OFFLINE
        else:
            changes.append((moment, status != Agent.Status.OFFLINE))
    pieces = []
    cursor = start
    for moment, now_present in changes:
        if now_present == present:
            continue
        pieces.append((cursor, moment, present))
        cursor, present = moment, now_present
    pieces.append((cursor, end, present))
    return pieces


def findings(shift: RosterEntry) -> list[tuple[str, datetime.datetime, int]]:
    """(kind, since, minutes) for one shift."""
    pieces = _presence(shift.agent, shift.starts_at, shift.ends_at)
    arrival = next((start for start, _end, present in pieces if present), None)
    if arrival is None:
        minutes = int((shift.ends_at - shift.starts_at).total_seconds() // 60)
        return [(AttendanceException.Kind.ABSENT, shift.starts_at, minutes)]
    found: list[tuple[str, datetime.datetime, int]] = []
    if arrival - shift.starts_at >= THRESHOLD:
        minutes = int((arrival - shift.starts_at).total_seconds() // 60)
        found.append((AttendanceException.Kind.LATE, shift.starts_at, minutes))
    for start, end, present in pieces:
        if not present and start > arrival and end - start >= THRESHOLD:
            minutes = int((end - start).total_seconds() // 60)
            found.append((AttendanceException.Kind.AWAY, start, minutes))
    return found


@transaction.atomic
def attendance_check(shift: RosterEntry) -> list[AttendanceException]:
    shift = RosterEntry.objects.select_for_update().select_related("agent").get(pk=shift.pk)
    if shift.attendance_checked_at is not None:
        return []
    on_leave = LeaveRequest.objects.filter(
        agent=shift.agent,
        status=LeaveRequest.Status.APPROVED,
        starts_at__lt=shift.ends_at,
        ends_at__gt=shift.starts_at,
    ).exists()
    made = []
    if not on_leave:
        for kind, since, minutes in findings(shift):
            made.append(
                AttendanceException.objects.create(
                    shift=shift, agent=shift.agent, kind=kind, since=since, minutes=minutes
                )
            )
    shift.attendance_checked_at = timezone.now()
    shift.save(update_fields=["attendance_checked_at"])
    return made


def attendance_check_due(now: datetime.datetime | None = None) -> int:
    """Check every published shift that ended in the last two days and is unchecked."""
    now = now or timezone.now()
    due = RosterEntry.objects.filter(
        roster__status=Roster.Status.PUBLISHED,
        ends_at__lte=now,
        ends_at__gt=now - LOOK_BACK,
        attendance_checked_at__isnull=True,
    ).order_by("ends_at")
    return sum(len(attendance_check(shift)) for shift in due)


@transaction.atomic
def attendance_decide(
    exception: AttendanceException, *, decided_by: User, confirm: bool, note: str = ""
) -> AttendanceException:
    exception = (
        AttendanceException.objects.select_for_update()
        .select_related("agent__team")
        .get(pk=exception.pk)
    )
    manager = decided_by.has_perm("staffing.decide_leave_as_manager") or decided_by.has_perm(
        "staffing.decide_leave_as_director"
    )
    if not decided_by.has_perm(DECIDE_PERM) or not (
        manager or exception.agent.team.lead_id == decided_by.pk
    ):
        raise NotAllowed(_("Only the agent's team lead or a manager decides this."))
    if exception.status != AttendanceException.Status.OPEN:
        raise IllegalTransition(_("This attendance exception is already decided."))
    if not confirm and not note.strip():
        raise DomainError(_("Say why it is excused."), code="note_required")
    exception.status = (
        AttendanceException.Status.CONFIRMED if confirm else AttendanceException.Status.EXCUSED
    )
    exception.decided_by = decided_by
    exception.decided_at = timezone.now()
    exception.note = note.strip()
    exception._history_user = decided_by
    exception.save()
    return exception


def open_exceptions(user: User) -> QuerySet[AttendanceException]:
    found = AttendanceException.objects.filter(status=AttendanceException.Status.OPEN)
    if not (
        user.has_perm("staffing.decide_leave_as_manager")
        or user.has_perm("staffing.decide_leave_as_director")
    ):
        found = found.filter(agent__team__lead=user)
    return found.select_related("agent__user", "shift__template").order_by("since", "id")

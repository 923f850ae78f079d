"""Handover and the duty log (DOMAIN.md ST-21 to ST-26, W-12, Q-4).

At the end of a shift the outgoing lead writes the handover (equipment status,
difficult issues, staff changes, notices); what is still open (tickets, at-risk
SLA clocks, new notices) is listed by the system, so nothing is typed twice.
Those lists come from apps above staffing: they register a source here from
their AppConfig.ready (csc does it for worktickets, sla and knowledge), the way
apps register with the admin. The list is kept with the handover as written.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from staffing.models import DutyLogEntry, Handover, Team, User

# What "the next shift" covers when the system lists what falls due in it.
NEXT_SHIFT = datetime.timedelta(hours=12)
LEAD_PERM = "staffing.add_handover"

Source = Callable[[Team, datetime.datetime, datetime.datetime, User], list[dict]]


@dataclass(frozen=True)
class OpenWorkSource:
    key: str
    title: str | Promise
    fetch: Source


_SOURCES: dict[str, OpenWorkSource] = {}


def register_source(key: str, title: str | Promise, fetch: Source) -> None:
    """`fetch(team, shift_ends_at, next_shift_ends_at, lead)` returns items
    {"label", "link", "due_at"} (due_at an ISO string or "")."""
    _SOURCES[key] = OpenWorkSource(key, title, fetch)


def source_title(key: str) -> str:
    source = _SOURCES.get(key)
    return str(source.title) if source else key


def open_work(team: Team, shift_ends_at: datetime.datetime, lead: User) -> list[dict]:
    until = shift_ends_at + NEXT_SHIFT
    return [
        {"key": source.key, "items": source.fetch(team, shift_ends_at, until, lead)}
        for source in _SOURCES.values()
    ]


def _check_lead(user: User) -> None:
    if not user.has_perm(LEAD_PERM):
        raise NotAllowed(_("Only a team lead writes and acknowledges handovers."))


@transaction.atomic
def handover_write(
    *,
    team: Team,
    shift_ends_at: datetime.datetime,
    written_by: User,
    equipment_status: str = "",
    difficult_issues: str = "",
    staff_changes: str = "",
    notices: str = "",
) -> Handover:
    _check_lead(written_by)
    handover = Handover(
        team=team,
        shift_ends_at=shift_ends_at,
        written_by=written_by,
        equipment_status=equipment_status.strip(),
        difficult_issues=difficult_issues.strip(),
        staff_changes=staff_changes.strip(),
        notices=notices.strip(),
        open_work=open_work(team, shift_ends_at, written_by),
    )
    handover._history_user = written_by
    handover.save()
    return handover


@transaction.atomic
def handover_acknowledge(handover: Handover, *, acknowledged_by: User) -> Handover:
    _check_lead(acknowledged_by)
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    if handover.acknowledged_at is not None:
        raise IllegalTransition(_("This handover is already acknowledged."))
    if acknowledged_by.pk == handover.written_by_id:
        raise DomainError(
            _("The incoming lead acknowledges the handover, not its writer."),
            code="own_handover",
        )
    handover.acknowledged_by = acknowledged_by
    handover.acknowledged_at = timezone.now()
    handover._history_user = acknowledged_by
    handover.save()
    return handover


@transaction.atomic
def duty_log_write(
    *,
    team: Team,
    kind: str,
    text: str,
    written_by: User,
    occurred_at: datetime.datetime | None = None,
) -> DutyLogEntry:
    if not written_by.has_perm("staffing.add_dutylogentry"):
        raise NotAllowed(_("Only a team lead writes the duty log."))
    if kind not in DutyLogEntry.Kind.values:
        raise DomainError(_("Unknown kind of duty event."), code="invalid_kind")
    if not text.strip():
        raise DomainError(_("Say what happened."), code="text_required")
    return DutyLogEntry.objects.create(
        team=team,
        kind=kind,
        text=text.strip(),
        written_by=written_by,
        occurred_at=occurred_at or timezone.now(),
    )


# --- reads -----------------------------------------------------------------------------


def handovers(*, team: Team | None = None, q: str = "") -> QuerySet[Handover]:
    found = Handover.objects.select_related("team", "written_by", "acknowledged_by")
    if team is not None:
        found = found.filter(team=team)
    if q:
        found = found.filter(
            Q(equipment_status__icontains=q)
            | Q(difficult_issues__icontains=q)
            | Q(staff_changes__icontains=q)
            | Q(notices__icontains=q)
        )
    return found.order_by("-shift_ends_at", "-id")


def duty_log(*, team: Team | None = None, q: str = "") -> QuerySet[DutyLogEntry]:
    found = DutyLogEntry.objects.select_related("team", "written_by")
    if team is not None:
        found = found.filter(team=team)
    if q:
        found = found.filter(text__icontains=q)
    return found.order_by("-occurred_at", "-id")


def awaiting_acknowledgement(user: User) -> QuerySet[Handover]:
    """Handovers to the user's teams not yet acknowledged, written by someone else."""
    return (
        handovers().filter(team__lead=user, acknowledged_at__isnull=True).exclude(written_by=user)
    )


def month_summary(team: Team, month: datetime.date) -> dict[str, int]:
    """Counts for the monthly quality report: handovers, unacknowledged, duty events."""
    start = datetime.datetime.combine(
        month, datetime.time.min, tzinfo=timezone.get_default_timezone()
    )
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    written = Handover.objects.filter(team=team, shift_ends_at__gte=start, shift_ends_at__lt=end)
    return {
        "handovers": written.count(),
        "unacknowledged": written.filter(acknowledged_at__isnull=True).count(),
        "duty_events": DutyLogEntry.objects.filter(
            team=team, occurred_at__gte=start, occurred_at__lt=end
        ).count(),
    }

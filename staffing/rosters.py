"""Rosters (DOMAIN.md P-11, ST-13 to ST-20): drafting, publishing and changing who
works which shift, each change in one transaction; changes after publication are
recorded with who and why (RosterChange)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from staffing import calendar_port
from staffing.coverage import Gap, ShiftWindow, TemplateRule, coverage_gaps
from staffing.models import (
    Agent,
    CalendarFeed,
    LeaveRequest,
    Roster,
    RosterChange,
    RosterEntry,
    ShiftPattern,
    ShiftTemplate,
    Team,
    User,
)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_days(month: datetime.date) -> list[datetime.date]:
    days, day = [], month
    while day.month == month.month:
        days.append(day)
        day += datetime.timedelta(days=1)
    return days


def may_edit_roster(user: User, team: Team) -> bool:
    """The team's own lead, or a manager above the teams."""
    if not user.has_perm("staffing.publish_roster"):
        return False
    return team.lead_id == user.pk or user.has_perm("staffing.decide_leave_as_manager")


def _check_editor(user: User, team: Team) -> None:
    if not may_edit_roster(user, team):
        raise NotAllowed(_("Only the team's lead or a manager may change its roster."))


@transaction.atomic
def roster_create(
    *, team: Team, month: datetime.date, pattern: ShiftPattern, created_by: User
) -> Roster:
    _check_editor(created_by, team)
    month = month_start(month)
    if Roster.objects.filter(team=team, month=month).exists():
        raise DomainError(
            _("%(team)s already has a roster for %(month)s.")
            % {"team": team, "month": f"{month:%Y-%m}"},
            code="roster_exists",
        )
    roster = Roster(team=team, month=month, pattern=pattern)
    roster._history_user = created_by
    roster.save()
    return roster


def _record(roster: Roster, action: str, description: str, reason: str, by: User) -> None:
    if not roster.is_published:
        return
    if not reason.strip():
        raise DomainError(_("The roster is published: say why it changes."), code="reason_required")
    RosterChange.objects.create(
        roster=roster, action=action, description=description, reason=reason.strip(), changed_by=by
    )


@transaction.atomic
def roster_assign(
    roster: Roster,
    *,
    agent: Agent,
    day: datetime.date,
    template: ShiftTemplate,
    assigned_by: User,
    reason: str = "",
) -> RosterEntry:
    _check_editor(assigned_by, roster.team)
    if agent.team_id != roster.team_id:
        raise DomainError(
            _("%(agent)s is not in this team.") % {"agent": agent}, code="not_in_team"
        )
    if template.pattern_id != roster.pattern_id:
        raise DomainError(_("This shift is not in the roster's pattern."), code="wrong_pattern")
    if month_start(day) != roster.month:
        raise DomainError(_("The day is not in the roster's month."), code="wrong_month")
    if not template.works_on(day):
        raise DomainError(
            _("%(shift)s is not worked on that weekday.") % {"shift": template.name},
            code="not_worked_that_day",
        )
    starts_at, ends_at = template.window(day)
    clash = RosterEntry.objects.filter(
        agent=agent, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).first()
    if clash is not None:
        raise DomainError(
            _("%(agent)s already works %(shift)s on %(day)s.")
            % {"agent": agent, "shift": clash.template.name, "day": clash.day},
            code="overlapping_shift",
        )
    entry = RosterEntry(
        roster=roster, agent=agent, day=day, template=template, starts_at=starts_at, ends_at=ends_at
    )
    entry._history_user = assigned_by
    entry.save()
    _record(
        roster,
        RosterChange.Action.ADDED,
        f"{agent} {day:%Y-%m-%d} {template.name}",
        reason,
        assigned_by,
    )
    return entry


@transaction.atomic
def roster_unassign(entry: RosterEntry, *, removed_by: User, reason: str = "") -> None:
    roster = entry.roster
    _check_editor(removed_by, roster.team)
    _record(
        roster,
        RosterChange.Action.REMOVED,
        f"{entry.agent} {entry.day:%Y-%m-%d} {entry.template.name}",
        reason,
        removed_by,
    )
    entry._history_user = removed_by
    entry.delete()


@transaction.atomic
def roster_publish(roster: Roster, *, published_by: User) -> Roster:
    _check_editor(published_by, roster.team)
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    if roster.is_published:
        raise IllegalTransition(_("The roster is already published."))
    roster.status = Roster.Status.PUBLISHED
    roster.published_at = timezone.now()
    roster.published_by = published_by
    roster._history_user = published_by
    roster.save()
    return roster


@transaction.atomic
def calendar_feed_renew(agent: Agent) -> CalendarFeed:
    """A new secret address; the old one stops working."""
    feed, created = CalendarFeed.objects.get_or_create(agent=agent)
    if not created:
        feed.token = CalendarFeed._meta.get_field("token").get_default()
        feed.save()
    return feed


# --- reads -----------------------------------------------------------------------------


def template_rules(templates: list[ShiftTemplate]) -> list[TemplateRule]:
    return [TemplateRule(t.window, t.works_on, t.min_headcount) for t in templates]


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(month, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(next_month(month), datetime.time.min, tzinfo=tz)
    return start, end


def roster_coverage(
    roster: Roster,
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    without: RosterEntry | None = None,
    away: tuple[int, datetime.datetime, datetime.datetime] | None = None,
) -> list[Gap]:
    """Gaps in the roster's month (or part of it). `without` leaves one shift out and
    `away` = (agent id, from, until) one person's leave, to show an approver the effect."""
    month_from, month_until = month_bounds(roster.month)
    start, end = start or month_from, end or month_until
    entries = RosterEntry.objects.filter(
        roster__team_id=roster.team_id, starts_at__lt=end, ends_at__gt=start
    ).values_list("pk", "agent_id", "starts_at", "ends_at")
    leave = [
        (agent_id, starts_at, ends_at)
        for agent_id, starts_at, ends_at in LeaveRequest.objects.filter(
            agent__team_id=roster.team_id,
            status=LeaveRequest.Status.APPROVED,
            starts_at__lt=end,
            ends_at__gt=start,
        ).values_list("agent_id", "starts_at", "ends_at")
    ]
    if away is not None:
        leave.append(away)
    shifts = []
    for pk, agent_id, starts_at, ends_at in entries:
        if without is not None and pk == without.pk:
            continue
        # Someone on leave during the shift is not counted for it.
        if any(a == agent_id and s < ends_at and e > starts_at for a, s, e in leave):
            continue
        shifts.append(ShiftWindow(starts_at, ends_at))
    templates = list(ShiftTemplate.objects.filter(pattern_id=roster.pattern_id))
    return coverage_gaps(
        start=timezone.localtime(start),
        end=timezone.localtime(end),
        shifts=shifts,
        templates=template_rules(templates),
        is_open=calendar_port.opening_hours(roster.team),
    )

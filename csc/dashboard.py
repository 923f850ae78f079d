"""The shift dashboard's figures (DOMAIN.md P-8, K-13): one function, a fixed number
of queries whatever the number of contacts, tickets or agents, shared by the page,
its live refresh, the wallboard and `GET /api/v1/metrics/shift/`.

A scope is the whole centre or a set of teams. The hotline queue is the centre's,
not a team's (a call has no team until someone answers it), so the waiting calls
and the service level are the centre's in every scope; agents, tickets, deadlines
and complaints are the scope's teams'.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Min, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from care.selectors import Csat, csat
from complaints.choices import Category, Severity, Tier
from complaints.models import Complaint
from csc import workforce
from csc.choices import TargetQueue
from csc.selectors import (
    HUMAN_QUEUE_CHANNELS,
    Interval,
    ServiceLevel,
    day_bounds,
    service_level_intervals,
    summed_levels,
    vip_calls,
)
from intake.choices import Channel
from intake.models import Contact
from sla.choices import ClockState
from sla.models import Clock
from sla.selectors import team_ids_of
from staffing.models import Agent, Roster, RosterEntry, ShiftTemplate, Team
from staffing.reference import teams_by_id
from worktickets.choices import ACTIVE_CATEGORIES, TicketKind
from worktickets.models import Ticket

# Channels where a customer waits for a person: the hotline's queue, the chat
# queue and the hall's ticket machine (S-1, S-2 set the hall's waiting limits).
WAITING_CHANNELS: tuple[str, ...] = (Channel.HOTLINE, Channel.ONLINE_CHAT, Channel.WALK_IN)
# A contact still "waiting" after this long was never closed by the CTI: not counted.
STALE_WAIT = datetime.timedelta(hours=4)
ATTENTION_ROWS = 10


@dataclass(frozen=True)
class Scope:
    """Whose figures: `team_ids` None means the whole centre."""

    team_ids: tuple[int, ...] | None
    label: str | Promise

    @property
    def is_centre(self) -> bool:
        return self.team_ids is None

    @property
    def team_id_list(self) -> list[int]:
        return list(self.team_ids or ())


CENTRE = Scope(team_ids=None, label=_("Whole centre"))


def team_scope(team_ids: list[int] | tuple[int, ...]) -> Scope:
    names = [teams_by_id.get()[pk].name for pk in team_ids if pk in teams_by_id.get()]
    return Scope(team_ids=tuple(sorted(team_ids)), label=", ".join(names) or _("No team"))


CENTRE_FIGURES = "csc.view_centre_figures"


def viewer_scope(user, team: str | None) -> Scope:
    """The centre, or one team, for those who see every team's figures; the teams a
    lead leads or works in for the others (another team's id is refused, not ignored)."""
    team_id = int(team) if team and team.isdigit() else None
    if user.has_perm(CENTRE_FIGURES):
        if team_id is None:
            return CENTRE
        return team_scope([team_id])
    own = team_ids_of(user)
    if team_id is not None:
        if team_id not in own:
            raise PermissionDenied
        return team_scope([team_id])
    return team_scope(own)


@dataclass(frozen=True)
class Waiting:
    channel: str
    label: str | Promise
    queue: str  # TargetQueue value: general / vip, or "" for channels without a VIP seat
    count: int
    longest_seconds: int | None


@dataclass(frozen=True)
class TicketCount:
    team: Team | None
    kind: str
    kind_label: str | Promise
    count: int


@dataclass(frozen=True)
class ComplaintCount:
    category: str
    category_label: str | Promise
    tier: str
    tier_label: str | Promise
    count: int
    major: int  # of which major or critical (flagged on the board)


@dataclass(frozen=True)
class Staffing:
    """Agents on shift now (in a published roster) against the agents the forecast
    needs in this half hour (Erlang C, csc.workforce), and the rostered by status."""

    on_shift: int
    required: int | None
    by_status: list[dict]

    @property
    def short(self) -> int:
        return max((self.required or 0) - self.on_shift, 0)


@dataclass(frozen=True)
class CurrentShift:
    """The shift running now by the templates of the scope's published rosters, and the
    20-second service level since it started."""

    name: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    levels: list[ServiceLevel]


@dataclass(frozen=True)
class CallbackCounts:
    """Open callbacks (回访) of the scope: all, due by the end of today, overdue now."""

    open: int
    due_today: int
    overdue: int


@dataclass
class ShiftFigures:
    scope: Scope
    taken_at: datetime.datetime
    day_start: datetime.datetime
    waiting: list[Waiting]
    intervals: list[Interval]
    today: list[ServiceLevel]
    agent_statuses: list[dict]
    open_tickets: list[TicketCount]
    at_risk: int
    breached: int
    attention: list[Clock] = field(default_factory=list)
    complaints_today: list[ComplaintCount] = field(default_factory=list)
    csat_today: Csat | None = None
    callbacks: CallbackCounts | None = None
    staffing: Staffing | None = None
    shift: CurrentShift | None = None

    @property
    def agents_working(self) -> int:
        return sum(row["count"] for row in self.agent_statuses if row["status"] != "offline")

    @property
    def open_ticket_total(self) -> int:
        return sum(row.count for row in self.open_tickets)

    @property
    def complaints_total(self) -> int:
        return sum(row.count for row in self.complaints_today)

    @property
    def major_complaints(self) -> int:
        return sum(row.major for row in self.complaints_today)

    @property
    def chart_series(self) -> list[tuple[str | Promise, list[tuple[str, float | None]], int]]:
        """Per queue: its label, (interval start, percent in target) and its target."""
        series = []
        for level in self.today:
            points = [
                (
                    f"{timezone.localtime(interval.start):%H:%M}",
                    interval.levels[level.queue].percent,
                )
                for interval in self.intervals
            ]
            series.append((level.label, points, level.target_percent))
        return series


def shift_figures(
    scope: Scope, *, now: datetime.datetime | None = None, with_rows: bool = True
) -> ShiftFigures:
    """Every figure of the board for `scope`; `with_rows=False` leaves out the rows that
    name tickets and people (the wallboard's public view)."""
    now = now or timezone.now()
    start, end = day_bounds(timezone.localdate(now))
    intervals = service_level_intervals(start, now)
    deadlines = _deadline_counts(scope)
    figures = ShiftFigures(
        scope=scope,
        taken_at=now,
        day_start=start,
        waiting=waiting_now(now),
        intervals=intervals,
        today=summed_levels(intervals),
        agent_statuses=agent_statuses(scope),
        open_tickets=open_tickets(scope),
        at_risk=deadlines["at_risk"],
        breached=deadlines["breached"],
        complaints_today=complaints_opened(scope, start, end),
        csat_today=csat(start, end, team_ids=scope.team_ids),
        callbacks=callback_counts(scope, now, end),
        staffing=staffing_now(scope, now),
        shift=current_shift(scope, now, intervals),
    )
    if with_rows:
        figures.attention = attention_rows(scope)
    return figures


# ---------------------------------------------------------------- the queue


def _queue_case() -> Case:
    return Case(When(vip_calls(), then=Value(1)), default=Value(0), output_field=IntegerField())


def waiting_now(now: datetime.datetime) -> list[Waiting]:
    """Contacts queued and neither answered nor ended, per channel (the hotline split into
    its general and VIP queue), with how long the longest has waited: one query."""
    rows = (
        Contact.objects.filter(
            channel__in=WAITING_CHANNELS,
            queued_at__gte=now - STALE_WAIT,
            queued_at__lte=now,
            answered_at__isnull=True,
            ended_at__isnull=True,
        )
        .annotate(vip=_queue_case())
        .values("channel", "vip")
        .annotate(n=Count("id"), oldest=Min("queued_at"))
        .order_by()
    )
    found = {(row["channel"], row["vip"]): row for row in rows}
    waiting = []
    for channel in WAITING_CHANNELS:
        queues = (
            [(0, TargetQueue.GENERAL), (1, TargetQueue.VIP)]
            if channel in HUMAN_QUEUE_CHANNELS
            else [(None, "")]
        )
        for vip, queue in queues:
            matches = [row for key, row in found.items() if key[0] == channel]
            if vip is not None:
                matches = [row for row in matches if row["vip"] == vip]
            count = sum(row["n"] for row in matches)
            oldest = min((row["oldest"] for row in matches), default=None)
            label = Channel(channel).label
            if queue:
                label = TargetQueue(queue).label
            waiting.append(
                Waiting(
                    channel=channel,
                    label=label,
                    queue=queue,
                    count=count,
                    longest_seconds=int((now - oldest).total_seconds()) if oldest else None,
                )
            )
    return waiting


def agent_statuses(scope: Scope) -> list[dict]:
    """Active agents of the scope per presence status, every status listed: one query."""
    agents = Agent.objects.filter(user__is_active=True)
    if scope.team_ids is not None:
        agents = agents.filter(team_id__in=scope.team_ids)
    counts = dict(agents.values_list("status").annotate(n=Count("id")).order_by())
    return [
        {"status": status, "label": label, "count": counts.get(status, 0)}
        for status, label in Agent.Status.choices
    ]


def staffing_now(scope: Scope, now: datetime.datetime) -> Staffing:
    """Who is rostered now, by presence status (one query), and the requirement of the
    scope's channels for this half hour (kept per day in the cache)."""
    entries = RosterEntry.objects.filter(
        roster__status=Roster.Status.PUBLISHED, starts_at__lte=now, ends_at__gt=now
    )
    if scope.team_ids is not None:
        entries = entries.filter(roster__team_id__in=scope.team_ids)
    counts = dict(
        entries.values_list("agent__status").annotate(n=Count("agent", distinct=True)).order_by()
    )
    teams = [
        team
        for team in teams_by_id.get().values()
        if team.is_active and (scope.team_ids is None or team.pk in scope.team_ids)
    ]
    channels = sorted({channel for team in teams for channel in team.channels})
    return Staffing(
        on_shift=sum(counts.values()),
        required=workforce.required_now(channels, now) if channels else None,
        by_status=[
            {"status": status, "label": label, "count": counts.get(status, 0)}
            for status, label in Agent.Status.choices
        ],
    )


def current_shift(
    scope: Scope, now: datetime.datetime, today: list[Interval]
) -> CurrentShift | None:
    """The latest-started shift running now among the templates of this month's published
    rosters of the scope (one query), with its service level so far: from today's
    intervals, or one more query when it began yesterday (a night shift)."""
    month = timezone.localdate(now).replace(day=1)
    rosters = Roster.objects.filter(status=Roster.Status.PUBLISHED, month=month)
    if scope.team_ids is not None:
        rosters = rosters.filter(team_id__in=scope.team_ids)
    running = []
    for template in ShiftTemplate.objects.filter(pattern__in=rosters.values("pattern")):
        for day in (timezone.localdate(now) - datetime.timedelta(days=1), timezone.localdate(now)):
            starts, ends = template.window(day)
            if template.works_on(day) and starts <= now < ends:
                running.append((starts, ends, template.name))
    if not running:
        return None
    starts, ends, name = max(running)
    if today and starts >= today[0].start:
        levels = summed_levels([interval for interval in today if interval.start >= starts])
    else:
        levels = summed_levels(service_level_intervals(starts, now))
    return CurrentShift(name=name, starts_at=starts, ends_at=ends, levels=levels)


def _scoped_tickets(scope: Scope) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(status_category__in=ACTIVE_CATEGORIES)
    if scope.team_ids is not None:
        tickets = tickets.filter(team_id__in=scope.team_ids)
    return tickets


def open_tickets(scope: Scope) -> list[TicketCount]:
    """Open tickets per team and kind: one query (team names from the per-process copy)."""
    rows = _scoped_tickets(scope).values_list("team_id", "kind").annotate(n=Count("*")).order_by()
    teams = teams_by_id.get()
    counts = [
        TicketCount(
            team=teams.get(team_id),
            kind=kind,
            kind_label=TicketKind(kind).label,
            count=n,
        )
        for team_id, kind, n in rows
    ]
    kinds = list(TicketKind.values)
    return sorted(
        counts, key=lambda row: (row.team.name if row.team else "", kinds.index(row.kind))
    )


def _scoped_clocks(scope: Scope) -> QuerySet[Clock]:
    clocks = Clock.objects.needing_attention()
    if scope.team_ids is not None:
        clocks = clocks.filter(ticket__team_id__in=scope.team_ids)
    return clocks


def _deadline_counts(scope: Scope) -> dict[str, int]:
    """Tickets with a clock at risk (breached ones included) and breached now: one query."""
    counts = _scoped_clocks(scope).aggregate(
        at_risk=Count("ticket_id", distinct=True),
        breached=Count("ticket_id", distinct=True, filter=Q(state=ClockState.BREACHED)),
    )
    return {"at_risk": counts["at_risk"], "breached": counts["breached"]}


def attention_rows(scope: Scope) -> list[Clock]:
    """The most urgent at-risk or breached clocks, each a link to its ticket: one query.
    Opening the ticket checks the viewer's right to it, as everywhere."""
    return list(
        _scoped_clocks(scope)
        .select_related("ticket__team", "ticket__assignee")
        .order_by("due_at", "pk")[:ATTENTION_ROWS]
    )


def callback_counts(
    scope: Scope, now: datetime.datetime, end_of_day: datetime.datetime
) -> CallbackCounts:
    """Open callbacks, those due by the end of the day and those overdue: one query."""
    counts = (
        _scoped_tickets(scope)
        .filter(kind=TicketKind.CALLBACK)
        .aggregate(
            open=Count("pk"),
            due_today=Count("pk", filter=Q(sla_due_at__lt=end_of_day)),
            overdue=Count("pk", filter=Q(sla_due_at__lt=now)),
        )
    )
    return CallbackCounts(**counts)


def complaints_opened(
    scope: Scope, start: datetime.datetime, end: datetime.datetime
) -> list[ComplaintCount]:
    """Complaints accepted today per category and tier, major ones counted: one query."""
    complaints = Complaint.objects.filter(ticket__created_at__gte=start, ticket__created_at__lt=end)
    if scope.team_ids is not None:
        complaints = complaints.filter(ticket__team_id__in=scope.team_ids)
    rows = complaints.values_list("category", "tier", "severity").annotate(n=Count("pk")).order_by()
    counts: Counter[tuple[str, str]] = Counter()
    major: defaultdict[tuple[str, str], int] = defaultdict(int)
    for category, tier, severity, n in rows:
        counts[(category, tier)] += n
        if severity != Severity.NORMAL:
            major[(category, tier)] += n
    categories, tiers = list(Category.values), list(Tier.values)
    return [
        ComplaintCount(
            category=category,
            category_label=Category(category).label,
            tier=tier,
            tier_label=Tier(tier).label,
            count=n,
            major=major[(category, tier)],
        )
        for (category, tier), n in sorted(
            counts.items(), key=lambda item: (categories.index(item[0][0]), tiers.index(item[0][1]))
        )
    ]

"""Figures that join people with their contacts, for the landing pages.

They live in `csc` because `staffing` may not read `intake` (layering,
docs/architecture.md); every function here costs a fixed number of queries
whatever the number of agents or contacts.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.functional import Promise

from csc.choices import TargetQueue
from csc.targets import service_level_target
from intake.choices import Channel
from intake.grade_service import entitled_q
from intake.models import Contact
from sla.choices import ClockState
from sla.selectors import attention_list, reassign_candidates, team_ids_of
from staffing.models import Agent, Team
from staffing.selectors import team_agents
from worktickets import selectors as tickets
from worktickets.filters import due_today_bounds, needing_attention

# Calls that reach the human queue; IVR self-service never does.
HUMAN_QUEUE_CHANNELS: tuple[str, ...] = (Channel.HOTLINE,)


def vip_calls() -> Q:
    """Contacts that go to the VIP seat's queue (the 85 % target, P-8): callers entitled
    to grade service, postpaid VIPs (CA-4)."""
    return entitled_q("customer__")


def day_bounds(day: datetime.date | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of a local calendar day (Asia/Shanghai), as aware datetimes."""
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def contacts_today() -> QuerySet[Contact]:
    start, end = day_bounds()
    return Contact.objects.filter(queued_at__gte=start, queued_at__lt=end)


@dataclass(frozen=True)
class ServiceLevel:
    queue: str
    label: str | Promise
    answered_in_target: int
    offered: int
    target: float
    answer_seconds: int
    abandon_seconds: int

    @property
    def rate(self) -> float | None:
        return self.answered_in_target / self.offered if self.offered else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)

    @property
    def target_percent(self) -> int:
        return round(self.target * 100)

    @property
    def met(self) -> bool | None:
        return None if self.rate is None else self.rate >= self.target


def service_level_today() -> list[ServiceLevel]:
    """Today's 20-second service level for the general and the VIP queue (P-8), by the
    thresholds and targets of `ServiceTarget` (K-13): the day's intervals added up."""
    start, _end = day_bounds()
    return summed_levels(service_level_intervals(start, timezone.now()))


INTERVAL_MINUTES = 30  # the service level's interval (P-8); half_hour_slot assumes it


def half_hour_slot(field: str, tzinfo: datetime.tzinfo | None = None) -> CombinedExpression:
    """The local half hour (0..47) of a time column, as a database expression: the
    service level's and the forecast's interval."""
    return ExtractHour(field, tzinfo=tzinfo) * 2 + Case(
        When(**{f"{field}__minute__gte": 30}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class Interval:
    """One 30-minute interval of the day, both queues' calls."""

    start: datetime.datetime
    levels: dict[str, ServiceLevel]

    @property
    def end(self) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=INTERVAL_MINUTES)

    @property
    def level_list(self) -> list[ServiceLevel]:
        return list(self.levels.values())


def service_level_intervals(start: datetime.datetime, until: datetime.datetime) -> list[Interval]:
    """The 20-second service level of each 30-minute interval from `start` to the
    interval holding `until`, per queue, by the targets' thresholds (P-8, K-13): one
    query grouped by interval and queue.

    A call counts in the interval it entered the queue. Offered = calls that entered
    the human queue less those abandoned within the short-abandon threshold; in target
    = answered within the answer threshold (exactly at the threshold is in target).
    """
    targets = {queue: service_level_target(queue) for queue in (TargetQueue.GENERAL, "vip")}
    # The call's local day and half hour (0..47), in Django's current time zone (the
    # centre's), so intervals may cross midnight (a night shift's).
    slot = half_hour_slot("queued_at")
    aggregates = {}
    for queue, target in targets.items():
        in_target = Q(
            answered_at__isnull=False,
            answered_at__lte=F("queued_at")
            + datetime.timedelta(seconds=target.answer_seconds or 0),
        )
        short = Q(
            answered_at__isnull=True,
            ended_at__isnull=False,
            ended_at__lt=F("queued_at")
            + datetime.timedelta(seconds=target.short_abandon_seconds or 0),
        )
        is_queue = vip_calls() if queue == "vip" else ~vip_calls()
        aggregates[f"{queue}_calls"] = Count("id", filter=is_queue)
        aggregates[f"{queue}_short"] = Count("id", filter=is_queue & short)
        aggregates[f"{queue}_in"] = Count("id", filter=is_queue & in_target)
    rows = (
        Contact.objects.filter(
            channel__in=HUMAN_QUEUE_CHANNELS,
            queued_at__gte=interval_start(start),
            queued_at__lte=until,
        )
        .annotate(day=TruncDate("queued_at"), slot=slot)
        .values("day", "slot")
        .annotate(**aggregates)
        .order_by()
    )
    by_slot: dict[tuple, Any] = {(row["day"], row["slot"]): row for row in rows}
    first = interval_start(start)
    intervals = []
    slot_start = first
    while slot_start <= until:
        local = timezone.localtime(slot_start)
        row: dict[str, int] = by_slot.get(
            (local.date(), local.hour * 2 + local.minute // INTERVAL_MINUTES), {}
        )
        levels = {
            queue: ServiceLevel(
                queue=queue,
                label=TargetQueue(queue).label,
                answered_in_target=row.get(f"{queue}_in", 0),
                offered=row.get(f"{queue}_calls", 0) - row.get(f"{queue}_short", 0),
                target=target.ratio,
                answer_seconds=target.answer_seconds or 0,
                abandon_seconds=target.short_abandon_seconds or 0,
            )
            for queue, target in targets.items()
        }
        intervals.append(Interval(start=slot_start, levels=levels))
        slot_start += datetime.timedelta(minutes=INTERVAL_MINUTES)
    return intervals


def interval_start(moment: datetime.datetime) -> datetime.datetime:
    """The start of the half hour holding `moment`."""
    return moment.replace(
        minute=moment.minute - moment.minute % INTERVAL_MINUTES, second=0, microsecond=0
    )


def summed_levels(intervals: list[Interval]) -> list[ServiceLevel]:
    """The day so far per queue: the intervals' calls added up (not their rates averaged)."""
    if not intervals:
        return []
    totals = []
    for queue, first in intervals[0].levels.items():
        levels = [interval.levels[queue] for interval in intervals]
        totals.append(
            ServiceLevel(
                queue=queue,
                label=first.label,
                answered_in_target=sum(level.answered_in_target for level in levels),
                offered=sum(level.offered for level in levels),
                target=first.target,
                answer_seconds=first.answer_seconds,
                abandon_seconds=first.abandon_seconds,
            )
        )
    return totals


# ---------------------------------------------------------------- people and work


def contacts_by_channel(contacts: QuerySet[Contact]) -> list[dict]:
    """Counts per channel, in the channels' declared order, channels with none left out."""
    counts = dict(contacts.values_list("channel").annotate(n=Count("id")).order_by())
    return [
        {"channel": channel, "label": label, "count": counts[channel]}
        for channel, label in Channel.choices
        if counts.get(channel)
    ]


def abandoned_today_count() -> int:
    return contacts_today().filter(answered_at__isnull=True, ended_at__isnull=False).count()


def agent_contacts_today(user, limit: int = 20) -> list[Contact]:
    """The agent's own contacts today, newest first."""
    return list(
        contacts_today()
        .filter(agent=user)
        .select_related("customer")
        .order_by("-queued_at")[:limit]
    )


def recent_answered_contacts(limit: int = 50) -> list[Contact]:
    """Finished contacts a person answered, across every team, newest first: the QA pool.

    Self-service contacts (IVR) have no agent and nothing to review.
    """
    return list(
        Contact.objects.filter(
            answered_at__isnull=False, ended_at__isnull=False, agent__isnull=False
        )
        .select_related("customer", "agent__agent__team")
        .order_by("-queued_at")[:limit]
    )


@dataclass
class TeamBoardRow:
    agent: Agent
    contacts_today: int
    answered_today: int
    open_load: int = 0


@dataclass
class TeamBoard:
    team: Team
    rows: list[TeamBoardRow]
    channels: list[dict]
    service_levels: list[ServiceLevel]

    @property
    def contacts_today(self) -> int:
        return sum(row.contacts_today for row in self.rows)


def team_board(team: Team) -> TeamBoard:
    """A team's agents with today's work, the team's channels and the hotline's service level."""
    agents = list(team_agents(team))
    # The active tickets each agent holds, counted as the reassign choices count them.
    load = {agent.pk: agent.open_load for agent in reassign_candidates([team.pk])[team.pk]}
    team_contacts = contacts_today().filter(agent__agent__team=team)
    per_agent = {
        row["agent"]: (row["total"], row["answered"])
        for row in team_contacts.values("agent")
        .annotate(total=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
        .order_by()
    }
    rows = [
        TeamBoardRow(
            agent=agent,
            contacts_today=per_agent.get(agent.user_id, (0, 0))[0],
            answered_today=per_agent.get(agent.user_id, (0, 0))[1],
            open_load=load.get(agent.pk, 0),
        )
        for agent in agents
    ]
    return TeamBoard(
        team=team,
        rows=rows,
        channels=contacts_by_channel(team_contacts),
        service_levels=service_level_today(),
    )


@dataclass
class TeamFigures:
    """The lead's figures of one team's work now; None where the viewer may not open
    the list the figure links to (another team's queue, the at-risk list)."""

    queue: int | None
    unassigned: int | None
    at_risk: int | None
    breached: int | None


def may_see_team_queue(user, team: Team) -> bool:
    return user.has_perm("worktickets.view_ticket") and (
        team.pk in tickets.user_team_ids(user) or user.has_perm(tickets.VIEW_ALL_TICKETS)
    )


def may_see_team_attention(user, team: Team) -> bool:
    return user.has_perm("sla.view_at_risk") and (
        user.has_perm("sla.view_all_clocks") or team.pk in team_ids_of(user)
    )


def team_figures(user, team: Team) -> TeamFigures:
    """Queue size and unassigned tickets as the team queue lists them, at risk (breached
    ones included) and breached now as the at-risk list shows them: two queries each side,
    whatever the number of tickets."""
    queue = unassigned = at_risk = breached = None
    if may_see_team_queue(user, team):
        counts = tickets.team_queue(user, team.pk).aggregate(
            total=Count("pk"), unassigned=Count("pk", filter=Q(assignee__isnull=True))
        )
        queue, unassigned = counts["total"], counts["unassigned"]
    if may_see_team_attention(user, team):
        counts = attention_list(user, team=team.pk).aggregate(
            total=Count("pk"), breached=Count("pk", filter=Q(state=ClockState.BREACHED))
        )
        at_risk, breached = counts["total"], counts["breached"]
    return TeamFigures(queue=queue, unassigned=unassigned, at_risk=at_risk, breached=breached)


ATTENTION_ROWS = 10  # the most urgent tickets the cockpit offers to reassign


def team_attention(user, team: Team) -> list[tuple]:
    """The team's most urgent at-risk or breached tickets, each with its reassign choices
    (the team's agents with status and open load): a fixed number of queries."""
    if not may_see_team_attention(user, team):
        return []
    clocks = list(attention_list(user, team=team.pk)[:ATTENTION_ROWS])
    if not clocks:
        return []
    agents = reassign_candidates([team.pk])[team.pk]
    return [(clock, agents) for clock in clocks]


@dataclass
class AgentCounts:
    queue: int
    at_risk: int
    due_today: int


def agent_counts(user) -> AgentCounts:
    """The agent's queue, those of its tickets at risk or breached, and those due today:
    one query, by the rules of the queue's filters the figures link to."""
    start, end = due_today_bounds()
    counts = tickets.my_queue(user).aggregate(
        queue=Count("pk"),
        at_risk=Count("pk", filter=Q(needing_attention())),
        due_today=Count("pk", filter=Q(sla_due_at__gte=start, sla_due_at__lt=end)),
    )
    return AgentCounts(**counts)

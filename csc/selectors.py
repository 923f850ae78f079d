"""Figures that join people with their contacts, for the landing pages.

They live in `csc` because `staffing` may not read `intake` (layering,
docs/architecture.md); every function here costs a fixed number of queries
whatever the number of agents or contacts.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from csc.choices import TargetQueue
from csc.targets import service_level_target
from intake.choices import Channel, VipTier
from intake.models import Contact
from sla.choices import ClockState
from sla.selectors import attention_list, reassign_candidates, team_ids_of
from staffing.models import Agent, Team
from staffing.selectors import team_agents
from worktickets import selectors as tickets
from worktickets.filters import due_today_bounds, needing_attention

# Calls that reach the human queue; IVR self-service never does.
HUMAN_QUEUE_CHANNELS: tuple[str, ...] = (Channel.HOTLINE,)
VIP_TIERS: tuple[str, ...] = tuple(tier for tier in VipTier.values if tier != VipTier.NONE)


def vip_calls() -> Q:
    """Contacts that go to the VIP seat's queue (the 85 % target, P-8)."""
    return Q(customer__vip_tier__in=VIP_TIERS)


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
    thresholds and targets of `ServiceTarget` (K-13: abandons under the short-abandon
    threshold are left out of the offered calls)."""
    calls = contacts_today().filter(channel__in=HUMAN_QUEUE_CHANNELS)
    levels = []
    for queue, label, is_queue in (
        (TargetQueue.GENERAL, _("General queue"), ~vip_calls()),
        (TargetQueue.VIP, _("VIP queue"), vip_calls()),
    ):
        target = service_level_target(queue)
        answer = datetime.timedelta(seconds=target.answer_seconds or 0)
        short = datetime.timedelta(seconds=target.short_abandon_seconds or 0)
        figures = calls.filter(is_queue).aggregate(
            calls=Count("id"),
            short=Count(
                "id", filter=Q(answered_at__isnull=True, ended_at__lt=F("queued_at") + short)
            ),
            in_target=Count(
                "id", filter=Q(answered_at__isnull=False, answered_at__lte=F("queued_at") + answer)
            ),
        )
        levels.append(
            ServiceLevel(
                queue=queue,
                label=label,
                answered_in_target=figures["in_target"],
                offered=figures["calls"] - figures["short"],
                target=target.ratio,
                answer_seconds=target.answer_seconds or 0,
                abandon_seconds=target.short_abandon_seconds or 0,
            )
        )
    return levels


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

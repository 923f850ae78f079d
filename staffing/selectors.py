"""Reads of people and teams for pages and the API."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from staffing.models import (
    Agent,
    ApiClient,
    IdempotentRequest,
    LeaveRequest,
    Notification,
    OutboxMessage,
    Roster,
    RosterEntry,
    Team,
    User,
    WebhookDelivery,
    WebhookSubscription,
)
from staffing.reference import teams_by_id


def holders_of(perm: str) -> QuerySet[User]:
    """Active people holding a permission through a role (group) or directly."""
    app_label, codename = perm.split(".")
    through_group = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    )
    direct = Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label,
    )
    return User.objects.filter(through_group | direct, is_active=True).distinct()


def _kind_order() -> Case:
    """Teams in the order their kinds are declared: front line first, management last."""
    return Case(
        *[When(kind=kind, then=Value(rank)) for rank, kind in enumerate(Team.Kind.values)],
        output_field=IntegerField(),
    )


def active_teams() -> QuerySet[Team]:
    return Team.objects.filter(is_active=True).order_by(_kind_order(), "name")


def agent_of(user: User) -> Agent | None:
    """The user's staff profile with its team, or None for users without one."""
    if not user.is_authenticated:
        return None
    return Agent.objects.select_related("team", "user").filter(user=user).first()


def team_of(user: User) -> Team | None:
    """The team a person works in, or else the first team they lead."""
    agent = agent_of(user)
    if agent is not None:
        return agent.team
    return Team.objects.filter(lead=user, is_active=True).first()


def default_team_of(client: ApiClient | None) -> Team | None:
    """The team a client's tickets go to when it names none: its default team while
    that team is active, read from the teams kept per process (no query)."""
    if client is None or client.default_team_id is None:
        return None
    team = teams_by_id.get().get(client.default_team_id)
    return team if team is not None and team.is_active else None


def worked_team_ids(user: User) -> QuerySet[Team, int]:
    """The ids of the teams a person works, their own and the ones they lead, as a
    query (usable as a subquery)."""
    own = Agent.objects.filter(user_id=user.pk).values("team_id")
    return Team.objects.filter(Q(lead_id=user.pk) | Q(pk__in=own)).values_list("pk", flat=True)


def team_agents(team: Team) -> QuerySet[Agent]:
    """A team's agents with their user and skills, ready for a board."""
    return (
        Agent.objects.filter(team=team, user__is_active=True)
        .select_related("user")
        .prefetch_related("skills")
        .order_by("employee_number")
    )


def agent_status_counts(team: Team | None = None) -> list[dict]:
    """How many active agents are in each status, every status listed in order."""
    agents = Agent.objects.filter(user__is_active=True)
    if team is not None:
        agents = agents.filter(team=team)
    counts = dict(agents.values_list("status").annotate(n=Count("id")).order_by())
    return [
        {"status": status, "label": label, "count": counts.get(status, 0)}
        for status, label in Agent.Status.choices
    ]


def teams_with_headcount() -> QuerySet[Team]:
    """Active teams with their headcount and how many agents are available now."""
    active = Q(agents__user__is_active=True)
    return (
        active_teams()
        .select_related("lead")
        .annotate(
            headcount=Count("agents", filter=active),
            available=Count("agents", filter=active & Q(agents__status=Agent.Status.AVAILABLE)),
        )
    )


def webhook_subscriptions_of(client: ApiClient) -> QuerySet[WebhookSubscription]:
    """A client's own webhook subscriptions: no client sees another's."""
    return WebhookSubscription.objects.filter(api_client=client).order_by("created_at", "pk")


def webhook_deliveries_of(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    """Most recent first, with their outbox state and every attempt, in three queries."""
    return (
        WebhookDelivery.objects.filter(subscription=subscription)
        .select_related("message")
        .prefetch_related("attempts")
        .order_by("-pk")
    )


def on_shift_agents(
    team_id: int,
    at: datetime,
    *,
    job_type: str | None = None,
    skill_ids: Iterable[int] = (),
) -> QuerySet[Agent]:
    """The team's agents working now: rostered on a published roster at `at`, not on
    approved leave then, signed in (any presence status but offline) and active; when
    asked, only those of a job type (the VIP seat) holding every skill named."""
    rostered = RosterEntry.objects.filter(
        agent=OuterRef("pk"),
        roster__status=Roster.Status.PUBLISHED,
        starts_at__lte=at,
        ends_at__gt=at,
    )
    on_leave = LeaveRequest.objects.filter(
        agent=OuterRef("pk"),
        status=LeaveRequest.Status.APPROVED,
        starts_at__lte=at,
        ends_at__gt=at,
    )
    agents = Agent.objects.filter(
        Exists(rostered),
        ~Exists(on_leave),
        team_id=team_id,
        user__is_active=True,
    ).exclude(status=Agent.Status.OFFLINE)
    if job_type is not None:
        agents = agents.filter(job_type=job_type)
    for skill_id in skill_ids:
        holds = Agent.skills.through.objects.filter(agent_id=OuterRef("pk"), skill_id=skill_id)
        agents = agents.filter(Exists(holds))
    return agents


# --- retention (DOMAIN.md R-3) ----------------------------------------------------


def outbox_messages_done_before(cutoff: datetime, *, webhooks: bool) -> QuerySet[OutboxMessage]:
    """Sent or given-up messages created before the cutoff: webhook deliveries (whose
    delivery and attempt rows go with them) or every other channel. Pending ones stay."""
    done = OutboxMessage.objects.filter(
        created_at__lt=cutoff,
        status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED],
    )
    webhook = Q(channel=OutboxMessage.Channel.WEBHOOK)
    return done.filter(webhook if webhooks else ~webhook)


def idempotent_requests_before(cutoff: datetime) -> QuerySet[IdempotentRequest]:
    return IdempotentRequest.objects.filter(created_at__lt=cutoff)


def notifications_before(cutoff: datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(created_at__lt=cutoff)


# --- schedules -----------------------------------------------------------------------------


def published_shifts_for_feed(agent: Agent) -> QuerySet[RosterEntry]:
    """Published shifts from a month back onwards (the feed's window)."""
    since = timezone.now() - timedelta(days=31)
    return (
        RosterEntry.objects.filter(
            agent=agent, roster__status=Roster.Status.PUBLISHED, ends_at__gte=since
        )
        .select_related("template")
        .order_by("starts_at")
    )


def schedule_weeks(agent: Agent, month: date) -> list[list[dict]]:
    """The month as weeks (Monday first) of days, each with the agent's published shifts
    and leave."""
    days = _month_days(month)
    first, last = days[0], days[-1]
    shifts: dict[date, list[RosterEntry]] = {}
    for entry in RosterEntry.objects.filter(
        agent=agent, roster__status=Roster.Status.PUBLISHED, day__gte=first, day__lte=last
    ).select_related("template"):
        shifts.setdefault(entry.day, []).append(entry)
    leave = list(
        LeaveRequest.objects.filter(
            agent=agent,
            status=LeaveRequest.Status.APPROVED,
            starts_at__date__lte=last,
            ends_at__date__gte=first,
        )
    )
    weeks: list[list[dict]] = []
    week: list[dict] = [{} for _ in range(first.isoweekday() - 1)]
    for day in days:
        week.append(
            {
                "day": day,
                "shifts": shifts.get(day, []),
                "leave": [
                    item
                    for item in leave
                    if timezone.localtime(item.starts_at).date()
                    <= day
                    <= timezone.localtime(item.ends_at).date()
                ],
                "today": day == timezone.localdate(),
            }
        )
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [{} for _ in range(7 - len(week))])
    return weeks


def _month_days(month: date) -> list[date]:
    days, day = [], month.replace(day=1)
    while day.month == month.month:
        days.append(day)
        day += timedelta(days=1)
    return days

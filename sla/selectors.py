"""Reads of clocks for pages, the API and the upper apps.

A person sees a clock exactly when they may see its ticket. `sla` sits below
`worktickets` and does not know that rule: worktickets registers it from
`AppConfig.ready()` with `register_ticket_visibility(tickets_visible_to)`, the
way upper apps register escalation actions (DESIGN.md §2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull

from sla.calendars import SHANGHAI, holidays_unknown_between, statutory_year_covered
from sla.choices import ACTIVE_CATEGORIES, OPEN_STATES, CalendarKind, ClockState
from sla.models import BusinessCalendar, Clock, ClockEvent, EscalationRecord
from staffing.models import Agent
from staffing.selectors import worked_team_ids


def team_ids_of(user) -> list[int]:
    """The teams a person's at-risk list covers: the teams they lead and their own."""
    return list(worked_team_ids(user).values_list("pk", flat=True))


TicketVisibility = Callable[[Any], QuerySet]

_ticket_visibility: TicketVisibility | None = None


def register_ticket_visibility(func: TicketVisibility | None) -> None:
    """Set the rule `func(user) -> the queryset of tickets the user may see`.

    Registering again replaces the rule; None removes it. Without a rule a
    signed-in person sees no clock (an API client sees all, see sla.api).
    """
    global _ticket_visibility
    _ticket_visibility = func


def ticket_visibility() -> TicketVisibility | None:
    return _ticket_visibility


def visible_clocks(user, queryset: QuerySet | None = None) -> QuerySet:
    """The clocks of the tickets the user may see (the registered rule), filtered in
    the database by a subquery on the ticket: the same for every page and the API."""
    queryset = Clock.objects.all() if queryset is None else queryset
    rule = ticket_visibility()
    if rule is None:
        return queryset.none()  # fail closed: no rule, no clocks
    tickets = rule(user)
    if tickets.model is not Clock._meta.get_field("ticket").related_model:
        raise TypeError(f"the ticket visibility rule returned {tickets.model.__name__} rows")
    if not tickets.query.has_filters():
        return queryset  # they see every ticket: no subquery over the whole table
    return queryset.filter(ticket__in=tickets.order_by().values("pk"))


def clocks_for_ticket(ticket) -> QuerySet:
    """A ticket's clocks with what the clock panel and the API show, in constant queries."""
    ticket_id = ticket if isinstance(ticket, int) else ticket.pk
    return (
        Clock.objects.filter(ticket_id=ticket_id)
        .select_related("calendar", "policy_version__policy")
        .prefetch_related(
            Prefetch("events", queryset=ClockEvent.objects.order_by("at", "pk")),
            Prefetch("escalations", queryset=EscalationRecord.objects.select_related("level")),
        )
        .order_by("started_at", "pk")
    )


def clocks_for_api(ticket) -> QuerySet:
    """A ticket's clocks with what ClockSerializer shows (not their event log)."""
    return (
        Clock.objects.filter(ticket_id=ticket if isinstance(ticket, int) else ticket.pk)
        .select_related("calendar", "policy_version__policy")
        .prefetch_related(
            Prefetch("escalations", queryset=EscalationRecord.objects.select_related("level"))
        )
        .order_by("started_at", "pk")
    )


def attention_list(
    user, *, team: int | None = None, metric: str = "", breached_only: bool = False
) -> QuerySet:
    """Tickets with an open clock at risk or breached that the user may see, each once
    with its most urgent such clock (the earliest due), most urgent first.

    The list is of the user's teams (the ones they lead and their own) unless they
    may see every team's clocks; either way only clocks of tickets they may see.
    """
    listed = _attention_clocks(metric=metric, breached_only=breached_only)
    clocks = visible_clocks(user, listed)
    if not user.has_perm("sla.view_all_clocks"):
        clocks = clocks.filter(ticket__team_id__in=team_ids_of(user))
    if team:
        clocks = clocks.filter(ticket__team_id=team)
    # One row per ticket: leave out a clock when the same ticket has a listed one due
    # sooner (or as soon, created first). The ticket's own filters hold for both.
    more_urgent = listed.filter(ticket_id=OuterRef("ticket_id")).filter(
        Q(due_at__lt=OuterRef("due_at")) | Q(due_at=OuterRef("due_at"), pk__lt=OuterRef("pk"))
    )
    clocks = clocks.filter(~Exists(more_urgent))
    return (
        clocks.select_related(
            "ticket__team", "ticket__assignee", "ticket__customer", "policy_version__policy"
        )
        .prefetch_related(
            Prefetch("escalations", queryset=EscalationRecord.objects.select_related("level"))
        )
        .order_by("due_at", "pk")
    )


def _attention_clocks(*, metric: str = "", breached_only: bool = False) -> QuerySet:
    clocks = Clock.objects.needing_attention()
    if metric:
        clocks = clocks.filter(metric=metric)
    if breached_only:
        clocks = clocks.filter(state=ClockState.BREACHED)
    return clocks


def attention_row(user, ticket_id: int) -> Clock | None:
    """The ticket's row of the user's attention list (its most urgent clock), or None
    when it is no longer on the list (met in the meantime, or out of the user's teams)."""
    return attention_list(user).filter(ticket_id=ticket_id).first()


class _Load(TypedDict):
    open_load: int


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # An agent read with `open_load`: the active tickets it holds.
    LoadedAgent = WithAnnotations[Agent, _Load]


def reassign_candidates(team_ids: Iterable[int]) -> dict[int, list[LoadedAgent]]:
    """The active agents of these teams by team, each with its `open_load` (the active
    tickets it holds) beside its status, so a lead sees who is on a break or already
    busy before choosing: one query."""
    agents = (
        Agent.objects.filter(team_id__in=set(team_ids), user__is_active=True)
        .select_related("user")
        .annotate(
            open_load=Count(
                "user__assigned_tickets",
                filter=Q(user__assigned_tickets__status_category__in=ACTIVE_CATEGORIES),
            )
        )
        .order_by("user__first_name", "user__username", "pk")
    )
    by_team: dict[int, list[LoadedAgent]] = defaultdict(list)
    for agent in agents:
        by_team[agent.team_id].append(agent)
    return by_team


_Tickets = TypeVar("_Tickets", bound=QuerySet)


def annotate_sla(tickets: _Tickets) -> _Tickets:
    """Add `sla_at_risk` and `sla_breached` to a ticket queryset (for queue badges).

    Each is "the first such clock IS NOT NULL", a subquery probed per row on
    the clock's ticket index: PostgreSQL turns an EXISTS into a hash of every
    at-risk or breached clock in the table, which it builds even when the
    queue page shows 25 rows (300 ms with a million tickets).
    """
    open_clocks = Clock.objects.filter(ticket=OuterRef("pk"), state__in=OPEN_STATES)

    def any_clock(clocks: QuerySet) -> IsNull:
        return IsNull(Subquery(clocks.order_by().values("pk")[:1]), False)

    return tickets.annotate(
        sla_at_risk=any_clock(open_clocks.filter(at_risk=True)),
        sla_breached=any_clock(open_clocks.filter(state=ClockState.BREACHED)),
    )


def earliest_open_due(ticket: OuterRef, metrics: tuple[str, ...] = ()) -> Subquery:
    """The soonest due time among a ticket's running clocks (of `metrics`, if given),
    for annotating a list of anything that names a ticket: one probe per row."""
    clocks = Clock.objects.filter(ticket=ticket, state__in=OPEN_STATES)
    if metrics:
        clocks = clocks.filter(metric__in=metrics)
    return Subquery(clocks.order_by("due_at").values("due_at")[:1])


# The longest working-day deadline (a complaint's 30-working-day cap) ends about
# six weeks after it starts, seven across Spring Festival: look that far ahead.
HOLIDAY_DATA_LOOKAHEAD = timedelta(days=60)


@dataclass(frozen=True)
class HolidayDataGap:
    calendar: BusinessCalendar
    year: int


def holiday_data_gaps(today: date) -> list[HolidayDataGap]:
    """Working-time calendars whose deadlines reach into a year with no public holidays
    known (`sla.calendars.holidays_unknown_between`): working days there are Monday to
    Friday, holidays and make-up days unseen. No query while the package knows every
    year in reach; then one, plus one per calendar whose rules (kept per process,
    by revision) this process has not read yet.
    """
    start = datetime.combine(today, time(), tzinfo=SHANGHAI)
    end = start + HOLIDAY_DATA_LOOKAHEAD
    if all(statutory_year_covered(year) for year in {start.year, end.year}):
        return []
    calendars = BusinessCalendar.objects.filter(
        kind=CalendarKind.WORKING_TIME, follows_statutory_holidays=True
    ).order_by("name", "pk")
    return [
        HolidayDataGap(calendar, year)
        for calendar in calendars
        for year in holidays_unknown_between(calendar, start, end)
    ]

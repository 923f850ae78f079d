"""Reads of tickets for the desk, the API and the dashboards.

Every list selects the rows it shows and their related objects in a fixed
number of queries, whatever the number of tickets.
"""

from datetime import datetime

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)

from csc.lib.anonymise import MARKER
from intake.models import Customer
from intake.selectors import customer_details, customer_with_details
from sla.selectors import annotate_sla
from staffing.models import Team, User
from staffing.reference import teams_by_id
from staffing.selectors import worked_team_ids
from worktickets.choices import TicketKind
from worktickets.models import Ticket, TicketEvent

LIST_RELATED = ("customer", "team", "assignee", "first_contact_agent", "business_type")


def user_team_ids(user: User) -> list[int]:
    """The teams whose queue the user works: their own and the ones they lead."""
    ids = set(Team.objects.filter(lead=user).values_list("pk", flat=True))
    agent = getattr(user, "agent", None)
    if agent is not None:
        ids.add(agent.team_id)
    return sorted(ids)


def team_work(user: User, team_ids: list[int]) -> Q:
    """The tickets of these teams the user sees as a member: all of them, except that
    a team's complaints are for those who handle complaints (they may be about
    colleagues; complaints.selectors.complaints_visible_to keeps the same rule)."""
    work = Q(team_id__in=team_ids)
    if not user.has_perm("complaints.handle_complaint"):
        work &= ~Q(kind=TicketKind.COMPLAINT)
    return work


def _visible(user: User, team_ids) -> Q:
    return team_work(user, team_ids) | Q(assignee=user) | Q(first_contact_agent=user)


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """An agent sees their teams' tickets, and any ticket assigned to them or
    that they own as first-contact agent; supervisors and QA see all."""
    tickets = Ticket.objects.all()
    if user.has_perm("worktickets.view_all_tickets"):
        return tickets
    return tickets.filter(_visible(user, user_team_ids(user)))


def _visible_flag(user: User) -> ExpressionWrapper | Value:
    """tickets_visible_to's rule as a column: whether the user may open the row."""
    if user.has_perm("worktickets.view_all_tickets"):
        return Value(True, output_field=BooleanField())
    return ExpressionWrapper(_visible(user, worked_team_ids(user)), output_field=BooleanField())


def ticket_list(user: User, *, filters: dict | None = None) -> QuerySet[Ticket]:
    tickets = tickets_visible_to(user).select_related(*LIST_RELATED)
    return tickets.filter(**(filters or {}))


def _queue(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Active tickets, nearest deadline first, with their SLA badge state."""
    return annotate_sla(tickets.active().select_related(*LIST_RELATED)).queue_order()


def my_queue(user: User) -> QuerySet[Ticket]:
    return _queue(Ticket.objects.filter(assignee=user))


def team_queue(user: User, team_id: int | None = None) -> QuerySet[Ticket]:
    team_ids = user_team_ids(user)
    if team_id is not None:
        if team_id not in team_ids and not user.has_perm("worktickets.view_all_tickets"):
            return Ticket.objects.none()
        team_ids = [team_id]
    if user.has_perm("worktickets.view_all_tickets"):
        return _queue(Ticket.objects.filter(team_id__in=team_ids))
    return _queue(Ticket.objects.filter(team_work(user, team_ids)))


def my_follow_ups(user: User) -> QuerySet[Ticket]:
    """首问负责制: tickets the user first took that someone else now holds, still open."""
    return _queue(Ticket.objects.filter(first_contact_agent=user).exclude(assignee=user))


def escalation_queue(user: User) -> QuerySet[Ticket]:
    """Tickets the SLA ladder moved to the escalation queue (CS managers and leads)."""
    return _queue(tickets_visible_to(user).filter(in_escalation_queue=True))


def ticket_detail(user: User, pk: int) -> Ticket:
    return (
        tickets_visible_to(user)
        .select_related(*LIST_RELATED, "contact", "created_by", "customer__account_manager")
        .get(pk=pk)
    )


# What the ticket page shows of the ticket's own rows. The customer and its account
# manager are read with the customer panel, the team comes from the per-process copy
# of the teams: with each join more, PostgreSQL spent longer planning the query (up
# to 3 ms with all of them) than running it.
PAGE_RELATED = ("assignee", "first_contact_agent", "business_type", "contact", "created_by")


def _with_team(ticket: Ticket) -> Ticket:
    team = teams_by_id.get().get(ticket.team_id)
    if team is not None:  # else read when shown: a team made a moment ago elsewhere
        ticket.team = team
    return ticket


def ticket_page(user: User, pk: int) -> Ticket:
    """The ticket for its page, in one query: visible to the user (tickets_visible_to's
    rule, the user's teams read in the same query), with the rows the page shows, and
    `in_user_teams`: whether it waits in a team the user works (theirs to accept)."""
    team_ids = worked_team_ids(user)
    tickets = Ticket.objects.all()
    if not user.has_perm("worktickets.view_all_tickets"):
        tickets = tickets.filter(_visible(user, team_ids))
    in_user_teams = ExpressionWrapper(Q(team_id__in=team_ids), output_field=BooleanField())
    ticket = tickets.select_related(*PAGE_RELATED).annotate(in_user_teams=in_user_teams).get(pk=pk)
    return _with_team(ticket)


def ticket_timeline(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("at", "pk")


def ticket_timeline_latest(ticket: Ticket, limit: int) -> tuple[list[TicketEvent], bool]:
    """The ticket's latest `limit` events, oldest first, and whether earlier ones exist."""
    latest = list(ticket_timeline(ticket).reverse()[: limit + 1])
    return latest[:limit][::-1], len(latest) > limit


LONG_FIELDS = ("description", "order_details", "resolution", "rejection_reason")  # not in lists


def customer_panel(
    user: User, customer_id: int, *, limit: int = 10
) -> tuple[Customer, list[Ticket]]:
    """A ticket's customer as customer_with_details gives it (account manager, services,
    recent contacts) and their latest tickets, each with `is_visible` (whether the user
    may open it), in three queries: the customer rides along with their tickets."""
    recent = list(
        Ticket.objects.filter(customer_id=customer_id)
        .select_related("customer__account_manager")
        .defer(*LONG_FIELDS)
        .annotate(is_visible=_visible_flag(user))
        .order_by("-created_at")[:limit]
    )
    for ticket in recent:
        _with_team(ticket)
    if not recent:  # not for a ticket of theirs
        return customer_with_details().get(pk=customer_id), []
    customer = recent[0].customer
    prefetch_related_objects([customer], *customer_details())
    return customer, recent


def find_ticket_by_number(user: User, number: str) -> Ticket | None:
    return tickets_visible_to(user).filter(number=number.strip().upper()).first()


# --- retention (DOMAIN.md R-3) ----------------------------------------------------


def tickets_closed_before(cutoff: datetime) -> QuerySet[Ticket]:
    """Closed inquiry and business tickets (complaints keep their own period) whose
    closure is before the cutoff and whose personal data is still there."""
    return (
        Ticket.objects.filter(status_category="closed")
        .exclude(kind=TicketKind.COMPLAINT)
        .filter(Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, updated_at__lt=cutoff))
        .exclude(subject=MARKER)
    )

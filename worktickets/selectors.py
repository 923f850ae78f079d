"""Reads of tickets for the desk, the API and the dashboards.

Every list selects the rows it shows and their related objects in a fixed
number of queries, whatever the number of tickets.
"""

from django.db.models import Q, QuerySet

from sla.selectors import annotate_sla
from staffing.models import Team, User
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


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """An agent sees their teams' tickets, and any ticket assigned to them or
    that they own as first-contact agent; supervisors and QA see all."""
    tickets = Ticket.objects.all()
    if user.has_perm("worktickets.view_all_tickets"):
        return tickets
    return tickets.filter(
        team_work(user, user_team_ids(user)) | Q(assignee=user) | Q(first_contact_agent=user)
    )


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


def ticket_timeline(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("at", "pk")


def customer_recent_tickets(customer_id: int, *, limit: int = 10) -> list[Ticket]:
    return list(
        Ticket.objects.filter(customer_id=customer_id)
        .select_related("team", "assignee")
        .order_by("-created_at")[:limit]
    )


def find_ticket_by_number(user: User, number: str) -> Ticket | None:
    return tickets_visible_to(user).filter(number=number.strip().upper()).first()

"""Reads of tickets for the desk, the API and the dashboards.

Every list selects the rows it shows and their related objects in a fixed
number of queries, whatever the number of tickets.
"""

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)

from csc.lib.anonymise import MARKER
from intake.models import Customer
from intake.selectors import customer_details, customer_with_details
from sla.selectors import annotate_sla, earliest_open_due
from staffing.models import User
from staffing.reference import teams_by_id
from staffing.selectors import worked_team_ids
from worktickets.choices import ProblemStatus, TicketKind, TicketStatus
from worktickets.models import (
    ACTIVE_CATEGORY_VALUES,
    Problem,
    ProblemEvent,
    SavedQueueView,
    Ticket,
    TicketEvent,
    TicketQuerySet,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _Visibility(TypedDict):
        is_visible: bool

    # A ticket read with `is_visible`: whether the user may open it.
    VisibleTicket = WithAnnotations[Ticket, _Visibility]


LIST_RELATED = ("customer", "team", "assignee", "first_contact_agent", "business_type")


def user_team_ids(user: User) -> list[int]:
    """The teams whose queue the user works: their own and the ones they lead."""
    ids = {pk for pk, team in teams_by_id.get().items() if team.lead_id == user.pk}
    agent = getattr(user, "agent", None)
    if agent is not None:
        ids.add(agent.team_id)
    return sorted(ids)


# The permissions that govern complaints (their app sits above this one and reuses
# complaint_visibility below, so the rule is written once).
HANDLE_COMPLAINTS = "complaints.handle_complaint"
VIEW_ALL_COMPLAINTS = "complaints.view_all_complaints"
LEADERSHIP_BOARD = "complaints.view_leadership_board"
VIEW_ALL_TICKETS = "worktickets.view_all_tickets"
KEEP_PROBLEMS = "worktickets.change_problem"  # analyse, fix and verify ledger problems
APPEAL_TIER = "appeal"  # complaints.choices.Tier.APPEAL


def complaint_visibility(
    user: User, team_ids, *, ticket: str = "", complaint: str = "complaint__"
) -> Q | None:
    """The one rule for complaints, whichever door shows them: anyone sees those assigned
    to them or that they first took (首问负责制); a handling group sees its own and
    those it collaborates on (an upgraded complaint or an appeal the complaint-handling
    group coordinates, DOMAIN.md C-10 to C-12); the leadership group also sees major
    complaints and appeals; managers and QA see all (None). An agent who only records
    complaints does not see the team's others: they may be about colleagues. Seeing
    every team's tickets does not widen it.

    `ticket` and `complaint` prefix the field paths: on tickets the complaint is the
    reverse one-to-one `complaint__`; on complaints, the ticket is `ticket__`.
    """
    if user.has_perm(VIEW_ALL_COMPLAINTS):
        return None
    rule = Q(**{f"{ticket}assignee": user}) | Q(**{f"{ticket}first_contact_agent": user})
    if user.has_perm(HANDLE_COMPLAINTS):
        rule |= Q(**{f"{ticket}team_id__in": team_ids})
        rule |= Q(**{f"{complaint}collaborating_team_id__in": team_ids})
    if user.has_perm(LEADERSHIP_BOARD):
        rule |= Q(**{f"{complaint}is_major": True}) | Q(**{f"{complaint}tier": APPEAL_TIER})
    return rule


def _visible(user: User, team_ids) -> Q | None:
    """Which tickets the user may open (None: all): of the inquiries and business
    orders, their teams' and their own, or all for supervisors and QA; of the
    complaints, what complaint_visibility allows.

    Written as one flat OR so PostgreSQL can use the team, assignee and first-contact
    indexes: the complaint rule's own and team terms are the ticket rule's too, so
    they add only complaints to what the other terms give."""
    complaints = complaint_visibility(user, team_ids)
    not_complaint = ~Q(kind=TicketKind.COMPLAINT)
    if user.has_perm(VIEW_ALL_TICKETS):
        return None if complaints is None else not_complaint | complaints
    team = Q(team_id__in=team_ids)
    if complaints is None:  # every complaint, and their own share of the rest
        return team | Q(assignee=user) | Q(first_contact_agent=user) | Q(kind=TicketKind.COMPLAINT)
    return (team & not_complaint) | complaints


def _only_visible(user: User, tickets: TicketQuerySet, team_ids) -> TicketQuerySet:
    rule = _visible(user, team_ids)
    return tickets if rule is None else tickets.filter(rule)


def tickets_visible_to(user: User) -> TicketQuerySet:
    """Every door's rule for tickets (_visible), complaints included."""
    return _only_visible(user, Ticket.objects.all(), user_team_ids(user))


def _visible_flag(user: User) -> ExpressionWrapper | Value:
    """tickets_visible_to's rule as a column: whether the user may open the row."""
    rule = _visible(user, worked_team_ids(user))
    if rule is None:
        return Value(True, output_field=BooleanField())
    return ExpressionWrapper(rule, output_field=BooleanField())


def ticket_list(user: User, *, filters: dict | None = None) -> QuerySet[Ticket]:
    tickets = tickets_visible_to(user).select_related(*LIST_RELATED)
    return tickets.filter(**(filters or {}))


def _queue(tickets: TicketQuerySet) -> QuerySet[Ticket]:
    """Active tickets, nearest deadline first, with their SLA badge state."""
    return annotate_sla(tickets.active().select_related(*LIST_RELATED)).queue_order()


def my_queue(user: User) -> QuerySet[Ticket]:
    return _queue(Ticket.objects.filter(assignee=user))


def team_queue(user: User, team_id: int | None = None) -> QuerySet[Ticket]:
    """A team's active tickets (one of the user's teams, or any for supervisors), less
    those the user may not open (a team's complaints, for those who only record them)."""
    team_ids = user_team_ids(user)
    shown = team_ids
    if team_id is not None:
        if team_id not in team_ids and not user.has_perm(VIEW_ALL_TICKETS):
            return Ticket.objects.none()
        shown = [team_id]
    tickets = Ticket.objects.filter(team_id__in=shown)
    # Within teams the user may list, the ticket rule comes down to the complaints:
    # all of them for those whose complaint rule covers these teams, none otherwise
    # (their own are in "my queue" and "my follow-ups"). A subset of _visible that
    # keeps the queue on the team index: the full OR doubled the time of deeper pages.
    covers_teams = user.has_perm(VIEW_ALL_COMPLAINTS) or (
        user.has_perm(HANDLE_COMPLAINTS) and set(shown) <= set(team_ids)
    )
    if not covers_teams:
        tickets = tickets.exclude(kind=TicketKind.COMPLAINT)
    return _queue(tickets)


# The queues' sortable columns: each a total order (the pk breaks ties), so paging
# never shows a row twice. Missing deadlines sort last either way.
QUEUE_SORTS: dict[str, tuple] = {
    "number": ("number",),
    "priority": ("priority", "created_at"),
    "created": ("created_at",),
    "due": ("sla_due_at",),
    "status": ("status", "created_at"),
}


def queue_sorted(tickets: QuerySet[Ticket], sort: str) -> QuerySet[Ticket]:
    """The queue by one column (`due`, `-due` descending); the queue's own order
    (nearest deadline, most urgent, oldest) for anything else."""
    descending = sort.startswith("-")
    columns = QUEUE_SORTS.get(sort.lstrip("-"))
    if columns is None:
        return tickets
    order = [
        F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
        for column in columns
    ]
    return tickets.order_by(*order, "-pk" if descending else "pk")


QUERY_LENGTH = 100


def queue_search(tickets: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    """Tickets whose number, subject or customer's name holds the words typed (every
    word, anywhere in one of them). A customer is found by name only: numbers are
    looked up on the search page, which records who looked."""
    for word in query.split()[:5]:
        word = word[:QUERY_LENGTH]
        tickets = tickets.filter(
            Q(number__icontains=word)
            | Q(subject__icontains=word)
            | Q(customer__name__icontains=word)
        )
    return tickets


def saved_queue_views(user: User, queue: str) -> list[SavedQueueView]:
    return list(SavedQueueView.objects.filter(owner=user, queue=queue))


def orders_awaiting_approval(user: User) -> QuerySet[Ticket]:
    """Business orders reviewed and waiting for a team lead's approval (审批), in the
    teams this person sees; none for people who may not approve. `due_at` is the
    order's soonest running deadline."""
    if not user.has_perm("worktickets.approve_business"):
        return Ticket.objects.none()
    return (
        tickets_visible_to(user)
        .filter(
            kind=TicketKind.BUSINESS,
            status=TicketStatus.REVIEWED,
            business_type__requires_approval=True,
        )
        .select_related("business_type", "customer", "created_by")
        .annotate(due_at=earliest_open_due(OuterRef("pk")))
    )


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
    tickets = _only_visible(user, Ticket.objects.all(), team_ids)
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


def withhold_hidden(tickets: "list[VisibleTicket]") -> "list[VisibleTicket]":
    """Tickets listed beside a customer that the user may not open (`is_visible` false)
    show their number, status and team, not their subject: it may name a colleague (a
    complaint) and is not theirs to read."""
    for ticket in tickets:
        if not ticket.is_visible:
            ticket.subject = ""
    return tickets


def recent_tickets(user: User, limit: int) -> Prefetch:
    """Prefetch each customer's latest tickets as `recent_tickets`, each with
    `is_visible` (whether the user may open it): pass them to withhold_hidden."""
    recent = (
        Ticket.objects.select_related("team")
        .defer(*LONG_FIELDS)
        .annotate(is_visible=_visible_flag(user))
        .order_by("-created_at", "-pk")
    )
    return Prefetch("tickets", queryset=recent[:limit], to_attr="recent_tickets")


def customer_panel(
    user: User, customer_id: int, *, limit: int = 10
) -> "tuple[Customer, list[VisibleTicket]]":
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
    withhold_hidden(recent)
    if not recent:  # not for a ticket of theirs
        return customer_with_details().get(pk=customer_id), []
    customer = recent[0].customer
    assert customer is not None  # the tickets were read by their customer
    prefetch_related_objects([customer], *customer_details())
    return customer, recent


def customer_work(user: User, customer_id: int, *, limit: int = 30) -> "list[VisibleTicket]":
    """A customer's tickets of every kind (inquiries, business orders, complaints) for
    the customer page: open ones first, then the latest, each with `is_visible`; one
    query. Those the user may not open show only their number, status and team."""
    open_first = ExpressionWrapper(
        Q(status_category__in=ACTIVE_CATEGORY_VALUES), output_field=BooleanField()
    )
    tickets = list(
        Ticket.objects.filter(customer_id=customer_id)
        .select_related("business_type")
        .defer(*LONG_FIELDS)
        .annotate(is_visible=_visible_flag(user))
        .order_by(open_first.desc(), "-created_at", "-pk")[:limit]
    )
    for ticket in tickets:
        _with_team(ticket)
    return withhold_hidden(tickets)


def find_ticket_by_number(user: User, number: str) -> Ticket | None:
    return tickets_visible_to(user).filter(number=number.strip().upper()).first()


# --- the problem ledger (DOMAIN.md W-6) ---------------------------------------------


def problem_list() -> QuerySet[Problem]:
    """The ledger: problems still being worked first, the nearest review date first,
    each with the number of tickets counted against it."""
    done = ExpressionWrapper(Q(status=ProblemStatus.VERIFIED), output_field=BooleanField())
    return (
        Problem.objects.select_related("owner")
        .annotate(ticket_count=Count("links"), done=done)
        .order_by("done", "review_date", "pk")
    )


def problem_detail(pk: int) -> Problem:
    return Problem.objects.select_related("owner", "raised_by").get(pk=pk)


def problem_tickets(user: User, problem: Problem) -> "list[VisibleTicket]":
    """The problem's tickets, latest first, each with `is_visible`: those the user may
    not open show their number, status and team only (withhold_hidden)."""
    tickets = list(
        Ticket.objects.filter(problem_links__problem=problem)
        .select_related("team")
        .defer(*LONG_FIELDS)
        .annotate(is_visible=_visible_flag(user))
        .order_by("-problem_links__linked_at", "-pk")
    )
    return withhold_hidden(tickets)


def problem_events(problem: Problem) -> QuerySet[ProblemEvent]:
    return problem.events.select_related("actor").order_by("at", "pk")


def problems_of_ticket(ticket: Ticket) -> list[Problem]:
    return list(
        Problem.objects.filter(links__ticket=ticket)
        .select_related("owner")
        .order_by("-links__linked_at", "-pk")
    )


def problems_open_to_link(ticket: Ticket) -> QuerySet[Problem]:
    """Problems a ticket may still be counted against: not verified, not linked yet."""
    return (
        Problem.objects.exclude(status=ProblemStatus.VERIFIED)
        .exclude(links__ticket=ticket)
        .order_by("-raised_at", "-pk")
    )


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

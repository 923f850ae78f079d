"""Auto-assignment to agents on shift (DOMAIN.md I-12, I-13, I-16): one service for
every door — the ticket service (the desk and the API), complaint recording, and the
sweeper for tickets left in a team's queue.

A ticket that is nobody's when it is opened (its creator does not keep it: see
services._kept_by_creator, which comes first) goes, when its team has
auto-assignment on, to an agent of that team who

- is on shift now: rostered on a published roster, not on approved leave, not
  offline (staffing.selectors.on_shift_agents);
- has what the ticket needs: the VIP seat for a customer entitled to grade service
  (intake.grade_service, the one rule), and the skill the business type or the
  inquiry category names (I-13's 3G and product seats);
- holds fewer open tickets than the team's cap, and of those the lightest load:
  each open ticket counts 1, or 2 when its nearest deadline is within the next hour
  or past; ties go to the fewer open tickets, then to the lower employee record.

When nobody qualifies the ticket stays in the team's queue and the team lead is
told. Either outcome is told, as a message key, on the creation's own timeline line
(opening and assigning are one action); the sweeper's later assignments have a line
of their own. The agent is not notified: the ticket is in their own queue.

Who is on shift comes from the copy kept per process (staffing.on_shift, renewed
when a presence, a roster, a leave or a skill changes, and when a shift or a leave
starts or ends); only the loads are read at each assignment, with a grouped count
of the chosen agents' open tickets.

Race-safety: a per-team advisory lock (PostgreSQL, held to the end of the
transaction; an agent works in one team, so every automatic assignment to them
goes through their team's lock) is taken before the loads are counted, and the
ticket is written in the same transaction: a second creation for the same team
waits, then counts the first one's ticket. Row locks on the agents would do the
same but write every locked row; the advisory lock writes nothing. Cost: nothing
when the team's switch is off (the team is already in hand); when on, one statement
(a database function taking the lock, then counting the loads with the plan it
keeps; elsewhere, or with ASSIGNMENT_LOADS_FUNCTION=0, the lock and the loads
statement), none when nobody on shift qualifies (then two for the lead's
notification). Creations for one team queue from the lock to the commit, so
ticket_create writes the SLA clocks before it takes the lock, the ticket's id taken
with its number (worktickets.numbering).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, FilteredRelation, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from csc.lib.phrases import Phrase
from intake.grade_service import entitled_to_grade_service
from staffing.models import Agent, Team, User
from staffing.on_shift import AgentOnShift, team_on_shift
from staffing.outbox import notify
from staffing.selectors import on_shift_agents
from worktickets.choices import EventKind, TicketKind
from worktickets.models import (
    ACTIVE_CATEGORY_VALUES,
    AUTO_ASSIGNMENT_KEY,
    MESSAGE_KEY,
    Ticket,
    TicketEvent,
)
from worktickets.reference import category_by_id

# The kinds a new ticket of is given to an agent: complaints come through
# complaint recording when their routing names a group rather than a person.
AUTO_ASSIGNED_KINDS = (TicketKind.INQUIRY, TicketKind.BUSINESS, TicketKind.COMPLAINT)

# A ticket due within this long (or overdue) weighs double in an agent's load.
URGENT_WITHIN = timedelta(hours=1)
URGENT_WEIGHT = 2

# The first key of the per-team advisory lock ("assg"): no other lock shares it.
LOCK_NAMESPACE = 0x61737367


@dataclass(frozen=True)
class Need:
    """What an agent must have to take the ticket."""

    vip_seat: bool
    skill_ids: tuple[int, ...]


@dataclass(frozen=True)
class Choice:
    """The agent chosen (their user with its name only) and their load before this
    ticket."""

    agent_id: int
    user: User
    open_tickets: int
    load: int


def need_of(ticket: Ticket) -> Need:
    """The VIP seat for a customer entitled to grade service; the skill the business
    type names, or the inquiry category (or its parent). Reads only rows in hand and
    the categories kept per process."""
    customer = ticket.customer
    vip = customer is not None and entitled_to_grade_service(
        customer.payment_type, customer.vip_tier
    )
    skills: list[int] = []
    business_type = ticket.business_type if ticket.business_type_id is not None else None
    if business_type is not None and business_type.required_skill_id is not None:
        skills.append(business_type.required_skill_id)
    category = category_by_id(ticket.category_id)
    if category is not None:
        skill_id = category.required_skill_id
        if skill_id is None and category.parent is not None:
            skill_id = category.parent.required_skill_id
        if skill_id is not None:
            skills.append(skill_id)
    return Need(vip_seat=vip, skill_ids=tuple(dict.fromkeys(skills)))


_LOCK = "SELECT pg_advisory_xact_lock(%s, %s)"


def lock_team(team_id: int) -> None:
    """Hold the team's assignment lock until the transaction ends (PostgreSQL: an
    advisory lock in memory, nothing written; SQLite serialises writers by itself)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_LOCK, [LOCK_NAMESPACE, team_id])


def _loads_in_database() -> bool:
    """Whether the lock and the loads come from one call of the database function
    `worktickets_assignment_loads` (PostgreSQL; migration 0019), whose plan PostgreSQL
    keeps per connection. Off (ASSIGNMENT_LOADS_FUNCTION=0, and on SQLite): the lock,
    then `loads`, built by the ORM and planned at each use."""
    return settings.ASSIGNMENT_LOADS_FUNCTION and connection.vendor == "postgresql"


def candidates(team_id: int, at: datetime, need: Need) -> QuerySet:
    """The team's agents on shift who have what the ticket needs, in id order, each as
    (agent id, user id, username, first name, last name, open tickets, of them due
    within URGENT_WITHIN or overdue)."""
    # The open tickets joined on their own (the join's condition, so the partial
    # index of open tickets by assignee serves it), never an agent's closed history.
    open_ones = FilteredRelation(
        "user__assigned_tickets",
        condition=Q(user__assigned_tickets__status_category__in=ACTIVE_CATEGORY_VALUES),
    )
    return (
        on_shift_agents(
            team_id,
            at,
            job_type=Agent.JobType.VIP_SEAT if need.vip_seat else None,
            skill_ids=need.skill_ids,
        )
        .annotate(open_ones=open_ones)
        .annotate(
            open_tickets=Count("open_ones"),
            due_soon=Count("open_ones", filter=Q(open_ones__sla_due_at__lte=at + URGENT_WITHIN)),
        )
        .order_by("pk")
        .values_list(*CANDIDATE_COLUMNS)
    )


CANDIDATE_COLUMNS = (
    "pk",
    "user_id",
    "user__username",
    "user__first_name",
    "user__last_name",
    "open_tickets",
    "due_soon",
)


def loads(user_ids: list[int], at: datetime) -> QuerySet:
    """Each of these users' open tickets and, of them, those due within URGENT_WITHIN
    or overdue, as (user id, open tickets, due soon); a user with none has no row.
    On PostgreSQL the database function worktickets_assignment_loads counts the same
    (migration 0019); a test compares the two."""
    # The open tickets' condition is the partial index's (open tickets by assignee).
    return (
        Ticket.objects.filter(assignee_id__in=user_ids, status_category__in=ACTIVE_CATEGORY_VALUES)
        .order_by()
        .values("assignee_id")
        .annotate(
            open_tickets=Count("pk"),
            due_soon=Count("pk", filter=Q(sla_due_at__lte=at + URGENT_WITHIN)),
        )
        .values_list("assignee_id", "open_tickets", "due_soon")
    )


def _loads_under_lock(
    team_id: int, user_ids: list[int], at: datetime
) -> dict[int, tuple[int, int]]:
    """Take the team's lock, then read these users' loads: (open, due soon) by user.
    The loads are read after the lock, with a snapshot of their own under READ
    COMMITTED: they count every ticket committed while the lock was awaited."""
    if not _loads_in_database():
        lock_team(team_id)
        return {
            user_id: (open_tickets, due_soon)
            for user_id, open_tickets, due_soon in loads(user_ids, at)
        }
    with connection.cursor() as cursor:
        # The ids as an array's text: psycopg's adaptation of a list costs more.
        cursor.execute(
            "SELECT * FROM worktickets_assignment_loads(%s, %s, %s::bigint[], %s)",
            [LOCK_NAMESPACE, team_id, "{" + ",".join(map(str, user_ids)) + "}", at + URGENT_WITHIN],
        )
        rows = cursor.fetchall()
    return {user_id: (open_tickets, due_soon) for user_id, open_tickets, due_soon in rows}


def _qualifying_on_shift(team_id: int, at: datetime, need: Need) -> list[AgentOnShift]:
    job_type = Agent.JobType.VIP_SEAT if need.vip_seat else None
    return [
        agent
        for agent in team_on_shift(team_id, at).agents
        if agent.qualifies(job_type=job_type, skill_ids=need.skill_ids)
    ]


def _kept_on_shift() -> bool:
    """Whether the team's agents on shift come from the copy kept per process
    (staffing.on_shift), the loads alone from the database."""
    return settings.ASSIGNMENT_ON_SHIFT_KEPT and settings.REFERENCE_CACHE_ENABLED


def _candidates_under_lock(team_id: int, at: datetime, need: Need) -> list[tuple]:
    """Take the team's assignment lock, then read its qualifying agents on shift with
    their loads, as `candidates` gives them; nobody qualifying, no lock."""
    if not _kept_on_shift():
        lock_team(team_id)
        return list(candidates(team_id, at, need))
    agents = _qualifying_on_shift(team_id, at, need)
    if not agents:
        return []  # nobody to count: no lock either
    # A statement of its own after the lock: under READ COMMITTED it sees every
    # ticket committed by the creation that held the lock before.
    by_user = _loads_under_lock(team_id, [agent.user_id for agent in agents], at)
    return [
        (
            agent.agent_id,
            agent.user_id,
            agent.username,
            agent.first_name,
            agent.last_name,
            *by_user.get(agent.user_id, (0, 0)),
        )
        for agent in agents
    ]


def agent_choose(team: Team, need: Need, *, at: datetime) -> Choice | None:
    """Take the team's assignment lock, then choose among its qualifying agents on
    shift the lightest-loaded under the cap; None when nobody qualifies. Call inside
    the transaction writing the ticket: the lock is held until it commits."""
    rows = _candidates_under_lock(team.pk, at, need)
    best: tuple | None = None
    for row in rows:
        open_tickets, due_soon = row[5], row[6]
        if open_tickets >= team.assignment_cap:
            continue
        load = open_tickets + (URGENT_WEIGHT - 1) * due_soon
        if best is None or (load, open_tickets) < (best[0], best[1]):
            best = (load, open_tickets, row)
    if best is None:
        return None
    load, open_tickets, row = best
    user = User.from_db(connection.alias, ["id", "username", "first_name", "last_name"], row[1:5])
    return Choice(agent_id=row[0], user=user, open_tickets=open_tickets, load=load)


@dataclass
class Outcome:
    """What auto-assignment decided for a ticket: its assignee is set on the ticket; the
    decision is told on the ticket's creation line (`note_on`), or on a line of its
    own when the sweeper assigns it later (`line`)."""

    choice: Choice | None

    def phrase(self, ticket: Ticket) -> Phrase:
        if self.choice is not None:
            return Phrase(
                gettext_noop(
                    "Assigned automatically to %(name)s, on shift with %(open)s open tickets."
                ),
                name=self.choice.user.display_name,
                open=self.choice.open_tickets,
            )
        return Phrase(
            gettext_noop(
                "Nobody on shift can take it now: left in the %(team)s queue and the "
                "team lead told."
            ),
            team=ticket.team.name,
        )

    def note_on(self, created: TicketEvent) -> None:
        """The creation's own line tells the decision (TicketEvent.auto_assignment_text):
        opening and assigning are one action, and one line fewer per ticket."""
        decided: dict = {MESSAGE_KEY: self.phrase(created.ticket).stored()}
        if self.choice is not None:
            decided["to_assignee"] = self.choice.user.display_name
        else:
            decided["nobody_qualifies"] = True
        created.data = {**(created.data or {}), AUTO_ASSIGNMENT_KEY: decided}

    def line(self, ticket: Ticket) -> TicketEvent:
        """The line of an assignment made after the creation (the sweeper's)."""
        assert self.choice is not None
        return TicketEvent(
            ticket=ticket,
            kind=EventKind.ASSIGNED,
            actor=None,
            body=self.phrase(ticket),
            data={"to_assignee": self.choice.user.display_name, "to_team": ticket.team.name},
        )

    def tell(self, ticket: Ticket) -> None:
        """When nobody qualified, the team lead hears of the ticket waiting. An agent is
        not notified of each ticket given them: it is in their own queue, whose rows
        refresh and mark new tickets (a notice per ticket would bury the others)."""
        if self.choice is not None:
            return
        link = reverse("worktickets:ticket_detail", args=[ticket.pk])
        lead = User.objects.filter(pk=ticket.team.lead_id, is_active=True).first()
        if lead is None:
            return
        notify(
            lead,
            kind="ticket.unassigned",
            title=Phrase(
                gettext_noop("Ticket %(number)s waits in the %(team)s queue: nobody on shift"),
                number=ticket.number,
                team=ticket.team.name,
            ),
            body=Phrase(
                gettext_noop(
                    "No agent on shift has the skill it needs and room under the cap; "
                    "assign it by hand or change the roster."
                )
            ),
            link=link,
        )


def assigns(ticket: Ticket) -> bool:
    """Whether assign_new chooses an agent for this ticket (no query)."""
    return (
        ticket.team.auto_assign
        and ticket.assignee_id is None
        and ticket.kind in AUTO_ASSIGNED_KINDS
    )


def clocks_before_lock(ticket: Ticket) -> bool:
    """Whether ticket_create writes the clocks of this ticket, about to be assigned,
    before the team's lock (PostgreSQL, whose keys between rows are checked at the
    commit). Off: ASSIGNMENT_CLOCKS_BEFORE_LOCK=0."""
    return (
        settings.ASSIGNMENT_CLOCKS_BEFORE_LOCK
        and connection.vendor == "postgresql"
        and ticket.pk is None
        and assigns(ticket)
    )


def assign_new(ticket: Ticket, *, at: datetime) -> Outcome | None:
    """Choose the agent for a ticket about to be written (its team set, nobody's yet)
    and set it as the assignee; None, at no cost, when the team's switch is off."""
    if not assigns(ticket):
        return None
    team = ticket.team
    choice = agent_choose(team, need_of(ticket), at=at)
    if choice is not None:
        ticket.assignee = choice.user
    return Outcome(choice)


# ---------------------------------------------------------------- the sweeper


# At most this many waiting tickets per team are tried in one sweep, the most urgent
# first; the next sweep takes the rest.
SWEEP_BATCH = 500


def waiting_ticket_ids(team: Team) -> list[int]:
    """A team's tickets waiting in its queue for an agent, the most urgent first."""
    return list(
        Ticket.objects.active()
        .filter(
            team=team,
            assignee__isnull=True,
            transfer_pending=False,
            kind__in=AUTO_ASSIGNED_KINDS,
        )
        .queue_order()
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def assign_waiting(*, at: datetime | None = None) -> int:
    """Give the tickets waiting in the queues of teams with auto-assignment on to agents
    who have come on shift; returns how many were assigned. One transaction per ticket;
    a need nobody could meet is not tried again in the same sweep, and nobody is told
    again (the lead was told when the ticket was opened)."""
    from worktickets.services import record_events, save_ticket

    at = at or timezone.now()
    assigned = 0
    for team in Team.objects.filter(is_active=True, auto_assign=True).order_by("pk"):
        if not on_shift_agents(team.pk, at).exists():
            continue
        unmet: set[Need] = set()
        for pk in waiting_ticket_ids(team):
            with transaction.atomic():
                ticket = (
                    Ticket.objects.select_for_update(of=("self",))
                    .select_related("team", "customer", "business_type")
                    .filter(pk=pk, assignee__isnull=True, transfer_pending=False)
                    .first()
                )
                if ticket is None or not ticket.is_active or ticket.team_id != team.pk:
                    continue
                need = need_of(ticket)
                if need in unmet:
                    continue
                choice = agent_choose(team, need, at=at)
                if choice is None:
                    unmet.add(need)
                    continue
                ticket.assignee = choice.user
                save_ticket(ticket, ["assignee"])
                outcome = Outcome(choice)
                record_events([outcome.line(ticket)])
                outcome.tell(ticket)
                assigned += 1
    return assigned

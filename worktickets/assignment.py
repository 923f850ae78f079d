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
of the qualifying agents' open tickets.

Race-safety: a creation locks the agent it gives the ticket to (a PostgreSQL
advisory lock, held to the end of the transaction, which writes the ticket) and
counts that agent's tickets again after the lock, keeping them only if still under
the cap: two creations never give the same agent a ticket at once, and the second
counts the first's. Ranked by the loads, the first agent whose lock is free is
taken (one being given a ticket by a creation not yet committed is passed over, as
that ticket would make them heavier); when every lock is taken, the creation waits
for the first's. Creations for one team wait for each other only when they want
the same agent, not from the team's first statement to its commit. Cost: nothing
when the team's switch is off (the team is already in hand); when on, one
statement (the database function worktickets_assignment_choose, which keeps its
plans per connection; elsewhere, or with ASSIGNMENT_CHOOSE_FUNCTION=0, the same
steps as statements of the ORM's), none when nobody on shift qualifies (then two
for the lead's notification). ticket_create writes the SLA clocks before the
choice, the ticket's id taken with its number (worktickets.numbering), so the
agent is held over fewer statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from csc.lib.phrases import Phrase
from intake.grade_service import entitled_to_grade_service
from staffing.models import Agent, Team, User
from staffing.on_shift import team_on_shift
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

# The first key of the per-agent advisory lock ("agnt"; the second is the agent's
# user id): no other lock shares it.
LOCK_NAMESPACE = 0x61676E74
# PostgreSQL's SQLSTATE for a deadlock it broke by cancelling one of the waits.
DEADLOCK_DETECTED = "40P01"


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


def _choose_in_database() -> bool:
    """Whether the choice is made in one call of the database function
    `worktickets_assignment_choose` (PostgreSQL; migration 0020), whose plans
    PostgreSQL keeps per connection. Off (ASSIGNMENT_CHOOSE_FUNCTION=0, and on
    SQLite): the same steps from Python, each a statement built by the ORM. The two
    take the same locks and count again after them, so processes may differ."""
    return settings.ASSIGNMENT_CHOOSE_FUNCTION and connection.vendor == "postgresql"


# A qualifying agent as the choice needs them: (agent id, user id, username, first
# name, last name).
AGENT_COLUMNS = ("pk", "user_id", "user__username", "user__first_name", "user__last_name")
USER_FIELDS = ["id", "username", "first_name", "last_name"]


def qualifying_agents(team_id: int, at: datetime, need: Need) -> list[tuple]:
    """The team's agents on shift who have what the ticket needs, in id order (the
    rule's last tie-break), as AGENT_COLUMNS: from the copy kept per process, or
    (ASSIGNMENT_ON_SHIFT_KEPT=0, or no Redis) read at each use."""
    job_type = Agent.JobType.VIP_SEAT if need.vip_seat else None
    if not _kept_on_shift():
        return list(
            on_shift_agents(team_id, at, job_type=job_type, skill_ids=need.skill_ids)
            .order_by("pk")
            .values_list(*AGENT_COLUMNS)
        )
    return [
        (agent.agent_id, agent.user_id, agent.username, agent.first_name, agent.last_name)
        for agent in team_on_shift(team_id, at).agents
        if agent.qualifies(job_type=job_type, skill_ids=need.skill_ids)
    ]


def _kept_on_shift() -> bool:
    """Whether the team's agents on shift come from the copy kept per process
    (staffing.on_shift), the loads alone from the database."""
    return settings.ASSIGNMENT_ON_SHIFT_KEPT and settings.REFERENCE_CACHE_ENABLED


def loads(user_ids: list[int], at: datetime) -> QuerySet:
    """Each of these users' open tickets and, of them, those due within URGENT_WITHIN
    or overdue, as (user id, open tickets, due soon); a user with none has no row.
    The database function worktickets_assignment_choose counts the same (migration
    0020); a test compares the two ways' choices."""
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


def weighted_load(open_tickets: int, due_soon: int) -> int:
    """Each open ticket counts 1, or URGENT_WEIGHT when due within URGENT_WITHIN."""
    return open_tickets + (URGENT_WEIGHT - 1) * due_soon


def _loads_by_user(user_ids: list[int], at: datetime) -> dict[int, tuple[int, int]]:
    return {user: (open_tickets, due) for user, open_tickets, due in loads(user_ids, at)}


def ranked(
    user_ids: list[int], by_user: dict[int, tuple[int, int]], cap: int, passed: set[int]
) -> list[int]:
    """The users under the cap (and not passed over) in the rule's order: the lighter
    load first (each open ticket 1, URGENT_WEIGHT when due soon), then the fewer open
    tickets, then the order given (the lower employee record)."""
    order = []
    for position, user_id in enumerate(user_ids):
        open_tickets, due_soon = by_user.get(user_id, (0, 0))
        if open_tickets < cap and user_id not in passed:
            order.append((weighted_load(open_tickets, due_soon), open_tickets, position, user_id))
    return [row[-1] for row in sorted(order)]


_TRY_LOCK = "SELECT pg_try_advisory_xact_lock(%s, %s)"
_LOCK = "SELECT pg_advisory_xact_lock(%s, %s)"


def _try_lock(user_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_TRY_LOCK, [LOCK_NAMESPACE, user_id])
        return cursor.fetchone()[0]


def _wait_for_lock(user_id: int) -> bool:
    """Wait for the agent's lock; False when PostgreSQL broke a deadlock by cancelling
    this wait (two creations each waiting for an agent the other holds)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_LOCK, [LOCK_NAMESPACE, user_id])
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED:
            return False
        raise
    return True


def _chosen_in_python(user_ids: list[int], cap: int, at: datetime) -> tuple[int, int, int] | None:
    """worktickets_assignment_choose's steps, each a statement built by the ORM: rank
    by the loads, lock the first agent whose lock is free (or wait for the first's,
    but not again once a wait was cancelled to break a deadlock), count that agent's
    tickets again and keep them if still under the cap, else pass them over and rank
    again. Elsewhere than on PostgreSQL there is no lock to take
    (SQLite serialises writers by itself): the first ranked."""
    passed: set[int] = set()
    deadlocked = False
    while True:
        by_user = _loads_by_user(user_ids, at)
        order = ranked(user_ids, by_user, cap, passed)
        if not order:
            return None
        if connection.vendor != "postgresql":
            return (order[0], *by_user.get(order[0], (0, 0)))
        chosen = next((user_id for user_id in order if _try_lock(user_id)), None)
        if chosen is None:
            if deadlocked:
                return None  # waiting again could be cancelled again, and the other too
            chosen = order[0]
            if not _wait_for_lock(chosen):
                deadlocked = True
                continue
        # After the lock, with a snapshot of its own: every ticket committed for them.
        open_tickets, due_soon = _loads_by_user([chosen], at).get(chosen, (0, 0))
        if open_tickets < cap:
            return chosen, open_tickets, due_soon
        passed.add(chosen)


_CHOOSE = "SELECT * FROM worktickets_assignment_choose(%s, %s::bigint[], %s, %s, %s)"


def _chosen_in_database(user_ids: list[int], cap: int, at: datetime) -> tuple[int, int, int] | None:
    with connection.cursor() as cursor:
        # The ids as an array's text: psycopg's adaptation of a list costs more.
        cursor.execute(
            _CHOOSE,
            [
                LOCK_NAMESPACE,
                "{" + ",".join(map(str, user_ids)) + "}",
                at + URGENT_WITHIN,
                cap,
                URGENT_WEIGHT,
            ],
        )
        return cursor.fetchone()


def agent_choose(team: Team, need: Need, *, at: datetime) -> Choice | None:
    """Choose among the team's qualifying agents on shift the lightest-loaded under the
    cap and lock them until the transaction ends; None when nobody qualifies or has
    room. Call inside the transaction writing the ticket: the lock is held until it
    commits, and the agent's tickets are counted after it."""
    agents = qualifying_agents(team.pk, at, need)
    if not agents:
        return None  # nobody to count: no lock either
    user_ids = [agent[1] for agent in agents]
    choose = _chosen_in_database if _choose_in_database() else _chosen_in_python
    found = choose(user_ids, team.assignment_cap, at)
    if found is None:
        return None
    user_id, open_tickets, due_soon = found
    agent = next(agent for agent in agents if agent[1] == user_id)
    user = User.from_db(connection.alias, USER_FIELDS, agent[1:5])
    load = weighted_load(open_tickets, due_soon)
    return Choice(agent_id=agent[0], user=user, open_tickets=open_tickets, load=load)


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
    before the chosen agent's lock (PostgreSQL, whose keys between rows are checked at
    the commit). Off: ASSIGNMENT_CLOCKS_BEFORE_LOCK=0."""
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

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
told. Both outcomes are a timeline line kept as a message key.

Race-safety: the qualifying agents' rows are locked (in id order, so two creators
never deadlock) before their loads are counted, and the ticket is written in the
same transaction; a second creation choosing among the same agents waits, then
counts the first one's ticket. Cost: nothing when the team's switch is off (the team
is already in hand); when on, two queries to choose (lock, loads) and one for the
assignee's notification, or two for the lead's when nobody qualifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Sum, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from csc.lib.phrases import Phrase
from intake.grade_service import entitled_to_grade_service
from staffing.models import Agent, Team, User
from staffing.outbox import notify
from staffing.selectors import on_shift_agents
from worktickets.choices import EventKind, TicketKind
from worktickets.models import Ticket, TicketEvent
from worktickets.reference import category_by_id

# The kinds a new ticket of is given to an agent: complaints come through
# complaint recording when their routing names a group rather than a person.
AUTO_ASSIGNED_KINDS = (TicketKind.INQUIRY, TicketKind.BUSINESS, TicketKind.COMPLAINT)

# A ticket due within this long (or overdue) weighs double in an agent's load.
URGENT_WITHIN = timedelta(hours=1)
URGENT_WEIGHT = 2


@dataclass(frozen=True)
class Need:
    """What an agent must have to take the ticket."""

    vip_seat: bool
    skill_ids: tuple[int, ...]


@dataclass(frozen=True)
class Choice:
    """The agent chosen and their load before this ticket."""

    agent: Agent
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


def agent_choose(team: Team, need: Need, *, at: datetime) -> Choice | None:
    """Lock the team's qualifying agents on shift and choose the lightest-loaded under
    the cap; None when nobody qualifies. Call inside the transaction writing the
    ticket."""
    candidates = list(
        on_shift_agents(
            team.pk,
            at,
            job_type=Agent.JobType.VIP_SEAT if need.vip_seat else None,
            skill_ids=need.skill_ids,
        )
        .select_related("user")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if not candidates:
        return None
    loads = {
        row["assignee_id"]: (row["open"], row["load"])
        for row in Ticket.objects.active()
        .filter(assignee_id__in=[agent.user_id for agent in candidates])
        .values("assignee_id")
        .annotate(
            open=Count("pk"),
            load=Sum(
                Case(
                    When(sla_due_at__lte=at + URGENT_WITHIN, then=Value(URGENT_WEIGHT)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            ),
        )
        .order_by()
    }
    best: Choice | None = None
    for agent in candidates:
        open_tickets, load = loads.get(agent.user_id, (0, 0))
        if open_tickets >= team.assignment_cap:
            continue
        if best is None or (load, open_tickets) < (best.load, best.open_tickets):
            best = Choice(agent=agent, open_tickets=open_tickets, load=load)
    return best


@dataclass
class Outcome:
    """What auto-assignment decided for a ticket not yet written: its assignee is set
    on the ticket; `written` writes the timeline line and the notice once it is saved."""

    choice: Choice | None

    def line(self, ticket: Ticket) -> TicketEvent:
        if self.choice is not None:
            user = self.choice.agent.user
            return TicketEvent(
                ticket=ticket,
                kind=EventKind.ASSIGNED,
                actor=None,
                body=Phrase(
                    gettext_noop(
                        "Assigned automatically to %(name)s, on shift with %(open)s open tickets."
                    ),
                    name=user.display_name,
                    open=self.choice.open_tickets,
                ),
                data={"to_assignee": user.display_name, "to_team": ticket.team.name},
            )
        return TicketEvent(
            ticket=ticket,
            kind=EventKind.NOTIFIED,
            actor=None,
            body=Phrase(
                gettext_noop(
                    "Nobody on shift can take it now: left in the %(team)s queue and the "
                    "team lead told."
                ),
                team=ticket.team.name,
            ),
            data={"auto_assignment": "nobody_qualifies"},
        )

    def tell(self, ticket: Ticket) -> None:
        """The assignee hears of the ticket; when nobody qualified, the team lead does."""
        link = reverse("worktickets:ticket_detail", args=[ticket.pk])
        if self.choice is not None:
            notify(
                self.choice.agent.user,
                kind="ticket.assigned",
                title=Phrase(
                    gettext_noop("Ticket %(number)s was assigned to you"), number=ticket.number
                ),
                link=link,
            )
            return
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


def assign_new(ticket: Ticket, *, at: datetime) -> Outcome | None:
    """Choose the agent for a ticket about to be written (its team set, nobody's yet)
    and set it as the assignee; None, at no cost, when the team's switch is off."""
    team = ticket.team
    if not team.auto_assign or ticket.assignee_id is not None:
        return None
    if ticket.kind not in AUTO_ASSIGNED_KINDS:
        return None
    choice = agent_choose(team, need_of(ticket), at=at)
    if choice is not None:
        ticket.assignee = choice.agent.user
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
                ticket.assignee = choice.agent.user
                save_ticket(ticket, ["assignee"])
                outcome = Outcome(choice)
                record_events([outcome.line(ticket)])
                outcome.tell(ticket)
                assigned += 1
    return assigned

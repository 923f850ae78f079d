"""Escalation actions the SLA ladder runs on tickets (DESIGN.md §2.2).

Registered with the sla registry from WorkticketsConfig.ready(); each takes a
whole sweep batch at once so a batch costs a fixed number of queries.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_update_with_history

from csc.lib.phrases import Phrase
from worktickets.choices import EventKind, Priority
from worktickets.models import Ticket, TicketEvent
from worktickets.services import record_events

# The history rows' change reasons (stored, not shown translated).
PRIORITY_RAISED = "escalation: priority raised"
QUEUED = "escalation: moved to the escalation queue"


def _ticket_ids(firings) -> list[int]:
    return sorted({clock.ticket_id for clock, _level in firings})


def _locked(tickets: QuerySet[Ticket]) -> list[Ticket]:
    # Whole rows, each written to the history as it is after the change. The
    # sweep holds them locked already; the lock makes the new values computed
    # here safe whoever calls.
    return list(tickets.select_for_update().order_by("pk"))


@transaction.atomic(savepoint=False)
def raise_priority(firings) -> None:
    """Breach: one step more urgent, up to urgent; the change is on the timeline
    and in the ticket's history."""
    tickets = _locked(
        Ticket.objects.filter(pk__in=_ticket_ids(firings), priority__lt=Priority.URGENT)
    )
    if not tickets:
        return
    raised = [(ticket.pk, ticket.priority) for ticket in tickets]
    for ticket in tickets:
        ticket.priority += 1
        ticket.version += 1
    bulk_update_with_history(
        tickets, Ticket, ["priority", "version"], default_change_reason=PRIORITY_RAISED
    )
    body = Phrase(gettext_noop("Priority raised by the SLA escalation ladder."))
    record_events(
        [
            TicketEvent(
                ticket_id=pk,
                kind=EventKind.PRIORITY_RAISED,
                body=body,
                data={"from": priority, "to": priority + 1},
            )
            for pk, priority in raised
        ]
    )


@transaction.atomic(savepoint=False)
def move_to_escalation_queue(firings) -> None:
    """Further breach: the ticket joins the escalation queue that CS managers watch."""
    tickets = _locked(Ticket.objects.filter(pk__in=_ticket_ids(firings), in_escalation_queue=False))
    if not tickets:
        return
    for ticket in tickets:
        ticket.in_escalation_queue = True
        ticket.version += 1
    bulk_update_with_history(
        tickets, Ticket, ["in_escalation_queue", "version"], default_change_reason=QUEUED
    )
    ids = [ticket.pk for ticket in tickets]
    body = Phrase(gettext_noop("Moved to the escalation queue by the SLA escalation ladder."))
    record_events([TicketEvent(ticket_id=pk, kind=EventKind.ESCALATED, body=body) for pk in ids])

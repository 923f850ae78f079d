"""Escalation actions the SLA ladder runs on tickets (DESIGN.md §2.2).

Registered with the sla registry from WorkticketsConfig.ready(); each takes a
whole sweep batch at once so a batch costs a fixed number of queries.
"""

from django.db.models import Case, F, Value, When
from django.utils.translation import gettext as _

from worktickets.choices import EventKind, Priority
from worktickets.models import Ticket, TicketEvent


def _ticket_ids(firings) -> list[int]:
    return sorted({clock.ticket_id for clock, _level in firings})


def raise_priority(firings) -> None:
    """Breach: one step more urgent, up to urgent; the change is on the timeline."""
    ids = _ticket_ids(firings)
    tickets = list(
        Ticket.objects.filter(pk__in=ids, priority__lt=Priority.URGENT).values_list(
            "pk", "priority"
        )
    )
    if not tickets:
        return
    Ticket.objects.filter(pk__in=[pk for pk, _p in tickets]).update(
        priority=Case(*[When(pk=pk, then=Value(min(p + 1, Priority.URGENT))) for pk, p in tickets]),
        version=F("version") + 1,
    )
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=pk,
            kind=EventKind.PRIORITY_RAISED,
            body=_("Priority raised by the SLA escalation ladder."),
            data={"from": priority, "to": min(priority + 1, Priority.URGENT)},
        )
        for pk, priority in tickets
    )


def move_to_escalation_queue(firings) -> None:
    """Further breach: the ticket joins the escalation queue that CS managers watch."""
    ids = list(
        Ticket.objects.filter(pk__in=_ticket_ids(firings), in_escalation_queue=False).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return
    Ticket.objects.filter(pk__in=ids).update(in_escalation_queue=True, version=F("version") + 1)
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=pk,
            kind=EventKind.ESCALATED,
            body=_("Moved to the escalation queue by the SLA escalation ladder."),
        )
        for pk in ids
    )

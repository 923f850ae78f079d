"""Escalation actions the SLA ladder runs on tickets (DESIGN.md §2.2).

Registered with the sla registry from WorkticketsConfig.ready(); each takes a
whole sweep batch at once so a batch costs a fixed number of queries.
"""

from django.db.models import F
from django.utils.translation import gettext as _

from worktickets.choices import EventKind, Priority
from worktickets.models import Ticket, TicketEvent
from worktickets.services import record_events


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
    # Each is below urgent, and the sweep holds their rows locked: one step up
    # is priority + 1, for all of them in one plain UPDATE.
    Ticket.objects.filter(pk__in=[pk for pk, _p in tickets]).update(
        priority=F("priority") + 1, version=F("version") + 1
    )
    body = _("Priority raised by the SLA escalation ladder.")
    record_events(
        [
            TicketEvent(
                ticket_id=pk,
                kind=EventKind.PRIORITY_RAISED,
                body=body,
                data={"from": priority, "to": priority + 1},
            )
            for pk, priority in tickets
        ]
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
    body = _("Moved to the escalation queue by the SLA escalation ladder.")
    record_events([TicketEvent(ticket_id=pk, kind=EventKind.ESCALATED, body=body) for pk in ids])

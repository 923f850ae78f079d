"""The ticket events integrators can subscribe to (staffing/webhooks.py sends them).

Payloads carry ids, numbers, statuses and deadlines, never the caller's
number nor free text (subjects and notes may hold personal data): an
integration reads more through the API, where its scopes and masking apply.
"""

from typing import Any

from staffing.models import WebhookEvent
from staffing.webhooks import webhook_emit
from worktickets.models import Ticket, TicketEvent


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    """The ticket as webhooks show it; reads no related row (ids only)."""
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "kind": ticket.kind,
        "status": ticket.status,
        "status_category": ticket.status_category,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "customer": ticket.customer_id,
        "team": ticket.team_id,
        "assignee": ticket.assignee_id,
        "first_contact_agent": ticket.first_contact_agent_id,
        "created_at": ticket.created_at,
        "first_response_at": ticket.first_response_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "sla_due_at": ticket.sla_due_at,
        "in_escalation_queue": ticket.in_escalation_queue,
    }


def ticket_created_emit(ticket: Ticket) -> None:
    webhook_emit(
        WebhookEvent.TICKET_CREATED,
        {"ticket": ticket_data(ticket)},
        dedupe_key=f"ticket:{ticket.pk}",
        occurred_at=ticket.created_at,
    )


def ticket_status_changed_emit(ticket: Ticket, event: TicketEvent) -> None:
    """Keyed on the timeline row, so each recorded change is told once."""
    webhook_emit(
        WebhookEvent.TICKET_STATUS_CHANGED,
        {
            "ticket": ticket_data(ticket),
            "from_status": event.from_status,
            "to_status": event.to_status,
            "changed_by": event.actor_id,
        },
        dedupe_key=f"ticket-event:{event.pk}",
        occurred_at=event.at,
    )

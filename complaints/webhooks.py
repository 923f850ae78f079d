"""The complaint events integrators can subscribe to (staffing/webhooks.py sends them).

Like the ticket events, payloads carry ids, levels and deadlines only: no
customer name, contact, reason or result text.
"""

from typing import Any

from complaints.models import Complaint, ComplaintEscalation, Feedback
from staffing.models import WebhookEvent
from staffing.webhooks import webhook_emit
from worktickets.webhooks import ticket_data


def complaint_data(complaint: Complaint) -> dict[str, Any]:
    return {
        "id": complaint.pk,
        "number": complaint.ticket.number,
        "tier": complaint.tier,
        "category": complaint.category,
        "severity": complaint.severity,
        "support_level": complaint.support_level,
        "status": complaint.ticket.status,
        "parent": complaint.parent_id,
        "ticket": ticket_data(complaint.ticket),
    }


def complaint_escalated_emit(complaint: Complaint, escalation: ComplaintEscalation) -> None:
    upgraded = escalation.upgraded_to
    webhook_emit(
        WebhookEvent.COMPLAINT_ESCALATED,
        {
            "complaint": complaint_data(complaint),
            "escalation": {
                "id": escalation.pk,
                "kind": escalation.kind,
                "trigger": escalation.trigger,
                "from_level": escalation.from_level,
                "to_level": escalation.to_level,
                "upgraded_to": (
                    {"id": upgraded.pk, "number": upgraded.ticket.number} if upgraded else None
                ),
                "by": escalation.by_id,
            },
        },
        dedupe_key=f"complaint-escalation:{escalation.pk}",
        occurred_at=escalation.at,
    )


def complaint_feedback_given_emit(complaint: Complaint, feedback: Feedback) -> None:
    webhook_emit(
        WebhookEvent.COMPLAINT_FEEDBACK_GIVEN,
        {
            "complaint": complaint_data(complaint),
            "feedback": {
                "id": feedback.pk,
                "channel": feedback.channel,
                "sent_at": feedback.sent_at,
                "due_at": feedback.due_at,
                "on_time": feedback.due_at is None or feedback.sent_at <= feedback.due_at,
                "by": feedback.sent_by_id,
            },
        },
        dedupe_key=f"complaint-feedback:{feedback.pk}",
        occurred_at=feedback.sent_at,
    )

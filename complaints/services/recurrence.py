"""Recurrence (DOMAIN.md C-25, C-36): the same customer complaining again of the same
category within the window.
"""

from datetime import datetime, timedelta

from django.utils.translation import gettext_noop

from complaints.choices import EventCode, Tier
from complaints.models import Complaint, ComplaintSettings
from complaints.notices import event_line
from csc.lib.phrases import Phrase
from worktickets.models import TicketEvent


def _earlier_complaints(
    complaint: Complaint, config: ComplaintSettings, now: datetime
) -> list[Complaint]:
    """The same customer's complaints of the same category within the window,
    latest first (DOMAIN.md C-25, C-36), for a complaint being recorded now."""
    if complaint.tier != Tier.COMPLAINT or not config.recurrence_window_days:
        return []
    ticket = complaint.ticket
    same_customer: dict[str, object]
    if ticket.customer_id:
        same_customer = {"ticket__customer_id": ticket.customer_id}
    elif complaint.contact_phone:
        same_customer = {"ticket__customer__isnull": True, "contact_phone": complaint.contact_phone}
    else:
        return []
    # Only what the link and its lines show: this runs for every complaint recorded.
    return list(
        Complaint.objects.select_related("ticket")
        .only("ticket__number")
        .filter(
            tier=Tier.COMPLAINT,
            category=complaint.category,
            ticket__created_at__gte=now - timedelta(days=config.recurrence_window_days),
            **same_customer,
        )
        .order_by("-ticket__created_at", "-pk")
    )


def _recurrence_lines(complaint: Complaint, earlier: list[Complaint]) -> list[TicketEvent]:
    """The timeline lines of a recurrence, on this complaint's and the latest earlier one's
    (not yet written)."""
    ticket, latest = complaint.ticket, earlier[0]
    return [
        event_line(
            ticket,
            EventCode.RECURRENCE,
            None,
            body=Phrase(
                gettext_noop(
                    "Recurrence of %(number)s (%(count)s earlier complaint(s) in the window)."
                ),
                number=latest.ticket.number,
                count=len(earlier),
            ),
            earlier=latest.pk,
            count=len(earlier),
        ),
        event_line(
            latest.ticket,
            EventCode.RECURRENCE,
            None,
            body=Phrase(
                gettext_noop("The customer complained again: %(number)s."), number=ticket.number
            ),
            later=complaint.pk,
        ),
    ]

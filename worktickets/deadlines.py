"""What the ticket page says about a ticket's deadline: the business order's delivery
limit that applies, and, when no deadline runs, why (never a bare dash).

The reason is worked out from the ticket and its clocks when the page is shown,
in the reader's language; nothing rendered is stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from intake.choices import ServiceType
from sla.choices import ClockState, Metric, StatusCategory
from sla.models import Clock
from worktickets.choices import TicketKind
from worktickets.models import DeliveryLimit, Ticket
from worktickets.reference import delivery_limit_for


def order_service_type(ticket: Ticket) -> str:
    """The service (mobile, fixed line, broadband) a business order is for, as the order says."""
    return str((ticket.order_details or {}).get("service_type", "")).strip()


def delivery_limit_of(ticket: Ticket) -> DeliveryLimit | None:
    """The delivery limit a business order gets for its channel and service type."""
    if ticket.kind != TicketKind.BUSINESS:
        return None
    return delivery_limit_for(ticket.business_type_id, ticket.channel, order_service_type(ticket))


def _service_label(code: str) -> str:
    return str(ServiceType(code).label) if code in ServiceType.values else code


def no_limit_reason(ticket: Ticket) -> str:
    """Why a business order has no delivery limit (its type sets none that applies)."""
    service_type = order_service_type(ticket)
    if service_type:
        return _(
            "The business type “%(type)s” sets no delivery limit for the channel “%(channel)s” "
            "and the service “%(service)s”; an administrator can add one."
        ) % {
            "type": ticket.business_type.name if ticket.business_type else "",
            "channel": ticket.get_channel_display(),
            "service": _service_label(service_type),
        }
    return _(
        "The business type “%(type)s” sets no delivery limit for the channel “%(channel)s”; "
        "an administrator can add one."
    ) % {
        "type": ticket.business_type.name if ticket.business_type else "",
        "channel": ticket.get_channel_display(),
    }


def no_deadline_reason(ticket: Ticket, clocks: Iterable[Clock]) -> str:
    """Why the ticket has no next deadline; empty when it has one."""
    if ticket.sla_due_at is not None:
        return ""
    clocks = list(clocks)
    if ticket.status_category in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
        return _("No deadline runs: the ticket is %(status)s.") % {
            "status": ticket.get_status_display()
        }
    open_clocks = [clock for clock in clocks if clock.is_open]
    if any(clock.state == ClockState.PAUSED for clock in open_clocks):
        return _(
            "The deadlines are paused while the ticket is “%(status)s”; they run again when "
            "work resumes."
        ) % {"status": ticket.get_status_display()}
    if clocks and not open_clocks:
        return _("Every deadline of this ticket has been met.")
    if ticket.kind == TicketKind.BUSINESS and not any(
        clock.metric == Metric.BUSINESS_DELIVERY for clock in clocks
    ):
        if delivery_limit_of(ticket) is None:
            return no_limit_reason(ticket)
        return _(
            "This order was accepted before its business type had a delivery limit, so no "
            "deadline was started for it."
        )
    return _("No service-level policy applies to this ticket.")

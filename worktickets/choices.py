"""Ticket kinds, statuses, and the transition tables of each life cycle.

The SLA engine never reads status names: each status maps to a category
(open, waiting for customer, waiting internal, resolved, closed) in
STATUS_CATEGORY, and the engine reads the category.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sla.choices import ACTIVE_CATEGORIES, StatusCategory

__all__ = ["ACTIVE_CATEGORIES", "StatusCategory"]  # re-exported for the desk and API


class TicketKind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    BUSINESS = "business", _("Business handling")
    COMPLAINT = "complaint", _("Complaint")
    # A callback (回访, DOMAIN.md W-19, CA-21): queued, clocked and escalated like any ticket.
    CALLBACK = "callback", _("Callback")


class CallbackReason(models.TextChoices):
    """Why a callback ticket exists; its SLA policy is chosen by it (DOMAIN.md K-24)."""

    DISSATISFIED = "dissatisfied", _("Dissatisfied survey answer")
    DELIVERY = "delivery", _("After business delivery")
    COMPLAINT_CLOSED = "complaint_closed", _("After complaint closure")
    REQUESTED = "requested", _("Customer asked to be called back")
    MANUAL = "manual", _("Opened by hand")
    # A VIP appointment without waiting (DOMAIN.md P-9): its clock counts from the slot.
    VIP_APPOINTMENT = "vip_appointment", _("VIP appointment")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class TicketStatus(models.TextChoices):
    # Inquiry (DOMAIN.md W-5 to W-7)
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING_CUSTOMER = "pending_customer", _("Waiting for customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    # Business handling 受理-审核-审批-交付 (W-17, K-20)
    ACCEPTED = "accepted", _("Accepted")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    # Complaint stages (DOMAIN.md C-13 to C-20); the complaints app owns their transitions.
    INVESTIGATING = "investigating", _("Investigating")
    HANDLING = "handling", _("Handling")
    FEEDBACK_GIVEN = "feedback_given", _("Result given to customer")
    CONFIRMED = "confirmed", _("Confirmed by customer")


STATUS_CATEGORY: dict[str, str] = {
    TicketStatus.NEW: StatusCategory.OPEN,
    TicketStatus.IN_PROGRESS: StatusCategory.OPEN,
    TicketStatus.PENDING_CUSTOMER: StatusCategory.WAITING_CUSTOMER,
    TicketStatus.RESOLVED: StatusCategory.RESOLVED,
    TicketStatus.CLOSED: StatusCategory.CLOSED,
    TicketStatus.ACCEPTED: StatusCategory.OPEN,
    TicketStatus.REVIEWED: StatusCategory.OPEN,
    # Approved orders wait for the processing post, not for the customer.
    TicketStatus.APPROVED: StatusCategory.WAITING_INTERNAL,
    TicketStatus.DELIVERED: StatusCategory.RESOLVED,
    TicketStatus.REJECTED: StatusCategory.CLOSED,
    TicketStatus.CANCELLED: StatusCategory.CLOSED,
    TicketStatus.INVESTIGATING: StatusCategory.OPEN,
    TicketStatus.HANDLING: StatusCategory.OPEN,
    # Waiting for the customer to confirm the result (or say they are not satisfied).
    TicketStatus.FEEDBACK_GIVEN: StatusCategory.WAITING_CUSTOMER,
    TicketStatus.CONFIRMED: StatusCategory.RESOLVED,
}


class Action(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REPLY = "reply", _("Reply to customer")
    NOTE = "note", _("Internal note")
    TRANSFER = "transfer", _("Transfer")
    HOLD = "hold", _("Wait for customer")
    RESUME = "resume", _("Resume")
    RESOLVE = "resolve", _("Resolve")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")
    REVIEW = "review", _("Review")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    DELIVER = "deliver", _("Deliver")
    CHANGE_ORDER = "change_order", _("Change order")
    CANCEL = "cancel", _("Cancel order")


_ANY_ACTIVE_INQUIRY = frozenset(
    {TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.PENDING_CUSTOMER}
)
_BEFORE_DELIVERY = frozenset({TicketStatus.ACCEPTED, TicketStatus.REVIEWED, TicketStatus.APPROVED})

# Status-changing actions: kind -> action -> (statuses it may start from, status it leads to).
# `None` as the target keeps the status (a transfer or a reply changes other things).
# RESUME returns to the status the ticket was held from (Ticket.status_before_hold).
TRANSITIONS: dict[str, dict[str, tuple[frozenset[str], str | None]]] = {
    TicketKind.INQUIRY: {
        # From any active status: the receiving side accepts a transfer (DOMAIN.md P-6).
        Action.ACCEPT: (_ANY_ACTIVE_INQUIRY, TicketStatus.IN_PROGRESS),
        Action.REPLY: (_ANY_ACTIVE_INQUIRY, None),
        Action.NOTE: (frozenset(TicketStatus.values), None),
        Action.TRANSFER: (_ANY_ACTIVE_INQUIRY, None),
        Action.HOLD: (frozenset({TicketStatus.IN_PROGRESS}), TicketStatus.PENDING_CUSTOMER),
        Action.RESUME: (frozenset({TicketStatus.PENDING_CUSTOMER}), None),
        Action.RESOLVE: (_ANY_ACTIVE_INQUIRY, TicketStatus.RESOLVED),
        Action.CLOSE: (frozenset({TicketStatus.RESOLVED}), TicketStatus.CLOSED),
        Action.REOPEN: (
            frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED}),
            TicketStatus.IN_PROGRESS,
        ),
    },
    TicketKind.BUSINESS: {
        Action.ACCEPT: (_BEFORE_DELIVERY | {TicketStatus.PENDING_CUSTOMER}, None),
        Action.REPLY: (_BEFORE_DELIVERY | {TicketStatus.PENDING_CUSTOMER}, None),
        Action.NOTE: (frozenset(TicketStatus.values), None),
        Action.TRANSFER: (_BEFORE_DELIVERY | {TicketStatus.PENDING_CUSTOMER}, None),
        Action.HOLD: (
            frozenset({TicketStatus.ACCEPTED, TicketStatus.REVIEWED}),
            TicketStatus.PENDING_CUSTOMER,
        ),
        Action.RESUME: (frozenset({TicketStatus.PENDING_CUSTOMER}), None),
        Action.REVIEW: (frozenset({TicketStatus.ACCEPTED}), TicketStatus.REVIEWED),
        Action.APPROVE: (frozenset({TicketStatus.REVIEWED}), TicketStatus.APPROVED),
        Action.REJECT: (
            frozenset({TicketStatus.ACCEPTED, TicketStatus.REVIEWED}),
            TicketStatus.REJECTED,
        ),
        Action.DELIVER: (
            frozenset({TicketStatus.REVIEWED, TicketStatus.APPROVED}),
            TicketStatus.DELIVERED,
        ),
        Action.CHANGE_ORDER: (_BEFORE_DELIVERY, TicketStatus.ACCEPTED),
        Action.CANCEL: (_BEFORE_DELIVERY | {TicketStatus.PENDING_CUSTOMER}, TicketStatus.CANCELLED),
        Action.CLOSE: (frozenset({TicketStatus.DELIVERED}), TicketStatus.CLOSED),
    },
}

# A callback runs the inquiry's life: new, in progress, waiting (not reached), resolved, closed.
TRANSITIONS[TicketKind.CALLBACK] = TRANSITIONS[TicketKind.INQUIRY]

INITIAL_STATUS: dict[str, str] = {
    TicketKind.INQUIRY: TicketStatus.NEW,
    TicketKind.CALLBACK: TicketStatus.NEW,
    TicketKind.BUSINESS: TicketStatus.ACCEPTED,
}


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply to customer")
    TRANSFER = "transfer", _("Transferred")
    ACCEPTED = "accepted", _("Taken over")
    FIELDS_CHANGED = "fields_changed", _("Details changed")
    ORDER_CHANGED = "order_changed", _("Order changed")
    ESCALATED = "escalated", _("Escalated")
    PRIORITY_RAISED = "priority_raised", _("Priority raised")
    NOTIFIED = "notified", _("Owner notified")
    PROBLEM_LINKED = "problem_linked", _("Linked to a problem")
    ASSIGNED = "assigned", _("Assigned automatically")


class SegmentMode(models.TextChoices):
    """How a business type is offered to one payment segment (DOMAIN.md K-16)."""

    PROVIDED = "provided", _("Provided")
    OPTIONAL = "optional", _("Optional")
    CONDITIONAL = "conditional", _("Provided on conditions")
    GUIDE_SELF_SERVICE = "guide_self_service", _("Guide to self-service")
    CONVERT_TO_POSTPAID = "convert_to_postpaid", _("Only after converting to postpaid")
    NOT_PROVIDED = "not_provided", _("Not provided")


ELIGIBLE_MODES = frozenset({SegmentMode.PROVIDED, SegmentMode.OPTIONAL, SegmentMode.CONDITIONAL})


class ProblemStatus(models.TextChoices):
    """A problem in the ledger (问题台账, DOMAIN.md W-6)."""

    OPEN = "open", _("Open")
    ANALYSING = "analysing", _("Analysing")
    FIXED = "fixed", _("Fixed")
    VERIFIED = "verified", _("Verified")


# Where each status may go. A fix that does not hold sends the problem back to analysis;
# a verified problem is done (a new occurrence is a new problem).
PROBLEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ProblemStatus.OPEN: frozenset({ProblemStatus.ANALYSING}),
    ProblemStatus.ANALYSING: frozenset({ProblemStatus.FIXED}),
    ProblemStatus.FIXED: frozenset({ProblemStatus.VERIFIED, ProblemStatus.ANALYSING}),
    ProblemStatus.VERIFIED: frozenset(),
}


class ProblemEventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    TICKET_LINKED = "ticket_linked", _("Ticket linked")
    STATUS_CHANGED = "status_changed", _("Status changed")
    UPDATED = "updated", _("Details changed")

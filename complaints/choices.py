"""Complaint value sets and the stage transition table (DOMAIN.md §4, P-2 to P-5).

A complaint's stage is its ticket's status (worktickets.TicketStatus holds the
complaint stages); the table below says which action may move it where.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from worktickets.choices import TicketStatus


class Category(models.TextChoices):
    """Level-1 categories (DOMAIN.md P-3, K-18); level 2 is data (Subcategory)."""

    SERVICE_FAULT = "service_fault", _("Service fault")
    BILLING = "billing", _("Billing")
    TECH_SUPPORT = "tech_support", _("Tech support")
    SERVICE_QUALITY = "service_quality", _("Service quality")
    BUSINESS_ERROR = "business_error", _("Business-handling error")


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class Tier(models.TextChoices):
    """complaint_tier (DOMAIN.md C-1, K-19): set by the customer's escalation."""

    COMPLAINT = "complaint", _("Complaint")
    UPGRADED = "upgraded", _("Upgraded complaint")
    APPEAL = "appeal", _("Appeal")


class SupportLevel(models.IntegerChoices):
    """Who works the complaint (DOMAIN.md K-19, C-5)."""

    L1 = 1, _("L1 front line")
    L2 = 2, _("L2 specialist group")
    L3 = 3, _("L3 provincial complaint centre")


class ServiceType(models.TextChoices):
    """The affected service (DOMAIN.md C-8); the same codes as intake's customer services."""

    MOBILE = "mobile", _("Mobile")
    FIXED = "fixed", _("Fixed line")
    BROADBAND = "broadband", _("Broadband")


class RoutingTarget(models.TextChoices):
    TEAM_KIND = "team_kind", _("A team of this kind")
    TEAM = "team", _("This team")
    AGENT_TEAM = "agent_team", _("The team lead of the agent concerned")


class FeedbackChannel(models.TextChoices):
    """How the result reaches the customer (DOMAIN.md C-33, K-34); a written record is kept."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")


class CustomerResponse(models.TextChoices):
    NONE = "", _("No answer yet")
    CONFIRMED = "confirmed", _("Confirmed")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class CompensationKind(models.TextChoices):
    """Remedies (DOMAIN.md C-16, C-32)."""

    FEE_CREDIT = "fee_credit", _("Fee credit or refund")
    EQUIPMENT = "equipment", _("Free equipment replacement")
    SERVICE = "service", _("Free service or extension")
    OTHER = "other", _("Other non-cash remedy")


CASH_KINDS = frozenset({CompensationKind.FEE_CREDIT})


class CompensationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting market & legal")
    AWAITING_MANAGER = "awaiting_manager", _("Awaiting the CS manager")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalStage(models.TextChoices):
    MARKET_LEGAL = "market_legal", _("Market & legal compliance")
    CS_MANAGER = "cs_manager", _("CS manager")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class EscalationKind(models.TextChoices):
    RAISE_LEVEL = "raise_level", _("Support level raised")
    UPGRADE = "upgrade", _("Turned into an upgraded complaint")


class EscalationTrigger(models.TextChoices):
    OVERDUE = "overdue", _("Stage overdue")
    DISSATISFIED = "dissatisfied", _("Customer dissatisfied")
    MANUAL = "manual", _("Handler's decision")


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the CS manager")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionMetric(models.TextChoices):
    """The deadlines an extension can move (sla.choices.Metric values)."""

    COMPLAINT_INVESTIGATION = "complaint_investigation", _("Complaint investigation")
    COMPLAINT_FEEDBACK = "complaint_feedback", _("Complaint result feedback")
    COMPLAINT_OVERALL = "complaint_overall", _("Complaint overall limit")
    EVIDENCE_COLLECTION = "evidence_collection", _("Evidence collection")


class EvidenceKind(models.TextChoices):
    """DOMAIN.md C-28: call records, chat records, service vouchers, audio and video."""

    CALL_RECORDING = "call_recording", _("Call recording")
    CHAT_LOG = "chat_log", _("Chat log")
    SCREENSHOT = "screenshot", _("Screenshot")
    SERVICE_VOUCHER = "service_voucher", _("Service voucher")
    AUDIO_VIDEO = "audio_video", _("Audio or video recording")
    DOCUMENT = "document", _("Document")


class ClusterStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Action(models.TextChoices):
    ACCEPT = "accept", pgettext_lazy("complaint", "Accept")
    INVESTIGATE = "investigate", _("Start investigation")
    HANDLE = "handle", _("Investigation done: handle")
    ESCALATE = "escalate", _("Escalate")
    PROPOSE_COMPENSATION = "propose_compensation", _("Propose compensation")
    APPROVE_COMPENSATION = "approve_compensation", _("Decide on compensation")
    FEEDBACK = "feedback", _("Give the result to the customer")
    CONFIRM = "confirm", _("Customer confirms")
    DISSATISFIED = "dissatisfied", _("Customer dissatisfied")
    REOPEN = "reopen", pgettext_lazy("complaint", "Reopen")
    CLOSE = "close", pgettext_lazy("complaint", "Close")
    REQUEST_EXTENSION = "request_extension", _("Request a deadline extension")
    EXTEND = "extend", _("Extend a deadline")
    EVIDENCE_COMPLETE = "evidence_complete", _("Evidence collection complete")
    RECORD_REPAIR = "record_repair", _("Record the repair")


class DissatisfiedNext(models.TextChoices):
    REOPEN = "reopen", _("Reopen and handle again")
    UPGRADE = "upgrade", _("Turn into an upgraded complaint")


class EventCode(models.TextChoices):
    """Complaint lines on the ticket timeline (TicketEvent.data["complaint_event"])."""

    RECORDED = "recorded", _("Complaint recorded")
    ROUTED = "routed", _("Routed to a handling group")
    MAJOR = "major", _("Reported to the leadership group")
    RECURRENCE = "recurrence", _("Recurrence")
    CLUSTER = "cluster", _("Joined an outage cluster")
    EVIDENCE = "evidence", _("Evidence added")
    EVIDENCE_COMPLETE = "evidence_complete", _("Evidence collection complete")
    COMPENSATION = "compensation", _("Compensation proposed")
    COMPENSATION_DECISION = "compensation_decision", _("Compensation decision")
    FEEDBACK = "feedback", _("Result given to the customer")
    CUSTOMER_RESPONSE = "customer_response", _("Customer's answer")
    ESCALATION = "escalation", _("Escalated")
    EXTENSION = "extension", _("Deadline extension")
    REPAIR = "repair", _("Repair recorded")
    APPEALED = "appealed", _("Appealed")
    EVIDENCE_PURGED = "evidence_purged", _("Evidence files deleted (retention)")


# Stages (ticket statuses) of the complaint life cycle, in order (DOMAIN.md C-20, C-21).
STAGES: tuple[str, ...] = (
    TicketStatus.NEW,
    TicketStatus.ACCEPTED,
    TicketStatus.INVESTIGATING,
    TicketStatus.HANDLING,
    TicketStatus.FEEDBACK_GIVEN,
    TicketStatus.CONFIRMED,
    TicketStatus.CLOSED,
)
OPEN_STAGES = frozenset(
    {
        TicketStatus.NEW,
        TicketStatus.ACCEPTED,
        TicketStatus.INVESTIGATING,
        TicketStatus.HANDLING,
        TicketStatus.FEEDBACK_GIVEN,
    }
)
_WORKING = frozenset(
    {
        TicketStatus.ACCEPTED,
        TicketStatus.INVESTIGATING,
        TicketStatus.HANDLING,
    }
)

# action -> (stages it may start from, stage it leads to; None keeps the stage).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.ACCEPT: (frozenset({TicketStatus.NEW}), TicketStatus.ACCEPTED),
    Action.INVESTIGATE: (frozenset({TicketStatus.ACCEPTED}), TicketStatus.INVESTIGATING),
    Action.HANDLE: (frozenset({TicketStatus.INVESTIGATING}), TicketStatus.HANDLING),
    # Feedback may come before the handling stage was entered (a cluster answer);
    # the skipped stages' deadlines are met at the same moment.
    Action.FEEDBACK: (_WORKING, TicketStatus.FEEDBACK_GIVEN),
    Action.CONFIRM: (frozenset({TicketStatus.FEEDBACK_GIVEN}), TicketStatus.CONFIRMED),
    Action.DISSATISFIED: (frozenset({TicketStatus.FEEDBACK_GIVEN}), None),
    Action.CLOSE: (frozenset({TicketStatus.CONFIRMED}), TicketStatus.CLOSED),
    Action.REOPEN: (
        frozenset({TicketStatus.FEEDBACK_GIVEN, TicketStatus.CONFIRMED, TicketStatus.CLOSED}),
        TicketStatus.HANDLING,
    ),
    Action.ESCALATE: (OPEN_STAGES, None),
    Action.PROPOSE_COMPENSATION: (_WORKING, None),
    # A decision on a proposal is not bound to the stage it was proposed in.
    Action.APPROVE_COMPENSATION: (frozenset(STAGES), None),
    Action.REQUEST_EXTENSION: (OPEN_STAGES, None),
    Action.EXTEND: (OPEN_STAGES, None),
    Action.EVIDENCE_COMPLETE: (OPEN_STAGES - {TicketStatus.NEW}, None),
    Action.RECORD_REPAIR: (OPEN_STAGES, None),
}


class MajorReason(models.TextChoices):
    """Why a complaint is major (DOMAIN.md P-3, K-19): configurable in ComplaintSettings."""

    SEVERITY = "severity", _("Major or critical severity")
    MEDIA = "media", _("Media involved")
    REGULATOR = "regulator", _("Regulator involved")
    MASS_FAULT = "mass_fault", _("Mass fault (outage cluster)")
    REPEAT = "repeat", _("Repeat complaint")

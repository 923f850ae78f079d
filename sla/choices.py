"""Value sets of the SLA engine.

The engine reads status categories, never status names (DESIGN.md §2.2): a
new ticket status needs no SLA code, only its category.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusCategory(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for customer")
    WAITING_INTERNAL = "waiting_internal", _("Waiting internal")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_CATEGORIES = frozenset(
    {StatusCategory.OPEN, StatusCategory.WAITING_CUSTOMER, StatusCategory.WAITING_INTERNAL}
)
DONE_CATEGORIES = frozenset({StatusCategory.RESOLVED, StatusCategory.CLOSED})


class Metric(models.TextChoices):
    """What a clock measures (DOMAIN.md S-20 to S-36, P-1, P-2, P-5)."""

    FIRST_RESPONSE = "first_response", _("First response")
    INITIAL_SOLUTION = "initial_solution", _("Initial solution")
    CLOSURE = "closure", _("Closure")
    BUSINESS_DELIVERY = "business_delivery", _("Business delivery")
    COMPLAINT_ACCEPTANCE = "complaint_acceptance", _("Complaint acceptance")
    COMPLAINT_INVESTIGATION = "complaint_investigation", _("Complaint investigation")
    COMPLAINT_FEEDBACK = "complaint_feedback", _("Complaint result feedback")
    COMPLAINT_OVERALL = "complaint_overall", _("Complaint overall limit")
    EVIDENCE_COLLECTION = "evidence_collection", _("Evidence collection")
    REPAIR = "repair", _("Fault repair")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")
    STOPPED = "stopped", _("Stopped")


# A clock is open (its metric still to be met) in these states.
OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED)
# ...and counts towards the ticket's nearest due time in these (a paused due time moves).
COUNTING_STATES = (ClockState.RUNNING, ClockState.BREACHED)


class ClockEventKind(models.TextChoices):
    STARTED = "started", _("Started")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    WARNED = "warned", _("Warned")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")
    STOPPED = "stopped", _("Stopped")
    REOPENED = "reopened", _("Reopened")
    RECOMPUTED = "recomputed", _("Recomputed")
    EXTENDED = "extended", _("Extended")


class CalendarKind(models.TextChoices):
    ALWAYS = "24x7", _("24×7")
    WORKING_TIME = "working_time", _("Working time")


class TargetUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    # The limit comes from the ticket's business type (DOMAIN.md K-5).
    BUSINESS_TYPE = "business_type", _("the business type's limit")


class CapUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class ReopenRule(models.TextChoices):
    KEEP = "keep", _("Keep the result")
    RESTART = "restart", _("Restart with the full target")
    RESUME = "resume", _("Resume with the original due time")


class VipMatch(models.TextChoices):
    ANY = "any", _("Any customer")
    NONE = "none", _("Customers without a VIP tier")
    VIP = "vip", _("Any VIP tier")
    SILVER = "silver", _("Silver only")
    GOLD = "gold", _("Gold only")
    DIAMOND = "diamond", _("Diamond only")
    SUPREME = "supreme", _("Supreme only")


class EscalationTrigger(models.TextChoices):
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")


class EscalationOutcome(models.TextChoices):
    DONE = "done", _("Done")
    PARTIAL = "partial", _("Partly failed")
    FAILED = "failed", _("Failed")


class RecomputeScope(models.TextChoices):
    CALENDAR = "calendar", _("Calendar changed")
    POLICY = "policy", _("Policy changed")

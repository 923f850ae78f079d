"""Retention: the record types the nightly job keeps in check (DOMAIN.md R-1, R-3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RecordType(models.TextChoices):
    CONTACT = "contact", _("Contacts (caller number, channel ID, summary)")
    TICKET = "ticket", _("Inquiry and business tickets")
    COMPLAINT_BILLING = "complaint_billing", _("Billing complaints")
    COMPLAINT_OTHER = "complaint_other", _("Other complaints")
    EVIDENCE_BILLING = "evidence_billing", _("Evidence files of billing complaints")
    EVIDENCE_OTHER = "evidence_other", _("Evidence files of other complaints")
    ACCESS_LOG = "access_log", _("Personal-data access log")
    IDEMPOTENCY = "idempotency", _("Stored API responses (idempotency keys)")
    WEBHOOK_DELIVERY = "webhook_delivery", _("Webhook deliveries and their attempts")
    OUTBOX = "outbox", _("Sent and failed messages (email, SMS, letters)")
    NOTIFICATION = "notification", _("In-app notifications")


class RetentionAction(models.TextChoices):
    ANONYMISE = "anonymise", _("Anonymise (keep the record, blank personal data)")
    DELETE = "delete", _("Delete")


class RunStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("retention run", "Running")
    FINISHED = "finished", pgettext_lazy("retention run", "Finished")
    FAILED = "failed", pgettext_lazy("retention run", "Failed")


# The shortest period the law allows for each record type, in days; an administrator
# may keep records longer, never shorter. Months are counted long (31 days) and years
# with a leap day, so a period in days is never below the legal one.
MINIMUM_DAYS = {
    # appeals are accepted for about 5 months (billing) or 2 years (others), so
    # the records an appeal needs are kept that long; contacts and tickets may be one.
    RecordType.CONTACT: 731,
    RecordType.TICKET: 731,
    RecordType.COMPLAINT_BILLING: 155,
    RecordType.COMPLAINT_OTHER: 731,
    RecordType.EVIDENCE_BILLING: 155,
    RecordType.EVIDENCE_OTHER: 731,
    # R-3, Cybersecurity Law Art. 21: network and security logs at least 6 months.
    RecordType.ACCESS_LOG: 186,
    RecordType.WEBHOOK_DELIVERY: 186,
    # No legal floor: what the function needs (a client's retry window, a reader's inbox).
    RecordType.IDEMPOTENCY: 1,
    RecordType.OUTBOX: 30,
    RecordType.NOTIFICATION: 30,
}

# What the job does to each record type: records with statistics are anonymised,
# logs and technical rows deleted, evidence loses its file (the entry stays).
ACTIONS = {
    RecordType.CONTACT: RetentionAction.ANONYMISE,
    RecordType.TICKET: RetentionAction.ANONYMISE,
    RecordType.COMPLAINT_BILLING: RetentionAction.ANONYMISE,
    RecordType.COMPLAINT_OTHER: RetentionAction.ANONYMISE,
    RecordType.EVIDENCE_BILLING: RetentionAction.DELETE,
    RecordType.EVIDENCE_OTHER: RetentionAction.DELETE,
    RecordType.ACCESS_LOG: RetentionAction.DELETE,
    RecordType.IDEMPOTENCY: RetentionAction.DELETE,
    RecordType.WEBHOOK_DELIVERY: RetentionAction.DELETE,
    RecordType.OUTBOX: RetentionAction.DELETE,
    RecordType.NOTIFICATION: RetentionAction.DELETE,
}


class TargetMeasure(models.TextChoices):
    """The figures the centre holds itself to (DOMAIN.md P-8, K-13, K-23)."""

    SERVICE_LEVEL = "service_level", _("20-second service level")
    CSAT = "csat", _("Customer satisfaction (CSAT)")
    SLA_COMPLIANCE = "sla_compliance", _("SLA deadlines met")
    COMPLAINT_TIMELINESS = "complaint_timeliness", _("Complaints handled in time")


class TargetQueue(models.TextChoices):
    """Which calls a service-level target counts: the VIP seat's or everyone else's."""

    ALL = "", _("Every queue")
    GENERAL = "general", _("General queue")
    VIP = "vip", _("VIP queue")


class ReportKind(models.TextChoices):
    """The centre's reporting cadence (DOMAIN.md S-37 to S-46, ST-30)."""

    DAILY = "daily", _("Daily work statistics")
    WEEKLY = "weekly", _("Weekly statistics")
    MONTHLY = "monthly", _("Monthly service-quality analysis")
    QUARTERLY = "quarterly", _("Quarterly evaluation")
    ANNUAL = "annual", _("Annual evaluation")


class ReportStatus(models.TextChoices):
    GENERATING = "generating", _("Generating")
    READY = "ready", _("Ready")
    FAILED = "failed", pgettext_lazy("report", "Failed")

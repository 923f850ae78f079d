"""Complaints (DOMAIN.md §4): the complaint on its ticket, its configuration data,
evidence with a hash chain, compensation, result feedback and outage clusters."""

import datetime
import hashlib
import json
import secrets
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from complaints.choices import (
    ApprovalStage,
    Category,
    ClusterStatus,
    CompensationKind,
    CompensationStatus,
    CustomerResponse,
    Decision,
    EscalationKind,
    EscalationTrigger,
    EvidenceKind,
    ExtensionMetric,
    ExtensionStatus,
    FeedbackChannel,
    RoutingTarget,
    ServiceType,
    Severity,
    SupportLevel,
    Tier,
)
from csc.lib.phrases import Phrase, joined
from intake.choices import Region
from staffing.models import Team

GENESIS_HASH = "0" * 64


class BilingualName(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "zh-hans").startswith("zh") else self.name_en


class Subcategory(BilingualName):
    """Level-2 complaint categories, as data (DOMAIN.md P-3, K-18, C-17, C-18)."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "sort_order", "code"]
        verbose_name = _("complaint subcategory")
        verbose_name_plural = _("complaint subcategories")


class RoutingRule(models.Model):
    """Which handling group receives a category (DOMAIN.md P-4, C-16); the most
    specific active rule wins (a subcategory's over its category's), then `order`."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subcategory = models.ForeignKey(
        Subcategory,
        verbose_name=_("subcategory"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        help_text=_("Empty: the rule covers the whole category."),
    )
    tier = models.CharField(
        _("tier"),
        max_length=10,
        choices=Tier.choices,
        blank=True,
        help_text=_(
            "Empty: every tier. A tier's rule comes before the rules for every tier "
            "(upgraded complaints and appeals go to the complaint-handling group)."
        ),
    )
    target = models.CharField(_("route to"), max_length=20, choices=RoutingTarget.choices)
    team_kind = models.CharField(
        _("team kind"),
        max_length=20,
        choices=Team.Kind.choices,
        blank=True,
        help_text=_("For “a team of this kind”: the first active team of the kind, by name."),
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assign_to_lead = models.BooleanField(
        _("assign to the team lead"),
        default=False,
        help_text=_("Put the complaint straight into the team lead's own queue."),
    )
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(target="team") | models.Q(team__isnull=False),
                name="routing_rule_team_given",
            ),
            models.CheckConstraint(
                condition=~models.Q(target="team_kind") | ~models.Q(team_kind=""),
                name="routing_rule_team_kind_given",
            ),
        ]

    def __str__(self) -> str:
        scope = self.subcategory or self.get_category_display()
        if self.tier:
            scope = f"{self.get_tier_display()} · {scope}"
        return f"{scope} → {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.target == RoutingTarget.TEAM and self.team_id:
            return str(self.team)
        if self.target == RoutingTarget.TEAM_KIND:
            return str(Team.Kind(self.team_kind).label) if self.team_kind else "?"
        return str(self.get_target_display())


class ComplaintSettings(models.Model):
    """The complaint rules' numbers, one row, edited in the admin (DOMAIN.md P-2, P-3, K-3)."""

    recurrence_window_days = models.PositiveIntegerField(
        _("recurrence window (days)"),
        default=30,
        help_text=_("A new complaint of the same customer and category within this many days."),
    )
    cluster_threshold = models.PositiveIntegerField(
        _("outage cluster threshold"),
        default=10,
        help_text=_("Service-fault complaints for one service type and area that make an outage."),
    )
    cluster_window_minutes = models.PositiveIntegerField(
        _("outage cluster window (minutes)"), default=30
    )
    compensation_manager_threshold = models.DecimalField(
        _("CS manager approves compensation above (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("500.00"),
    )
    major_on_media = models.BooleanField(_("major when media are involved"), default=True)
    major_on_regulator = models.BooleanField(_("major when a regulator is involved"), default=True)
    major_on_cluster = models.BooleanField(_("major when part of a mass fault"), default=True)
    major_repeat_count = models.PositiveIntegerField(
        _("major from this many earlier complaints in the window"),
        default=2,
        help_text=_("0 turns the repeat-complaint criterion off."),
    )
    evidence_max_megabytes = models.PositiveIntegerField(
        _("largest evidence file (MB)"), default=200
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint settings")
        verbose_name_plural = _("complaint settings")

    def __str__(self) -> str:
        return str(_("Complaint settings"))

    @classmethod
    def current(cls) -> "ComplaintSettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class Complaint(models.Model):
    """One complaint, one to one with its Ticket of kind complaint (DESIGN.md §2.1).

    The ticket carries the stage (status), team, assignee, channel, customer and
    deadlines; the complaint carries what only complaints have.
    """

    ticket = models.OneToOneField(
        "worktickets.Ticket",
        verbose_name=_("ticket"),
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="complaint",
    )
    # What the customer-service group records (DOMAIN.md I-17).
    customer_name = models.CharField(_("customer name"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_address = models.CharField(_("postal address"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subcategory = models.ForeignKey(
        Subcategory,
        verbose_name=_("subcategory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.COMPLAINT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("earlier complaint"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The complaint an upgraded complaint or an appeal comes from."),
    )
    regulator_reference = models.CharField(
        _("regulator's reference"),
        max_length=60,
        blank=True,
        help_text=_("The appeal's number at the telecom user appeal-acceptance centre."),
    )
    support_level = models.PositiveSmallIntegerField(
        _("support level"), choices=SupportLevel.choices, default=SupportLevel.L1
    )
    service_type = models.CharField(
        _("affected service"), max_length=20, choices=ServiceType.choices, blank=True
    )
    service_number = models.CharField(_("affected number or account"), max_length=30, blank=True)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices)
    area = models.CharField(
        _("area"),
        max_length=60,
        blank=True,
        help_text=_("District or exchange of the affected service; outages are grouped by it."),
    )
    agent_concerned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_concerning",
        help_text=_("For service-quality and handling-error complaints: whose work it is about."),
    )
    collaborating_team = models.ForeignKey(
        Team,
        verbose_name=_("collaborating group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The specialist group working on a complaint the complaint-handling group "
            "coordinates (an upgraded complaint or an appeal): it sees and works it too."
        ),
    )
    media_involved = models.BooleanField(_("media involved"), default=False)
    regulator_involved = models.BooleanField(_("regulator involved"), default=False)
    is_major = models.BooleanField(_("major complaint"), default=False)
    major_reasons = models.JSONField(_("why it is major"), default=list, blank=True)
    leadership_notified_at = models.DateTimeField(
        _("leadership group told at"), null=True, blank=True
    )
    # Service faults: what the customer was told (K-35); the limit is the SLA repair clock.
    promised_repair_at = models.DateTimeField(_("promised repair time"), null=True, blank=True)
    repaired_at = models.DateTimeField(_("repaired at"), null=True, blank=True)
    # Recurrence (DOMAIN.md C-25, C-36).
    recurrence_of = models.ForeignKey(
        "self",
        verbose_name=_("recurrence of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recurrences",
    )
    recurrence_count = models.PositiveIntegerField(_("earlier complaints in the window"), default=0)
    cluster = models.ForeignKey(
        "OutageCluster",
        verbose_name=_("outage cluster"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    evidence_completed_at = models.DateTimeField(
        _("evidence collection completed"), null=True, blank=True
    )
    evidence_head = models.CharField(
        _("evidence chain head"), max_length=64, default=GENESIS_HASH, editable=False
    )
    customer_response = models.CharField(
        _("customer's answer"),
        max_length=20,
        choices=CustomerResponse.choices,
        default=CustomerResponse.NONE,
        blank=True,
    )
    history = HistoricalRecords(excluded_fields=["evidence_head"])

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [
            ("handle_complaint", _("Can handle complaints of their handling group")),
            ("view_all_complaints", _("Can see every handling group's complaints")),
            ("view_leadership_board", _("Sees major complaints and appeals (leadership group)")),
            ("approve_compensation_legal", _("Can approve compensation (market & legal)")),
            ("approve_compensation_manager", _("Can approve compensation above the threshold")),
            ("approve_extension", _("Can approve deadline extensions")),
        ]
        indexes = [
            models.Index(fields=["category", "tier"], name="complaint_category_tier"),
            models.Index(
                fields=["is_major"], name="complaint_major", condition=models.Q(is_major=True)
            ),
            models.Index(
                fields=["tier"], name="complaint_appeal", condition=models.Q(tier="appeal")
            ),
            models.Index(
                fields=["category", "service_type", "area"],
                name="complaint_fault_area",
                condition=models.Q(category="service_fault"),
            ),
        ]
        constraints = [
            # An upgrade happens once per complaint, whoever or whatever triggers it.
            models.UniqueConstraint(
                fields=["parent"],
                condition=models.Q(tier="upgraded"),
                name="complaint_upgraded_once",
            ),
            models.CheckConstraint(
                condition=models.Q(tier="complaint")
                | models.Q(parent__isnull=False)
                | ~models.Q(regulator_reference=""),
                name="complaint_escalated_tier_has_origin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.ticket.subject}" if self.ticket_id else "?"

    @property
    def number(self) -> str:
        return self.ticket.number


class ComplaintEscalation(models.Model):
    """One escalation step; `dedupe_key` makes each step happen exactly once."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="escalations"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EscalationKind.choices)
    trigger = models.CharField(_("trigger"), max_length=20, choices=EscalationTrigger.choices)
    from_level = models.PositiveSmallIntegerField(_("from level"), choices=SupportLevel.choices)
    to_level = models.PositiveSmallIntegerField(_("to level"), choices=SupportLevel.choices)
    upgraded_to = models.OneToOneField(
        Complaint,
        verbose_name=_("upgraded complaint"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    dedupe_key = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint escalation")
        verbose_name_plural = _("complaint escalations")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.get_kind_display()}"


class DeadlineExtension(models.Model):
    """A deadline moved with a CS manager's recorded approval (DOMAIN.md P-2, S-33, K-3)."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="extensions"
    )
    metric = models.CharField(_("deadline"), max_length=30, choices=ExtensionMetric.choices)
    working_days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    due_before = models.DateTimeField(_("due before"), null=True, blank=True)
    due_after = models.DateTimeField(_("due after"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.get_metric_display()} +{self.working_days}"


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # A random folder part keeps paths unguessable; names are never reused.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    token = secrets.token_hex(8)
    return f"complaints/evidence/{instance.complaint_id}/{instance.seq:04d}-{token}{suffix}"


class EvidenceQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Evidence is append-only: supersede it with a new entry.")

    def delete(self):
        raise TypeError("Evidence is never deleted (一事一档).")

    def purge_files(self) -> int:
        """The one change an entry takes: at the end of its retention period (DOMAIN.md
        R-1, R-3) its file goes and its name is blanked; the fields the chain hash
        covers stay, so the chain still verifies."""
        return super().update(file="")


class Evidence(models.Model):
    """One piece of evidence (DOMAIN.md C-28); append-only, chained per complaint.

    `chain_hash` = SHA-256 over this entry's canonical fields (which include the
    file's SHA-256) and the previous entry's chain hash, so changing a file, a
    row or the order breaks every later link.
    """

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="evidence"
    )
    seq = models.PositiveIntegerField(_("entry"))
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    prev_hash = models.CharField(_("previous chain hash"), max_length=64)
    chain_hash = models.CharField(_("chain hash"), max_length=64, unique=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    note = models.TextField(_("note"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    objects = EvidenceQuerySet.as_manager()

    # Set on the entries complaints.selectors.evidence_of lists: the entry replacing this one.
    superseded_by_entry: "Evidence | None"

    class Meta:
        ordering = ["complaint", "seq"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "seq"], name="evidence_seq_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.title}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Evidence is append-only: supersede it with a new entry.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Evidence is never deleted (一事一档).")

    def canonical(self, complaint_number: str) -> bytes:
        """The bytes the chain hash covers: every field that says what this entry is."""
        record = {
            "complaint": complaint_number,
            "seq": self.seq,
            "kind": self.kind,
            "title": self.title,
            "original_name": self.original_name,
            "size": self.size,
            "sha256": self.sha256,
            "supersedes": self.supersedes_id,
            "uploaded_by": self.uploaded_by_id,
            "uploaded_at": self.uploaded_at.astimezone(datetime.UTC).isoformat(),
            "note": self.note,
            "prev": self.prev_hash,
        }
        return json.dumps(record, sort_keys=True, ensure_ascii=False).encode()

    def compute_chain_hash(self, complaint_number: str) -> str:
        return hashlib.sha256(self.canonical(complaint_number)).hexdigest()


class Compensation(models.Model):
    """A remedy proposed by a handler (DOMAIN.md C-16, C-32)."""

    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("complaint"),
        on_delete=models.CASCADE,
        related_name="compensations",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CompensationKind.choices)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Cash remedies: the amount. Non-cash remedies: their value, if known."),
    )
    remedy = models.CharField(_("remedy"), max_length=300, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CompensationStatus.choices,
        default=CompensationStatus.PROPOSED,
    )
    needs_manager = models.BooleanField(_("needs the CS manager"), default=False)
    threshold = models.DecimalField(
        _("threshold at the time"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    history = HistoricalRecords()

    # Set on the compensations complaints.selectors lists for a complaint page:
    # complaints.selectors.NextDecision, or None once decided.
    next_decision: Any

    class Meta:
        ordering = ["proposed_at", "pk"]
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")

    def __str__(self) -> str:
        return self.summary

    @property
    def summary(self) -> str:
        parts = [str(self.get_kind_display())]
        if self.amount is not None:
            parts.append(f"¥{self.amount}")
        if self.remedy:
            parts.append(self.remedy)
        return " · ".join(parts)

    @property
    def summary_phrase(self) -> Phrase | str:
        """The summary, read in each reader's language where it is kept (notifications,
        timeline lines)."""
        amount = f"¥{self.amount}" if self.amount is not None else ""
        return joined(CompensationKind(self.kind).label, amount, self.remedy, separator=" · ")


class CompensationDecision(models.Model):
    """Who decided what on a compensation, and when; one per approval stage."""

    compensation = models.ForeignKey(
        Compensation,
        verbose_name=_("compensation"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=ApprovalStage.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("compensation decision")
        verbose_name_plural = _("compensation decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["compensation", "stage"], name="compensation_decided_once_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.get_decision_display()}"


class OutageCluster(models.Model):
    """Service-fault complaints for one service type and area close together (a mass fault)."""

    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    area = models.CharField(_("area"), max_length=60)
    status = models.CharField(
        _("status"), max_length=10, choices=ClusterStatus.choices, default=ClusterStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    threshold = models.PositiveIntegerField(_("threshold"))
    window_minutes = models.PositiveIntegerField(_("window (minutes)"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    cause = models.TextField(_("cause"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("outage cluster")
        verbose_name_plural = _("outage clusters")
        constraints = [
            models.UniqueConstraint(
                fields=["service_type", "area"],
                condition=models.Q(status="open"),
                name="cluster_one_open_per_area",
            )
        ]

    def __str__(self) -> str:
        opened = timezone.localtime(self.opened_at)
        return f"{self.get_service_type_display()} · {self.area} · {opened:%Y-%m-%d %H:%M}"

    @property
    def label_phrase(self) -> Phrase:
        """`str(cluster)`, read in each reader's language where it is kept."""
        opened = timezone.localtime(self.opened_at)
        return Phrase(
            "%(service)s · %(area)s · %(opened)s",
            service=ServiceType(self.service_type).label,
            area=self.area,
            opened=f"{opened:%Y-%m-%d %H:%M}",
        )


class Feedback(models.Model):
    """The result given to the customer (DOMAIN.md C-33, K-34): the written record."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="feedback"
    )
    cause = models.TextField(_("cause"))
    measures = models.TextField(_("measures taken"))
    compensation_text = models.TextField(_("compensation"), blank=True)
    rectification = models.TextField(_("rectification"), blank=True)
    follow_up = models.TextField(_("follow-up arrangements"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=FeedbackChannel.choices)
    recipient = models.CharField(_("sent to"), max_length=300)
    message = models.ForeignKey(
        "staffing.OutboxMessage",
        verbose_name=_("outbox message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cluster = models.ForeignKey(
        OutageCluster,
        verbose_name=_("given for the cluster"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    due_at = models.DateTimeField(_("feedback due"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    response = models.CharField(
        _("customer's answer"),
        max_length=20,
        choices=CustomerResponse.choices,
        default=CustomerResponse.NONE,
        blank=True,
    )
    response_note = models.TextField(_("what the customer said"), blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("result feedback")
        verbose_name_plural = _("result feedback")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.get_channel_display()} {self.sent_at:%Y-%m-%d}"

    @property
    def on_time(self) -> bool | None:
        return None if self.due_at is None else self.sent_at <= self.due_at

import datetime
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from csc.lib.durations import format_minutes
from csc.lib.phrases import phrase_text
from intake.choices import Channel, ServiceType
from worktickets.choices import (
    STATUS_CATEGORY,
    CallbackReason,
    EventKind,
    Priority,
    ProblemEventKind,
    ProblemStatus,
    SegmentMode,
    StatusCategory,
    TicketKind,
    TicketStatus,
)

ACTIVE_CATEGORY_VALUES = ["open", "waiting_customer", "waiting_internal"]
# Where a ticket with no running deadline sorts in "nearest deadline first".
FAR_FUTURE = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)


def due_order() -> Coalesce:
    """The deadline to sort by, never NULL, so the API's cursor can page on it.

    The indexes below are on this very expression: keep the two in step.
    """
    return Coalesce("sla_due_at", models.Value(FAR_FUTURE, output_field=models.DateTimeField()))


class BusinessType(models.Model):
    """One entry of the business catalogue (DOMAIN.md W-23 to W-25)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    requires_approval = models.BooleanField(
        _("needs a team lead's approval"),
        default=False,
        help_text=_("Orders of this type go accepted → reviewed → approved → delivered."),
    )
    needs_confirmation = models.BooleanField(
        _("needs confirmation"),
        default=False,
        help_text=_("The source table is hard to read for this row; confirm before relying on it."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    required_skill = models.ForeignKey(
        "staffing.Skill",
        verbose_name=_("skill needed"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Auto-assignment gives orders of this type only to agents with this skill."),
    )

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("business type")
        verbose_name_plural = _("business types")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "zh-hans").startswith("zh") else self.name_en


class DeliveryLimit(models.Model):
    """How long a business order may take from acceptance to delivery (DOMAIN.md K-5).

    Each business type has a default (no channel, no service type) and may have
    limits that apply only on one channel or to one service type: the hall's
    10-minute single transaction on the walk-in channel (S-3), the 20-day
    installation of fixed-line services (S-12). The most specific limit that
    matches a ticket applies; one naming the service type comes before one
    naming only the channel, so a fixed-line installation ordered at the counter
    keeps its installation limit.
    """

    business_type = models.ForeignKey(
        BusinessType,
        verbose_name=_("business type"),
        on_delete=models.CASCADE,
        related_name="delivery_limits",
    )
    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty: every channel."),
    )
    service_type = models.CharField(
        _("service type"),
        max_length=20,
        choices=ServiceType.choices,
        blank=True,
        help_text=_("Empty: every service type."),
    )
    minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), validators=[MinValueValidator(1)]
    )
    is_assumption = models.BooleanField(
        _("assumption, confirm"),
        default=False,
        help_text=_("No seed gives this figure: it is a default to confirm with the business."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["business_type", "channel", "service_type"]
        verbose_name = _("delivery time limit")
        verbose_name_plural = _("delivery time limits")
        constraints = [
            models.UniqueConstraint(
                fields=["business_type", "channel", "service_type"],
                name="delivery_limit_once_per_condition",
            )
        ]

    def __str__(self) -> str:
        return f"{self.business_type}: {self.conditions_text} {format_minutes(self.minutes)}"

    @property
    def specificity(self) -> int:
        """Which of two matching limits applies: the higher (service type, then channel)."""
        return (2 if self.service_type else 0) + (1 if self.channel else 0)

    def matches(self, channel: str, service_type: str) -> bool:
        return (not self.channel or self.channel == channel) and (
            not self.service_type or self.service_type == service_type
        )

    @property
    def conditions_text(self) -> str:
        parts = []
        if self.channel:
            parts.append(str(self.get_channel_display()))
        if self.service_type:
            parts.append(str(self.get_service_type_display()))
        return " · ".join(parts) if parts else str(_("default"))


class BusinessEligibility(models.Model):
    """How one payment segment may have a business type, and through which channels."""

    business_type = models.ForeignKey(
        BusinessType,
        verbose_name=_("business type"),
        on_delete=models.CASCADE,
        related_name="eligibility",
    )
    segment = models.CharField(
        _("payment segment"),
        max_length=20,
        choices=[
            ("prepaid", _("Prepaid")),
            ("postpaid", _("Postpaid")),
            ("postpaid_vip", _("Postpaid VIP")),
        ],
    )
    mode = models.CharField(_("mode"), max_length=30, choices=SegmentMode.choices)
    channels = models.JSONField(
        _("channels"), default=list, blank=True, help_text=_("Channel codes that may handle it.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("business eligibility")
        verbose_name_plural = _("business eligibility")
        constraints = [
            models.UniqueConstraint(
                fields=["business_type", "segment"], name="eligibility_once_per_segment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.business_type} / {self.get_segment_display()}: {self.get_mode_display()}"


class InquiryCategory(models.Model):
    """One node of the two-level inquiry category tree (DOMAIN.md W-1 to W-10, W-22).

    Top-level rows are the kinds of inquiry (consultation, query, feedback, system
    fault, ...); their children refine them by product line or subject. SLA policies
    match a category by code, the parent's code matching all its children.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        limit_choices_to={"parent__isnull": True},
        help_text=_("Empty for a top-level category."),
    )
    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("SLA policies and integrations name the category by this code."),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive categories are not offered; tickets that carry one keep it."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    required_skill = models.ForeignKey(
        "staffing.Skill",
        verbose_name=_("skill needed"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Auto-assignment gives inquiries of this category (and of its sub-categories "
            "naming none) only to agents with this skill."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("inquiry category")
        verbose_name_plural = _("inquiry categories")

    def __str__(self) -> str:
        return self.path

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A category cannot be its own parent.")})
        if self.parent.parent_id is not None:
            raise ValidationError(
                {"parent": _("Categories have two levels: choose a top-level parent.")}
            )
        if self.pk is not None and self.children.exists():
            raise ValidationError(
                {"parent": _("This category has sub-categories, so it stays at the top level.")}
            )

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "zh-hans").startswith("zh") else self.name_en

    @property
    def path(self) -> str:
        """The name with its parent's, as lists and selects show it."""
        if self.parent_id is None:
            return self.name
        return f"{self.parent.name} / {self.name}"

    @property
    def in_use(self) -> bool:
        """Offered for new choices: active, under an active parent."""
        return self.is_active and (self.parent_id is None or self.parent.is_active)

    @property
    def codes(self) -> tuple[str, ...]:
        """Its own code, then its parent's: what SLA policies match on."""
        if self.parent_id is None:
            return (self.code,)
        return (self.code, self.parent.code)


class TicketDaySequence(models.Model):
    """The last ticket number issued on a day; its row lock serialises numbering."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class TicketQuerySet(models.QuerySet["Ticket"]):
    def active(self) -> Self:
        return self.filter(status_category__in=ACTIVE_CATEGORY_VALUES)

    def queue_order(self) -> Self:
        # Nearest SLA due time first, then the most urgent, then the oldest.
        return self.order_by(
            models.F("sla_due_at").asc(nulls_last=True), "-priority", "created_at", "pk"
        )


class Ticket(models.Model):
    """The unit of work: an inquiry, a business order or a complaint (DESIGN.md §2.1)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=TicketKind.choices)
    status = models.CharField(_("status"), max_length=30, choices=TicketStatus.choices)
    status_category = models.CharField(
        _("status category"), max_length=20, choices=StatusCategory.choices, editable=False
    )
    status_before_hold = models.CharField(max_length=30, blank=True, editable=False)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    customer = models.ForeignKey(
        "intake.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    caller_number = models.CharField(_("caller number"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    contact = models.ForeignKey(
        "intake.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    team = models.ForeignKey(
        "staffing.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    # 首问负责制: set at creation and never changed (DOMAIN.md P-6, K-28).
    first_contact_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first-contact agent"),
        on_delete=models.PROTECT,
        related_name="first_contact_tickets",
    )
    transfer_pending = models.BooleanField(
        _("awaiting acceptance"),
        default=False,
        help_text=_("Transferred and not yet accepted by the receiving side."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    business_type = models.ForeignKey(
        BusinessType,
        verbose_name=_("business type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    # Inquiries only (DOMAIN.md W-5 classification); chosen at creation or later.
    category = models.ForeignKey(
        InquiryCategory,
        verbose_name=_("inquiry category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    order_details = models.JSONField(_("order details"), default=dict, blank=True)
    identity_verified = models.BooleanField(_("identity verified"), default=False)
    resolution = models.TextField(_("resolution"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection or cancellation"), blank=True)
    # Callbacks only: why it exists; its SLA policy is chosen by it (DOMAIN.md K-24).
    callback_reason = models.CharField(
        _("callback reason"), max_length=20, choices=CallbackReason.choices, blank=True
    )
    # The customer's satisfaction answer (1-5) after closing, recorded by the care app
    # through ticket_record_survey_score, so quality can oversample dissatisfied contacts.
    survey_score = models.PositiveSmallIntegerField(_("survey score"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Nearest due time of the ticket's running SLA clocks, kept by the SLA engine.
    sla_due_at = models.DateTimeField(_("next SLA deadline"), null=True, blank=True)
    in_escalation_queue = models.BooleanField(_("in escalation queue"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["sla_due_at", "updated_at"])

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        permissions = [
            ("work_ticket", _("Can work tickets (reply, transfer, resolve)")),
            ("approve_business", _("Can approve business orders")),
            ("view_all_tickets", _("Can see every team's tickets")),
        ]
        # Ascending b-tree indexes keep NULLs last in PostgreSQL, which is the
        # queue's order (tickets without a running clock come after the rest).
        indexes = [
            # Team and personal queues: active tickets by nearest deadline.
            # The kind rides along so the shift dashboard counts open tickets per team
            # and kind from this index alone (csc.dashboard.open_tickets).
            models.Index(
                fields=["team", "sla_due_at", "created_at"],
                name="ticket_team_queue",
                condition=models.Q(status_category__in=ACTIVE_CATEGORY_VALUES),
                include=["kind"],
            ),
            models.Index(
                fields=["assignee", "sla_due_at", "created_at"],
                name="ticket_assignee_queue",
                condition=models.Q(status_category__in=ACTIVE_CATEGORY_VALUES),
            ),
            models.Index(
                fields=["first_contact_agent", "-created_at"], name="ticket_first_contact"
            ),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_recent"),
            models.Index(fields=["status", "-created_at"], name="ticket_status_recent"),
            models.Index(fields=["kind", "-created_at"], name="ticket_kind_recent"),
            # The API list in deadline order (`?ordering=due`), a page at a time
            # without sorting every ticket, for one team or for all.
            models.Index(
                models.F("team"),
                due_order(),
                models.F("priority").desc(),
                models.F("id"),
                name="ticket_team_due_order",
            ),
            models.Index(
                due_order(), models.F("priority").desc(), models.F("id"), name="ticket_due_order"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="business") | models.Q(business_type__isnull=False),
                name="business_ticket_has_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def set_status(self, status: str) -> None:
        self.status = status
        self.status_category = STATUS_CATEGORY[status]

    @property
    def is_active(self) -> bool:
        return self.status_category in ACTIVE_CATEGORY_VALUES


# Where a timeline line keeps its text's message key and parameters, in `data`.
MESSAGE_KEY = "message"
# On a creation line: what auto-assignment decided (worktickets.assignment), its
# message under MESSAGE_KEY.
AUTO_ASSIGNMENT_KEY = "auto_assignment"


class TicketEvent(models.Model):
    """One line of the ticket's timeline: notes, replies, transfers, status changes."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30, blank=True)
    body = models.TextField(_("text"), blank=True)
    is_customer_facing = models.BooleanField(_("seen by the customer"), default=False)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_timeline")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def message(self) -> dict:
        """The text's message key and parameters (csc.lib.phrases), when it has one."""
        return self.data.get(MESSAGE_KEY) or {}

    @property
    def text(self) -> str:
        """The line's text in the reader's (active) language: a generated line
        from its key and parameters, typed text (and lines written before keys
        existed) as stored."""
        return phrase_text(self.data.get(MESSAGE_KEY), self.body)

    @property
    def auto_assignment_text(self) -> str:
        """On a creation line, what auto-assignment decided, in the reader's language."""
        decided = self.data.get(AUTO_ASSIGNMENT_KEY)
        return phrase_text(decided.get(MESSAGE_KEY)) if isinstance(decided, dict) else ""


class Problem(models.Model):
    """A recurring or systemic problem, tracked once with every ticket it caused, until
    its fix is verified (问题台账, DOMAIN.md W-6), and reviewed by its review date (复盘)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    category = models.ForeignKey(
        InquiryCategory,
        verbose_name=_("inquiry category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_problems",
    )
    review_date = models.DateField(
        _("review date"), help_text=_("When the problem is next reviewed (复盘).")
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    resolution = models.TextField(_("fix"), blank=True)
    tickets = models.ManyToManyField(
        Ticket,
        verbose_name=_("tickets"),
        through="ProblemTicket",
        related_name="problems",
        blank=True,
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("problem")
        verbose_name_plural = _("problem ledger")
        indexes = [
            models.Index(fields=["status", "review_date"], name="problem_status_review"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"PRB-{self.pk:05d}" if self.pk else ""

    @property
    def is_done(self) -> bool:
        return self.status == ProblemStatus.VERIFIED


class ProblemTicket(models.Model):
    """A ticket counted against a problem: who linked it, and when."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="links"
    )
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="problem_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("problem ticket")
        verbose_name_plural = _("problem tickets")
        constraints = [
            models.UniqueConstraint(fields=["problem", "ticket"], name="problem_ticket_once")
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} ← {self.ticket_id}"


class ProblemEvent(models.Model):
    """One line of a problem's record: raised, a ticket linked, a status change, an edit."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProblemEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("problem event")
        verbose_name_plural = _("problem events")

    def __str__(self) -> str:
        return f"{self.problem_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Macro(models.Model):
    """A canned text an agent inserts with one click: a reply, a resolution or a
    complaint's result feedback, with variables filled from the ticket
    (worktickets.macros). Personal ones are their owner's; shared ones serve one
    team, or every team when no team is named."""

    class AppliesTo(models.TextChoices):
        REPLY = "reply", _("Reply to customer")
        RESOLUTION = "resolution", _("Resolution")
        RESULT_FEEDBACK = "result_feedback", _("Complaint result feedback")

    name = models.CharField(_("name"), max_length=100)
    text = models.TextField(
        _("text"),
        help_text=_(
            "Variables: {customer_name}, {ticket_number}, {due_at}, {agent_name}, {amount}."
        ),
    )
    applies_to = models.CharField(_("used for"), max_length=20, choices=AppliesTo.choices)
    category = models.ForeignKey(
        InquiryCategory,
        verbose_name=_("inquiry category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Offered first on tickets of this category (or its sub-categories)."),
    )
    team = models.ForeignKey(
        "staffing.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A shared macro with no team serves every team."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_shared = models.BooleanField(_("shared"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    use_count = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["use_count", "updated_at"])

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        permissions = [("share_macro", "Can share macros with every team")]
        indexes = [models.Index(fields=["applies_to", "is_active"], name="macro_applies_active")]

    def __str__(self) -> str:
        return self.name


class SavedQueueView(models.Model):
    """A queue with its search, filters and order, saved by one person under a name
    (their own; nobody else sees it). `query` is the queue page's query string."""

    class Queue(models.TextChoices):
        MINE = "mine", _("My queue")
        TEAM = "team", _("My team's queue")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_queue_views",
    )
    queue = models.CharField(_("queue"), max_length=10, choices=Queue.choices)
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("search and filters"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved queue view")
        verbose_name_plural = _("saved queue views")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "queue", "name"], name="saved_queue_view_name_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

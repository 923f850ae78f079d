"""Customer care: survey policies, surveys and their answers, opt-outs, callbacks.

A survey is offered when a ticket closes (DOMAIN.md P-13) and answered once,
through a single-use link sent by SMS or by the IVR through the API. The link's
token is never stored: only its SHA-256, so a leaked database holds no usable link.
A callback (回访) is a ticket of kind "callback" (queues, SLA clocks, escalation
and the API apply unchanged); `Callback` adds what only care knows: where it came
from and its outcome.
"""

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from care.choices import AnsweredVia, AppointmentPlace, CallbackOutcome, SurveyStatus
from intake.choices import Channel, PaymentType, Region, ServiceType, VipTier
from worktickets.choices import TicketKind

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CareSettings(models.Model):
    """One row: the figures DOMAIN.md leaves to the operator (K-23)."""

    csat_target_percent = models.PositiveSmallIntegerField(
        _("CSAT target (%)"), default=95, validators=[MaxValueValidator(100)]
    )
    link_valid_days = models.PositiveSmallIntegerField(
        _("survey link valid for (days)"), default=3, validators=[MinValueValidator(1)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care settings")
        verbose_name_plural = _("care settings")

    def __str__(self) -> str:
        return str(_("Care settings"))

    @classmethod
    def current(cls) -> "CareSettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class CsatTarget(models.Model):
    """A CSAT target for one channel, one tier, or both (CA-36, K-23); where none is
    set, the centre's target (CareSettings) applies. The most specific wins:
    channel and tier, then the channel's, then the tier's, then the centre's."""

    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty: every channel."),
    )
    tier = models.CharField(
        _("VIP tier (grade service)"),
        max_length=20,
        choices=VipTier.choices,
        blank=True,
        help_text=_("Empty: every tier."),
    )
    target_percent = models.PositiveSmallIntegerField(
        _("CSAT target (%)"), validators=[MaxValueValidator(100)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["channel", "tier"]
        verbose_name = _("CSAT target")
        verbose_name_plural = _("CSAT targets")
        constraints = [
            models.UniqueConstraint(fields=["channel", "tier"], name="csat_target_unique"),
            models.CheckConstraint(
                condition=~models.Q(channel="", tier=""), name="csat_target_names_something"
            ),
        ]

    def __str__(self) -> str:
        parts = [
            self.get_channel_display() if self.channel else "",
            self.get_tier_display() if self.tier else "",
        ]
        return " · ".join(str(part) for part in parts if part)


class SurveyPolicy(models.Model):
    """Whether, when and how often a closed ticket of a kind and channel is surveyed."""

    ticket_kind = models.CharField(_("ticket kind"), max_length=20, choices=TicketKind.choices)
    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty: every channel without a policy of its own."),
    )
    is_active = models.BooleanField(_("survey on"), default=True)
    delay_minutes = models.PositiveIntegerField(_("delay after closing (minutes)"), default=0)
    min_days_between = models.PositiveSmallIntegerField(
        _("ask a customer at most once per (days)"), default=7
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey policy")
        verbose_name_plural = _("survey policies")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_kind", "channel"], name="survey_policy_kind_channel_unique"
            )
        ]

    def __str__(self) -> str:
        channel = self.get_channel_display() if self.channel else _("every channel")
        return f"{self.get_ticket_kind_display()} · {channel}"


class SurveyOptOut(models.Model):
    """The customer asked not to be surveyed nor sent care messages again."""

    customer = models.OneToOneField(
        "intake.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="survey_opt_out",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("opted out at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey opt-out")
        verbose_name_plural = _("survey opt-outs")

    def __str__(self) -> str:
        return str(self.customer)


class Survey(models.Model):
    ticket = models.ForeignKey(
        "worktickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    customer = models.ForeignKey(
        "intake.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.SCHEDULED
    )
    send_at = models.DateTimeField(_("send at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_via = models.CharField(
        _("answered via"), max_length=20, choices=AnsweredVia.choices, blank=True
    )
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    attitude = models.PositiveSmallIntegerField(
        _("service attitude"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    efficiency = models.PositiveSmallIntegerField(
        _("business-handling efficiency"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    stability = models.PositiveSmallIntegerField(
        _("system stability"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    after_sales = models.PositiveSmallIntegerField(
        _("after-sales service"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    comment = models.TextField(_("comment"), blank=True)
    # What CSAT is cut by, copied when the survey is offered: the aggregates read one table.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    team = models.ForeignKey(
        "staffing.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket_kind = models.CharField(_("ticket kind"), max_length=20, choices=TicketKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    tier = models.CharField(_("VIP tier (grade service)"), max_length=20)
    created_at = models.DateTimeField(_("offered at"), auto_now_add=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["token_hash"])
    _change_reason: str  # simple-history writes it on the next save's history row

    class Meta:
        ordering = ["-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [
            models.Index(fields=["answered_at", "score"], name="survey_answered_score"),
            models.Index(fields=["customer", "created_at"], name="survey_customer_created"),
            models.Index(fields=["status", "send_at"], name="survey_status_send_at"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.get_status_display()}"


class Callback(models.Model):
    """A callback ticket's origin and outcome (DOMAIN.md W-19, CA-21 to CA-27)."""

    ticket = models.OneToOneField(
        "worktickets.Ticket",
        verbose_name=_("callback ticket"),
        on_delete=models.CASCADE,
        related_name="care_callback",
    )
    source_ticket = models.ForeignKey(
        "worktickets.Ticket",
        verbose_name=_("called back about"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    survey = models.OneToOneField(
        Survey,
        verbose_name=_("survey"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callback",
    )
    reopen_offered = models.BooleanField(_("complaint reopening offered"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=30, choices=CallbackOutcome.choices, blank=True
    )
    outcome_comment = models.TextField(_("outcome comment"), blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("outcome recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    history = HistoricalRecords()
    _change_reason: str  # simple-history writes it on the next save's history row

    class Meta:
        ordering = ["-id"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")

    def __str__(self) -> str:
        return str(self.ticket)


class Appointment(models.Model):
    """A VIP appointment without waiting (预约免排队, DOMAIN.md P-9): a time slot at a
    hall or as a callback, for a gold-tier-or-higher customer entitled to grade
    service. It is worked as a callback ticket of reason "VIP appointment" (its
    `Callback` row records the outcome), so queues, escalation and the API apply
    unchanged; the ticket's SLA clock counts from the slot's start."""

    ticket = models.OneToOneField(
        "worktickets.Ticket",
        verbose_name=_("appointment ticket"),
        on_delete=models.CASCADE,
        related_name="care_appointment",
    )
    customer = models.ForeignKey(
        "intake.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="care_appointments",
    )
    place = models.CharField(_("where"), max_length=20, choices=AppointmentPlace.choices)
    hall = models.CharField(_("business hall"), max_length=100, blank=True)
    slot_start = models.DateTimeField(_("slot starts"))
    slot_end = models.DateTimeField(_("slot ends"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["slot_start", "pk"]
        verbose_name = _("VIP appointment")
        verbose_name_plural = _("VIP appointments")
        indexes = [
            models.Index(fields=["customer", "slot_start"], name="appointment_customer_slot")
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.slot_start:%Y-%m-%d %H:%M}"


class Privilege(models.Model):
    """One grade-service privilege of the catalogue (DOMAIN.md CA-8, K-15)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    number = models.PositiveSmallIntegerField(_("number in CA-8"), null=True, blank=True)
    business_type_code = models.CharField(
        _("business type code"),
        max_length=50,
        blank=True,
        help_text=_("Set when the privilege is a business the new-ticket form offers."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["number", "code"]
        verbose_name = _("privilege")
        verbose_name_plural = _("privileges")

    def __str__(self) -> str:
        return self.name


class TierPrivilege(models.Model):
    """A tier's grant of a privilege; higher tiers inherit it (P-9, CA-9 由高向低兼容)."""

    tier = models.CharField(_("lowest tier"), max_length=20, choices=VipTier.choices[1:])
    privilege = models.ForeignKey(
        Privilege, verbose_name=_("privilege"), on_delete=models.CASCADE, related_name="grants"
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("Where the grant comes from (a rule or a decision)."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["privilege__number", "tier"]
        verbose_name = _("tier privilege")
        verbose_name_plural = _("tier privileges")
        constraints = [
            models.UniqueConstraint(fields=["tier", "privilege"], name="tier_privilege_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} · {self.privilege}"


class CallbackPolicy(models.Model):
    """Which share of delivered business orders is called back (DOMAIN.md CA-21, K-24)."""

    business_type_code = models.CharField(
        _("business type code"),
        max_length=50,
        blank=True,
        help_text=_("Empty: every business type without a policy of its own."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    rate_percent = models.PositiveSmallIntegerField(
        _("share called back (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("callback policy")
        verbose_name_plural = _("callback policies")
        constraints = [
            models.UniqueConstraint(fields=["business_type_code"], name="callback_policy_unique")
        ]

    def __str__(self) -> str:
        return self.business_type_code or str(_("every business type"))


class Campaign(models.Model):
    """A care campaign (DOMAIN.md CA-17 to CA-20): a segment of customers and an SMS
    template sent through the outbox at a scheduled time; opted-out customers never
    receive it."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("campaign status", "Scheduled")
        SENT = "sent", pgettext_lazy("campaign status", "Sent")

    name = models.CharField(_("name"), max_length=100)
    message = models.TextField(
        _("message"), help_text=_("The SMS text; {name} is replaced by the customer's name.")
    )
    tiers = models.JSONField(
        _("VIP tiers"), default=list, blank=True, help_text=_("Empty: any tier or none.")
    )
    payment_type = models.CharField(
        _("payment type"), max_length=20, choices=PaymentType.choices, blank=True
    )
    region = models.CharField(_("region"), max_length=10, choices=Region.choices, blank=True)
    service_type = models.CharField(
        _("holding a service of type"), max_length=20, choices=ServiceType.choices, blank=True
    )
    min_tenure_days = models.PositiveIntegerField(
        _("customers for at least (days)"), null=True, blank=True
    )
    birthday_today = models.BooleanField(_("only customers whose birthday is today"), default=False)
    outage_cluster = models.ForeignKey(
        "complaints.OutageCluster",
        verbose_name=_("customers who complained in the outage cluster"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    scheduled_at = models.DateTimeField(_("send at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_count = models.PositiveIntegerField(_("messages sent"), default=0)
    history = HistoricalRecords()
    _change_reason: str

    class Meta:
        ordering = ["-scheduled_at"]
        verbose_name = _("care campaign")
        verbose_name_plural = _("care campaigns")

    def __str__(self) -> str:
        return self.name

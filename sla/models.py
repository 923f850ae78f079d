"""Business calendars, SLA policies (versioned), clocks and the escalation ladder.

`sla` sits below `worktickets`: it refers to the ticket by the string
"worktickets.Ticket" and never imports it (DESIGN.md §2).
"""

from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sla.choices import (
    OPEN_STATES,
    CalendarKind,
    CapUnit,
    ClockEventKind,
    ClockState,
    EscalationOutcome,
    EscalationTrigger,
    Metric,
    RecomputeScope,
    ReopenRule,
    TargetUnit,
    VipMatch,
)


def default_warn_fractions() -> list[float]:
    # DESIGN.md §2.2: warnings at 50 % and 80 % of the target by default.
    return [0.5, 0.8]


class BusinessCalendar(models.Model):
    """24×7, or working hours on working weekdays with statutory holidays (DESIGN.md §2.2)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarKind.choices)
    opens_at = models.TimeField(_("opens at"), default=time(9, 0))
    closes_at = models.TimeField(_("closes at"), default=time(18, 0))
    working_weekdays = models.CharField(
        _("working weekdays"),
        max_length=7,
        default="12345",
        validators=[RegexValidator(r"^[1-7]{1,7}$", _("Digits 1 (Monday) to 7 (Sunday)."))],
        help_text=_("ISO weekday digits, 1 = Monday … 7 = Sunday; e.g. 12345."),
    )
    follows_statutory_holidays = models.BooleanField(
        _("follows statutory holidays"),
        default=True,
        help_text=_("Close on Chinese statutory holidays and open on make-up working days (调休)."),
    )
    description = models.TextField(_("description"), blank=True)
    # A fresh random number on every change to the calendar or its overrides:
    # cached rules and due times computed under another number are stale. Random,
    # not counted, so the number of a rolled-back edit never comes back.
    revision = models.BigIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == CalendarKind.WORKING_TIME and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("Closing time must be after opening time.")})


class CalendarOverride(models.Model):
    """An administrator's word on one date, stronger than weekdays and holidays."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="overrides",
    )
    date = models.DateField(_("date"))
    is_working_day = models.BooleanField(_("working day"))
    opens_at = models.TimeField(
        _("opens at"), null=True, blank=True, help_text=_("Empty: the calendar's hours.")
    )
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_override_once")
        ]

    def __str__(self) -> str:
        return f"{self.calendar} {self.date}"

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("Closing time must be after opening time.")})


class SlaPolicy(models.Model):
    """Which tickets get which targets; the first active policy by `order` wins.

    The targets are edited here; each published change makes a new
    PolicyVersion, and a clock keeps the version it started with.
    """

    name = models.CharField(_("name"), max_length=150, unique=True)
    order = models.PositiveIntegerField(
        _("precedence"),
        unique=True,
        help_text=_(
            "Lower numbers are tried first: each metric takes its target from the first "
            "matching active policy that sets one."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the figures come from.")
    )
    # Matching; an empty criterion matches anything.
    kind = models.CharField(_("ticket kind"), max_length=20, blank=True)
    complaint_category = models.CharField(_("complaint category"), max_length=40, blank=True)
    complaint_tier = models.CharField(_("complaint tier"), max_length=20, blank=True)
    vip_match = models.CharField(
        _("VIP tier"), max_length=10, choices=VipMatch.choices, default=VipMatch.ANY
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    min_priority = models.PositiveSmallIntegerField(
        _("minimum priority"),
        null=True,
        blank=True,
        help_text=_("Matches tickets of this priority or higher; empty for any."),
    )
    business_type_code = models.CharField(_("business type code"), max_length=50, blank=True)
    category_code = models.CharField(
        _("inquiry category code"),
        max_length=50,
        blank=True,
        help_text=_(
            "Matches inquiries in this category; a top-level category's code also matches "
            "its sub-categories."
        ),
    )
    service_type = models.CharField(_("service type"), max_length=20, blank=True)
    region = models.CharField(_("region"), max_length=10, blank=True)
    current_version = models.ForeignKey(
        "PolicyVersion",
        verbose_name=_("current version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class PolicyTarget(models.Model):
    """One metric's target in a policy: amount, unit, calendar, pause and reopen rules."""

    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="targets"
    )
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    amount = models.PositiveIntegerField(
        _("amount"), default=0, help_text=_("Ignored when the unit is the business type's limit.")
    )
    unit = models.CharField(_("unit"), max_length=20, choices=TargetUnit.choices)
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="+"
    )
    cap_amount = models.PositiveIntegerField(
        _("second limit"),
        null=True,
        blank=True,
        help_text=_("Optional second limit from the same start; whichever is sooner applies."),
    )
    cap_unit = models.CharField(
        _("second limit unit"), max_length=20, choices=CapUnit.choices, blank=True
    )
    pauses_while_waiting_customer = models.BooleanField(
        _("pauses while waiting for the customer"), default=False
    )
    pauses_while_waiting_internal = models.BooleanField(
        _("pauses while waiting internally"), default=False
    )
    on_reopen = models.CharField(
        _("on reopen"), max_length=10, choices=ReopenRule.choices, default=ReopenRule.KEEP
    )
    starts_after = models.CharField(
        _("starts when met"),
        max_length=30,
        choices=Metric.choices,
        blank=True,
        help_text=_("Empty: starts with the ticket. Otherwise starts when this metric is met."),
    )
    warn_fractions = models.JSONField(
        _("warn at fractions of the target"),
        default=default_warn_fractions,
        blank=True,
        help_text=_(
            "E.g. [0.5, 0.8]: at-risk warnings when half and four fifths of the target are used."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["policy", "id"]
        verbose_name = _("policy target")
        verbose_name_plural = _("policy targets")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "metric"], name="policy_target_once_per_metric"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy}: {self.get_metric_display()}"

    def clean(self) -> None:
        errors = {}
        if self.unit != TargetUnit.BUSINESS_TYPE and not self.amount:
            errors["amount"] = _("Give the target amount.")
        if bool(self.cap_amount) != bool(self.cap_unit):
            errors["cap_unit"] = _("Give both the second limit and its unit, or neither.")
        fractions = self.warn_fractions or []
        if not isinstance(fractions, list) or not all(
            isinstance(f, int | float) and 0 < f < 1 for f in fractions
        ):
            errors["warn_fractions"] = _("A list of numbers between 0 and 1, e.g. [0.5, 0.8].")
        if self.starts_after and self.starts_after == self.metric:
            errors["starts_after"] = _("A metric cannot start after itself.")
        if errors:
            raise ValidationError(errors)


class PolicyVersion(models.Model):
    """An immutable snapshot of a policy's matching and targets."""

    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    criteria = models.JSONField(_("matching"), default=dict)
    targets = models.JSONField(_("targets"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["policy", "-number"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"

    def target_for(self, metric: str) -> dict | None:
        return next((t for t in self.targets if t["metric"] == metric), None)


class ClockQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def needing_attention(self):
        """Open clocks that are at risk or breached (the team leads' list)."""
        return self.open().filter(models.Q(at_risk=True) | models.Q(state=ClockState.BREACHED))


class Clock(models.Model):
    """One ticket's deadline for one metric (DESIGN.md §2.2)."""

    ticket = models.ForeignKey(
        "worktickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="sla_clocks",
    )
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    policy_version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy version"), on_delete=models.PROTECT, related_name="+"
    )
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="+"
    )
    # The target as it was resolved at start (business-type limits become minutes).
    target = models.JSONField(_("target"), default=dict)
    target_minutes = models.PositiveIntegerField(
        _("business minutes granted"), default=0, editable=False
    )
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    warn_at = models.DateTimeField(_("next warning at"), null=True, blank=True)
    # When the sweeper next has something to do: a warning, the breach, a ladder step.
    sweep_at = models.DateTimeField(_("next check at"), null=True, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_total = models.DurationField(_("paused working time"), default=timedelta)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    at_risk = models.BooleanField(_("at risk"), default=False)
    at_risk_since = models.DateTimeField(_("at risk since"), null=True, blank=True)
    warnings_sent = models.PositiveSmallIntegerField(_("warnings sent"), default=0)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    # met_at − due_at: negative when met early, positive when late.
    lateness = models.DurationField(_("late by"), null=True, blank=True)
    calendar_revision = models.BigIntegerField(default=1, editable=False)

    objects = ClockQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        permissions = [
            ("view_at_risk", _("Can see the at-risk and breached list")),
            ("view_all_clocks", _("Can see every team's SLA clocks")),
        ]
        indexes = [
            # The sweeper's one range query.
            models.Index(
                fields=["sweep_at"],
                name="clock_sweep_due",
                condition=models.Q(sweep_at__isnull=False),
            ),
            # "What is overdue" and lists ordered by due time.
            models.Index(
                fields=["due_at"], name="clock_open_due", condition=models.Q(state__in=OPEN_STATES)
            ),
            # With the ticket and the state, the dashboard counts the tickets at risk
            # and breached from this index alone (csc.dashboard._deadline_counts).
            models.Index(
                fields=["due_at"],
                name="clock_attention",
                condition=models.Q(state__in=OPEN_STATES)
                & (models.Q(at_risk=True) | models.Q(state=ClockState.BREACHED)),
                include=["ticket", "state"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "metric"],
                condition=models.Q(state__in=OPEN_STATES),
                name="clock_one_open_per_metric",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_metric_display()} {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ClockEvent(models.Model):
    """Append-only log of a clock: the auditable basis for SLA reports."""

    clock = models.ForeignKey(
        Clock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ClockEventKind.choices)
    at = models.DateTimeField(_("at"))
    due_at = models.DateTimeField(_("due at after the event"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("clock event")
        verbose_name_plural = _("clock events")
        indexes = [models.Index(fields=["clock", "at"], name="clock_event_log")]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("clock events are append-only")
        super().save(*args, **kwargs)


class EscalationLevel(models.Model):
    """A step of the escalation ladder: when it fires and which registered actions it runs."""

    name = models.CharField(_("name"), max_length=150)
    metric = models.CharField(
        _("metric"),
        max_length=30,
        choices=Metric.choices,
        blank=True,
        help_text=_("Empty: every metric."),
    )
    trigger = models.CharField(_("trigger"), max_length=10, choices=EscalationTrigger.choices)
    delay_fraction = models.DecimalField(
        _("delay after the trigger (fraction of the target)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "0 fires at the trigger; 0.5 fires when another half of the target has passed."
        ),
    )
    actions = models.JSONField(_("actions"), default=list)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")

    def __str__(self) -> str:
        return self.name


class EscalationRecord(models.Model):
    """A ladder step taken for a clock; unique, so each step happens once."""

    clock = models.ForeignKey(
        Clock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="escalations"
    )
    level = models.ForeignKey(
        EscalationLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="records"
    )
    due_at = models.DateTimeField(_("step due at"))
    recorded_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=EscalationOutcome.choices)
    results = models.JSONField(_("results per action"), default=dict)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("escalation record")
        verbose_name_plural = _("escalation records")
        constraints = [
            models.UniqueConstraint(fields=["clock", "level"], name="escalation_once_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.level}"


class RecomputeJob(models.Model):
    """Due times to recompute after a calendar or policy change, worked in batches.

    Written in the same transaction as the change, so a broker outage delays
    the recomputation but never loses it.
    """

    scope = models.CharField(_("scope"), max_length=10, choices=RecomputeScope.choices)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Open clocks of this version's policy move to this version."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_clock_id = models.BigIntegerField(default=0)
    clocks_done = models.PositiveIntegerField(_("clocks recomputed"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("recompute job")
        verbose_name_plural = _("recompute jobs")

    def __str__(self) -> str:
        return f"{self.get_scope_display()} #{self.pk}"

"""Retention policies, the job's reports and customer erasures (DOMAIN.md R-1, R-3);
the targets the figures are measured against (P-8, K-13, K-23), the floor's
wallboards and the stored reports (S-37 to S-46).

They live in csc because they reach every app: only the top of the layering may
import them all (docs/architecture.md).
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from csc.choices import (
    ACTIONS,
    MINIMUM_DAYS,
    RecordType,
    ReportKind,
    ReportStatus,
    RetentionAction,
    RunStatus,
    TargetMeasure,
    TargetQueue,
)


class RetentionPolicy(models.Model):
    """How long one record type is kept, what happens after, and the law behind it."""

    record_type = models.CharField(
        _("record type"), max_length=30, choices=RecordType.choices, unique=True
    )
    keep_days = models.PositiveIntegerField(
        _("keep for (days)"),
        help_text=_("Counted from the record's end (a ticket's closure, a contact's time)."),
    )
    action = models.CharField(_("then"), max_length=10, choices=RetentionAction.choices)
    legal_source = models.CharField(_("legal source"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        ordering = ["record_type"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.get_record_type_display()}: {self.keep_days}"

    @property
    def minimum_days(self) -> int:
        return MINIMUM_DAYS.get(self.record_type, 0)

    @property
    def effective_days(self) -> int:
        # The job never keeps less than the law, whatever a row says.
        return max(self.keep_days, self.minimum_days)

    def clean(self) -> None:
        if self.keep_days is not None and self.keep_days < self.minimum_days:
            raise ValidationError(
                {
                    "keep_days": _(
                        "The law requires keeping these records at least %(days)s days "
                        "(%(source)s)."
                    )
                    % {"days": self.minimum_days, "source": self.legal_source or "R-1, R-3"}
                }
            )
        expected = ACTIONS.get(self.record_type)
        if expected and self.action != expected:
            raise ValidationError(
                {
                    "action": _("These records can only be handled by: %(action)s.")
                    % {"action": RetentionAction(expected).label}
                }
            )


class RetentionRun(models.Model):
    """One run of the retention job: what it did to each record type."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run (counted only)"), default=False)
    trigger = models.CharField(_("started by"), max_length=30)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    # {record_type: {"action", "keep_days", "cutoff", "count", "error"?}}
    results = models.JSONField(_("results"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{timezone.localtime(self.started_at):%Y-%m-%d %H:%M} {self.get_status_display()}"


class CustomerErasure(models.Model):
    """A cancelled customer's personal data erased (PIPL Art. 47): who, when, why, what."""

    customer = models.ForeignKey(
        "intake.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="erasures",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"))
    # {"contacts": n, "tickets": n, "complaints_anonymised": n, "complaints_kept": n}
    counts = models.JSONField(_("what was erased"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("customer erasure")
        verbose_name_plural = _("customer erasures")
        permissions = [
            ("erase_customer", _("Can erase a cancelled customer's personal data")),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class ServiceTarget(models.Model):
    """One target the dashboard and the reports measure against, with its source.

    Read through `csc.targets`; a change here shows on the next refresh.
    """

    measure = models.CharField(_("measure"), max_length=30, choices=TargetMeasure.choices)
    queue = models.CharField(
        _("queue"), max_length=10, choices=TargetQueue.choices, blank=True, default=""
    )
    target_percent = models.DecimalField(
        _("target (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # Service level only: answered within this many seconds counts as in target…
    answer_seconds = models.PositiveSmallIntegerField(
        _("answered within (seconds)"), null=True, blank=True
    )
    # …and calls abandoned sooner than this are left out of the offered calls (K-13).
    short_abandon_seconds = models.PositiveSmallIntegerField(
        _("abandons shorter than this are left out (seconds)"), null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "queue"]
        verbose_name = _("service target")
        verbose_name_plural = _("service targets")
        constraints = [
            models.UniqueConstraint(fields=["measure", "queue"], name="one_target_per_queue"),
        ]
        permissions = [
            ("view_shift_dashboard", _("Can view the shift dashboard")),
            ("view_centre_figures", _("Can view every team's figures")),
            ("manage_wallboards", _("Can create and revoke wallboards")),
        ]

    def __str__(self) -> str:
        queue = f" ({self.get_queue_display()})" if self.queue else ""
        return f"{self.get_measure_display()}{queue}: {self.target_percent}%"

    def clean(self) -> None:
        if self.measure == TargetMeasure.SERVICE_LEVEL and not self.answer_seconds:
            raise ValidationError(
                {"answer_seconds": _("A service-level target needs its answer time.")}
            )

    @property
    def ratio(self) -> float:
        return float(self.target_percent) / 100


def _wallboard_token() -> str:
    return secrets.token_urlsafe(24)


class Wallboard(models.Model):
    """A TV on the floor showing the shift's figures through a secret URL, no sign-in.

    It shows counts only, never a person's or a customer's name; revoking it makes
    the URL answer 404 on the next refresh.
    """

    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(_("secret"), max_length=64, unique=True, default=_wallboard_token)
    team = models.ForeignKey(
        "staffing.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty: the whole centre."),
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("wallboard")
        verbose_name_plural = _("wallboards")

    def __str__(self) -> str:
        return self.name


class Report(models.Model):
    """One report of one period, stored as generated (DOMAIN.md S-37 to S-46).

    Its sections keep keys and figures, never rendered sentences, so it reads in
    the reader's language. Generating it again replaces the figures and, when they
    differ, records when: the history keeps the earlier ones.
    """

    kind = models.CharField(_("report"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until (exclusive)"))
    team = models.ForeignKey(
        "staffing.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the whole centre."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.GENERATING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the schedule."),
    )
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    # [{"key", "columns": [[key, kind], ...], "rows": [[...], ...], "chart"?: {...}}]
    sections = models.JSONField(_("sections"), default=list, blank=True)
    fingerprint = models.CharField(_("figures' fingerprint"), max_length=64, blank=True)
    figures_changed_at = models.DateTimeField(
        _("figures changed on regeneration at"), null=True, blank=True
    )
    error = models.TextField(_("error"), blank=True)
    analysis = models.TextField(_("qualitative analysis"), blank=True)
    # The quarterly and annual evaluation report's five parts, in place of
    # the monthly report's one analysis.
    background = models.TextField(_("background"), blank=True)
    method = models.TextField(_("method"), blank=True)
    results = models.TextField(_("results"), blank=True)
    improvements = models.TextField(_("improvement suggestions"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["progress"])

    class Meta:
        ordering = ["-period_start", "kind"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "team"],
                name="one_report_per_team_period",
                condition=models.Q(team__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["kind", "period_start"],
                name="one_centre_report_per_period",
                condition=models.Q(team__isnull=True),
            ),
        ]
        permissions = [
            ("view_reports", _("Can read the centre's reports")),
            ("generate_report", _("Can generate a report")),
            ("submit_report", _("Can write and submit a report's analysis")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}"

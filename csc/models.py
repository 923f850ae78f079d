"""Retention policies, the job's reports and customer erasures (DOMAIN.md R-1, R-3).

They live in csc because the job and the erasure reach every app: only the top
of the layering may import them all (docs/architecture.md).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from csc.choices import ACTIONS, MINIMUM_DAYS, RecordType, RetentionAction, RunStatus


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

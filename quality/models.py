"""Quality assurance (质检): scorecards as versioned data, the monthly sample, evaluations
and their scorings (DOMAIN.md §7 Q-1, Q-2, P-10, K-8; issue 17)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from quality.choices import EvaluationState, SampleReason, ScorecardScope


class QualitySettings(models.Model):
    """The centre's sampling and dispute rules, one row, edited in the admin (K-8)."""

    min_per_agent = models.PositiveSmallIntegerField(
        _("minimum evaluations per agent a month"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("DOMAIN.md K-8: at least 5 monitored contacts per agent a month."),
    )
    max_per_agent = models.PositiveSmallIntegerField(
        _("maximum evaluations per agent a month"), default=10, validators=[MinValueValidator(1)]
    )
    low_scorer_per_agent = models.PositiveSmallIntegerField(
        _("evaluations a month for agents below the pass mark"),
        default=8,
        help_text=_("Agents whose last month's average fell below the pass mark get this many."),
    )
    complaint_weight = models.DecimalField(
        _("complaint oversampling factor"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("3.0"),
        validators=[MinValueValidator(Decimal("1.0"))],
        help_text=_("A contact that led to a complaint is this many times likelier to be drawn."),
    )
    dissatisfied_share = models.PositiveSmallIntegerField(
        _("share of dissatisfied customers' contacts (%)"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "This share of each agent's sample is drawn first from contacts whose customer "
            "answered the satisfaction survey dissatisfied (1 or 2 of 5), when there are "
            "that many; 0 turns it off."
        ),
    )
    pass_mark = models.DecimalField(
        _("pass mark"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    exclude_own_team = models.BooleanField(
        _("never give an inspector their own team's agents"), default=True
    )
    dispute_working_days = models.PositiveSmallIntegerField(
        _("acknowledge or dispute within (working days)"),
        default=3,
        validators=[MinValueValidator(1)],
    )
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        verbose_name=_("business calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The dispute window counts its working days; empty: the first working-time calendar."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quality settings")
        verbose_name_plural = _("quality settings")

    def __str__(self) -> str:
        return str(_("Quality settings"))


class Scorecard(models.Model):
    """What is scored; its lines live on versions so old evaluations keep theirs."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    scope = models.CharField(
        _("channel"),
        max_length=20,
        choices=ScorecardScope.choices,
        blank=True,
        help_text=_("Empty: every channel."),
    )
    ticket_kind = models.CharField(
        _("ticket kind"),
        max_length=20,
        choices=[
            ("inquiry", _("Inquiry")),
            ("business", _("Business handling")),
            ("complaint", _("Complaint")),
        ],
        blank=True,
        help_text=_("Empty: every kind."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return self.name


class ScorecardVersion(models.Model):
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["scorecard", "-number"]
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "number"], name="scorecard_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scorecard} v{self.number}"


class ScorecardLine(models.Model):
    version = models.ForeignKey(
        ScorecardVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
    )
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"), default=10, validators=[MinValueValidator(1)]
    )
    is_critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("Marked failed, it fails the whole evaluation (score 0)."),
    )

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="scorecard_line_position")
        ]

    def __str__(self) -> str:
        return self.name


class Sample(models.Model):
    """A contact drawn for an agent's month (issue 17 item 3)."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="qa_samples",
    )
    contact = models.ForeignKey(
        "intake.Contact", verbose_name=_("contact"), on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.ForeignKey(
        "worktickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=20)
    ticket_kind = models.CharField(_("ticket kind"), max_length=20, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=SampleReason.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="qa_assigned_samples",
    )
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        constraints = [
            models.UniqueConstraint(fields=["month", "contact"], name="sample_contact_once_a_month")
        ]
        indexes = [
            models.Index(fields=["inspector", "due_on"], name="sample_inspector_due"),
            models.Index(fields=["month", "agent"], name="sample_month_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.contact_id}"


class SamplingShortfall(models.Model):
    """An agent the month's sample could not reach the target for, and why."""

    month = models.DateField(_("month"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    target = models.PositiveSmallIntegerField(_("target"))
    found = models.PositiveSmallIntegerField(_("sampled"))
    reason = models.CharField(_("reason"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["month", "agent"]
        verbose_name = _("sampling shortfall")
        verbose_name_plural = _("sampling shortfalls")
        constraints = [
            models.UniqueConstraint(fields=["month", "agent"], name="shortfall_month_agent")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agent_id}"


class Evaluation(models.Model):
    """An inspector's review of one sampled contact, through acknowledgement or dispute."""

    sample = models.OneToOneField(
        Sample, verbose_name=_("sample"), on_delete=models.PROTECT, related_name="evaluation"
    )
    scorecard_version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("scorecard version"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="qa_evaluations",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="qa_evaluations_made",
    )
    month = models.DateField(_("month"))
    state = models.CharField(
        _("state"), max_length=20, choices=EvaluationState.choices, default=EvaluationState.DRAFT
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True)
    critical_failed = models.BooleanField(_("critical failure"), default=False)
    overall_comment = models.TextField(_("overall comment"), blank=True)
    coaching_note = models.TextField(_("coaching note"), blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    respond_by = models.DateTimeField(
        _("acknowledge or dispute by"),
        null=True,
        blank=True,
        help_text=_("The end of the agent's window on the business calendar."),
    )
    dispute_reason = models.TextField(_("dispute reason"), blank=True)
    disputed_at = models.DateTimeField(_("disputed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispute decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        permissions = [
            ("evaluate", _("Can evaluate sampled contacts")),
            ("manage_quality", _("Can manage scorecards, sampling and disputes (QA lead)")),
            ("view_all_evaluations", _("Can see every agent's evaluations")),
        ]
        indexes = [
            models.Index(fields=["agent", "-month"], name="evaluation_agent_month"),
            models.Index(fields=["inspector", "state"], name="evaluation_inspector_state"),
            # The worklist's "done": an inspector's latest submitted evaluations.
            # (No NULLS LAST: SQLite's indexes take none, and the worklist reads
            # submitted evaluations only.)
            models.Index(
                fields=["inspector", "-submitted_at", "-id"], name="evaluation_inspector_done"
            ),
            models.Index(fields=["state", "closes_at"], name="evaluation_closing"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.month:%Y-%m}"


class Scoring(models.Model):
    """One scored version of an evaluation: the inspector's, then any revision."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="scorings"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    critical_failed = models.BooleanField(_("critical failure"), default=False)
    note = models.TextField(_("note"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scored by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scored_at = models.DateTimeField(_("scored at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["evaluation", "number"]
        verbose_name = _("scoring")
        verbose_name_plural = _("scorings")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "number"], name="scoring_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} v{self.number}"


class LineScore(models.Model):
    scoring = models.ForeignKey(
        Scoring, verbose_name=_("scoring"), on_delete=models.CASCADE, related_name="line_scores"
    )
    line = models.ForeignKey(
        ScorecardLine, verbose_name=_("line"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.PositiveSmallIntegerField(_("points"))
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scoring", "line__position"]
        verbose_name = _("line score")
        verbose_name_plural = _("line scores")
        constraints = [models.UniqueConstraint(fields=["scoring", "line"], name="line_score_once")]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.points}"


class CheckRule(models.Model):
    """An automatic check run on every transcript (issue 17 item 10): data, edited in
    the admin by the QA lead, never code."""

    class Kind(models.TextChoices):
        REQUIRED = "required", _("Required phrase (a hit when none is said)")
        FORBIDDEN = "forbidden", _("Forbidden word (whole words, by word segmentation)")
        PATTERN = "pattern", _("Pattern (regular expression)")
        SILENCE = "silence", _("Silence or hold longer than the threshold")

    class Speaker(models.TextChoices):
        AGENT = "agent", _("The agent's words")
        ANY = "any", _("Anyone's words")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    phrases = models.TextField(
        _("phrases or pattern"),
        blank=True,
        help_text=_("One phrase or word a line; for a pattern, one regular expression."),
    )
    threshold_seconds = models.PositiveIntegerField(
        _("threshold (seconds)"), null=True, blank=True, help_text=_("For silences and holds.")
    )
    speaker = models.CharField(
        _("whose words"), max_length=10, choices=Speaker.choices, default=Speaker.AGENT
    )
    is_critical = models.BooleanField(
        _("critical-line candidate"),
        default=False,
        help_text=_("A hit suggests the scorecard's critical line (customer data, abuse)."),
    )
    sampling_weight = models.DecimalField(
        _("sampling weight per hit"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(0)],
        help_text=_("A contact with hits is this much likelier (per rule hit) to be sampled."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("automatic check rule")
        verbose_name_plural = _("automatic check rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from quality.checks import compile_rule

        try:
            compile_rule(self)
        except ValueError as error:
            raise ValidationError({"phrases": str(error)}) from None


class ContactCheck(models.Model):
    """A contact's transcript as checked: which version (digest) and when."""

    contact = models.OneToOneField(
        "intake.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    month = models.DateField(_("month"))
    digest = models.CharField(max_length=32)
    checked_at = models.DateTimeField(_("checked at"))
    hit_count = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("transcript check")
        verbose_name_plural = _("transcript checks")
        indexes = [models.Index(fields=["month", "agent"], name="contact_check_month_agent")]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.hit_count}"


class CheckHit(models.Model):
    check_row = models.ForeignKey(
        ContactCheck, verbose_name=_("check"), on_delete=models.CASCADE, related_name="hits"
    )
    rule = models.ForeignKey(
        CheckRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="hits"
    )
    line = models.PositiveIntegerField(_("line"), help_text=_("0: the transcript as a whole."))
    start = models.PositiveIntegerField(_("from character"), default=0)
    end = models.PositiveIntegerField(_("to character"), default=0)
    excerpt = models.CharField(_("excerpt"), max_length=200, blank=True)

    class Meta:
        ordering = ["check_row", "line", "start"]
        verbose_name = _("check hit")
        verbose_name_plural = _("check hits")

    def __str__(self) -> str:
        return f"{self.rule_id}@{self.line}"


class CalibrationSession(models.Model):
    """A QA lead has several inspectors score one contact blind, so they learn to score
    alike (issue 17 item 6)."""

    title = models.CharField(_("title"), max_length=200)
    contact = models.ForeignKey(
        "intake.Contact", verbose_name=_("contact"), on_delete=models.PROTECT, related_name="+"
    )
    scorecard_version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("scorecard version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[inspectors])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")

    def __str__(self) -> str:
        return self.title


class CalibrationEntry(models.Model):
    """One inspector's blind scoring in a calibration session."""

    session = models.ForeignKey(
        CalibrationSession,
        verbose_name=pgettext_lazy("calibration", "session"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    critical_failed = models.BooleanField(_("critical failure"), default=False)
    points = models.JSONField(_("points by line"), default=dict)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "inspector"]
        verbose_name = _("calibration scoring")
        verbose_name_plural = _("calibration scorings")
        constraints = [
            models.UniqueConstraint(fields=["session", "inspector"], name="calibration_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.inspector_id}"


class CoachingTask(models.Model):
    """What an agent is to work on after an evaluation (issue 17 item 7; Q-1.5)."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT, related_name="coaching"
    )
    what = models.TextField(_("what to work on"))
    due_on = models.DateField(_("due on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["done_at", "due_on", "pk"]
        verbose_name = _("coaching task")
        verbose_name_plural = _("coaching tasks")
        indexes = [models.Index(fields=["agent", "due_on"], name="coaching_agent_due")]

    def __str__(self) -> str:
        return self.what[:50]


class TrainingPlan(models.Model):
    """A month's training for a team or the whole centre, linked to the evaluations that
    prompted it (issue 17 item 7; Q-1.5)."""

    month = models.DateField(_("month"))
    team = models.ForeignKey(
        "staffing.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the whole centre."),
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(pgettext_lazy("training plan", "content"))
    evaluations = models.ManyToManyField(
        Evaluation, verbose_name=_("prompted by"), blank=True, related_name="training_plans"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[evaluations])

    class Meta:
        ordering = ["-month", "-pk"]
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")

    def __str__(self) -> str:
        return self.title

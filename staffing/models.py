import datetime
import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from csc.lib.phrases import phrase_text


class User(AbstractUser):
    """A person or a service account that signs in; roles are its groups."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        # Chinese names put the family name first, with no space (张伟, not 伟 张).
        first, last = self.first_name.strip(), self.last_name.strip()
        if _is_cjk(first) or _is_cjk(last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


def _new_feed_token() -> str:
    return secrets.token_urlsafe(32)


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


class Team(models.Model):
    class Kind(models.TextChoices):
        HOTLINE = "hotline", _("Hotline")
        ONLINE = "online", _("Online service")
        WALK_IN = "walk_in", _("Walk-in hall")
        COMPLAINTS = "complaints", _("Complaints")
        TECH_SUPPORT = "tech_support", _("Tech support")
        MARKET_LEGAL = "market_legal", _("Market & legal compliance")
        QA = "qa", _("Quality assurance")
        MANAGEMENT = "management", _("Management")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A list of channel codes; JSON rather than an array so the embedded SQLite setup
    # (`make run`) keeps the same schema as PostgreSQL.
    channels = models.JSONField(
        _("channels"),
        default=list,
        blank=True,
        help_text=_("The channels the team answers (hotline, online_chat, …)."),
    )
    # The hours the team's channels are open (an `sla` business calendar, named by
    # string: sla sits above staffing). Empty: open 7×24, as the hotline is (ST-20).
    service_calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        verbose_name=_("service hours"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: open around the clock (7×24)."),
    )
    # New tickets left to the team go straight to an agent on shift (DOMAIN.md I-16,
    # worktickets.assignment); off, they wait in the team's queue for someone to take.
    auto_assign = models.BooleanField(
        _("auto-assignment"),
        default=False,
        help_text=_(
            "New tickets for the team go to an agent on shift with the skill they need "
            "and the lightest load; off, they wait in the team's queue."
        ),
    )
    assignment_cap = models.PositiveSmallIntegerField(
        _("open tickets per agent"),
        default=8,
        validators=[MinValueValidator(1)],
        help_text=_("Auto-assignment gives no agent more open tickets than this."),
    )
    history = HistoricalRecords()
    _history_user: "User | None"

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """What an agent can take: a channel, a business line or a language."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """The staff profile of a user who works in the centre."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        BUSY = "busy", _("On a contact")
        AFTER_CONTACT_WORK = "after_contact_work", _("After-contact work")
        BREAK = "break", _("On break")
        OFFLINE = "offline", _("Offline")

    class JobType(models.TextChoices):
        AGENT = "agent", _("Agent")
        VIP_SEAT = "vip_seat", _("VIP seat")
        TEAM_LEAD = "team_lead", _("Team lead")
        SPECIALIST = "specialist", _("Specialist")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="agent",
    )
    employee_number = models.CharField(_("employee number"), max_length=20, unique=True)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="agents"
    )
    skills = models.ManyToManyField(
        Skill, verbose_name=_("skills"), blank=True, related_name="agents"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OFFLINE
    )
    # Swaps are only between the same job type and skill level (DOMAIN.md ST-44).
    job_type = models.CharField(
        _("job type"), max_length=20, choices=JobType.choices, default=JobType.AGENT
    )
    skill_level = models.PositiveSmallIntegerField(_("skill level"), default=1)
    history = HistoricalRecords(m2m_fields=[skills])
    # simple-history names it on the history row the next save writes.
    _history_user: "User | None"

    class Meta:
        ordering = ["employee_number"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.employee_number})"


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(models.Model):
    """An integration (CTI, chat, billing, regulator portal) calling the API.

    Only the SHA-256 of its key is stored; the key is shown once when created.
    Scopes are `<resource>:read` / `<resource>:write`.
    """

    KEY_PREFIX_LENGTH = 8

    name = models.CharField(_("name"), max_length=100, unique=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service user"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    key_prefix = models.CharField(_("key prefix"), max_length=KEY_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate = models.CharField(
        _("rate limit"),
        max_length=20,
        blank=True,
        help_text=_("Requests per period, e.g. 600/min; empty for the default."),
    )
    default_team = models.ForeignKey(
        Team,
        verbose_name=_("default team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The team of a ticket the client creates without naming one."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("key expires at"),
        null=True,
        blank=True,
        help_text=_("After this moment the key is refused; empty for a key that does not expire."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name

    def set_new_key(self) -> str:
        key = secrets.token_urlsafe(32)
        self.key_prefix = key[: self.KEY_PREFIX_LENGTH]
        self.key_hash = hash_api_key(key)
        return key

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def has_expired(self, at) -> bool:
        return self.expires_at is not None and self.expires_at <= at

    @property
    def expiry_moment(self) -> str:
        """When the key expires, in the centre's time zone, as messages show it."""
        if self.expires_at is None:
            return ""
        return timezone.localtime(self.expires_at).strftime("%Y-%m-%d %H:%M")


class Notification(models.Model):
    """An in-app message to one person, shown with an unread count in the top bar.

    `dedupe_key` makes a notification that must happen once (an SLA warning, an
    escalation step) idempotent: the same key for the same person is one row.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # The title's and body's message keys and parameters (csc.lib.phrases), so each
    # reader reads them in their own language; title and body keep the text as
    # written, which rows from before keys existed show.
    message = models.JSONField(_("message"), default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title_text(self) -> str:
        """The title in the reader's (active) language."""
        return phrase_text(self.message.get("title"), self.title)

    @property
    def body_text(self) -> str:
        """The body in the reader's (active) language."""
        return phrase_text(self.message.get("body"), self.body)


class OutboxMessage(models.Model):
    """A message leaving the system (email, SMS, letter, webhook).

    Written in the same transaction as the change that causes it and delivered
    by a Celery task after commit, or by the periodic flush when the broker was
    unreachable, so nothing is lost while Redis is down (DESIGN.md §2.3).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        LETTER = "letter", _("Letter")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=300)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="outbox_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"


class IdempotentRequest(models.Model):
    """A create request sent with an Idempotency-Key: a keyed hash of its body and
    the object it created (staffing/api_idempotency.py).

    A replay with the same key and body gets the create's answer for that object,
    rendered afresh; the same key with another body is refused (DESIGN.md §3). No
    body is stored, so no personal data is either.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    object_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "endpoint", "key"], name="idempotency_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"


class WebhookEvent(models.TextChoices):
    """What an API client can be told of by webhook (DESIGN.md §3)."""

    PING = "ping", _("Ping (a test delivery)")
    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_STATUS_CHANGED = "ticket.status_changed", _("Ticket status changed")
    SLA_AT_RISK = "sla.at_risk", _("SLA deadline at risk")
    SLA_BREACHED = "sla.breached", _("SLA deadline breached")
    COMPLAINT_ESCALATED = "complaint.escalated", _("Complaint escalated")
    COMPLAINT_FEEDBACK_GIVEN = "complaint.feedback_given", _("Complaint result given")


# Ping is sent on request to one subscription, never subscribed to.
SUBSCRIBABLE_EVENT_CHOICES = [(v, label) for v, label in WebhookEvent.choices if v != "ping"]
SUBSCRIBABLE_EVENTS: tuple[str, ...] = tuple(v for v, _label in SUBSCRIBABLE_EVENT_CHOICES)


class WebhookSubscription(models.Model):
    """An API client's request to be told of events by a signed HTTP POST.

    The secret signs every delivery; it is stored because signing needs it,
    shown once when the subscription is created and never again.
    """

    api_client = models.ForeignKey(
        ApiClient,
        verbose_name=_("API client"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.api_client} → {self.url}"

    def set_new_secret(self) -> str:
        self.secret = f"whsec_{secrets.token_urlsafe(32)}"
        return self.secret


class WebhookDelivery(models.Model):
    """One event for one subscription.

    Its outbox message carries the delivery state (pending, sent, failed),
    the attempt count and the next retry: the outbox claims, retries and
    flushes webhooks as it does every other message. This row adds what the
    receiver and the integrator see: the delivery id, the event and the last
    response.
    """

    uuid = models.UUIDField(_("delivery id"), unique=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    message = models.OneToOneField(
        OutboxMessage,
        verbose_name=_("outbox message"),
        on_delete=models.CASCADE,
        related_name="webhook_delivery",
    )
    event = models.CharField(_("event"), max_length=50, choices=WebhookEvent.choices)
    # The occurrence: the same for every subscription told of it.
    event_id = models.UUIDField(_("event id"))
    response_code = models.PositiveSmallIntegerField(_("last response code"), null=True)
    response_excerpt = models.TextField(_("last response (start)"), blank=True)
    duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["subscription", "-id"], name="webhook_delivery_recent")]

    def __str__(self) -> str:
        return f"{self.event} {self.uuid}"


class WebhookAttempt(models.Model):
    """One HTTP POST of a delivery, kept as the delivery log."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=_("delivery"),
        on_delete=models.CASCADE,
        related_name="attempts",
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    url = models.URLField(_("URL"), max_length=500)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True)
    response_excerpt = models.TextField(_("response (start)"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once")
        ]

    def __str__(self) -> str:
        return f"{self.delivery} #{self.number}"


# --- shifts, rosters, leave, swaps, handover (DOMAIN.md §8, P-11, P-12) -------------------


class ShiftPattern(models.Model):
    """A set of shift templates the centre works by (template A, template B: ST-13, ST-14)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where the rule comes from.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("shift pattern")
        verbose_name_plural = _("shift patterns")

    def __str__(self) -> str:
        return self.name


class ShiftTemplate(models.Model):
    """One shift of a pattern: when it starts and ends (past midnight when the end is
    not after the start), its break, the channel it serves and its minimum headcount (K-7)."""

    class Kind(models.TextChoices):
        DAY = "day", _("Day shift")
        NIGHT = "night", _("Night shift")

    pattern = models.ForeignKey(
        ShiftPattern,
        verbose_name=_("shift pattern"),
        on_delete=models.CASCADE,
        related_name="templates",
    )
    code = models.SlugField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    starts = models.TimeField(_("starts at"))
    ends = models.TimeField(
        _("ends at"), help_text=_("Not after the start: the shift ends the next day.")
    )
    weekdays = models.CharField(
        _("weekdays"),
        max_length=7,
        default="1234567",
        help_text=_("ISO weekday digits the shift is worked on, 1 = Monday … 7 = Sunday."),
    )
    break_minutes = models.PositiveSmallIntegerField(_("break (minutes)"), default=0)
    channel = models.CharField(
        _("channel"), max_length=20, blank=True, help_text=_("The channel the shift serves.")
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shift_templates",
        help_text=_("Empty: any team may use it."),
    )
    min_headcount = models.PositiveSmallIntegerField(_("minimum headcount"), default=1)
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pattern", "starts"]
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")
        constraints = [
            models.UniqueConstraint(fields=["pattern", "code"], name="shift_template_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.starts:%H:%M}–{self.ends:%H:%M}"

    @property
    def crosses_midnight(self) -> bool:
        return self.ends <= self.starts

    def window(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        """When the shift worked on `day` starts and ends, in the centre's time zone."""
        tz = timezone.get_default_timezone()
        start = datetime.datetime.combine(day, self.starts, tzinfo=tz)
        end = datetime.datetime.combine(day, self.ends, tzinfo=tz)
        if end <= start:
            end += datetime.timedelta(days=1)
        return start, end

    def works_on(self, day: datetime.date) -> bool:
        return str(day.isoweekday()) in self.weekdays


class Roster(models.Model):
    """Who works which shift on which day, for one team and one month."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="rosters"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    pattern = models.ForeignKey(
        ShiftPattern, verbose_name=_("shift pattern"), on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()
    _history_user: "User | None"

    class Meta:
        ordering = ["-month", "team"]
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")
        permissions = [("publish_roster", _("Publish and change rosters"))]
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="roster_per_team_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="roster_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%Y-%m}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class RosterEntry(models.Model):
    """One agent on one shift on one day."""

    roster = models.ForeignKey(
        Roster, verbose_name=_("roster"), on_delete=models.CASCADE, related_name="entries"
    )
    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="shifts"
    )
    day = models.DateField(_("day"))
    template = models.ForeignKey(
        ShiftTemplate, verbose_name=_("shift"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    swapped = models.BooleanField(
        _("swapped"), default=False, help_text=_("Taken over through an approved swap.")
    )
    attendance_checked_at = models.DateTimeField(
        _("attendance checked at"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords()
    _history_user: "User | None"
    _change_reason: str

    class Meta:
        ordering = ["starts_at", "agent"]
        verbose_name = _("rostered shift")
        verbose_name_plural = _("rostered shifts")
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "agent", "day", "template"], name="roster_entry_once"
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "starts_at"], name="roster_entry_agent_time"),
            models.Index(fields=["starts_at", "ends_at"], name="roster_entry_time"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.day} {self.template.name}"


class RosterChange(models.Model):
    """A change to a published roster: who made it and why."""

    class Action(models.TextChoices):
        ADDED = "added", _("Added")
        REMOVED = "removed", _("Removed")
        SWAPPED = "swapped", _("Swapped")

    roster = models.ForeignKey(
        Roster, verbose_name=_("roster"), on_delete=models.CASCADE, related_name="changes"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    description = models.CharField(_("change"), max_length=300)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("roster change")
        verbose_name_plural = _("roster changes")

    def __str__(self) -> str:
        return self.description


class RosterProposal(models.Model):
    """A proposed roster the solver computes in the background for a draft
    (staffing.proposal): its progress while it runs, then how good it is."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being computed")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Basis(models.TextChoices):
        REQUIREMENT = "requirement", _("Forecast requirement (Erlang C)")
        MINIMUM = "minimum", _("Minimum headcount of the shifts")

    roster = models.ForeignKey(
        Roster, verbose_name=_("roster"), on_delete=models.CASCADE, related_name="proposals"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    time_limit_seconds = models.PositiveIntegerField(_("solver time limit (s)"))
    basis = models.CharField(_("covers"), max_length=12, choices=Basis.choices, blank=True)
    solver_status = models.CharField(_("solver result"), max_length=20, blank=True)
    solve_seconds = models.FloatField(_("solver time (s)"), null=True, blank=True)
    intervals = models.PositiveIntegerField(_("open intervals"), default=0)
    under_staffed_intervals = models.PositiveIntegerField(_("under-staffed intervals"), default=0)
    shifts_below_minimum = models.PositiveIntegerField(_("shifts below minimum"), default=0)
    shifts = models.PositiveIntegerField(_("shifts proposed"), default=0)
    # [{"agent": id, "name": str, "shifts": n, "nights": n, "holidays": n}, …]
    per_agent = models.JSONField(_("per agent"), default=list, blank=True)
    failure = models.CharField(
        _("failure"),
        max_length=30,
        blank=True,
        help_text=_("Why no roster was written: a code the page explains."),
    )
    # The progress changes about once a second while the solver runs: no history.
    history = HistoricalRecords(excluded_fields=["progress"])

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("roster proposal")
        verbose_name_plural = _("roster proposals")

    def __str__(self) -> str:
        return f"{self.roster} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class CalendarFeed(models.Model):
    """The secret address of an agent's iCalendar feed; a new token revokes the old one."""

    agent = models.OneToOneField(
        Agent, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.agent)


class LeaveRequest(models.Model):
    """A request for leave (DOMAIN.md ST-32 to ST-40, P-12), decided level by level."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary personal leave")
        SPECIAL = "special", _("Special personal leave")
        SICK = "sick", _("Sick leave")
        HOLIDAY = "holiday", _("Public-holiday leave")
        OFFICIAL = "official", _("Official business")

    class Status(models.TextChoices):
        AWAITING_MANAGER = "awaiting_manager", _("Awaiting the CS manager")
        AWAITING_DIRECTOR = "awaiting_director", _("Awaiting the centre director")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="leave_requests"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_MANAGER
    )
    is_late = models.BooleanField(
        _("late"), default=False, help_text=_("Asked after the advance-notice deadline.")
    )
    late_rule = models.CharField(_("rule missed"), max_length=300, blank=True)
    needs_director = models.BooleanField(_("needs the centre director"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    manager_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("CS manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    manager_decided_at = models.DateTimeField(_("CS manager decided at"), null=True, blank=True)
    director_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("centre director"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    director_decided_at = models.DateTimeField(
        _("centre director decided at"), null=True, blank=True
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    certificate_due_on = models.DateField(_("medical certificate due on"), null=True, blank=True)
    certificate_received_at = models.DateTimeField(
        _("medical certificate received at"), null=True, blank=True
    )
    history = HistoricalRecords()
    _history_user: "User | None"

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        permissions = [
            ("decide_leave_as_manager", _("Decide leave requests as the CS manager")),
            ("decide_leave_as_director", _("Decide leave requests as the centre director")),
        ]
        indexes = [models.Index(fields=["agent", "starts_at"], name="leave_agent_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="leave_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.get_kind_display()} {self.starts_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.AWAITING_MANAGER, self.Status.AWAITING_DIRECTOR)


class SwapRequest(models.Model):
    """Two agents exchange shifts (DOMAIN.md ST-41 to ST-49): the colleague accepts,
    then both team leads approve."""

    class Status(models.TextChoices):
        AWAITING_COLLEAGUE = "awaiting_colleague", _("Awaiting the colleague")
        AWAITING_LEADS = "awaiting_leads", _("Awaiting the team leads")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined by the colleague")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    requester = models.ForeignKey(
        Agent, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requester_shift = models.ForeignKey(
        RosterEntry,
        verbose_name=_("shift given away"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    colleague = models.ForeignKey(
        Agent, verbose_name=_("colleague"), on_delete=models.PROTECT, related_name="+"
    )
    colleague_shift = models.ForeignKey(
        RosterEntry,
        verbose_name=_("pay-back shift"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_COLLEAGUE
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    requester_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester's team lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    colleague_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("colleague's team lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal = models.CharField(_("refused because"), max_length=300, blank=True)
    history = HistoricalRecords()
    _history_user: "User | None"

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("shift swap")
        verbose_name_plural = _("shift swaps")
        permissions = [("approve_swap", _("Approve shift swaps for their team"))]

    def __str__(self) -> str:
        return f"{self.requester} ⇄ {self.colleague}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.AWAITING_COLLEAGUE, self.Status.AWAITING_LEADS)


class Handover(models.Model):
    """The outgoing lead's handover to the next shift (DOMAIN.md ST-24 to ST-26)."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="handovers"
    )
    shift_ends_at = models.DateTimeField(_("shift ends at"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("outgoing lead"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    equipment_status = models.TextField(_("equipment status"), blank=True)
    difficult_issues = models.TextField(_("difficult issues"), blank=True)
    staff_changes = models.TextField(_("staff changes"), blank=True)
    notices = models.TextField(_("notices"), blank=True)
    # What the system listed by itself when the handover was written, kept as written.
    open_work = models.JSONField(_("open work"), default=list, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("incoming lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    history = HistoricalRecords()
    _history_user: "User | None"

    class Meta:
        ordering = ["-written_at", "-id"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.team} {self.shift_ends_at:%Y-%m-%d %H:%M}"


class DutyLogEntry(models.Model):
    """One duty event in the customer-service log (客服日志, ST-22, ST-23)."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        COMPLAINT = "complaint", _("Complaint handling")
        TRAINING = "training", _("Training and learning")
        EQUIPMENT = "equipment", _("Equipment and systems")
        OTHER = "other", _("Other")

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="duty_log"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("what happened"))
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log entries")
        indexes = [models.Index(fields=["team", "-occurred_at"], name="duty_log_team_time")]

    def __str__(self) -> str:
        return f"{self.team} {self.occurred_at:%Y-%m-%d %H:%M}"


class AttendanceException(models.Model):
    """Presence against the roster (DOMAIN.md S-49 to S-51, ST-39): late or away by
    20 minutes or more, or absent, found after the shift for the lead to confirm or
    excuse."""

    class Kind(models.TextChoices):
        LATE = "late", _("Late")
        AWAY = "away", _("Away from the post")
        ABSENT = "absent", _("Absent")

    class Status(models.TextChoices):
        OPEN = "open", _("To be confirmed")
        CONFIRMED = "confirmed", _("Confirmed")
        EXCUSED = "excused", _("Excused")

    shift = models.ForeignKey(
        RosterEntry,
        verbose_name=_("shift"),
        on_delete=models.CASCADE,
        related_name="attendance_exceptions",
    )
    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    since = models.DateTimeField(_("from"))
    minutes = models.PositiveIntegerField(_("minutes"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()
    _history_user: "User | None"

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("attendance exception")
        verbose_name_plural = _("attendance exceptions")
        permissions = [("decide_attendance", _("Confirm or excuse attendance exceptions"))]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "kind", "since"], name="attendance_exception_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.get_kind_display()} {self.minutes}"

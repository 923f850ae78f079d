import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
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

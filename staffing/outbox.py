"""In-app notifications and the outbox for messages that leave the system.

`notify` writes an in-app notification in the caller's transaction.
`outbox_enqueue` writes an OutboxMessage in the caller's transaction and asks
Celery to deliver it after commit; if the broker is unreachable the request
still succeeds and the periodic `outbox_flush` delivers it later. Delivery
claims the row with a lock, so a message is sent once even when the
after-commit task and the flush race.

One transaction sends at most one Celery message, whatever number of outbox
rows it wrote. When the broker is unreachable the send fails at once (no
connection retries inside a request) and this process stops trying for
BROKER_RETRY_AFTER_SECONDS: the periodic flush delivers meanwhile.
"""

import logging
import random
import time
from datetime import timedelta
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from csc.lib.phrases import Phrase, stored_phrase
from staffing.models import Notification, OutboxMessage, User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8

# A notification's text: as written, or a Phrase read in each reader's language.
Text = str | Phrase


class Undeliverable(Exception):
    """Raised by a sender when retrying cannot help (the webhook subscription is gone)."""


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff (1, 2, 4 ... minutes) with up to 20 % jitter, so messages
    that failed together (a receiver was down) are not all retried at once."""
    minutes = 2 ** (attempts - 1)
    return timedelta(minutes=minutes * (1 + random.uniform(0, 0.2)))


def notify(
    recipient: User,
    *,
    kind: str,
    title: Text,
    body: Text = "",
    link: str = "",
    dedupe_key: str = "",
) -> Notification | None:
    """Tell one person something in the app; None if this key was already sent.
    A title or body given as a Phrase is read in the reader's language."""
    notification = notification_for(
        recipient, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key
    )
    if dedupe_key:
        try:
            with transaction.atomic():
                notification.save()
                return notification
        except IntegrityError:
            return None
    notification.save()
    return notification


def notification_for(
    recipient: User,
    *,
    kind: str,
    title: Text,
    body: Text = "",
    link: str = "",
    dedupe_key: str = "",
) -> Notification:
    """A notification not yet written, its texts kept as message keys and
    parameters where they are phrases (and as written, for old readers)."""
    message = {
        part: stored
        for part, stored in (("title", stored_phrase(title)), ("body", stored_phrase(body)))
        if stored is not None
    }
    return Notification(
        recipient=recipient,
        kind=kind,
        title=str(title)[:200],
        body=str(body),
        link=link,
        message=message,
        dedupe_key=dedupe_key,
    )


def notify_many(
    recipients,
    *,
    kind: str,
    title: Text,
    body: Text = "",
    link: str = "",
    dedupe_key: str = "",
) -> None:
    """Notify each distinct active recipient, in one statement whatever their
    number. With a key, anyone already told under it is skipped (`notify_all`)."""
    people = {}
    for user in recipients:
        if user is not None and user.is_active:
            people.setdefault(user.pk, user)
    notify_all(
        [
            notification_for(
                user, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key
            )
            for user in people.values()
        ]
    )


def notify_all(notifications: list[Notification]) -> None:
    """Write notifications built by the caller (each its own recipient, text and
    key) in one statement. One whose recipient was already told under its key (by
    an earlier call or a concurrent one) is skipped by the key's unique index, not
    read first (ON CONFLICT DO NOTHING): a repeated sweep tells nobody twice."""
    Notification.objects.bulk_create(
        notifications,
        ignore_conflicts=any(notification.dedupe_key for notification in notifications),
    )


def notifications_mark_read(user: User, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def outbox_enqueue(
    *,
    channel: str,
    recipient: str,
    subject: str = "",
    body: str = "",
    payload: dict | None = None,
    dedupe_key: str = "",
) -> OutboxMessage | None:
    """Queue a message for delivery after the current transaction commits.

    Returns None when a message with the same dedupe_key already exists.
    """
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                channel=channel,
                recipient=recipient,
                subject=subject,
                body=body,
                payload=payload or {},
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if not dedupe_key:
            raise
        return None
    _deliver_after_commit([message.pk])
    return message


def outbox_enqueue_many(messages: list[OutboxMessage]) -> int:
    """Queue many keyed messages in the caller's transaction, skipping keys already
    written (by an earlier call or a concurrent one), and deliver them after commit
    with one task; returns how many of these keys wait for delivery. A broker outage
    is covered by the periodic flush."""
    if not messages:
        return 0
    if any(not message.dedupe_key for message in messages):
        raise ValueError("outbox_enqueue_many() queues keyed messages only")
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
    # A message of these keys still pending may be asked for twice: delivery
    # claims it with a lock and sends it once.
    pending = list(
        OutboxMessage.objects.filter(
            dedupe_key__in=[message.dedupe_key for message in messages],
            status=OutboxMessage.Status.PENDING,
        ).values_list("pk", flat=True)
    )
    if pending:
        _deliver_after_commit(pending)
    return len(pending)


# Seconds this process leaves the broker alone after a failed send.
BROKER_RETRY_AFTER_SECONDS = 30
_broker_down_until = 0.0


class _DeliveryBatch:
    """The outbox rows written in one transaction, sent as one task after commit."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.callback = self.send

    def send(self) -> None:
        global _broker_down_until
        ids = list(dict.fromkeys(self.ids))
        if not ids:
            return
        if time.monotonic() < _broker_down_until:
            log.info("broker was unreachable; %d outbox messages wait for the flush", len(ids))
            return
        from staffing.tasks import deliver_outbox_messages

        try:
            if current_app.conf.task_always_eager:
                deliver_outbox_messages.apply_async(args=[ids])
                return
            with current_app.connection_for_write() as connection:
                # Fail at once when the broker is down instead of retrying inside a request.
                connection.ensure_connection(max_retries=0)
                deliver_outbox_messages.apply_async(args=[ids], connection=connection, retry=False)
        except Exception:
            _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER_SECONDS
            log.warning("broker unreachable; %d outbox messages wait for the flush", len(ids))


def _deliver_after_commit(message_ids: list[int]) -> None:
    connection = transaction.get_connection()
    batch = getattr(connection, "_outbox_delivery_batch", None)
    registered = batch is not None and any(
        entry[1] is batch.callback for entry in connection.run_on_commit
    )
    if not registered:
        batch = _DeliveryBatch()
        connection._outbox_delivery_batch = batch
        transaction.on_commit(batch.callback)
    batch.ids.extend(message_ids)


def outbox_deliver(message_id: int) -> bool:
    """Deliver one pending message; True if it was sent by this call."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return False  # already sent, or being sent by another worker
        message.attempts += 1
        try:
            _send(message)
        except Exception as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS or isinstance(exc, Undeliverable):
                message.status = OutboxMessage.Status.FAILED
            else:
                message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            log.warning("outbox message %s failed: %s", message.pk, message.last_error)
            return False
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def outbox_flush(batch_size: int = 100) -> int:
    """Deliver every pending message that is due; returns how many were sent."""
    due = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    return sum(1 for pk in due if outbox_deliver(pk))


def _send(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.EMAIL:
        send_mail(
            message.subject,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.recipient],
            fail_silently=False,
        )
    elif message.channel == OutboxMessage.Channel.SMS:
        _send_sms(message)
    elif message.channel == OutboxMessage.Channel.LETTER:
        _write_letter(message)
    elif message.channel == OutboxMessage.Channel.WEBHOOK:
        from staffing.webhooks import webhook_send  # webhooks builds on this module

        webhook_send(message)
    else:
        raise ValueError(f"unknown channel {message.channel}")


def _send_sms(message: OutboxMessage) -> None:
    # The operator's SMS gateway is reached through its own service; until one
    # is configured, the log notes the message by id. Never its recipient or
    # text: they carry the customer's number, name and complaint result.
    log.info("SMS outbox message %s handed to the gateway", message.pk)


def letter_name(message_pk: int) -> str:
    """Where a letter is stored, relative to MEDIA_ROOT. The name carries a keyed
    hash of the message id, so one letter's name tells nothing of another's."""
    token = salted_hmac("csc.outbox.letter", str(message_pk)).hexdigest()[:32]
    return f"letters/letter-{message_pk}-{token}.txt"


def letter_names(message_pk: int) -> list[str]:
    """The stored name, then the plain name letters written before had."""
    return [letter_name(message_pk), f"letters/letter-{message_pk}.txt"]


def _write_letter(message: OutboxMessage) -> None:
    # Letters are printed and posted by the mail room from this folder.
    path = Path(settings.MEDIA_ROOT) / letter_name(message.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"{message.recipient}\n\n{message.subject}\n\n{message.body}\n", encoding="utf-8"
    )

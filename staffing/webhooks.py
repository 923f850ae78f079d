"""Webhooks: API clients are told of events by a signed HTTP POST (DESIGN.md §3).

`webhook_emit` (and `webhook_emit_bulk` for the sweeper) writes, in the
caller's transaction, one outbox message of channel "webhook" and one
WebhookDelivery per active subscription to the event. The outbox does the
rest as for every message leaving the system: delivery after commit, a claim
with `skip_locked` so a delivery is POSTed once even when the after-commit
task and the periodic flush race, retries with exponential backoff and
jitter, `failed` after the last attempt, and the flush when the broker was
down. `webhook_send` is the outbox's sender for the channel; each POST it
makes is a WebhookAttempt row. After a receiver times out, its other
deliveries are not POSTed for RECEIVER_PAUSE_SECONDS (logged, retried later),
so one dead receiver cannot hold every worker for the full timeout.

What a receiver gets:

    POST <url>
    Content-Type: application/json
    X-CSC-Event: ticket.created
    X-CSC-Delivery: <uuid, the same on every retry of this delivery>
    X-CSC-Timestamp: <unix seconds of this attempt>
    X-CSC-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

    {"id": "<event uuid>", "event": "...", "occurred_at": "...", "data": {...}}

Delivery is at least once (a worker killed after the POST and before its
commit sends again): receivers deduplicate on X-CSC-Delivery. Payloads carry
ids, numbers, statuses and deadlines, never phone or ID numbers nor free text.

Emitters live in the apps that own the events (worktickets/webhooks.py,
sla/webhooks.py, complaints/webhooks.py) and call down into this module.

Where a receiver may be: only at public addresses, so that a subscription
cannot make the worker POST to the centre's own services (loopback, private
networks, link-local addresses such as the cloud metadata service at
169.254.169.254). The URL's host is resolved and checked when a subscription
is made or changed, and again before every POST; the POST then connects to the
address that was checked (no second lookup a DNS answer could change) and
follows no redirect. On-premise receivers are allowed by naming their networks
in WEBHOOK_ALLOWED_NETWORKS; the start of their answers is not kept, so the
delivery log cannot be used to read an internal service.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
import uuid
from datetime import datetime
from socket import create_connection, getaddrinfo
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from csc.lib.errors import DomainError
from csc.lib.reference import ReferenceCache
from staffing.models import (
    SUBSCRIBABLE_EVENTS,
    ApiClient,
    OutboxMessage,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from staffing.outbox import Undeliverable, _deliver_after_commit

TIMEOUT_SECONDS = 10
# Enough of a public receiver's answer to tell why it refused a delivery.
EXCERPT_CHARS = 200
MAX_SUBSCRIPTIONS_PER_CLIENT = 20
SCHEMES = ("http", "https")
USER_AGENT = "csc-webhooks/1"
# Event ids are derived from the emitter's dedupe key, so an occurrence keeps
# its id whichever path (sweeper, service) reports it.
EVENT_NAMESPACE = uuid.UUID("3f0c5c1e-8a8e-4c55-9d0e-6b1f0f7a2c11")


# A receiver that times out holds a worker for TIMEOUT_SECONDS per delivery: after
# a timeout, this process records its other deliveries as failed attempts without
# POSTing them for a while (they are retried with the usual backoff), so a backlog
# to one dead receiver cannot hold the workers that send everything else.
RECEIVER_PAUSE_SECONDS = 30
TIMED_OUT = "timed out: "
NOT_ALLOWED = "not sent: "
NOT_SENT_AFTER_TIMEOUT = "not sent: the receiver timed out moments ago"
_timed_out_until: dict[int, float] = {}


class WebhookFailed(Exception):
    """The receiver did not answer 2xx; the outbox retries with backoff."""


class ReceiverRefused(Exception):
    """The receiver's host is, or resolves to, an address webhooks may not go to."""


class Occurrence(NamedTuple):
    event: str
    data: dict[str, Any]
    dedupe_key: str
    occurred_at: datetime | None = None


# ---------------------------------------------------------------- signing


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-CSC-Signature value: HMAC-SHA256 of "<timestamp>.<body>"."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


# ---------------------------------------------------------------- emitting


def _load_active_subscriptions() -> list[WebhookSubscription]:
    return list(
        WebhookSubscription.objects.filter(is_active=True, api_client__is_active=True).only(
            "pk", "url", "events"
        )
    )


# Read on every ticket change; subscriptions change when an integration is set up.
active_subscriptions = ReferenceCache(
    "webhook-subscriptions",
    _load_active_subscriptions,
    sources=[WebhookSubscription, ApiClient],
    unread_fields=["key_prefix", "key_hash", "expires_at"],  # a key rotated
)


def webhook_emit(
    event: str, data: dict[str, Any], *, dedupe_key: str, occurred_at: datetime | None = None
) -> int:
    """Queue `event` for every active subscription to it, in the caller's transaction.

    Idempotent per dedupe_key: the same key is one delivery per subscription.
    Returns how many deliveries were written.
    """
    return webhook_emit_bulk([Occurrence(event, data, dedupe_key, occurred_at)])


def webhook_emit_bulk(occurrences: list[Occurrence]) -> int:
    """Queue many events at once: a constant number of queries whatever their number."""
    if not occurrences:
        return 0
    subscriptions = active_subscriptions.get()
    if not subscriptions:
        return 0
    now = timezone.now()
    planned = []
    for occurrence in occurrences:
        receivers = [s for s in subscriptions if occurrence.event in s.events]
        if receivers:
            body = _body(occurrence, now)
            planned.extend((s, occurrence, body) for s in receivers)
    return len(_enqueue(planned))


def _body(occurrence: Occurrence, now: datetime) -> tuple[str, uuid.UUID]:
    event_id = uuid.uuid5(EVENT_NAMESPACE, f"{occurrence.event}:{occurrence.dedupe_key}")
    document = {
        "id": str(event_id),
        "event": occurrence.event,
        "occurred_at": occurrence.occurred_at or now,
        "data": occurrence.data,
    }
    text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return text, event_id


def _outbox_key(subscription: WebhookSubscription, occurrence: Occurrence) -> str:
    # One delivery per subscription and occurrence; long keys keep their start
    # and a digest of the whole, so they stay unique within the column's limit.
    key = f"webhook:{subscription.pk}:{occurrence.event}:{occurrence.dedupe_key}"
    if len(key) <= 200:
        return key
    return f"{key[:135]}#{hashlib.sha256(key.encode()).hexdigest()}"


def _enqueue(planned: list) -> list[int]:
    """Write the outbox messages and their deliveries; returns the new messages' ids."""
    if not planned:
        return []
    messages = [
        OutboxMessage(
            channel=OutboxMessage.Channel.WEBHOOK,
            recipient=subscription.url,
            subject=occurrence.event,
            body=text,
            dedupe_key=_outbox_key(subscription, occurrence),
        )
        for subscription, occurrence, (text, _event_id) in planned
    ]
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
    # Keys already written (a replayed emit) were skipped: their messages have a
    # delivery already, and only new messages get one.
    written = dict(
        OutboxMessage.objects.filter(
            dedupe_key__in=[message.dedupe_key for message in messages],
            webhook_delivery__isnull=True,
        ).values_list("dedupe_key", "pk")
    )
    if not written:
        return []
    deliveries = [
        WebhookDelivery(
            subscription=subscription,
            message_id=written[message.dedupe_key],
            event=occurrence.event,
            event_id=event_id,
        )
        for (subscription, occurrence, (_text, event_id)), message in zip(
            planned, messages, strict=True
        )
        if message.dedupe_key in written
    ]
    WebhookDelivery.objects.bulk_create(deliveries)
    ids = list(written.values())
    _deliver_after_commit(ids)
    return ids


# ---------------------------------------------------------------- sending


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Never a receiver, whatever WEBHOOK_ALLOWED_NETWORKS says: cloud metadata services.
_METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Receiver(NamedTuple):
    """Where a delivery goes: the URL's parts and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    target: str  # path and query
    address: IPAddress
    public: bool


@functools.lru_cache(maxsize=4)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _allowed(address: IPAddress) -> bool:
    networks = _networks(tuple(settings.WEBHOOK_ALLOWED_NETWORKS))
    return any(address in network for network in networks)


def _unwrapped(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def address_is_public(address: IPAddress) -> bool:
    """Routable on the internet: not loopback, private, link-local, shared,
    reserved, site-local, documentation, unspecified or multicast."""
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not getattr(address, "is_site_local", False)
    )


def address_standing(address: IPAddress) -> bool | None:
    """True for a public address, False for one in WEBHOOK_ALLOWED_NETWORKS,
    None for one webhooks may not go to."""
    address = _unwrapped(address)
    if address in _METADATA or address.is_unspecified or address.is_multicast:
        return None
    if address_is_public(address):
        return True
    return False if _allowed(address) else None


def _resolved(host: str, port: int) -> list[IPAddress]:
    """Every address the host stands for; raises OSError when it cannot be resolved."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:  # a name IDNA cannot encode
        raise socket.gaierror(str(exc)) from None
    # An IPv6 link-local answer may carry its interface ("fe80::1%eth0").
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))


def webhook_receiver(url: str) -> Receiver:
    """Resolve and check the URL's host. Raises ReceiverRefused when any address
    it resolves to is refused, OSError when it cannot be resolved now."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ReceiverRefused("the webhook URL is not http(s)")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ReceiverRefused("the webhook URL has an invalid port") from None
    addresses = _resolved(parts.hostname, port)
    standings = [address_standing(address) for address in addresses]
    # A name with one refused address among good ones is refused as a whole:
    # a public receiver has no business answering with an internal address.
    if not addresses or None in standings:
        raise ReceiverRefused(f"{parts.hostname} resolves to an address webhooks may not go to")
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return Receiver(parts.scheme, parts.hostname, port, target, addresses[0], all(standings))


_tls = ssl.create_default_context()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address checked before the POST, whatever DNS answers now;
    the Host header still names the URL's host."""

    def __init__(self, receiver: Receiver):
        super().__init__(receiver.host, receiver.port, timeout=TIMEOUT_SECONDS)
        self.pinned = (str(receiver.address), receiver.port)

    def connect(self) -> None:
        self.sock = create_connection(self.pinned, self.timeout, self.source_address)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: SNI and the certificate check use the URL's host name."""

    def __init__(self, receiver: Receiver):
        super().__init__(receiver.host, receiver.port, timeout=TIMEOUT_SECONDS, context=_tls)
        self.pinned = (str(receiver.address), receiver.port)

    def connect(self) -> None:
        sock = create_connection(self.pinned, self.timeout, self.source_address)
        self.sock = _tls.wrap_socket(sock, server_hostname=self.host)


def _connection(receiver: Receiver) -> http.client.HTTPConnection:
    """A connection to the checked address, named by the URL's host."""
    if receiver.scheme == "https":
        return _PinnedHTTPSConnection(receiver)
    return _PinnedHTTPConnection(receiver)


def webhook_send(message: OutboxMessage) -> None:
    """POST one delivery (the outbox's sender for channel "webhook"); log the attempt.

    Raises WebhookFailed unless the receiver answered 2xx, so the outbox retries.
    """
    delivery = (
        WebhookDelivery.objects.select_related("subscription__api_client")
        .filter(message=message)
        .first()
    )
    if delivery is None:
        raise Undeliverable("the webhook subscription was deleted")
    subscription = delivery.subscription
    if not (subscription.is_active and subscription.api_client.is_active):
        raise Undeliverable("the webhook subscription or its API client is inactive")
    if urlsplit(subscription.url).scheme not in SCHEMES:
        raise Undeliverable("the webhook URL is not http(s)")
    body = message.body.encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-CSC-Event": delivery.event,
        "X-CSC-Delivery": str(delivery.uuid),
        "X-CSC-Timestamp": timestamp,
        "X-CSC-Signature": webhook_signature(subscription.secret, timestamp, body),
    }
    at = timezone.now()
    started = time.monotonic()
    if _timed_out_until.get(subscription.pk, 0.0) > time.time():
        code, excerpt, error = None, "", NOT_SENT_AFTER_TIMEOUT
    else:
        code, excerpt, error = _post(subscription.url, body, headers)
        if error.startswith(TIMED_OUT):
            _timed_out_until[subscription.pk] = time.time() + RECEIVER_PAUSE_SECONDS
        else:
            _timed_out_until.pop(subscription.pk, None)
    duration_ms = int((time.monotonic() - started) * 1000)
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=message.attempts,
        at=at,
        url=subscription.url,
        response_code=code,
        response_excerpt=excerpt,
        duration_ms=duration_ms,
        error=error,
    )
    delivery.response_code = code
    delivery.response_excerpt = excerpt
    delivery.duration_ms = duration_ms
    delivery.last_attempt_at = at
    delivery.save(
        update_fields=["response_code", "response_excerpt", "duration_ms", "last_attempt_at"]
    )
    if code is None or not 200 <= code < 300:
        raise WebhookFailed(error or f"the receiver answered HTTP {code}")


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """(status code or None, start of the response body, error)."""
    try:
        receiver = webhook_receiver(url)
    except ReceiverRefused as exc:
        return None, "", f"{NOT_ALLOWED}{exc}"
    except OSError as exc:  # the name does not resolve (now)
        return None, "", f"{type(exc).__name__}: {exc}"[:2000]
    connection = _connection(receiver)
    try:
        connection.request("POST", receiver.target, body=body, headers=headers)
        response = connection.getresponse()
        # A redirect is an answer other than 2xx: logged and retried, never followed
        # (following would resend the signed body to wherever the receiver points).
        return response.status, _excerpt(response) if receiver.public else "", ""
    except (OSError, ValueError, http.client.HTTPException) as exc:
        # Refused, timed out, reset, TLS failure, malformed answer.
        timed_out = isinstance(exc, TimeoutError)
        return None, "", f"{TIMED_OUT if timed_out else ''}{type(exc).__name__}: {exc}"[:2000]
    finally:
        connection.close()


def _excerpt(response: http.client.HTTPResponse) -> str:
    try:
        return response.read(EXCERPT_CHARS).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        return ""


# ---------------------------------------------------------------- subscriptions


def webhook_url_clean(url: str) -> str:
    """The URL, stripped, if webhooks may go there; else ValidationError on "url".

    A host that does not resolve now is accepted: every delivery checks again."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=list(SCHEMES))(url)
    except ValidationError:
        raise ValidationError(
            {"url": _("Enter an http:// or https:// URL.")}, code="invalid"
        ) from None
    if len(url) > WebhookSubscription._meta.get_field("url").max_length:
        raise ValidationError({"url": _("The URL is too long.")}, code="invalid")
    try:
        webhook_receiver(url)
    except ReceiverRefused:
        raise ValidationError(
            {
                "url": _(
                    "Webhooks may not be sent to %(host)s: it is, or resolves to, a "
                    "loopback, private, link-local or reserved address."
                )
                % {"host": urlsplit(url).hostname}
            },
            code="receiver_refused",
        ) from None
    except OSError:
        pass
    return url


def _clean_events(events) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError({"events": _("Choose at least one event.")}, code="required")
    unknown = [e for e in events if e not in SUBSCRIBABLE_EVENTS]
    if unknown:
        raise ValidationError(
            {"events": _("Unknown events: %(events)s.") % {"events": ", ".join(map(str, unknown))}},
            code="invalid",
        )
    return list(dict.fromkeys(events))


@transaction.atomic
def webhook_subscription_create(
    api_client: ApiClient, *, url: str, events: list[str], is_active: bool = True
) -> tuple[WebhookSubscription, str]:
    """Subscribe a client's URL to events; returns the signing secret, shown this once."""
    url, events = webhook_url_clean(url), _clean_events(events)
    # The client's row lock keeps two concurrent creates from passing the limit.
    ApiClient.objects.select_for_update().filter(pk=api_client.pk).first()
    if api_client.webhook_subscriptions.count() >= MAX_SUBSCRIPTIONS_PER_CLIENT:
        raise DomainError(
            _("An API client may have at most %(n)d webhook subscriptions.")
            % {"n": MAX_SUBSCRIPTIONS_PER_CLIENT},
            code="too_many_subscriptions",
        )
    subscription = WebhookSubscription(
        api_client=api_client, url=url, events=events, is_active=is_active
    )
    secret = subscription.set_new_secret()
    subscription.save()
    return subscription, secret


@transaction.atomic
def webhook_subscription_update(
    subscription: WebhookSubscription,
    *,
    url: str | None = None,
    events: list[str] | None = None,
    is_active: bool | None = None,
) -> WebhookSubscription:
    """Change the URL, the events or whether it is active. Pending deliveries go to
    the URL in force when they are sent; a deactivated subscription's are dropped."""
    fields = []
    if url is not None:
        subscription.url = webhook_url_clean(url)
        fields.append("url")
    if events is not None:
        subscription.events = _clean_events(events)
        fields.append("events")
    if is_active is not None:
        subscription.is_active = bool(is_active)
        fields.append("is_active")
    if fields:
        subscription.save(update_fields=fields)
    return subscription


@transaction.atomic
def webhook_subscription_delete(subscription: WebhookSubscription) -> None:
    """Delete the subscription with its delivery log; pending deliveries are not sent."""
    OutboxMessage.objects.filter(webhook_delivery__subscription=subscription).delete()
    subscription.delete()


@transaction.atomic
def webhook_ping(subscription: WebhookSubscription) -> WebhookDelivery:
    """Queue a `ping` to one active subscription so its receiver can be tested."""
    if not subscription.is_active:
        raise DomainError(
            _("Activate the subscription before pinging it."), code="subscription_inactive"
        )
    occurrence = Occurrence(
        WebhookEvent.PING,
        {"subscription": subscription.pk, "events": subscription.events},
        f"ping:{uuid.uuid4()}",
    )
    ids = _enqueue([(subscription, occurrence, _body(occurrence, timezone.now()))])
    return WebhookDelivery.objects.select_related("message").get(message_id=ids[0])

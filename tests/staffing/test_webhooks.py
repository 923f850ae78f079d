"""Webhooks (DESIGN.md §3): signed, retried with backoff, logged, sent once.

A real HTTP receiver runs on 127.0.0.1 in a thread; deliveries go through
the outbox as in production (after commit, or by the periodic flush).
"""

import datetime
import hashlib
import hmac
import json
import socket
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from csc.celery import app as celery_app
from csc.lib.reference import forget_reference_data
from staffing import outbox, tasks, webhooks
from staffing.models import OutboxMessage, WebhookAttempt, WebhookDelivery
from staffing.outbox import MAX_ATTEMPTS, outbox_flush
from staffing.webhooks import (
    webhook_emit,
    webhook_subscription_create,
    webhook_subscription_update,
)
from tests.factories import CustomerFactory, make_api_client

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)
ALL_WEBHOOK_SCOPES = ["webhooks:read", "webhooks:write"]


# ---------------------------------------------------------------- a receiver on loopback


@dataclass
class Received:
    headers: Message
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """Answers each POST with the next queued status (200 when none is queued)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.statuses: deque[int] = deque()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.url = ""


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        receiver.requests.append(Received(self.headers, body))
        receiver.entered.set()
        receiver.release.wait(timeout=20)
        code = receiver.statuses.popleft() if receiver.statuses else 200
        answer = f"answered {code}".encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    # The receivers here listen on loopback, which webhooks may reach only when
    # an administrator allows it, as for an on-premise receiver.
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def public_receiver(monkeypatch):
    """The loopback receiver is treated as if it were on a public address."""
    monkeypatch.setattr(webhooks, "address_standing", lambda address: True)


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.receiver = Receiver()
    server.receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/csc"
    webhooks._timed_out_until.clear()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.receiver
    server.receiver.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def dead_url():
    # A port that was just free: nothing listens, so connections are refused.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


@pytest.fixture
def broker_reachable():
    outbox._broker_down_until = 0.0
    yield
    outbox._broker_down_until = 0.0


@pytest.fixture
def eager_celery(broker_reachable):
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = old


def signature_is_valid(secret: str, received: Received) -> bool:
    """What a receiver does: HMAC-SHA256 of "<timestamp>.<body>" with its secret."""
    timestamp = received.headers["X-CSC-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + received.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(received.headers["X-CSC-Signature"], f"sha256={expected}")


@pytest.fixture
def subscribed(receiver):
    client, _key = make_api_client("crm", ALL_WEBHOOK_SCOPES)
    subscription, secret = webhook_subscription_create(
        client, url=receiver.url, events=["ticket.created", "ticket.status_changed"]
    )
    subscription.plain_secret = secret
    return subscription


def emit_created(number: str = "T20260302-000001", key: str = "ticket:1") -> int:
    return webhook_emit(
        "ticket.created",
        {"ticket": {"id": 1, "number": number, "status": "new"}},
        dedupe_key=key,
    )


# ---------------------------------------------------------------- signing and content


def test_delivery_is_signed_so_the_receiver_can_verify_it(subscribed, receiver):
    emit_created()

    assert outbox_flush() == 1

    [received] = receiver.requests
    assert signature_is_valid(subscribed.plain_secret, received)
    assert not signature_is_valid("whsec_someone-else", received)
    delivery = WebhookDelivery.objects.get()
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["X-CSC-Event"] == "ticket.created"
    assert received.headers["X-CSC-Delivery"] == str(delivery.uuid)
    body = received.json
    assert body["id"] == str(delivery.event_id)
    assert body["event"] == "ticket.created"
    assert body["data"] == {"ticket": {"id": 1, "number": "T20260302-000001", "status": "new"}}
    assert "occurred_at" in body


def test_a_tampered_body_fails_verification(subscribed, receiver):
    emit_created()
    outbox_flush()
    [received] = receiver.requests

    forged = Received(received.headers, received.body.replace(b"000001", b"999999"))

    assert not signature_is_valid(subscribed.plain_secret, forged)


# ---------------------------------------------------------------- retries, backoff, the log


def test_a_500_is_retried_with_backoff_until_the_receiver_answers_2xx(
    subscribed, receiver, public_receiver
):
    receiver.statuses.extend([500, 503])
    with time_machine.travel(T0, tick=False) as traveller:
        emit_created()
        assert outbox_flush() == 0
        message = OutboxMessage.objects.get(channel="webhook")
        assert message.status == "pending" and message.attempts == 1
        first_wait = message.next_attempt_at - T0
        assert datetime.timedelta(minutes=1) <= first_wait <= datetime.timedelta(minutes=1.2)

        traveller.shift(first_wait - datetime.timedelta(seconds=1))
        assert outbox_flush() == 0
        assert len(receiver.requests) == 1  # not due yet: nothing sent

        traveller.shift(datetime.timedelta(seconds=1))
        assert outbox_flush() == 0  # the 503
        message.refresh_from_db()
        second_wait = message.next_attempt_at - T0 - first_wait
        assert datetime.timedelta(minutes=2) <= second_wait <= datetime.timedelta(minutes=2.4)

        traveller.shift(second_wait)
        assert outbox_flush() == 1

    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 3
    assert len(receiver.requests) == 3
    # One delivery id across retries (receivers deduplicate on it), signed each time.
    assert len({r.headers["X-CSC-Delivery"] for r in receiver.requests}) == 1
    assert all(signature_is_valid(subscribed.plain_secret, r) for r in receiver.requests)
    log = list(WebhookAttempt.objects.order_by("number"))
    assert [(a.number, a.response_code) for a in log] == [(1, 500), (2, 503), (3, 200)]
    assert log[0].response_excerpt == "answered 500"
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_code == 200
    assert delivery.response_excerpt == "answered 200"


def test_connection_refused_is_retried_then_failed_after_the_last_attempt(dead_url):
    client, _key = make_api_client("crm", ALL_WEBHOOK_SCOPES)
    webhook_subscription_create(client, url=dead_url, events=["ticket.created"])
    with time_machine.travel(T0, tick=False) as traveller:
        emit_created()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert outbox_flush() == 0
            message = OutboxMessage.objects.get(channel="webhook")
            assert message.attempts == attempt
            if attempt < MAX_ATTEMPTS:
                assert message.status == "pending"
                traveller.move_to(message.next_attempt_at)

        assert message.status == "failed"
        traveller.shift(datetime.timedelta(days=1))
        assert outbox_flush() == 0

    message.refresh_from_db()
    assert message.attempts == MAX_ATTEMPTS  # a failed delivery is not tried again
    log = list(WebhookAttempt.objects.order_by("number"))
    assert [a.number for a in log] == list(range(1, MAX_ATTEMPTS + 1))
    assert all(a.response_code is None and "refused" in a.error.lower() for a in log)
    assert "refused" in message.last_error.lower()


def test_after_a_timeout_the_receivers_other_deliveries_wait_instead_of_holding_workers(
    subscribed, receiver, monkeypatch
):
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.5)
    receiver.release.clear()  # the receiver accepts and never answers
    with time_machine.travel(T0, tick=False) as traveller:
        for n in range(3):
            emit_created(key=f"ticket:{n}")

        assert outbox_flush() == 0

        assert len(receiver.requests) == 1  # one POST waited for the timeout, not three
        errors = list(WebhookAttempt.objects.order_by("pk").values_list("error", flat=True))
        assert errors[0].startswith("timed out")
        assert errors[1:] == [webhooks.NOT_SENT_AFTER_TIMEOUT] * 2
        assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("pending", 1)}

        receiver.release.set()  # the receiver is back
        traveller.shift(datetime.timedelta(minutes=2))
        assert outbox_flush() == 3

    assert len(receiver.requests) == 4


def test_a_redirect_is_not_followed_but_logged_and_retried(subscribed, receiver):
    receiver.statuses.append(302)

    emit_created()
    outbox_flush()

    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.get().response_code == 302
    assert OutboxMessage.objects.get(channel="webhook").status == "pending"


# ---------------------------------------------------------------- once per event


def test_the_same_event_emitted_twice_is_one_delivery_per_subscription(subscribed, receiver):
    other_client, _ = make_api_client("billing", ALL_WEBHOOK_SCOPES)
    webhook_subscription_create(other_client, url=receiver.url, events=["ticket.created"])

    assert emit_created(key="ticket:7") == 2
    assert emit_created(key="ticket:7") == 0

    assert outbox_flush() == 2
    assert outbox_flush() == 0
    assert len(receiver.requests) == 2
    # The occurrence has one id, whoever receives it; each delivery has its own.
    assert len({r.json["id"] for r in receiver.requests}) == 1
    assert len({r.headers["X-CSC-Delivery"] for r in receiver.requests}) == 2


def test_deliveries_written_together_each_take_the_models_default_id(
    subscribed, receiver, monkeypatch
):
    # Rows written in one statement get their defaults as save() gives them, one
    # call per row: a default computed once and shared made two deliveries collide.
    issued = iter(uuid.UUID(int=n) for n in range(1, 100))
    field = WebhookDelivery._meta.get_field("uuid")
    monkeypatch.setattr(field, "default", lambda: next(issued))
    monkeypatch.delitem(field.__dict__, "_get_default", raising=False)  # Django's cached copy
    other_client, _ = make_api_client("billing", ALL_WEBHOOK_SCOPES)
    webhook_subscription_create(other_client, url=receiver.url, events=["ticket.created"])

    assert emit_created(key="ticket:8") == 2

    assert sorted(WebhookDelivery.objects.values_list("uuid", flat=True)) == [
        uuid.UUID(int=1),
        uuid.UUID(int=2),
    ]


def test_only_active_subscriptions_to_the_event_get_it(subscribed, receiver):
    client, _key = make_api_client("quiet", ALL_WEBHOOK_SCOPES)
    webhook_subscription_create(client, url=receiver.url, events=["sla.breached"])
    switched_off, _ = webhook_subscription_create(
        client, url=receiver.url, events=["ticket.created"]
    )
    webhook_subscription_update(switched_off, is_active=False)

    assert emit_created() == 1
    assert WebhookDelivery.objects.get().subscription == subscribed


def test_a_subscription_switched_off_before_sending_gets_nothing(subscribed, receiver):
    emit_created()
    webhook_subscription_update(subscribed, is_active=False)

    outbox_flush()

    assert receiver.requests == []
    message = OutboxMessage.objects.get(channel="webhook")
    assert message.status == "failed" and "inactive" in message.last_error


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_commit_task_and_flush_racing_deliver_exactly_once(subscribed, receiver, monkeypatch):
    # The after-commit dispatch is run by hand below, racing the flush.
    monkeypatch.setattr(outbox, "_broker_down_until", float("inf"))
    emit_created()
    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    receiver.release.clear()  # hold the first POST open, its row lock taken
    sent_by_task = []

    def after_commit_task():
        try:
            sent_by_task.append(tasks.deliver_outbox_messages(ids))
        finally:
            connection.close()

    task = threading.Thread(target=after_commit_task)
    task.start()
    assert receiver.entered.wait(timeout=10)
    sent_by_flush = outbox_flush()  # meanwhile the beat's flush runs
    receiver.release.set()
    task.join(timeout=20)

    assert sent_by_flush == 0
    assert sent_by_task == [1]
    assert outbox_flush() == 0
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.count() == 1


def test_deliveries_survive_the_broker_being_down_and_go_out_on_the_next_flush(
    subscribed, receiver, broker_reachable, django_capture_on_commit_callbacks
):
    old_broker, old_eager = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    celery_app.conf.task_always_eager = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            emit_created()
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = old_broker, old_eager

    assert receiver.requests == []
    assert OutboxMessage.objects.get(channel="webhook").status == "pending"

    assert tasks.flush_outbox() == 1
    assert tasks.flush_outbox() == 0
    assert len(receiver.requests) == 1
    assert OutboxMessage.objects.get(channel="webhook").status == "sent"


# ---------------------------------------------------------------- end to end


def test_a_ticket_created_through_the_api_is_delivered_after_commit(
    receiver, hotline_team, eager_celery, django_capture_on_commit_callbacks
):
    _client, key = make_api_client("cti", ["tickets:write", "tickets:read", *ALL_WEBHOOK_SCOPES])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    created = api.post(
        "/api/v1/webhooks/", {"url": receiver.url, "events": ["ticket.created"]}, format="json"
    ).json()
    customer = CustomerFactory(phone="13912345678")

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/tickets/",
            {
                "kind": "inquiry",
                "channel": "hotline",
                "subject": "客户 13912345678 查询流量",
                "team": hotline_team.pk,
                "customer": customer.pk,
            },
            format="json",
        )
    assert response.status_code == 201, response.json()

    [received] = receiver.requests  # sent by the after-commit task, no flush needed
    assert signature_is_valid(created["secret"], received)
    ticket = received.json["data"]["ticket"]
    assert received.json["event"] == "ticket.created"
    assert ticket["number"] == response.json()["number"]
    assert ticket["id"] == response.json()["id"]
    assert ticket["kind"] == "inquiry" and ticket["status"] == "new"
    assert ticket["team"] == hotline_team.pk and ticket["customer"] == customer.pk
    assert ticket["sla_due_at"] is not None
    assert b"13912345678" not in received.body  # neither the phone nor free text
    assert OutboxMessage.objects.get(channel="webhook").status == "sent"


# ---------------------------------------------------------------- the API


@pytest.fixture
def crm():
    client, key = make_api_client("crm", ALL_WEBHOOK_SCOPES)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api.api_client = client
    return api


@pytest.fixture
def billing():
    _client, key = make_api_client("billing", ALL_WEBHOOK_SCOPES)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def subscribe(api, url="https://crm.example.com/hooks", events=("ticket.created",)):
    return api.post("/api/v1/webhooks/", {"url": url, "events": list(events)}, format="json")


def test_the_secret_is_shown_at_create_and_never_again(crm, receiver):
    response = subscribe(crm, url=receiver.url)
    assert response.status_code == 201, response.json()
    created = response.json()
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    path = f"/api/v1/webhooks/{created['id']}/"

    later = [
        crm.get("/api/v1/webhooks/"),
        crm.get(path),
        crm.patch(path, {"events": ["sla.breached"]}, format="json"),
        crm.post(f"{path}ping/"),
        crm.get(f"{path}deliveries/"),
    ]

    assert [r.status_code for r in later] == [200, 200, 200, 202, 200]
    for response in later:
        assert secret not in response.content.decode()
        assert "secret" not in response.content.decode()


def test_a_client_sees_and_manages_only_its_own_subscriptions(crm, billing):
    mine = subscribe(crm).json()
    path = f"/api/v1/webhooks/{mine['id']}/"

    assert billing.get("/api/v1/webhooks/").json()["results"] == []
    assert billing.get(path).status_code == 404
    assert billing.patch(path, {"is_active": False}, format="json").status_code == 404
    assert billing.get(f"{path}deliveries/").status_code == 404
    assert billing.post(f"{path}ping/").status_code == 404
    assert billing.delete(path).status_code == 404

    assert [s["id"] for s in crm.get("/api/v1/webhooks/").json()["results"]] == [mine["id"]]
    assert crm.get(path).json()["is_active"] is True


def test_webhooks_need_their_scopes():
    _client, key = make_api_client("reader", ["webhooks:read", "tickets:write"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert api.get("/api/v1/webhooks/").status_code == 200
    assert subscribe(api).status_code == 403


def test_browser_sessions_cannot_use_the_webhooks_api(client, manager_user):
    client.force_login(manager_user)

    assert client.get("/api/v1/webhooks/").status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://crm.example.com/x", "events": ["ticket.created"]}, "url"),
        ({"url": "javascript:alert(1)", "events": ["ticket.created"]}, "url"),
        ({"url": "not a url", "events": ["ticket.created"]}, "url"),
        ({"url": "https://crm.example.com/x", "events": []}, "events"),
        ({"url": "https://crm.example.com/x", "events": ["ticket.deleted"]}, "events"),
        ({"url": "https://crm.example.com/x", "events": ["ping"]}, "events"),
        ({"url": "https://crm.example.com/x", "events": "ticket.created"}, "events"),
    ],
)
def test_a_bad_subscription_is_refused_with_the_field_named(crm, body, field):
    response = crm.post("/api/v1/webhooks/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_patching_to_a_non_http_url_is_refused(crm):
    path = f"/api/v1/webhooks/{subscribe(crm).json()['id']}/"

    response = crm.patch(path, {"url": "file:///etc/passwd"}, format="json")

    assert response.status_code == 400 and "url" in response.json()
    assert crm.get(path).json()["url"] == "https://crm.example.com/hooks"


def test_deleting_a_subscription_drops_its_pending_deliveries(crm, receiver):
    created = subscribe(crm, url=receiver.url).json()
    emit_created()

    assert crm.delete(f"/api/v1/webhooks/{created['id']}/").status_code == 204

    assert outbox_flush() == 0
    assert receiver.requests == []
    assert not OutboxMessage.objects.filter(channel="webhook").exists()


def test_ping_sends_a_ping_event_and_the_log_shows_it(crm, receiver):
    created = subscribe(crm, url=receiver.url).json()
    path = f"/api/v1/webhooks/{created['id']}/"
    receiver.statuses.append(500)

    queued = crm.post(f"{path}ping/")
    assert queued.status_code == 202
    assert queued.json()["event"] == "ping" and queued.json()["status"] == "pending"
    outbox_flush()

    [received] = receiver.requests
    assert received.headers["X-CSC-Event"] == "ping"
    assert signature_is_valid(created["secret"], received)
    [delivery] = crm.get(f"{path}deliveries/").json()["results"]
    assert delivery["id"] == received.headers["X-CSC-Delivery"]
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    assert delivery["response_code"] == 500
    assert delivery["next_attempt_at"] is not None
    assert delivery["payload"] == received.json
    assert [a["response_code"] for a in delivery["attempt_log"]] == [500]


def test_deliveries_list_query_count_does_not_grow_with_the_deliveries(crm, receiver):
    created = subscribe(crm, url=receiver.url).json()
    path = f"/api/v1/webhooks/{created['id']}/deliveries/?page_size=200"

    def queries_for(count: int) -> int:
        for n in range(count):
            emit_created(key=f"ticket:{count}:{n}")
        outbox_flush(batch_size=200)
        forget_reference_data()  # both counts read the reference data
        cache.clear()  # and the API client cold
        with CaptureQueriesContext(connection) as queries:
            response = crm.get(path)
        assert response.status_code == 200
        assert len(response.json()["results"]) == WebhookDelivery.objects.count()
        return len(queries)

    assert queries_for(3) == queries_for(30)


def test_a_client_has_a_bounded_number_of_subscriptions(crm):
    from staffing.webhooks import MAX_SUBSCRIPTIONS_PER_CLIENT

    for n in range(MAX_SUBSCRIPTIONS_PER_CLIENT):
        assert subscribe(crm, url=f"https://crm.example.com/{n}").status_code == 201

    response = subscribe(crm, url="https://crm.example.com/one-more")

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_subscriptions"


def test_create_replayed_with_an_idempotency_key_creates_one_subscription(crm):
    body = {"url": "https://crm.example.com/hooks", "events": ["ticket.created"]}

    first = crm.post("/api/v1/webhooks/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = crm.post("/api/v1/webhooks/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert crm.api_client.webhook_subscriptions.count() == 1


# ---------------------------------------------------------------- the admin


@pytest.fixture
def admin_client(client):
    from tests.factories import UserFactory

    admin = UserFactory(username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


def test_admin_shows_subscriptions_without_their_secret(admin_client, subscribed):
    listing = admin_client.get("/admin/staffing/webhooksubscription/")
    page = admin_client.get(f"/admin/staffing/webhooksubscription/{subscribed.pk}/change/")

    assert listing.status_code == page.status_code == 200
    assert subscribed.url in listing.content.decode()
    assert subscribed.plain_secret not in page.content.decode()
    assert admin_client.get("/admin/staffing/webhooksubscription/add/").status_code == 403


def test_admin_delivery_log_is_read_only(admin_client, subscribed, receiver, public_receiver):
    receiver.statuses.append(500)
    emit_created()
    outbox_flush()
    delivery = WebhookDelivery.objects.get()
    path = f"/admin/staffing/webhookdelivery/{delivery.pk}/change/"

    assert admin_client.get("/admin/staffing/webhookdelivery/").status_code == 200
    page = admin_client.get(path)
    assert page.status_code == 200
    assert "answered 500" in page.content.decode()
    assert admin_client.post(path, {}).status_code == 403
    assert (
        admin_client.get(f"/admin/staffing/webhookdelivery/{delivery.pk}/delete/").status_code
        == 403
    )

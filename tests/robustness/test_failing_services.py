"""The centre keeps working when the services under it fail (DESIGN.md §2.3, §4):

(a) Redis (broker and cache) unreachable while tickets and complaints are
    opened through the API and escalated by the sweeper; once it is back, every
    notification and outbox message is delivered exactly once;
(b) PostgreSQL drops every connection of a running gunicorn; the next requests
    succeed (CONN_HEALTH_CHECKS);
(c) a real Celery worker is killed (SIGKILL) in the middle of a sweep; the next
    sweep finishes the job and escalates nothing twice.

These tests commit for real (transaction=True): after-commit hooks, row locks
and other processes see what production would.
"""

import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.test import Client, override_settings
from django.utils import timezone

from csc.celery import app as celery_app
from sla import services as sla_services
from sla import tasks as sla_tasks
from sla.calendars import SHANGHAI
from sla.choices import ClockEventKind, ClockState
from sla.models import Clock, ClockEvent, EscalationRecord
from staffing import outbox
from staffing import tasks as staffing_tasks
from staffing.models import Notification, OutboxMessage
from tests.factories import PASSWORD, TicketFactory, make_api_client
from tests.sla.conftest import facts_for
from worktickets import numbering
from worktickets.choices import EventKind
from worktickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Nothing listens on port 1 of the loopback: connections are refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"
MONDAY_MORNING = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
TEN_DAYS_LATER = MONDAY_MORNING + datetime.timedelta(days=10)


@pytest.fixture
def integration(db):
    _, key = make_api_client(
        "cti", ["tickets:read", "tickets:write", "complaints:read", "complaints:write"]
    )
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.fixture
def people_with_email(world):
    for role, user in world.people.items():
        user.email = f"{role}@csc.example"
        user.save(update_fields=["email"])
    return world.people


@pytest.fixture
def broker_state(monkeypatch):
    """The process-wide 'broker is down, leave it alone' mark, reset around the test."""
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)


class RedisDown:
    """Point the Celery broker and the cache at a port where nothing listens."""

    def __enter__(self):
        self.broker_url = celery_app.conf.broker_url
        celery_app.conf.broker_url = DEAD_REDIS
        self.cache = override_settings(
            CACHES={
                "default": {
                    "BACKEND": "django_redis.cache.RedisCache",
                    "LOCATION": DEAD_REDIS,
                }
            }
        )
        self.cache.enable()
        return self

    def __exit__(self, *exc):
        self.cache.disable()
        celery_app.conf.broker_url = self.broker_url


def test_redis_down_loses_no_notification_and_sends_each_once_when_back(
    client, world, people_with_email, integration, broker_state
):
    agent, team = world.people["agent"], world.teams["hotline"]
    customer = world.customers[0]
    with RedisDown(), time_machine.travel(MONDAY_MORNING, tick=False):
        tickets = [
            client.post(
                "/api/v1/tickets/",
                {
                    "kind": "inquiry",
                    "channel": "hotline",
                    "subject": f"查询流量 {n}",
                    "customer": customer.pk,
                    "team": team.pk,
                    "assignee": agent.pk,
                    "first_contact_agent": agent.pk,
                },
                content_type="application/json",
                **integration,
            )
            for n in range(3)
        ]
        complaints = [
            client.post(
                "/api/v1/complaints/",
                {
                    "channel": "hotline",
                    "category": "billing",
                    "customer": customer.pk,
                    "content": "上月账单多扣了 30 元",
                    "first_contact_agent": agent.pk,
                },
                content_type="application/json",
                **integration,
            )
            for _ in range(2)
        ]
        # Staff still sign in and work (the sign-in throttle counts in Redis too).
        desk = Client()
        signed_in = desk.post("/login/", {"username": "agent1", "password": PASSWORD})
        ticket_page = desk.get(f"/tickets/{tickets[0].json()['id']}/")
    assert [r.status_code for r in tickets + complaints] == [201] * 5
    assert signed_in.status_code == 302
    assert ticket_page.status_code == 200

    with RedisDown(), time_machine.travel(TEN_DAYS_LATER, tick=False):
        swept = sla_tasks.sweep()

    assert swept["escalations"] > 0
    assert outbox._broker_down_until > 0, "the after-commit send should have met the dead broker"
    waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    assert waiting.exists(), "escalation emails should wait in the outbox"
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.PENDING).exists()
    assert mail.outbox == []
    notified = Counter(Notification.objects.values_list("recipient_id", "dedupe_key"))
    assert notified and set(notified.values()) == {1}
    pending_ids = list(waiting.values_list("pk", flat=True))

    # Redis is back: the periodic flush delivers; a second flush and the after-commit
    # task that was queued late (the broker kept it) find nothing left to send.
    with time_machine.travel(TEN_DAYS_LATER + datetime.timedelta(minutes=1), tick=False):
        assert staffing_tasks.flush_outbox() == len(pending_ids)
        assert staffing_tasks.flush_outbox() == 0
        assert staffing_tasks.deliver_outbox_messages(pending_ids) == 0
        again = sla_tasks.sweep()

    assert again["escalations"] == 0
    sent = OutboxMessage.objects.filter(pk__in=pending_ids)
    assert set(sent.values_list("status", "attempts")) == {(OutboxMessage.Status.SENT, 1)}
    deliveries = Counter((m.to[0], m.subject) for m in mail.outbox)
    # The emails went by mail; an SMS among them (a survey, say) by the SMS gateway.
    assert len(mail.outbox) == sent.filter(channel=OutboxMessage.Channel.EMAIL).count()
    assert set(deliveries.values()) == {1}
    assert Counter(Notification.objects.values_list("recipient_id", "dedupe_key")) == notified
    assert EscalationRecord.objects.filter(clock__ticket__in=Ticket.objects.all()).exists()


# --- (b) PostgreSQL drops the connections of a running server ----------------------------


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(**extra) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "SECRET_KEY": "robustness-tests-only-" + "x" * 40,
        # The servers share the tests' database, so they read it with the same keys.
        "PERSONAL_DATA_KEYS": ",".join(settings.PERSONAL_DATA_KEYS),
        "PERSONAL_DATA_INDEX_KEY": settings.PERSONAL_DATA_INDEX_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


def _get(url: str, headers: dict, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def gunicorn():
    """The app under gunicorn (one sync worker, so one reused connection), on loopback."""
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "csc.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=settings.BASE_DIR,
        env=_server_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(f"{base}/healthz", {})[0] == 200:
                break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=30)


def _drop_other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_requests_succeed_after_postgresql_drops_the_servers_connections(world, gunicorn):
    _, key = make_api_client("cti", ["tickets:read", "tickets:write"])
    auth = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
    new_ticket = json.dumps(
        {
            "kind": "inquiry",
            "channel": "ivr",
            "subject": "断线后重新受理",
            "customer": world.customers[0].pk,
            "team": world.teams["hotline"].pk,
        }
    ).encode()
    assert _get(f"{gunicorn}/api/v1/tickets/", auth)[0] == 200

    answers = []
    for _ in range(3):
        # The worker holds its connection between requests (CONN_MAX_AGE); kill it.
        assert _drop_other_connections() >= 1
        answers.append(_get(f"{gunicorn}/api/v1/tickets/", auth)[0])
        assert _drop_other_connections() >= 1
        status, body = _get(f"{gunicorn}/api/v1/tickets/", auth, data=new_ticket)
        answers.append(status)
        assert _drop_other_connections() >= 1
        answers.append(_get(f"{gunicorn}/api/v1/tickets/{json.loads(body)['id']}/", auth)[0])

    assert answers == [200, 201, 200] * 3
    assert Ticket.objects.filter(subject="断线后重新受理").count() == 3


# --- (c) a Celery worker killed in the middle of a sweep ---------------------------------


@pytest.fixture
def due_clocks(world):
    """40 tickets whose first-response and solution clocks are long overdue (80 clocks)."""
    started = timezone.now() - datetime.timedelta(hours=2)
    team, agent = world.teams["hotline"], world.people["agent"]
    for _ in range(40):
        ticket = TicketFactory(team=team, assignee=agent, first_contact_agent=agent)
        sla_services.clocks_start(ticket, facts_for(ticket), at=started)
    clocks = list(
        Clock.objects.filter(sweep_at__lte=timezone.now(), ticket__team=team).values_list(
            "pk", flat=True
        )
    )
    assert len(clocks) == 80
    return clocks


def _wait_until_alone(timeout: float = 30) -> None:
    """PostgreSQL rolls back a dead client's transaction when it notices the closed socket."""
    deadline = time.monotonic() + timeout
    connections[numbering.NUMBERS_ALIAS].close()  # this process's own, which stays open
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
    pytest.fail("the killed worker's database session did not end")


def test_a_worker_killed_mid_sweep_leaves_the_rest_to_the_next_sweep_escalating_once(
    world, due_clocks
):
    if not str(celery_app.conf.broker_url).startswith("redis"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    queue = f"robustness-{uuid.uuid4().hex}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "csc",
            "worker",
            "--pool=solo",
            "--include",
            "tests.robustness.dying_sweep",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=settings.BASE_DIR,
        # Batches of 10; dies on the 15th clock, half-way through the second batch.
        env=_server_env(CSC_TEST_SWEEP_BATCH="10", CSC_TEST_SWEEP_DIE_AT="15"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        sla_tasks.sweep.apply_async(queue=queue)
        returncode = worker.wait(timeout=90)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert returncode == -signal.SIGKILL, worker.stderr.read().decode()[-2000:]
    _wait_until_alone()

    # The first batch committed; the second died with its transaction and left nothing.
    swept = Clock.objects.filter(pk__in=due_clocks, state=ClockState.BREACHED)
    assert swept.count() == 10
    assert EscalationRecord.objects.values("clock").distinct().count() == 10
    assert ClockEvent.objects.filter(kind=ClockEventKind.BREACHED).count() == 10

    finished = sla_tasks.sweep()  # the next beat run
    idle = sla_tasks.sweep()

    assert finished["clocks"] == 70
    assert idle["clocks"] == 0 and idle["escalations"] == 0
    assert Clock.objects.filter(pk__in=due_clocks, state=ClockState.BREACHED).count() == 80
    breaches = Counter(
        ClockEvent.objects.filter(kind=ClockEventKind.BREACHED).values_list("clock", flat=True)
    )
    assert len(breaches) == 80 and set(breaches.values()) == {1}
    steps = Counter(EscalationRecord.objects.values_list("clock", flat=True))
    # The breach step and the further step of each clock; the at-risk step was overtaken.
    assert len(steps) == 80 and set(steps.values()) == {2}
    notified = Counter(Notification.objects.values_list("recipient", "dedupe_key"))
    assert notified and set(notified.values()) == {1}
    raised = Counter(
        TicketEvent.objects.filter(kind=EventKind.ESCALATED).values_list("ticket", flat=True)
    )
    assert len(raised) == 40 and set(raised.values()) == {1}

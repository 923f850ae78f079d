"""sla.at_risk and sla.breached told to subscribed integrations (DESIGN.md §3):
from the sweeper in bulk, from the services when they find a breach first;
each warning and breach once, whichever path reports it."""

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csc.lib.reference import forget_reference_data
from sla import services
from sla.choices import Metric
from sla.models import Clock
from sla.sweeper import sweep
from staffing.models import WebhookDelivery
from staffing.webhooks import webhook_subscription_create
from tests.factories import make_api_client
from tests.sla.conftest import facts_for, sh

pytestmark = pytest.mark.django_db

T0 = sh(2026, 3, 2, 10, 0)


@pytest.fixture(autouse=True)
def subscription(db):
    client, _key = make_api_client("noc", ["webhooks:read", "webhooks:write"])
    subscription, _secret = webhook_subscription_create(
        client, url="https://noc.example.com/hooks", events=["sla.at_risk", "sla.breached"]
    )
    return subscription


def told(event: str) -> list[dict]:
    deliveries = WebhookDelivery.objects.filter(event=event).select_related("message")
    return [json.loads(d.message.body) for d in deliveries.order_by("pk")]


def swept(moment):
    with time_machine.travel(moment, tick=False):
        return sweep()


@pytest.fixture
def inquiry(make_ticket, lead_user):
    ticket = make_ticket()
    with time_machine.travel(T0, tick=False):
        services.clocks_start(ticket, facts_for(ticket))
    return ticket


def first_response(ticket) -> Clock:
    return Clock.objects.get(ticket=ticket, metric=Metric.FIRST_RESPONSE)


def test_the_sweeper_tells_each_warning_and_the_breach_once(inquiry):
    clock = first_response(inquiry)

    swept(T0 + datetime.timedelta(minutes=7, seconds=30))  # 50 % of 15 minutes
    swept(T0 + datetime.timedelta(minutes=7, seconds=40))
    at_risk = [b for b in told("sla.at_risk") if b["data"]["clock"]["id"] == clock.pk]
    assert len(at_risk) == 1
    data = at_risk[0]["data"]
    assert data["fraction"] == 0.5
    assert data["clock"]["metric"] == "first_response" and data["clock"]["at_risk"] is True
    assert data["clock"]["ticket"] == {
        "id": inquiry.pk,
        "number": inquiry.number,
        "kind": "inquiry",
        "status": inquiry.status,
        "team": inquiry.team_id,
        "assignee": inquiry.assignee_id,
    }

    swept(T0 + datetime.timedelta(minutes=12))  # 80 %: the second warning
    swept(T0 + datetime.timedelta(minutes=15))
    swept(T0 + datetime.timedelta(minutes=16))
    breached = [b for b in told("sla.breached") if b["data"]["clock"]["id"] == clock.pk]
    assert len(breached) == 1
    assert breached[0]["data"]["clock"]["state"] == "breached"
    assert breached[0]["occurred_at"].startswith("2026-03-02T02:15:00")  # the due time, UTC
    warnings = [b["data"] for b in told("sla.at_risk") if b["data"]["clock"]["id"] == clock.pk]
    assert [w["fraction"] for w in warnings] == [0.5, 0.8]


def test_a_breach_found_when_the_ticket_is_resolved_late_is_told_once(inquiry):
    late = T0 + datetime.timedelta(hours=3)
    inquiry.set_status("resolved")
    with time_machine.travel(late, tick=False):
        services.clocks_status_changed(inquiry, "open", "resolved", at=late)

    metrics = sorted(b["data"]["clock"]["metric"] for b in told("sla.breached"))
    assert "first_response" in metrics
    assert len(metrics) == len(set(metrics))

    swept(late + datetime.timedelta(hours=1))
    assert sorted(b["data"]["clock"]["metric"] for b in told("sla.breached")) == metrics


def test_the_sweeper_tells_a_batch_in_a_constant_number_of_queries(make_ticket, test_actions):
    def run(count: int) -> int:
        tickets = [make_ticket() for _ in range(count)]
        for ticket in tickets:
            with time_machine.travel(T0, tick=False):
                services.clocks_start(ticket, facts_for(ticket))
        forget_reference_data()  # both runs read the reference data cold
        with (
            time_machine.travel(T0 + datetime.timedelta(minutes=8), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            result = sweep()
        assert result.warnings >= count
        assert WebhookDelivery.objects.filter(event="sla.at_risk").count() == result.warnings
        WebhookDelivery.objects.all().delete()
        Clock.objects.all().delete()
        return len(queries)

    assert run(3) == run(30)

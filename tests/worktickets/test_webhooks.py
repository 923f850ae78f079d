"""Ticket events told to subscribed integrations (DESIGN.md §3)."""

import json

import pytest

from staffing.models import WebhookDelivery
from staffing.webhooks import webhook_subscription_create
from tests.factories import CustomerFactory, make_api_client, make_ticket
from worktickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def subscription(db):
    client, _key = make_api_client("crm", ["webhooks:read", "webhooks:write"])
    subscription, _secret = webhook_subscription_create(
        client,
        url="https://crm.example.com/hooks",
        events=["ticket.created", "ticket.status_changed"],
    )
    return subscription


def told(event: str) -> list[dict]:
    deliveries = WebhookDelivery.objects.filter(event=event).select_related("message")
    return [json.loads(d.message.body)["data"] for d in deliveries.order_by("pk")]


def test_a_new_ticket_is_told_with_its_deadline_and_without_the_callers_number(agent_user):
    customer = CustomerFactory(phone="13812345678")

    ticket = make_ticket(created_by=agent_user, customer=customer, subject="13812345678 查流量")

    [data] = told("ticket.created")
    assert data["ticket"]["id"] == ticket.pk
    assert data["ticket"]["number"] == ticket.number
    assert data["ticket"]["team"] == ticket.team_id
    assert data["ticket"]["sla_due_at"] is not None
    assert "13812345678" not in json.dumps(data)


def test_every_status_change_is_told_once_with_from_and_to(agent_user):
    ticket = make_ticket(created_by=agent_user)

    ticket = services.ticket_accept(ticket, by=agent_user, version=ticket.version)
    ticket = services.ticket_hold(ticket, by=agent_user, version=ticket.version, reason="补资料")
    ticket = services.ticket_resume(ticket, by=agent_user, version=ticket.version)

    changes = told("ticket.status_changed")
    assert [(c["from_status"], c["to_status"]) for c in changes] == [
        ("new", "in_progress"),
        ("in_progress", "pending_customer"),
        ("pending_customer", "in_progress"),
    ]
    assert [c["ticket"]["status"] for c in changes] == [
        "in_progress",
        "pending_customer",
        "in_progress",
    ]
    assert {c["changed_by"] for c in changes} == {agent_user.pk}


def test_a_refused_change_tells_nothing(agent_user):
    ticket = make_ticket(created_by=agent_user)

    with pytest.raises(Exception):  # noqa: B017 - any refusal rolls the emit back with it
        services.ticket_close(ticket, by=agent_user, version=ticket.version)

    assert told("ticket.status_changed") == []

"""The desk's pages issue a fixed number of queries, however many rows they show."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AgentFactory,
    BusinessTicketFactory,
    ContactFactory,
    CustomerFactory,
    CustomerServiceFactory,
    TicketFactory,
    UserFactory,
    make_ticket,
)
from worktickets.models import TicketEvent

pytestmark = pytest.mark.django_db

VIP_TIERS = ["none", "silver", "gold", "diamond", "supreme"]


def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def add_tickets(count: int, **fields) -> None:
    """Inquiries and business orders of customers of every VIP tier, some with a deadline."""
    due = timezone.now() + datetime.timedelta(hours=1)
    for n in range(count):
        factory = BusinessTicketFactory if n % 2 else TicketFactory
        factory(
            customer=CustomerFactory(vip_tier=VIP_TIERS[n % 5], payment_type="postpaid"),
            sla_due_at=due + datetime.timedelta(minutes=n) if n % 3 else None,
            priority=1 + n % 4,
            **fields,
        )


@pytest.fixture
def colleague(hotline_team):
    user = UserFactory(username="colleague", roles=["agent"])
    AgentFactory(user=user, team=hotline_team)
    return user


def assert_constant(client, url, grow, params=None):
    queries_for(client, url, params)  # the first request loads what each process keeps
    grow(10)
    with_ten = queries_for(client, url, params)
    grow(90)
    with_hundred = queries_for(client, url, params)
    assert with_hundred == with_ten


def test_my_queue_queries_do_not_grow_with_tickets(client, agent_user, hotline_team):
    client.force_login(agent_user)
    assert_constant(
        client,
        reverse("worktickets:my_queue"),
        lambda n: add_tickets(n, team=hotline_team, assignee=agent_user),
    )


def test_team_queue_queries_do_not_grow_with_tickets(client, lead_user, hotline_team, colleague):
    # A lead sees full numbers, so the page also records those views: still one insert.
    client.force_login(lead_user)
    assert_constant(
        client,
        reverse("worktickets:team_queue"),
        lambda n: add_tickets(n, team=hotline_team, assignee=colleague),
    )


def test_follow_ups_queries_do_not_grow_with_tickets(client, agent_user, outsider_user, other_team):
    client.force_login(agent_user)
    assert_constant(
        client,
        reverse("worktickets:follow_ups"),
        lambda n: add_tickets(
            n, team=other_team, assignee=outsider_user, first_contact_agent=agent_user
        ),
    )


def test_phone_search_queries_do_not_grow_with_the_callers_tickets(
    client, agent_user, hotline_team
):
    customer = CustomerFactory(phone="13900002222")
    client.force_login(agent_user)
    assert_constant(
        client,
        reverse("worktickets:search"),
        lambda n: [TicketFactory(team=hotline_team, customer=customer) for _ in range(n)],
        params={"q": "13900002222"},
    )


def test_ticket_page_queries_do_not_grow_with_its_timeline(
    client, agent_user, lead_user, colleague
):
    customer = CustomerFactory(vip_tier="gold")
    CustomerServiceFactory(customer=customer)
    ticket = make_ticket(created_by=agent_user, customer=customer)
    actors = [agent_user, lead_user, colleague]

    def grow(count):
        TicketEvent.objects.bulk_create(
            TicketEvent(
                ticket=ticket,
                kind=["note", "reply", "transfer"][n % 3],
                actor=actors[n % 3],
                body=f"第 {n} 条",
                is_customer_facing=n % 3 == 1,
                data={"from_team": "甲", "to_team": "乙"} if n % 3 == 2 else {},
            )
            for n in range(count)
        )
        # The customer's history grows as well: more tickets and contacts.
        for _ in range(count // 10):
            make_ticket(created_by=colleague, customer=customer)
            ContactFactory(customer=customer, agent=colleague)

    client.force_login(agent_user)
    url = reverse("worktickets:ticket_detail", args=[ticket.pk])
    client.get(url)  # the first request loads what each process keeps (the action forms' options)
    assert_constant(client, url, grow)


def test_ticket_action_fragment_queries_do_not_grow_with_its_timeline(client, agent_user):
    ticket = make_ticket(created_by=agent_user)
    client.force_login(agent_user)
    url = reverse("worktickets:ticket_action", args=[ticket.pk, "note"])

    def note_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, {"version": 1, "body": "备注"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return len(captured)

    note_queries()  # the first request loads what each process keeps (the action forms' options)
    TicketEvent.objects.bulk_create(
        TicketEvent(ticket=ticket, kind="note", actor=agent_user, body="旧备注") for _ in range(10)
    )
    with_ten = note_queries()
    TicketEvent.objects.bulk_create(
        TicketEvent(ticket=ticket, kind="note", actor=agent_user, body="旧备注") for _ in range(90)
    )
    assert note_queries() == with_ten


def test_an_agents_team_queue_runs_eleven_queries(client, agent_user, hotline_team):
    """Session, user, permissions (2), agent, saved views, count, newest ticket, roles,
    unread notifications, rows. The teams come from the per-process team table, so
    looking up the user's teams twice (switcher and rows) reads nothing."""
    client.force_login(agent_user)
    add_tickets(5, team=hotline_team)
    url = reverse("worktickets:team_queue")
    queries_for(client, url)  # the first request loads what each process keeps
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert len(captured) == 11, "\n".join(q["sql"][:150] for q in captured)

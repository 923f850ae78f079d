"""The customer page's tickets and complaints (issue: one-screen call handling): every
kind, open first, each visible one linked to its page, others only by number."""

import pytest
from django.urls import reverse

from tests.conftest import _persona
from tests.factories import CustomerFactory, TicketFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_the_customer_page_loads_their_tickets_and_offers_new_work(client, agent_user):
    customer = CustomerFactory()
    client.force_login(agent_user)

    page = client.get(reverse("intake:customer_detail", args=[customer.pk])).content.decode()

    assert reverse("worktickets:customer_work", args=[customer.pk]) in page
    assert f"{reverse('worktickets:ticket_new')}?customer={customer.pk}" in page
    assert f"{reverse('complaints:new')}?customer={customer.pk}" in page


def test_open_work_comes_first_and_another_teams_ticket_shows_only_its_number(
    client, agent_user, other_team
):
    customer = CustomerFactory()
    closed = make_ticket(created_by=agent_user, customer=customer, subject="已办结的查询")
    closed.status, closed.status_category = "closed", "closed"
    closed.save()
    open_ticket = make_ticket(created_by=agent_user, customer=customer, subject="查询话费")
    hidden = TicketFactory(team=other_team, customer=customer, subject="别组的工单")
    client.force_login(agent_user)

    shown = client.get(reverse("worktickets:customer_work", args=[customer.pk])).content.decode()

    assert shown.index(open_ticket.number) < shown.index(closed.number)
    assert reverse("worktickets:ticket_detail", args=[open_ticket.pk]) in shown
    assert hidden.number in shown and "别组的工单" not in shown
    assert reverse("worktickets:ticket_detail", args=[hidden.pk]) not in shown


def test_the_list_costs_the_same_queries_for_many_tickets(
    client, agent_user, django_assert_max_num_queries
):
    customer = CustomerFactory()
    make_ticket(created_by=agent_user, customer=customer)
    client.force_login(agent_user)
    url = reverse("worktickets:customer_work", args=[customer.pk])
    client.get(url)
    with django_assert_max_num_queries(10) as one:
        client.get(url)
    queries = len(one.captured_queries)
    for _ in range(5):
        make_ticket(created_by=agent_user, customer=customer)

    with django_assert_max_num_queries(queries):
        assert client.get(url).content.decode().count('class="wt-number"') == 6


def test_people_without_tickets_cannot_read_them(client, db, hotline_team):
    nobody = _persona("agent", hotline_team, "agent7")
    nobody.groups.clear()
    client.force_login(nobody)

    answer = client.get(reverse("worktickets:customer_work", args=[CustomerFactory().pk]))

    assert answer.status_code == 403

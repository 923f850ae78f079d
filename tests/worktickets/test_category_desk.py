"""Inquiry categories on the desk: chosen on the new-ticket form or the ticket page,
shown in queues and on the timeline, and a filter of the queues."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from csc.lib.reference import forget_reference_data
from tests.factories import CustomerFactory, TicketFactory, business_type, make_ticket
from worktickets.models import InquiryCategory, Ticket

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def category(code: str) -> InquiryCategory:
    return InquiryCategory.objects.get(code=code)


def edit(client, ticket, **fields):
    ticket.refresh_from_db()
    data = {
        "version": ticket.version,
        "subject": ticket.subject,
        "description": ticket.description,
        "priority": ticket.priority,
        **fields,
    }
    url = reverse("worktickets:ticket_action", args=[ticket.pk, "edit"])
    return client.post(url, data, **HX)


def test_an_inquiry_is_opened_with_its_category(client, agent_user):
    client.force_login(agent_user)

    response = client.post(
        reverse("worktickets:ticket_new"),
        {
            "kind": "inquiry",
            "channel": "hotline",
            "priority": 2,
            "subject": "网上营业厅无法登录",
            "category": "system_fault_web",
        },
    )

    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="网上营业厅无法登录")
    assert ticket.category.code == "system_fault_web"
    page = client.get(response.url).content.decode()
    assert "系统故障 / 网上营业厅故障" in page


def test_a_category_left_in_the_hidden_field_of_a_business_order_is_ignored(client, agent_user):
    client.force_login(agent_user)
    customer = CustomerFactory(payment_type="postpaid")

    response = client.post(
        reverse("worktickets:ticket_new"),
        {
            "kind": "business",
            "channel": "hotline",
            "priority": 2,
            "subject": "查话费",
            "customer": customer.pk,
            "business_type": business_type("bill_query").pk,
            "category": "query_tariff",
        },
    )

    assert response.status_code == 302
    assert Ticket.objects.get(subject="查话费").category is None


def test_the_ticket_page_classifies_an_inquiry_and_the_timeline_says_so(english, agent_user):
    english.force_login(agent_user)
    ticket = make_ticket(created_by=agent_user)

    response = edit(english, ticket, category="feedback_efficiency")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Suggestion and feedback / Handling efficiency" in html  # header and timeline
    assert "inquiry category" in html.lower()
    ticket.refresh_from_db()
    assert ticket.category.code == "feedback_efficiency"


def test_an_unknown_category_posted_is_refused_beside_its_field(english, agent_user):
    english.force_login(agent_user)
    ticket = make_ticket(created_by=agent_user)

    response = edit(english, ticket, category="nope")

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.category is None


def test_a_retired_category_stays_selected_when_other_details_are_edited(client, agent_user):
    client.force_login(agent_user)
    ticket = make_ticket(created_by=agent_user, category=category("proactive_renewal"))
    InquiryCategory.objects.filter(code="proactive_renewal").update(is_active=False)

    page = client.get(reverse("worktickets:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'value="proactive_renewal" selected' in page
    response = edit(client, ticket, subject="续约提醒（改）", category="proactive_renewal")

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.category.code) == ("续约提醒（改）", "proactive_renewal")


def test_business_orders_are_not_offered_a_category(client, agent_user):
    client.force_login(agent_user)
    order = make_ticket(
        created_by=agent_user, kind="business", business_type=business_type("bill_query")
    )

    page = client.get(reverse("worktickets:ticket_detail", args=[order.pk])).content.decode()

    assert 'name="category"' not in page
    assert edit(client, order, subject="改主题").status_code == 200


def test_the_queue_shows_and_filters_by_category(client, agent_user, hotline_team):
    client.force_login(agent_user)
    fault = TicketFactory(team=hotline_team, category=category("system_fault_app"))
    feedback = TicketFactory(team=hotline_team, category=category("feedback"))
    plain = TicketFactory(team=hotline_team)
    url = reverse("worktickets:team_queue")

    everything = client.get(url).content.decode()
    faults = client.get(url, {"category": "system_fault"}).content.decode()
    unknown = client.get(url, {"category": "nope"})

    assert "系统故障 / 手机营业厅/APP故障" in everything
    assert all(t.number in everything for t in (fault, feedback, plain))
    assert fault.number in faults
    assert feedback.number not in faults and plain.number not in faults
    assert unknown.status_code == 200  # the refused value is shown, the queue unfiltered
    assert plain.number in unknown.content.decode()
    assert "errorlist" in unknown.content.decode()


def test_queue_queries_do_not_grow_with_categorised_tickets(client, agent_user, hotline_team):
    client.force_login(agent_user)
    codes = ["feedback_attitude", "query_tariff", "system_fault_app", "complex", "consultation"]
    url = reverse("worktickets:team_queue")

    def queries(params) -> int:
        # Kept copies age out after a minute: load them afresh, then measure.
        forget_reference_data()
        client.get(url, params)  # the first request loads what each process keeps
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    for n in range(5):
        TicketFactory(team=hotline_team, category=category(codes[n]))
    few = [queries({}), queries({"category": "feedback"})]
    for n in range(60):
        TicketFactory(team=hotline_team, category=category(codes[n % 5]))
    many = [queries({}), queries({"category": "feedback"})]

    assert many == few

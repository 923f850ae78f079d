"""Inquiry categories through the API: chosen on create or PATCH by code, refused with a
message when unknown, listed and filtered (the queues' FilterSet)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csc.lib.reference import forget_reference_data
from tests.factories import (
    CustomerFactory,
    TicketFactory,
    business_type,
    make_ticket,
)
from worktickets.models import InquiryCategory

pytestmark = pytest.mark.django_db


def category(code: str) -> InquiryCategory:
    return InquiryCategory.objects.get(code=code)


def create(api, **extra):
    body = {"kind": "inquiry", "channel": "hotline", "subject": "APP 查询话费报错", **extra}
    return api.post(
        "/api/v1/tickets/",
        {"team": api.team.pk, **body},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_an_inquiry_is_created_with_its_category_and_its_timers(cti):
    response = create(cti, category="system_fault_app")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["category"] == "system_fault_app"
    first_response = next(c for c in body["clocks"] if c["metric"] == "first_response")
    assert first_response["policy"] == "System faults during a query"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("no_such_category", "Unknown inquiry category “no_such_category”."),
        (12, "Give the inquiry category's code as a string."),
    ],
)
def test_an_unknown_category_is_refused_with_a_message(cti, value, message):
    response = create(cti, category=value)

    assert response.status_code == 400
    assert response.json()["category"] == [message]


def test_a_category_on_a_business_order_is_refused(cti):
    response = create(
        cti,
        kind="business",
        business_type="bill_query",
        customer=CustomerFactory(payment_type="postpaid").pk,
        category="query",
    )

    assert response.status_code == 400
    assert response.json()["category"] == ["Only inquiries carry an inquiry category."]


def test_patch_sets_and_clears_the_category(cti, agent_user):
    ticket = make_ticket(created_by=agent_user)
    url = f"/api/v1/tickets/{ticket.pk}/"

    set_ = cti.patch(url, {"version": ticket.version, "category": "feedback"}, format="json")
    assert set_.status_code == 200, set_.json()
    assert set_.json()["category"] == "feedback"
    replies = {
        c["state"]: c["policy"] for c in set_.json()["clocks"] if c["metric"] == "first_response"
    }
    assert replies == {"stopped": "Inquiries", "running": "Suggestions and feedback"}
    assert set_.json()["timeline"][-1]["data"] == {"category": {"from": "", "to": "feedback"}}

    cleared = cti.patch(url, {"version": set_.json()["version"], "category": None}, format="json")
    assert cleared.status_code == 200
    assert cleared.json()["category"] is None


def test_patch_with_a_bad_category_is_a_400_with_a_message(cti, agent_user):
    ticket = make_ticket(created_by=agent_user)
    order = make_ticket(
        created_by=agent_user, kind="business", business_type=business_type("bill_query")
    )

    unknown = cti.patch(
        f"/api/v1/tickets/{ticket.pk}/", {"version": 1, "category": "nope"}, format="json"
    )
    business = cti.patch(
        f"/api/v1/tickets/{order.pk}/",
        {"version": 1, "category": "query"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert unknown.status_code == business.status_code == 400
    assert unknown.json()["category"]
    assert business.json()["detail"] == "Only inquiries carry an inquiry category."
    ticket.refresh_from_db()
    assert ticket.category is None


def test_the_list_filters_by_category_a_top_level_code_finding_its_children(cti):
    fault = TicketFactory(team=cti.team, category=category("system_fault_web"))
    top = TicketFactory(team=cti.team, category=category("system_fault"))
    TicketFactory(team=cti.team, category=category("feedback"))
    TicketFactory(team=cti.team)

    by_top = cti.get("/api/v1/tickets/?category=system_fault").json()["results"]
    by_child = cti.get("/api/v1/tickets/?category=system_fault_web").json()["results"]
    unknown = cti.get("/api/v1/tickets/?category=nope")

    assert {t["id"] for t in by_top} == {fault.pk, top.pk}
    assert [t["id"] for t in by_child] == [fault.pk]
    assert unknown.status_code == 400
    assert "category" in unknown.json()


def test_the_list_names_categories_without_a_query_per_ticket(cti):
    codes = ["feedback", "query_tariff", "system_fault_app", "complex_business"]

    def count():
        # Kept copies age out after a minute: load them afresh, then measure.
        forget_reference_data()
        cti.get("/api/v1/tickets/")  # warm up: what each process keeps
        with CaptureQueriesContext(connection) as captured:
            response = cti.get("/api/v1/tickets/?page_size=200")
        assert response.status_code == 200
        return len(captured), response.json()["results"]

    for n in range(4):
        TicketFactory(team=cti.team, category=category(codes[n]))
    small, rows = count()
    for n in range(40):
        TicketFactory(team=cti.team, category=category(codes[n % 4]))
    large, rows = count()

    assert large == small
    assert {row["category"] for row in rows} == set(codes)

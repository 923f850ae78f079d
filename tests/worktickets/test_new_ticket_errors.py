"""The new-ticket form says everything wrong in one answer, beside each field, keeping
what was typed: the form's errors and the business order's refusals together."""

import html

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, business_type
from worktickets.models import Ticket

pytestmark = pytest.mark.django_db


def error_of(page: str, field: str) -> str:
    start = page.find(f'id="id_{field}_error"')
    return "" if start < 0 else html.unescape(page[start : page.index("</ul>", start)])


def test_a_business_order_without_customer_type_or_subject_names_all_three(english, agent_user):
    english.force_login(agent_user)

    response = english.post(
        reverse("worktickets:ticket_new"),
        {
            "kind": "business",
            "channel": "hotline",
            "priority": 2,
            "subject": " ",
            "order_details": "套餐: 59 元",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in error_of(page, "subject")
    assert "Choose the business type." in error_of(page, "business_type")
    assert "Look up or register the customer first." in html.unescape(page)
    assert "套餐: 59 元</textarea>" in page
    assert not Ticket.objects.exists()


def test_an_ineligible_business_type_is_said_with_the_other_fields_errors(english, agent_user):
    english.force_login(agent_user)
    prepaid = CustomerFactory(payment_type="prepaid")

    response = english.post(
        reverse("worktickets:ticket_new"),
        {
            "kind": "business",
            "channel": "walk_in",
            "priority": 2,
            "customer": prepaid.pk,
            "business_type": business_type("ownership_transfer").pk,
            "subject": "",
            "description": "客户要把号码过户给女儿",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in error_of(page, "subject")
    assert "is not available to Prepaid customers" in error_of(page, "business_type")
    assert "客户要把号码过户给女儿</textarea>" in page


def test_every_order_detail_line_that_is_not_name_value_is_named(english, agent_user):
    english.force_login(agent_user)
    lines = "套餐: 59 元\n没有冒号\n生效: 下月\n也没有"

    response = english.post(
        reverse("worktickets:ticket_new"),
        {
            "kind": "business",
            "channel": "hotline",
            "priority": 2,
            "subject": "办套餐",
            "order_details": lines,
        },
    )

    errors = error_of(response.content.decode(), "order_details")
    assert response.status_code == 400
    assert 'Line 2: write each detail as "name: value".' in errors
    assert 'Line 4: write each detail as "name: value".' in errors

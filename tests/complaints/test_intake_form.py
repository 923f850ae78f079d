"""The complaint intake form never loses what was typed and shows every error at once:
the form's own and the service's, next to their fields; the customer lookup works in
place (htmx) instead of reloading the page."""

import html

import pytest
from django.urls import reverse

from complaints import services
from complaints.models import Complaint
from csc.lib.errors import DomainError
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def errors_of(page: str, field: str) -> str:
    """The error list rendered for the field (empty when it has none)."""
    start = page.find(f'id="id_{field}_error"')
    return "" if start < 0 else page[start : page.index("</ul>", start)]


def test_a_form_error_and_the_services_refusals_are_shown_at_once(english, groups, agent_user):
    english.force_login(agent_user)
    typed = {
        "channel": "hotline",
        "tier": "complaint",
        "severity": "normal",
        "category": "",  # the service: choose the category
        "content": "宽带每天晚上断线三次，已经持续一周",
        "customer_name": "",  # the service: record the customer's name
        "contact_email": "not-an-email",  # the form: not an email
        "contact_address": "杭州市西湖区文三路 1 号",
        "area": "文三路",
    }

    response = english.post(reverse("complaints:new"), typed)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid email address." in errors_of(page, "contact_email")
    assert "Choose the complaint&#x27;s category." in errors_of(page, "category")
    assert "Record the customer&#x27;s name." in errors_of(page, "customer_name")
    for name in ("category", "customer_name", "contact_email"):
        assert f'aria-describedby="id_{name}_error"' in page
    # Everything typed is still there.
    assert "宽带每天晚上断线三次，已经持续一周</textarea>" in page
    assert 'value="not-an-email"' in page
    assert html.escape("杭州市西湖区文三路 1 号") in page
    assert 'value="文三路"' in page
    assert not Complaint.objects.exists()


def test_the_service_names_every_field_it_refuses_in_one_answer(groups, agent_user):
    intake = services.ComplaintIntake(channel="hotline", content="  ", category="")

    with pytest.raises(DomainError) as refused:
        services.complaint_check(intake)

    assert set(refused.value.details) == {
        "category",
        "region",
        "content",
        "customer_name",
        "contact_phone",
    }


def test_looking_up_the_customer_answers_the_results_only(client, agent_user):
    client.force_login(agent_user)
    customer = CustomerFactory(name="钱多多", phone="13700002222")

    response = client.get(reverse("complaints:intake_lookup"), {"phone": "137 0000 2222"}, **HX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<form" not in body
    assert "钱多多" in body
    assert f"chosen={customer.pk}" in body


def test_the_intake_page_looks_up_in_place(client, agent_user):
    client.force_login(agent_user)
    page = client.get(reverse("complaints:new")).content.decode()
    assert f'hx-get="{reverse("complaints:intake_lookup")}"' in page
    assert 'id="intake-customer"' in page


def test_choosing_the_customer_keeps_the_typed_contact_details(client, agent_user):
    client.force_login(agent_user)
    customer = CustomerFactory(name="钱多多")
    typed = {"customer_name": "", "contact_email": "qian@example.cn", "contact_address": "文三路"}

    response = client.get(
        reverse("complaints:intake_customer"), {"chosen": customer.pk, **typed}, **HX
    )

    body = response.content.decode()
    assert body.startswith('<fieldset id="intake-customer">')
    assert f'name="customer" value="{customer.pk}"' in body
    assert 'value="钱多多"' in body  # the name, none having been typed
    assert 'value="qian@example.cn"' in body and 'value="文三路"' in body


def test_a_name_typed_before_choosing_the_customer_stays(client, agent_user):
    client.force_login(agent_user)
    customer = CustomerFactory(name="钱多多")

    response = client.get(
        reverse("complaints:intake_customer"),
        {"chosen": customer.pk, "customer_name": "钱先生"},
        **HX,
    )

    assert 'value="钱先生"' in response.content.decode()

"""One-screen call handling (issue 14, item 11): the number an agent looks a caller up
by is the call in hand, and the new ticket, complaint and contact forms opened for a
customer that lookup found start with it. The customer's registered number is never
put in a form in full."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from intake.calls import CALL_KEPT
from intake.models import Contact
from tests.factories import CustomerFactory
from worktickets.models import Ticket

pytestmark = pytest.mark.django_db

CALLER = "13912345670"
NOW = datetime.datetime(2026, 12, 4, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def customer():
    return CustomerFactory(name="李小红", phone=CALLER)


def look_up(client, number: str):
    """The search box with a full number: one customer found goes to their page."""
    return client.get(reverse("intake:customer_search"), {"q": number})


def field_value(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, f"no input named {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def forms_for(client, customer) -> dict[str, str]:
    """What each form opened from the customer page puts in its number field."""
    query = {"customer": customer.pk}
    ticket = client.get(reverse("worktickets:ticket_new"), query).content.decode()
    complaint = client.get(reverse("complaints:new"), query).content.decode()
    contact = client.get(reverse("intake:contact_record"), query).content.decode()
    return {
        "ticket": field_value(ticket, "phone"),
        "complaint": field_value(complaint, "contact_phone"),
        "contact": field_value(contact, "caller_number"),
    }


def test_the_forms_opened_after_a_phone_lookup_start_with_the_callers_number(
    signed_in, lead_user, customer, frozen
):
    client = signed_in(lead_user)
    response = look_up(client, "139 1234 5670")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "On the line from 139****5670" in page
    assert CALLER not in page  # masked on the page, like every number there

    assert forms_for(client, customer) == {
        "ticket": CALLER,
        "complaint": CALLER,
        "contact": CALLER,
    }


def test_without_a_lookup_the_registered_number_stays_out_of_the_forms(
    signed_in, lead_user, customer, frozen
):
    client = signed_in(lead_user)
    page = client.get(reverse("intake:customer_detail", args=[customer.pk])).content.decode()
    assert "On the line" not in page
    assert forms_for(client, customer) == {"ticket": "", "complaint": "", "contact": ""}


def test_the_call_in_hand_is_offered_only_for_a_customer_its_lookup_found(
    signed_in, lead_user, customer, frozen
):
    other = CustomerFactory(name="王五", phone="13700001111")
    client = signed_in(lead_user)
    look_up(client, CALLER)
    assert forms_for(client, other) == {"ticket": "", "complaint": "", "contact": ""}
    # The next caller's lookup replaces it.
    look_up(client, other.phone)
    assert forms_for(client, customer)["ticket"] == ""
    assert forms_for(client, other)["ticket"] == other.phone


def test_the_call_in_hand_is_forgotten_after_the_call_and_its_wrap_up(
    signed_in, lead_user, customer, frozen
):
    client = signed_in(lead_user)
    look_up(client, CALLER)
    frozen.shift(CALL_KEPT - 1)
    assert forms_for(client, customer)["ticket"] == CALLER
    frozen.shift(2)
    assert forms_for(client, customer) == {"ticket": "", "complaint": "", "contact": ""}


def test_the_caller_lookup_on_the_new_ticket_form_is_a_call_in_hand_too(
    signed_in, lead_user, customer, frozen
):
    client = signed_in(lead_user)
    client.get(reverse("worktickets:caller_lookup"), {"phone": CALLER})
    assert forms_for(client, customer)["contact"] == CALLER


def test_the_ticket_and_the_contact_carry_the_number_of_the_call(
    signed_in, lead_user, customer, frozen
):
    client = signed_in(lead_user)
    look_up(client, CALLER)
    number = forms_for(client, customer)["ticket"]
    response = client.post(
        reverse("worktickets:ticket_new"),
        {
            "phone": number,
            "customer": customer.pk,
            "kind": "inquiry",
            "channel": "hotline",
            "priority": 2,
            "subject": "查询流量余额",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Ticket.objects.get(customer=customer).caller_number == CALLER

    response = client.post(
        reverse("intake:contact_record"),
        {
            "customer": customer.pk,
            "channel": "hotline",
            "caller_number": forms_for(client, customer)["contact"],
            "queued_at": "2026-12-04T10:00",
            "answered_at": "2026-12-04T10:00",
        },
    )
    assert response.status_code == 302
    assert Contact.objects.get(customer=customer).caller_number == CALLER

"""A team lead sees a caller's number masked and reveals it, giving the reason,
inside the new-ticket form without disturbing it (DOMAIN.md R-2)."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import PersonalDataAccess
from tests.factories import PASSWORD, ContactFactory, CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_lead_reveals_the_callers_number_with_a_reason(page, lead_user):
    customer = CustomerFactory(name="李四", phone="13912345678")
    contact = ContactFactory(customer=customer, caller_number="13912345678")
    page.goto("/login/")
    page.fill("input[name=username]", lead_user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/tickets/new/?contact={contact.pk}")
    panel = page.locator("#caller-panel")
    expect(panel).to_contain_text("139****5678")
    expect(page.locator("body")).not_to_contain_text("13912345678")
    control = panel.locator(".pd-reveal").first
    control.locator("summary").click()
    control.locator("input[name=reveal_reason]").fill("客户要求核对来电号码")
    control.locator("button").click()

    expect(panel).to_contain_text("13912345678")
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.customer, access.action, access.reason) == (
        lead_user,
        customer,
        "reveal",
        "客户要求核对来电号码",
    )

"""A privilege that is a business (temporary credit, emergency reactivation, free SIM
re-issue; DOMAIN.md P-9, CA-8) is offered from the new-ticket form when the chosen
caller holds it: the caller's privileges are shown, and "start this business" opens
the form with the business type chosen."""

import re

import pytest
from django.urls import reverse

from care.models import Privilege
from tests.factories import CustomerFactory
from worktickets import offers
from worktickets.models import BusinessType

pytestmark = pytest.mark.django_db


def new_ticket(client, **params):
    return client.get(reverse("worktickets:ticket_new"), params, HTTP_ACCEPT_LANGUAGE="en")


def start_links(html: str) -> set[str]:
    return set(re.findall(r'data-start-business="([a-z_]+)"', html))


def test_the_form_shows_a_gold_callers_privileges_and_the_businesses_to_start(client, agent_user):
    customer = CustomerFactory(vip_tier="gold", payment_type="postpaid")
    client.force_login(agent_user)

    html = new_ticket(client, customer=customer.pk).content.decode()

    assert "data-privileges" in html and "Bill mailing" in html
    assert start_links(html) == {"temporary_credit", "reactivation", "sim_replacement"}


def test_start_this_business_opens_the_form_with_the_business_type_chosen(client, agent_user):
    customer = CustomerFactory(vip_tier="silver", payment_type="postpaid")
    credit = BusinessType.objects.get(code="temporary_credit")
    client.force_login(agent_user)

    html = new_ticket(client, customer=customer.pk).content.decode()
    link = re.search(r'href="([^"]+)" data-start-business="temporary_credit"', html)
    started = client.get(link.group(1).replace("&amp;", "&"), HTTP_ACCEPT_LANGUAGE="en")

    page = started.content.decode()
    assert started.status_code == 200
    assert re.search(r'value="business"[^>]*checked', page)
    assert re.search(rf'<option value="{credit.pk}"[^>]*selected', page)
    assert 'value="Temporary credit limit"' in page  # the subject, prefilled


def test_a_prepaid_vip_or_an_ordinary_caller_is_offered_nothing(client, agent_user):
    prepaid = CustomerFactory(vip_tier="gold", payment_type="prepaid")
    ordinary = CustomerFactory(vip_tier="none", payment_type="postpaid")
    client.force_login(agent_user)

    for customer in (prepaid, ordinary):
        html = new_ticket(client, customer=customer.pk).content.decode()
        assert "data-privileges" not in html and not start_links(html)


def test_a_privilege_whose_business_type_is_retired_shows_without_the_button(client, agent_user):
    BusinessType.objects.filter(code="reactivation").update(is_active=False)
    customer = CustomerFactory(vip_tier="gold", payment_type="postpaid")
    client.force_login(agent_user)

    html = new_ticket(client, customer=customer.pk).content.decode()

    assert start_links(html) == {"temporary_credit", "sim_replacement"}


def test_a_business_type_given_without_a_customer_chooses_nothing(client, agent_user):
    credit = BusinessType.objects.get(code="temporary_credit")
    client.force_login(agent_user)

    page = new_ticket(client, business_type=credit.pk).content.decode()

    assert not re.search(rf'<option value="{credit.pk}"[^>]*selected', page)


def test_the_offers_read_the_business_types_once_for_every_caller(django_assert_num_queries):
    callers = [CustomerFactory(vip_tier="gold", payment_type="postpaid") for _ in range(3)]
    plain = [CustomerFactory(vip_tier="none") for _ in range(3)]
    Privilege.objects.first()  # the catalogue is kept; read it before counting
    offers.offers_for(callers[:1])

    with django_assert_num_queries(1):
        offers.offers_for(callers)
    with django_assert_num_queries(0):
        offers.offers_for(plain)

    assert all(len(c.offers) == len(callers[0].offers) for c in callers)
    assert all(c.offers == [] for c in plain)

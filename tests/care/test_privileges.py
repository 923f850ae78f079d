"""Privileges as data with inheritance (DOMAIN.md P-9, CA-7, CA-8, K-15), for postpaid
VIPs only (CA-4), shown on the customer page and the desk."""

import pytest
from django.urls import reverse

from care.models import Privilege, TierPrivilege
from care.selectors import privileges_for
from tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db

CLUB = {
    "credit_uplift",
    "temporary_credit",
    "emergency_reactivation",
    "free_sim_reissue",
    "bill_mailing",
}


def codes(customer) -> set[str]:
    return {p.code for p in privileges_for(customer)}


def test_the_catalogue_holds_the_28_privileges_of_ca8():
    assert Privilege.objects.count() == 28
    assert TierPrivilege.objects.exclude(source="").count() == 28


def test_every_tier_gets_the_five_club_privileges():
    for tier in ("silver", "gold", "diamond", "supreme"):
        assert codes(CustomerFactory(vip_tier=tier, payment_type="postpaid")) >= CLUB


def test_higher_tiers_inherit_lower_tiers_grants():
    silver, gold, diamond, supreme = (
        codes(CustomerFactory(vip_tier=tier, payment_type="postpaid"))
        for tier in ("silver", "gold", "diamond", "supreme")
    )

    assert silver < gold < diamond < supreme
    assert "appointment_handling" in gold and "appointment_handling" not in silver  # P-9
    assert "senior_management" in supreme and "senior_management" not in diamond


def test_a_grant_added_to_a_lower_tier_reaches_the_higher_ones():
    TierPrivilege.objects.filter(privilege__code="club_house").update(tier="silver")

    assert "club_house" in codes(CustomerFactory(vip_tier="gold", payment_type="postpaid"))


def test_a_prepaid_tier_and_an_ordinary_customer_get_no_privileges():
    assert codes(CustomerFactory(vip_tier="supreme", payment_type="prepaid")) == set()
    assert codes(CustomerFactory(vip_tier="none", payment_type="postpaid")) == set()


def test_the_customer_page_shows_the_privileges(client, agent_user):
    customer = CustomerFactory(vip_tier="gold", payment_type="postpaid")
    client.force_login(agent_user)

    html = client.get(reverse("intake:customer_detail", args=[customer.pk])).content.decode()

    assert "data-care-panel" in html and "data-privileges" in html


def test_the_desk_shows_the_callers_privileges(client, agent_user, hotline_team):
    customer = CustomerFactory(vip_tier="diamond", payment_type="postpaid")
    ticket = TicketFactory(team=hotline_team, assignee=agent_user, customer=customer)
    client.force_login(agent_user)

    html = client.get(reverse("worktickets:ticket_detail", args=[ticket.pk])).content.decode()

    assert "data-privileges" in html


def test_the_prepaid_customer_page_says_why_there_are_no_privileges(client, agent_user):
    customer = CustomerFactory(vip_tier="gold", payment_type="prepaid")
    client.force_login(agent_user)

    html = client.get(reverse("intake:customer_detail", args=[customer.pk])).content.decode()

    assert "data-care-panel" in html and "data-privileges" not in html
    assert "data-grade-reason" in html

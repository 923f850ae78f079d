"""Grade service (等级服务) is for postpaid VIP customers only (DOMAIN.md CA-4, W-26).

One rule in intake/grade_service.py; every door that honours a VIP tier asks it.
The other doors (SLA policy, complaint priority, service-level queue, queue
badge) are tested beside their own apps' tests.
"""

import pytest
from django.urls import reverse

from intake.grade_service import entitled_to_grade_service, grade_service_tier
from intake.models import Customer
from sla.models import Clock
from tests.factories import CustomerFactory, make_ticket
from worktickets.services import ticket_facts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("payment_type", "tier", "entitled"),
    [
        ("postpaid", "gold", True),
        ("postpaid", "silver", True),
        ("postpaid", "none", False),
        ("prepaid", "supreme", False),
        ("prepaid", "gold", False),
        ("prepaid", "none", False),
    ],
)
def test_only_a_postpaid_customer_with_a_tier_is_entitled(payment_type, tier, entitled):
    customer = CustomerFactory(payment_type=payment_type, vip_tier=tier)

    assert entitled_to_grade_service(payment_type, tier) is entitled
    assert customer.is_vip is entitled
    assert customer.grade_tier == (tier if entitled else "none")
    assert Customer.objects.entitled_to_grade_service().filter(pk=customer.pk).exists() is entitled


def test_a_prepaid_customer_keeps_the_recorded_tier_but_it_counts_as_none():
    customer = CustomerFactory(payment_type="prepaid", vip_tier="diamond")

    customer.refresh_from_db()
    assert customer.vip_tier == "diamond"  # recorded data, nothing deleted
    assert customer.tier_without_grade_service
    assert grade_service_tier(customer.payment_type, customer.vip_tier) == "none"
    assert customer.payment_segment == "prepaid"


def test_sla_facts_of_a_prepaid_tier_holder_carry_no_tier(agent_user):
    prepaid = make_ticket(
        created_by=agent_user, customer=CustomerFactory(payment_type="prepaid", vip_tier="gold")
    )
    postpaid = make_ticket(
        created_by=agent_user, customer=CustomerFactory(payment_type="postpaid", vip_tier="gold")
    )

    assert ticket_facts(prepaid).vip_tier == "none"
    assert ticket_facts(postpaid).vip_tier == "gold"


def test_a_prepaid_tier_holder_gets_the_ordinary_inquiry_policy(agent_user):
    prepaid = make_ticket(
        created_by=agent_user, customer=CustomerFactory(payment_type="prepaid", vip_tier="gold")
    )
    postpaid = make_ticket(
        created_by=agent_user, customer=CustomerFactory(payment_type="postpaid", vip_tier="gold")
    )

    def policies(ticket):
        return {c.policy_version.policy.name for c in Clock.objects.filter(ticket=ticket)}

    assert not any("VIP" in name for name in policies(prepaid))
    assert any("VIP" in name for name in policies(postpaid))


def test_customer_page_says_why_a_prepaid_tier_grants_nothing(client, agent_user):
    customer = CustomerFactory(payment_type="prepaid", vip_tier="gold")
    client.force_login(agent_user)

    page = client.get(reverse("intake:customer_detail", args=[customer.pk])).content.decode()

    assert "data-grade-reason" in page and "data-grade-note" in page
    assert "tier-gold" not in page


def test_customer_page_of_a_postpaid_vip_shows_the_badge_without_a_note(client, agent_user):
    customer = CustomerFactory(payment_type="postpaid", vip_tier="gold")
    client.force_login(agent_user)

    page = client.get(reverse("intake:customer_detail", args=[customer.pk])).content.decode()

    assert "tier-gold" in page and "data-grade-reason" not in page

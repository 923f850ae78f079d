"""care/demo.py fills a month of answers and callbacks in every state, once."""

import pytest

from care.demo import seed_care
from care.models import Appointment, Callback, Campaign, Survey, SurveyOptOut
from tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_answers_and_callbacks_in_every_state_once(
    agent_user, lead_user, hotline_team
):
    for _ in range(120):
        TicketFactory(team=hotline_team, customer=CustomerFactory(), status="closed")
    vips = [CustomerFactory(payment_type="postpaid", vip_tier=tier) for tier in ("gold", "supreme")]
    CustomerFactory(payment_type="prepaid", vip_tier="gold")  # no grade service: none
    users = {"agent": agent_user, "lead": lead_user}

    answers = seed_care(users)

    assert answers == Survey.objects.filter(answered_at__isnull=False).count() > 50
    assert Survey.objects.filter(score__lte=2).exists()
    outcomes = set(Callback.objects.values_list("outcome", flat=True))
    assert {"", "not_reached", "reached_satisfied"} <= outcomes
    assert Callback.objects.filter(ticket__callback_reason="requested").exists()
    assert SurveyOptOut.objects.count() == 1
    assert Campaign.objects.count() == 2
    assert Campaign.objects.filter(status="sent").count() == 1
    assert {a.customer for a in Appointment.objects.all()} == set(vips)
    assert {a.place for a in Appointment.objects.all()} == {"hall", "callback"}
    assert seed_care(users) == 0

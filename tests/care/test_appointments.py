"""VIP appointments without waiting (预约免排队, DOMAIN.md P-9): gold tier and above,
entitled to grade service; a callback ticket whose SLA clock counts from the slot."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from care import selectors, services
from care.models import Appointment, Callback
from csc.lib.errors import DomainError
from sla.choices import ClockState
from sla.models import Clock
from sla.sweeper import sweep
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
SLOT = NOW + datetime.timedelta(days=1)


@pytest.fixture
def gold(db):
    return CustomerFactory(payment_type="postpaid", vip_tier="gold")


def book(customer, by, **overrides):
    values = {
        "slot_start": SLOT,
        "slot_end": SLOT + datetime.timedelta(minutes=30),
        "place": "hall",
        "hall": "人民路营业厅",
        "now": NOW,
        **overrides,
    }
    return services.appointment_book(customer, by=by, **values)


def test_a_gold_customer_gets_an_appointment_clocked_from_the_slot(gold, agent_user):
    appointment = book(gold, agent_user)

    ticket = appointment.ticket
    assert (ticket.kind, ticket.callback_reason, ticket.channel) == (
        "callback",
        "vip_appointment",
        "walk_in",
    )
    assert ticket.team_id == agent_user.agent.team_id and ticket.assignee_id is None
    clock = Clock.objects.get(ticket=ticket)
    assert clock.policy_version.policy.name == "VIP appointments"
    assert clock.started_at == SLOT
    assert clock.due_at == SLOT + datetime.timedelta(minutes=30)
    assert ticket.sla_due_at == clock.due_at
    assert Callback.objects.filter(ticket=ticket).exists()  # worked in the callbacks queue


@pytest.mark.parametrize("tier", ["diamond", "supreme"])
def test_higher_tiers_may_book_too(agent_user, tier):
    customer = CustomerFactory(payment_type="postpaid", vip_tier=tier)

    assert book(customer, agent_user, place="callback", hall="").place == "callback"


@pytest.mark.parametrize(
    ("payment_type", "tier"),
    [("postpaid", "silver"), ("postpaid", "none"), ("prepaid", "gold"), ("prepaid", "supreme")],
)
def test_below_gold_or_without_grade_service_is_refused(agent_user, payment_type, tier):
    customer = CustomerFactory(payment_type=payment_type, vip_tier=tier)

    with pytest.raises(DomainError) as refused:
        book(customer, agent_user)

    assert refused.value.code == "not_entitled" and refused.value.message
    assert not Appointment.objects.exists()


def test_a_slot_in_the_past_and_a_hall_visit_without_hall_are_refused_together(gold, agent_user):
    with pytest.raises(DomainError) as refused:
        book(
            gold,
            agent_user,
            slot_start=NOW - datetime.timedelta(minutes=1),
            slot_end=NOW + datetime.timedelta(minutes=29),
            hall="",
        )

    assert set(refused.value.details) == {"slot_start", "hall"}
    assert not Appointment.objects.exists()


def test_a_slot_ending_before_it_starts_or_too_long_is_refused(gold, agent_user):
    with pytest.raises(DomainError) as backwards:
        book(gold, agent_user, slot_end=SLOT)
    with pytest.raises(DomainError) as too_long:
        book(gold, agent_user, slot_end=SLOT + datetime.timedelta(hours=5))

    assert "slot_end" in backwards.value.details and "slot_end" in too_long.value.details


def test_a_late_appointment_breaches_and_is_swept_like_any_clock(gold, agent_user):
    appointment = book(gold, agent_user)
    clock = Clock.objects.get(ticket=appointment.ticket)

    with time_machine.travel(SLOT + datetime.timedelta(minutes=29), tick=False):
        sweep()
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING
    with time_machine.travel(SLOT + datetime.timedelta(minutes=31), tick=False):
        sweep()
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED


def test_serving_the_appointment_meets_its_clock(gold, agent_user):
    appointment = book(gold, agent_user)
    callback = Callback.objects.get(ticket=appointment.ticket)

    with time_machine.travel(SLOT + datetime.timedelta(minutes=10), tick=False):
        services.callback_record_outcome(callback, by=agent_user, outcome="reached_satisfied")

    assert Clock.objects.get(ticket=appointment.ticket).state == ClockState.MET


def test_the_refusal_reason_says_why(agent_user):
    prepaid = CustomerFactory(payment_type="prepaid", vip_tier="gold")
    silver = CustomerFactory(payment_type="postpaid", vip_tier="silver")

    with translation.override("en"):
        assert "prepaid" in selectors.appointment_refusal(prepaid)
        assert "gold" in selectors.appointment_refusal(silver)
        assert selectors.appointment_refusal(CustomerFactory(vip_tier="gold")) == ""


# ------------------------------------------------------------------ pages


def new_page(customer):
    return reverse("care:appointment_new", args=[customer.pk])


def form(**overrides):
    slot = timezone.localtime(timezone.now() + datetime.timedelta(days=1))
    return {
        "slot_start": slot.strftime("%Y-%m-%dT%H:%M"),
        "duration": "30",
        "place": "hall",
        "hall": "人民路营业厅",
        "note": "",
        **overrides,
    }


def test_an_agent_books_from_the_customer_page(client, agent_user, gold):
    client.force_login(agent_user)

    customer_page = client.get(reverse("intake:customer_detail", args=[gold.pk]))
    booked = client.post(new_page(gold), form())
    after = client.get(reverse("intake:customer_detail", args=[gold.pk])).content.decode()

    assert new_page(gold) in customer_page.content.decode()
    assert booked.status_code == 302
    appointment = Appointment.objects.get(customer=gold)
    assert appointment.slot_end - appointment.slot_start == datetime.timedelta(minutes=30)
    assert "data-appointments" in after and appointment.ticket.number in after
    queue = client.get(reverse("care:callbacks")).content.decode()
    assert "data-slot" in queue and appointment.ticket.number in queue


def test_a_silver_customer_is_refused_with_the_reason(client, agent_user):
    silver = CustomerFactory(payment_type="postpaid", vip_tier="silver")
    client.force_login(agent_user)

    shown = client.get(new_page(silver))
    posted = client.post(new_page(silver), form())

    assert shown.status_code == posted.status_code == 403
    assert "data-refusal" in posted.content.decode()
    assert (
        new_page(silver)
        not in client.get(reverse("intake:customer_detail", args=[silver.pk])).content.decode()
    )
    assert not Appointment.objects.exists()


def test_a_past_slot_is_a_400_that_keeps_what_was_typed(client, agent_user, gold):
    client.force_login(agent_user)
    past = timezone.localtime(timezone.now() - datetime.timedelta(hours=1))

    response = client.post(
        new_page(gold), form(slot_start=past.strftime("%Y-%m-%dT%H:%M"), note="带身份证")
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert past.strftime("%Y-%m-%dT%H:%M") in body and "带身份证" in body
    assert not Appointment.objects.exists()


def test_the_booking_page_reads_little(client, agent_user, gold, django_assert_max_num_queries):
    client.force_login(agent_user)
    client.get(new_page(gold))

    with django_assert_max_num_queries(8):
        response = client.get(new_page(gold))

    assert response.status_code == 200


def test_someone_who_may_not_book_is_refused(client, qa_user, gold):
    client.force_login(qa_user)

    assert client.get(new_page(gold)).status_code == 403

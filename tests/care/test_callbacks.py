"""Callbacks (回访, DOMAIN.md W-19, P-13, K-24): a dissatisfied answer opens a callback
ticket with its own SLA clock; for a complaint reopening is offered; outcomes recorded."""

import datetime

import pytest
from django.utils import translation

from care import services
from care.choices import CallbackOutcome
from care.models import Callback
from complaints.models import Complaint
from intake.choices import Disposition
from sla.models import Clock
from tests.care.conftest import answer, token_of
from tests.factories import ContactFactory, make_complaint
from worktickets.choices import TicketStatus
from worktickets.models import TicketEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("score", [1, 2])
def test_a_dissatisfied_answer_opens_a_callback_due_in_24_hours(sent, score):
    survey, token = sent

    answer(token, score)

    callback = Callback.objects.get(survey=survey)
    ticket = callback.ticket
    assert (ticket.kind, ticket.callback_reason, ticket.status) == (
        "callback",
        "dissatisfied",
        "new",
    )
    assert ticket.team_id == survey.ticket.team_id and ticket.assignee_id is None
    clock = Clock.objects.get(ticket=ticket)
    assert clock.policy_version.policy.name == "Callbacks after a dissatisfied survey answer"
    assert clock.due_at - clock.started_at == datetime.timedelta(hours=24)
    assert ticket.sla_due_at == clock.due_at
    assert not callback.reopen_offered


@pytest.mark.parametrize("score", [3, 4, 5])
def test_a_neutral_or_satisfied_answer_opens_no_callback(sent, score):
    _survey, token = sent

    answer(token, score)

    assert not Callback.objects.exists()


def test_a_dissatisfied_complaint_answer_offers_reopening_and_reopens(
    groups, agent_user, manager_user, django_capture_on_commit_callbacks
):
    from complaints import services as complaint_services

    complaint = make_complaint(recorded_by=agent_user)
    complaint.ticket.status = TicketStatus.CONFIRMED
    complaint.ticket.status_category = "resolved"
    complaint.ticket.save()
    complaint = Complaint.objects.get(pk=complaint.pk)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_services.complaint_close(complaint, by=manager_user, version=None)
    survey = complaint.ticket.surveys.get()

    answer(token_of(survey), 1, comment="问题没解决")

    callback = Callback.objects.get(survey=survey)
    assert callback.reopen_offered
    assert complaint.ticket.number in callback.ticket.description
    services.callback_record_outcome(
        callback,
        by=manager_user,
        outcome=CallbackOutcome.REACHED_DISSATISFIED,
        comment="客户要求重新处理",
        reopen_complaint=True,
    )
    complaint.ticket.refresh_from_db()
    assert complaint.ticket.status not in (TicketStatus.CLOSED, TicketStatus.CONFIRMED)
    callback.ticket.refresh_from_db()
    assert callback.ticket.status == TicketStatus.RESOLVED


def test_not_reached_counts_the_attempt_and_keeps_the_callback_open(sent, agent_user):
    survey, token = sent
    answer(token, 2)
    callback = Callback.objects.get(survey=survey)

    services.callback_record_outcome(
        callback, by=agent_user, outcome="not_reached", comment="无人接听"
    )
    services.callback_record_outcome(callback, by=agent_user, outcome="not_reached")

    callback.refresh_from_db()
    assert callback.attempts == 2
    assert callback.ticket.status == TicketStatus.IN_PROGRESS
    assert callback.ticket.assignee_id == agent_user.pk


def test_the_not_reached_note_is_kept_as_a_phrase_each_reader_reads_in_their_language(
    sent, agent_user
):
    survey, token = sent
    answer(token, 2)
    callback = Callback.objects.get(survey=survey)
    with translation.override("zh-hans"):
        services.callback_record_outcome(
            callback, by=agent_user, outcome="not_reached", comment="无人接听"
        )

    note = TicketEvent.objects.get(ticket=callback.ticket, kind="note")
    assert note.message["key"] == "Attempt %(n)s: not reached. %(comment)s"
    assert note.message["params"] == {"n": 1, "comment": "无人接听"}
    with translation.override("en"):
        assert note.text == "Attempt 1: not reached. 无人接听"
    with translation.override("zh-hans"):
        assert note.text == "第1次尝试：未联系上。无人接听"


def test_reached_resolves_the_callback_and_a_second_outcome_is_refused(sent, agent_user):
    survey, token = sent
    answer(token, 2)
    callback = Callback.objects.get(survey=survey)

    services.callback_record_outcome(callback, by=agent_user, outcome="reached_satisfied")

    callback.refresh_from_db()
    assert callback.ticket.status == TicketStatus.RESOLVED
    assert callback.outcome_by == agent_user
    with pytest.raises(services.DomainError):
        services.callback_record_outcome(callback, by=agent_user, outcome="reached_satisfied")


def test_reopening_is_refused_for_a_callback_not_about_a_complaint(sent, agent_user):
    survey, token = sent
    answer(token, 1)
    callback = Callback.objects.get(survey=survey)

    with pytest.raises(services.DomainError):
        services.callback_record_outcome(
            callback, by=agent_user, outcome="reached_dissatisfied", reopen_complaint=True
        )

    callback.refresh_from_db()
    assert callback.attempts == 0  # refused as a whole: nothing written


def test_an_unknown_outcome_is_refused(sent, agent_user):
    survey, token = sent
    answer(token, 1)

    with pytest.raises(services.DomainError) as refusal:
        services.callback_record_outcome(
            Callback.objects.get(survey=survey), by=agent_user, outcome="maybe"
        )

    assert "outcome" in refusal.value.details


def test_a_contact_asking_for_a_callback_gets_one(agent_user, customer):
    contact = ContactFactory(
        customer=customer, agent=agent_user, disposition=Disposition.CALLBACK, summary="晚上再打"
    )

    callback = services.callback_for_contact(contact, by=agent_user)

    assert callback.ticket.callback_reason == "requested"
    assert callback.ticket.customer == customer
    assert Clock.objects.get(ticket=callback.ticket).policy_version.policy.name == "Callbacks"


def test_a_callback_ticket_is_never_surveyed(sent, agent_user, django_capture_on_commit_callbacks):
    from tests.care.conftest import close

    survey, token = sent
    answer(token, 1)
    callback = Callback.objects.get(survey=survey)
    ticket = callback.ticket
    from worktickets import services as ticket_services

    ticket = ticket_services.ticket_accept(ticket, by=agent_user, version=ticket.version)
    with django_capture_on_commit_callbacks(execute=True):
        close(ticket, agent_user)

    assert not ticket.surveys.exists()


def test_a_contact_recorded_with_callback_requested_opens_one_after_commit(
    agent_user, customer, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from intake.services import contact_record

    with django_capture_on_commit_callbacks(execute=True):
        contact = contact_record(
            channel="hotline",
            customer=customer,
            queued_at=timezone.now(),
            agent=agent_user,
            disposition=Disposition.CALLBACK,
            summary="客户在开会，晚点回电",
        )

    callback = Callback.objects.get(ticket__contact=contact)
    assert callback.ticket.callback_reason == "requested"


def test_sampling_is_reproducible_and_near_its_rate():
    numbers = [f"T20260301-{n:06d}" for n in range(2000)]

    first = [services.sampled(number, 10) for number in numbers]
    again = [services.sampled(number, 10) for number in numbers]

    assert first == again
    assert 150 <= sum(first) <= 250
    assert not any(services.sampled(number, 0) for number in numbers)
    assert all(services.sampled(number, 100) for number in numbers)


def test_a_sampled_delivered_order_gets_a_callback_due_in_3_working_days(
    agent_user, django_capture_on_commit_callbacks
):
    from care.models import CallbackPolicy
    from tests.factories import CustomerFactory, make_ticket
    from worktickets import services as ticket_services
    from worktickets.models import BusinessType

    CallbackPolicy.objects.update(rate_percent=100)
    order = make_ticket(
        created_by=agent_user,
        kind="business",
        customer=CustomerFactory(payment_type="postpaid"),
        business_type=BusinessType.objects.get(code="bill_print"),
    )
    order = ticket_services.business_review(
        order, by=agent_user, version=order.version, identity_verified=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.business_deliver(order, by=agent_user, version=order.version)

    callback = Callback.objects.get(source_ticket=order)
    clock = Clock.objects.get(ticket=callback.ticket)
    assert callback.ticket.callback_reason == "delivery"
    assert clock.policy_version.policy.name == "Callbacks after business delivery"


def test_an_order_outside_the_sample_gets_none(agent_user, django_capture_on_commit_callbacks):
    from care.models import CallbackPolicy
    from tests.factories import CustomerFactory, make_ticket
    from worktickets import services as ticket_services
    from worktickets.models import BusinessType

    CallbackPolicy.objects.update(rate_percent=0)
    order = make_ticket(
        created_by=agent_user,
        kind="business",
        customer=CustomerFactory(payment_type="postpaid"),
        business_type=BusinessType.objects.get(code="bill_print"),
    )
    order = ticket_services.business_review(
        order, by=agent_user, version=order.version, identity_verified=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.business_deliver(order, by=agent_user, version=order.version)

    assert not Callback.objects.exists()

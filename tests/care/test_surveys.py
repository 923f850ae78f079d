"""Satisfaction surveys (DOMAIN.md P-13, K-23): offered on closing by policy, sent by SMS
with a single-use expiring link, at most once per N days, never to an opted-out customer."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from care import services
from care.choices import SurveyStatus
from care.models import Survey, SurveyPolicy, token_digest
from staffing.models import OutboxMessage
from tests.care.conftest import answer, close, token_of
from tests.factories import CustomerFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_closing_a_ticket_sends_an_sms_with_a_link(closed_ticket, customer):
    survey = Survey.objects.get(ticket=closed_ticket)
    message = OutboxMessage.objects.get(dedupe_key=f"survey:{survey.pk}")

    assert survey.status == SurveyStatus.SENT
    assert message.channel == "sms" and message.recipient == customer.phone
    assert closed_ticket.number in message.body
    # The token is in the SMS only; the table keeps its hash.
    assert survey.token_hash == token_digest(token_of(survey))
    assert token_of(survey) not in survey.token_hash
    assert (survey.ticket_kind, survey.channel, survey.tier) == ("inquiry", "hotline", "gold")


def test_the_survey_is_offered_only_after_the_close_commits(agent_user, customer):
    ticket = make_ticket(created_by=agent_user, customer=customer)

    close(ticket, agent_user)  # no commit inside the test's transaction: nothing offered yet

    assert not Survey.objects.exists()


def test_an_answer_is_recorded_once_and_on_the_ticket(sent):
    survey, token = sent

    answer(token, 5, comment="很好", attitude=5)

    survey.refresh_from_db()
    assert (survey.status, survey.score, survey.attitude, survey.comment) == (
        "answered",
        5,
        5,
        "很好",
    )
    survey.ticket.refresh_from_db()
    assert survey.ticket.survey_score == 5
    with pytest.raises(services.SurveyRefused) as refusal:
        answer(token, 1)
    assert refusal.value.status == 409
    survey.refresh_from_db()
    assert survey.score == 5


def test_a_forged_token_is_refused_and_writes_nothing(sent):
    with pytest.raises(services.SurveyRefused) as refusal:
        answer("forged-token-that-was-never-sent", 5)

    assert refusal.value.status == 404
    assert not Survey.objects.filter(answered_at__isnull=False).exists()


def test_an_expired_link_is_refused(sent):
    survey, token = sent

    after = survey.expires_at + datetime.timedelta(seconds=1)
    with time_machine.travel(after), pytest.raises(services.SurveyRefused) as refusal:
        answer(token, 4)

    assert refusal.value.status == 410
    survey.refresh_from_db()
    assert survey.score is None


def test_a_link_answers_until_its_last_second(sent):
    survey, token = sent

    with time_machine.travel(survey.expires_at - datetime.timedelta(seconds=1)):
        answer(token, 4)

    assert Survey.objects.get(pk=survey.pk).score == 4


@pytest.mark.parametrize("score", [0, 6, None])
def test_a_score_outside_one_to_five_is_refused(sent, score):
    _survey, token = sent

    with pytest.raises(services.DomainError) as refusal:
        answer(token, score)

    assert "score" in refusal.value.details


def test_a_customer_is_asked_at_most_once_per_seven_days(
    agent_user, customer, django_capture_on_commit_callbacks
):
    start = timezone.now()
    for day in (0, 3, 7):
        with time_machine.travel(start + datetime.timedelta(days=day, minutes=day)):
            ticket = make_ticket(created_by=agent_user, customer=customer)
            with django_capture_on_commit_callbacks(execute=True):
                close(ticket, agent_user)

    offered = sorted((s.created_at - start).days for s in Survey.objects.filter(customer=customer))
    assert offered == [0, 7]  # day 3 is within 7 days of day 0


def test_an_opted_out_customer_is_never_surveyed(
    agent_user, customer, django_capture_on_commit_callbacks
):
    services.survey_opt_out(customer, reason="不要打扰")
    ticket = make_ticket(created_by=agent_user, customer=customer)

    with django_capture_on_commit_callbacks(execute=True):
        close(ticket, agent_user)

    assert not Survey.objects.exists()
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_opting_out_cancels_a_survey_waiting_for_its_delay(
    agent_user, customer, django_capture_on_commit_callbacks
):
    SurveyPolicy.objects.filter(ticket_kind="inquiry").update(delay_minutes=60)
    ticket = make_ticket(created_by=agent_user, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        close(ticket, agent_user)
    services.survey_opt_out(customer)

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert services.surveys_dispatch() == 0

    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_a_delayed_survey_is_sent_by_the_dispatch_when_due(
    agent_user, customer, django_capture_on_commit_callbacks
):
    SurveyPolicy.objects.filter(ticket_kind="inquiry").update(delay_minutes=30)
    ticket = make_ticket(created_by=agent_user, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        close(ticket, agent_user)
    now = timezone.now()

    with time_machine.travel(now + datetime.timedelta(minutes=29)):
        assert services.surveys_dispatch() == 0
    with time_machine.travel(now + datetime.timedelta(minutes=31)):
        assert services.surveys_dispatch() == 1

    assert Survey.objects.get().status == SurveyStatus.SENT


def test_a_policy_switched_off_offers_nothing(
    agent_user, customer, django_capture_on_commit_callbacks
):
    SurveyPolicy.objects.filter(ticket_kind="inquiry").update(is_active=False)
    ticket = make_ticket(created_by=agent_user, customer=customer)

    with django_capture_on_commit_callbacks(execute=True):
        close(ticket, agent_user)

    assert not Survey.objects.exists()


def test_a_channel_policy_wins_over_the_kind_policy(
    agent_user, customer, django_capture_on_commit_callbacks
):
    SurveyPolicy.objects.create(ticket_kind="inquiry", channel="online_chat", is_active=False)
    chat = make_ticket(created_by=agent_user, customer=customer, channel="online_chat")
    phone = make_ticket(created_by=agent_user, customer=CustomerFactory(), channel="hotline")

    with django_capture_on_commit_callbacks(execute=True):
        close(chat, agent_user)
        close(phone, agent_user)

    assert list(Survey.objects.values_list("ticket_id", flat=True)) == [phone.pk]

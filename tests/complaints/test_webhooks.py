"""Complaint events told to subscribed integrations (DESIGN.md §3): recorded
(ticket.created), escalated, result given; once each, without personal data."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services
from complaints.choices import FeedbackChannel
from complaints.models import Complaint
from sla import sweeper
from staffing.models import WebhookDelivery
from staffing.webhooks import webhook_subscription_create
from tests.factories import CustomerFactory, make_api_client, make_complaint

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=SH)
PHONE = "13955556666"


@pytest.fixture(autouse=True)
def subscription(db):
    client, _key = make_api_client("regulator", ["webhooks:read", "webhooks:write"])
    subscription, _secret = webhook_subscription_create(
        client,
        url="https://portal.example.com/hooks",
        events=["ticket.created", "complaint.escalated", "complaint.feedback_given"],
    )
    return subscription


def told(event: str) -> list[dict]:
    deliveries = WebhookDelivery.objects.filter(event=event).select_related("message")
    return [json.loads(d.message.body) for d in deliveries.order_by("pk")]


def reload(complaint) -> Complaint:
    return Complaint.objects.select_related("ticket").get(pk=complaint.pk)


@pytest.fixture
def complaint(groups, agent_user):
    customer = CustomerFactory(name="王芳", phone=PHONE)
    with time_machine.travel(RECEIVED, tick=False):
        return make_complaint(recorded_by=agent_user, customer=customer)


def assert_no_personal_data(body: dict) -> None:
    text = json.dumps(body, ensure_ascii=False)
    assert PHONE not in text and "王芳" not in text


def test_a_recorded_complaint_is_told_as_a_created_ticket(complaint):
    [body] = told("ticket.created")

    ticket = body["data"]["ticket"]
    assert ticket["id"] == complaint.ticket_id
    assert ticket["number"] == complaint.ticket.number
    assert ticket["kind"] == "complaint" and ticket["status"] == "new"
    assert_no_personal_data(body)


def test_raising_the_support_level_is_told_once(complaint, legal_user):
    services.complaint_escalate(
        complaint,
        by=legal_user,
        version=complaint.ticket.version,
        mode="raise_level",
        reason="疑难",
    )

    [body] = told("complaint.escalated")
    data = body["data"]
    assert data["complaint"]["id"] == complaint.pk
    assert data["complaint"]["support_level"] == 2
    escalation = data["escalation"]
    assert (escalation["kind"], escalation["from_level"], escalation["to_level"]) == (
        "raise_level",
        1,
        2,
    )
    assert escalation["trigger"] == "manual" and escalation["upgraded_to"] is None
    assert_no_personal_data(body)


def test_an_upgrade_tells_the_escalation_and_the_new_ticket(complaint, legal_user):
    upgraded = services.complaint_escalate(
        complaint,
        by=legal_user,
        version=complaint.ticket.version,
        mode="upgrade",
        reason="客户要求",
    )

    [body] = told("complaint.escalated")
    assert body["data"]["escalation"]["upgraded_to"] == {
        "id": upgraded.pk,
        "number": upgraded.ticket.number,
    }
    assert body["data"]["complaint"]["status"] == "closed"
    created = [b["data"]["ticket"]["number"] for b in told("ticket.created")]
    assert created == [complaint.ticket.number, upgraded.ticket.number]


def test_an_overdue_step_taken_by_the_sweeper_is_told_once_however_often_swept(complaint):
    for moment in (
        datetime.datetime(2026, 10, 8, 10, 1, tzinfo=SH),
        datetime.datetime(2026, 10, 8, 10, 2, tzinfo=SH),
        datetime.datetime(2026, 10, 9, 12, 0, tzinfo=SH),
    ):
        with time_machine.travel(moment, tick=False):
            sweeper.sweep(now=moment)

    [body] = told("complaint.escalated")
    assert body["data"]["escalation"]["trigger"] == "overdue"
    assert reload(complaint).support_level == 2


def test_giving_the_result_is_told_without_the_recipient_or_the_text(complaint, legal_user):
    with time_machine.travel(RECEIVED + datetime.timedelta(hours=2), tick=False):
        services.complaint_accept(complaint, by=legal_user, version=complaint.ticket.version)
        complaint = reload(complaint)
        services.complaint_investigate(complaint, by=legal_user, version=complaint.ticket.version)
        complaint = reload(complaint)
        services.complaint_handle(
            complaint, by=legal_user, version=complaint.ticket.version, findings="计费系统重复扣费"
        )
        complaint = reload(complaint)

        feedback = services.complaint_feedback(
            complaint,
            by=legal_user,
            version=complaint.ticket.version,
            cause="计费系统升级时重复计费",
            measures="已退还多扣费用",
            channel=FeedbackChannel.SMS,
        )

    [body] = told("complaint.feedback_given")
    data = body["data"]
    assert data["feedback"]["id"] == feedback.pk
    assert data["feedback"]["channel"] == "sms" and data["feedback"]["on_time"] is True
    assert data["complaint"]["status"] == reload(complaint).ticket.status
    assert "计费" not in json.dumps(body, ensure_ascii=False)
    assert_no_personal_data(body)

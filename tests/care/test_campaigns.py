"""Care campaigns (DOMAIN.md CA-17 to CA-20): a segment plus an SMS template sent through
the outbox at its time, once, never to an opted-out customer."""

import datetime

import pytest
from django.utils import timezone

from care import services
from care.models import Campaign
from complaints.models import Complaint, OutageCluster
from staffing.models import OutboxMessage
from tests.factories import CustomerFactory, CustomerServiceFactory, make_complaint

pytestmark = pytest.mark.django_db


def campaign(**fields) -> Campaign:
    values = {
        "name": "关怀",
        "message": "{name}您好，感谢您的支持。",
        "scheduled_at": timezone.now(),
    }
    return Campaign.objects.create(**{**values, **fields})


def test_a_vip_segment_gets_the_message_once_with_the_name(db):
    gold = CustomerFactory(name="王芳", vip_tier="gold", payment_type="postpaid")
    CustomerFactory(vip_tier="none")
    sent = campaign(tiers=["gold", "diamond"], payment_type="postpaid")

    assert services.campaign_send(sent) == 1

    message = OutboxMessage.objects.get(payload__campaign=sent.pk)
    assert message.recipient == gold.phone and message.body.startswith("王芳您好")
    sent.refresh_from_db()
    assert (sent.status, sent.sent_count) == ("sent", 1)
    with pytest.raises(services.DomainError):
        services.campaign_send(sent)
    assert OutboxMessage.objects.filter(payload__campaign=sent.pk).count() == 1


def test_an_opted_out_customer_never_receives_a_campaign(db):
    customer = CustomerFactory(vip_tier="gold")
    services.survey_opt_out(customer)

    assert services.campaign_send(campaign(tiers=["gold"])) == 0
    assert not OutboxMessage.objects.filter(recipient=customer.phone).exists()


def test_segment_by_region_service_and_tenure(db):
    wanted = CustomerFactory(region="rural")
    CustomerServiceFactory(customer=wanted, service_type="broadband", number="KD0571001")
    CustomerFactory(region="rural")  # no broadband
    CustomerServiceFactory(
        customer=CustomerFactory(region="urban"), service_type="broadband", number="KD0571002"
    )

    sent = campaign(region="rural", service_type="broadband", min_tenure_days=0)

    assert services.campaign_send(sent) == 1
    assert OutboxMessage.objects.get(payload__campaign=sent.pk).recipient == wanted.phone


def test_the_outage_notice_reaches_the_customers_of_the_cluster(groups, agent_user):
    cluster = OutageCluster.objects.create(
        service_type="broadband", area="朝阳", threshold=3, window_minutes=60
    )
    affected = make_complaint(recorded_by=agent_user)
    Complaint.objects.filter(pk=affected.pk).update(cluster=cluster)
    make_complaint(recorded_by=agent_user)  # another complaint, not in the cluster

    sent = campaign(
        outage_cluster=cluster, message="{name}您好，朝阳区宽带故障已修复，补偿已发放。"
    )

    assert services.campaign_send(sent) == 1
    assert (
        OutboxMessage.objects.get(payload__campaign=sent.pk).recipient
        == affected.ticket.customer.phone
    )


def test_a_birthday_greeting_reaches_only_todays_birthdays(db):
    today = timezone.localdate()
    born = f"110101{1980}{today:%m%d}"
    from csc.lib.resident_id import check_code

    birthday = CustomerFactory(
        vip_tier="gold", payment_type="postpaid", id_number=born + "123" + check_code(born + "123")
    )
    CustomerFactory(vip_tier="gold", payment_type="postpaid")

    sent = campaign(tiers=["silver", "gold", "diamond", "supreme"], birthday_today=True)

    assert services.campaign_send(sent) >= 1
    assert OutboxMessage.objects.filter(
        payload__campaign=sent.pk, recipient=birthday.phone
    ).exists()


def test_only_due_campaigns_are_sent(db):
    CustomerFactory()
    later = campaign(scheduled_at=timezone.now() + datetime.timedelta(hours=1))
    now = campaign()

    services.campaigns_send_due()

    assert Campaign.objects.get(pk=now.pk).status == "sent"
    assert Campaign.objects.get(pk=later.pk).status == "scheduled"

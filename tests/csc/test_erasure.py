"""A cancelled customer's erasure (PIPL Art. 47): what the law requires stays, under a
pseudonym; the rest is anonymised; only a CS manager may, with a reason, and it is
recorded. Through the service, the customer page and the API."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.models import Complaint
from csc.erasure import customer_erase
from csc.lib.anonymise import ERASED, MARKER
from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from csc.models import CustomerErasure
from intake.models import Customer
from tests.complaints.conftest import (  # noqa: F401 (fixtures)
    _media_in_tmp,
    complaints_team,
    groups,
    legal_team,
    tech_team,
)
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    CustomerServiceFactory,
    TicketFactory,
    UserFactory,
    make_api_client,
    make_complaint,
)
from worktickets.models import Ticket

# Complaints are routed to the handling groups.
pytestmark = pytest.mark.usefixtures("groups")

NOW = datetime.datetime(2026, 6, 1, 2, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def close(ticket_id: int, at: datetime.datetime) -> None:
    Ticket.objects.filter(pk=ticket_id).update(
        status="closed", status_category="closed", closed_at=at, updated_at=at
    )


@pytest.fixture
def cancelled(db):
    """A customer whose one service is closed, with a contact, an inquiry, a billing
    complaint past its 5 months and a service-quality complaint within its 2 years."""
    recorder = UserFactory(roles=["agent"])
    customer = CustomerFactory(name="李雷", phone="13811112222")
    CustomerServiceFactory(customer=customer, number="18600001111", status="closed")
    with time_machine.travel(NOW - 300 * DAY, tick=False):
        old = make_complaint(recorded_by=recorder, customer=customer, service_number="18600001111")
        recent = make_complaint(
            recorded_by=recorder,
            customer=customer,
            category="service_quality",
            service_number="18600001111",
            contact_address="北京市朝阳区 2 号",
        )
    close(old.pk, NOW - 200 * DAY)
    close(recent.pk, NOW - 30 * DAY)
    inquiry = TicketFactory(customer=customer, description="询问 13811112222 的余额")
    close(inquiry.pk, NOW - 10 * DAY)
    contact = ContactFactory(customer=customer, summary="客户李雷来电")
    with time_machine.travel(NOW, tick=False):
        yield {
            "customer": customer,
            "old": old,
            "recent": recent,
            "inquiry": inquiry,
            "contact": contact,
        }


def test_erasure_keeps_complaints_within_their_period_under_a_pseudonym(cancelled, manager_user):
    customer = cancelled["customer"]

    erasure = customer_erase(customer, by=manager_user, reason="销户后申请删除个人信息")

    customer.refresh_from_db()
    pseudonym = f"{ERASED} #{customer.pk}"
    assert (customer.name, customer.phone, customer.id_number, customer.city) == (
        pseudonym,
        "",
        "",
        "",
    )
    assert {h.name for h in customer.history.all()} == {pseudonym}
    assert {h.phone for h in customer.history.all()} == {""}
    assert "18600001111" not in customer.services.values_list("number", flat=True).get()
    # Within R-1's 2 years: the content stays, the identity goes, the number is masked.
    recent = Complaint.objects.select_related("ticket").get(pk=cancelled["recent"].pk)
    assert recent.customer_name == pseudonym
    assert (recent.contact_phone, recent.contact_address) == ("", "")
    assert recent.service_number == "186****1111"
    assert recent.ticket.description != MARKER
    # Past its 5 months: anonymised like the retention job does.
    old = Complaint.objects.select_related("ticket").get(pk=cancelled["old"].pk)
    assert old.customer_name == MARKER and old.ticket.description == MARKER
    inquiry = Ticket.objects.get(pk=cancelled["inquiry"].pk)
    assert inquiry.description == MARKER
    contact = cancelled["contact"]
    contact.refresh_from_db()
    assert (contact.caller_number, contact.summary) == ("", MARKER)
    assert erasure.by == manager_user and erasure.reason == "销户后申请删除个人信息"
    assert erasure.counts == {
        "contacts": 1,
        "tickets": 1,
        "complaints_anonymised": 1,
        "complaints_kept": 1,
    }


def test_erasure_is_in_each_services_history_without_the_number(cancelled, manager_user):
    customer = cancelled["customer"]
    service = customer.services.get()

    customer_erase(customer, by=manager_user, reason="销户后申请删除个人信息")

    # Written last (the fixture made the service at today's date, erasure runs in June).
    latest = service.history.order_by("history_id").last()
    assert (latest.history_type, latest.number, latest.status) == (
        "~",
        f"{ERASED} #{service.pk}",
        "closed",
    )
    assert latest.history_change_reason == "erased"
    assert "18600001111" not in service.history.values_list("number", flat=True)


def test_erasure_needs_the_permission_a_reason_closed_services_and_happens_once(
    cancelled, agent_user, manager_user
):
    customer = cancelled["customer"]

    with pytest.raises(NotAllowed):
        customer_erase(customer, by=agent_user, reason="x")
    with pytest.raises(DomainError) as no_reason:
        customer_erase(customer, by=manager_user, reason=" ")
    CustomerServiceFactory(customer=customer, status="active")
    with pytest.raises(DomainError) as active:
        customer_erase(customer, by=manager_user, reason="销户")
    customer.services.update(status="closed")
    customer_erase(customer, by=manager_user, reason="销户")
    with pytest.raises(IllegalTransition):
        customer_erase(customer, by=manager_user, reason="销户")

    assert no_reason.value.details == {"reason": [no_reason.value.message]}
    assert active.value.code == "services_open"
    assert CustomerErasure.objects.count() == 1


def test_erasure_waits_for_open_tickets(db, manager_user):
    customer = CustomerFactory()
    TicketFactory(customer=customer)

    with pytest.raises(DomainError) as refusal:
        customer_erase(customer, by=manager_user, reason="销户")

    assert refusal.value.code == "tickets_open"
    assert Customer.objects.get(pk=customer.pk).phone


def test_a_cs_manager_erases_from_the_customer_page_with_a_reason(
    client, cancelled, manager_user, agent_user
):
    customer = cancelled["customer"]
    url = reverse("customer_erase", args=[customer.pk])
    client.force_login(agent_user)
    assert client.get(url).status_code == 403
    assert (
        "erase"
        not in client.get(reverse("intake:customer_detail", args=[customer.pk])).content.decode()
    )
    client.force_login(manager_user)

    page = client.get(reverse("intake:customer_detail", args=[customer.pk])).content.decode()
    unconfirmed = client.post(url, {"reason": "销户"})
    done = client.post(url, {"reason": "销户", "confirm": "on"})

    assert url in page
    assert unconfirmed.status_code == 400
    assert done.status_code == 302
    assert Customer.objects.get(pk=customer.pk).name.startswith(ERASED)


def test_the_api_erases_for_a_cs_manager_and_refuses_others(cancelled, manager_user, agent_user):
    customer = cancelled["customer"]
    url = f"/api/v1/customers/{customer.pk}/erase/"
    agent, manager = APIClient(), APIClient()
    agent.force_login(agent_user)
    manager.force_login(manager_user)

    refused = agent.post(url, {"reason": "销户"}, format="json")
    bad = manager.post(url, {}, format="json")
    done = manager.post(url, {"reason": "销户"}, format="json")
    again = manager.post(url, {"reason": "销户"}, format="json")

    assert refused.status_code == 403
    assert bad.status_code == 400 and "reason" in bad.json()
    assert done.status_code == 201 and done.json()["counts"]["complaints_kept"] == 1
    assert again.status_code == 409


def test_an_integration_erases_only_if_its_service_user_holds_the_permission(cancelled):
    client, key = make_api_client("billing", ["customers:write"])
    api = APIClient()
    url = f"/api/v1/customers/{cancelled['customer'].pk}/erase/"
    token = f"Token {key}"

    refused = api.post(url, {"reason": "销户"}, format="json", HTTP_AUTHORIZATION=token)
    client.service_user.user_permissions.add(
        Permission.objects.get(content_type__app_label="csc", codename="erase_customer")
    )
    done = api.post(url, {"reason": "销户"}, format="json", HTTP_AUTHORIZATION=token)

    assert refused.status_code == 403
    assert done.status_code == 201

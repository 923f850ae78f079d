"""The complaint page shows the customer's phone, affected number, email and address
masked to everyone; who may see them in full reveals one with a reason, and that
reveal is the access-log row (DOMAIN.md R-2). The archive export stays whole."""

import pytest
from django.urls import reverse

from intake.models import PersonalDataAccess
from tests.factories import CustomerFactory, make_complaint

pytestmark = pytest.mark.django_db

PHONE, SERVICE, EMAIL = "13812341234", "18655556666", "zheng@example.com"


@pytest.fixture
def complaint(groups, agent_user):
    return make_complaint(
        recorded_by=agent_user,
        customer=CustomerFactory(phone=PHONE),
        contact_phone=PHONE,
        contact_email=EMAIL,
        contact_address="北京市东城区某街 1 号",
        service_type="mobile",
        service_number=SERVICE,
    )


def _page(client, complaint) -> str:
    return client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()


def test_a_manager_sees_the_customers_details_masked_with_reveal_controls(
    client, manager_user, complaint
):
    client.force_login(manager_user)

    content = _page(client, complaint)

    for full in (PHONE, SERVICE, EMAIL):
        assert full not in content
    assert "138****1234" in content and "186****6666" in content
    for what in ("phone", "service", "contact"):
        assert reverse("complaints:reveal", args=[complaint.pk, what]) in content
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(
    ("what", "full"), [("phone", PHONE), ("service", SERVICE), ("contact", EMAIL)]
)
def test_a_reveal_shows_the_detail_and_records_the_reason(
    client, manager_user, complaint, what, full
):
    client.force_login(manager_user)

    response = client.post(
        reverse("complaints:reveal", args=[complaint.pk, what]), {"reveal_reason": "回访客户"}
    )

    assert full in response.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.customer_id, access.action, access.reason) == (
        manager_user,
        complaint.ticket.customer_id,
        "reveal",
        "回访客户",
    )


def test_an_agent_sees_no_reveal_control_and_may_not_reveal(client, agent_user, complaint):
    client.force_login(agent_user)

    content = _page(client, complaint)
    response = client.post(
        reverse("complaints:reveal", args=[complaint.pk, "phone"]), {"reveal_reason": "x"}
    )

    assert reverse("complaints:reveal", args=[complaint.pk, "phone"]) not in content
    assert response.status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_the_archive_export_is_whole_for_a_manager_and_recorded(client, manager_user, complaint):
    client.force_login(manager_user)

    content = client.get(reverse("complaints:archive", args=[complaint.pk])).content.decode()

    assert PHONE in content
    access = PersonalDataAccess.objects.get()
    assert (access.customer_id, access.action) == (complaint.ticket.customer_id, "view")

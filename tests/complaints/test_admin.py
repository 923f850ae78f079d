"""Administrators edit the complaint configuration in the admin; records are read-only there."""

import pytest
from django.urls import reverse

from complaints.models import RoutingRule
from tests.factories import UserFactory, make_complaint

MODELS = [
    "subcategory",
    "routingrule",
    "complaintsettings",
    "complaint",
    "evidence",
    "compensation",
    "compensationdecision",
    "feedback",
    "complaintescalation",
    "deadlineextension",
    "outagecluster",
]


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_complaint_model_has_an_admin_page(admin_client, groups, agent_user, model):
    make_complaint(recorded_by=agent_user)

    response = admin_client.get(reverse(f"admin:complaints_{model}_changelist"))

    assert response.status_code == 200


def test_routing_rules_are_edited_in_the_admin_and_records_are_not(
    admin_client, groups, agent_user
):
    rule = RoutingRule.objects.filter(category="billing").first()

    assert (
        admin_client.get(reverse("admin:complaints_routingrule_change", args=[rule.pk])).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:complaints_evidence_add")).status_code == 403


def test_the_complaint_admin_masks_the_customers_numbers_and_records_nothing(
    admin_client, groups, agent_user
):
    from intake.models import PersonalDataAccess
    from tests.factories import CustomerFactory

    customer = CustomerFactory(phone="13812341234")
    complaint = make_complaint(
        recorded_by=agent_user,
        customer=customer,
        contact_phone="13812341234",
        contact_email="zheng@example.com",
        contact_address="北京市东城区某街 1 号",
        service_type="mobile",
        service_number="18655556666",
    )

    content = admin_client.get(
        reverse("admin:complaints_complaint_change", args=[complaint.pk])
    ).content.decode()

    assert "138****1234" in content and "186****6666" in content
    for full in ("13812341234", "18655556666", "zheng@example.com", "某街"):
        assert full not in content
    assert not PersonalDataAccess.objects.exists()

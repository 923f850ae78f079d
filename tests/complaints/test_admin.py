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

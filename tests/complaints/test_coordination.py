"""The complaint-handling group (投诉处理组) coordinates upgraded complaints and appeals;
the specialist group the category names collaborates (DOMAIN.md C-10 to C-12, P-2, P-4).
Every door applies the same rule: the page, the fragment, the API, the search."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from complaints import services
from complaints.choices import Tier
from complaints.models import Complaint, RoutingRule
from complaints.selectors import workbench
from staffing.models import Notification
from tests.factories import make_complaint

HX = {"HTTP_HX_REQUEST": "true"}


def upgrade(complaint, by) -> Complaint:
    return services.complaint_escalate(
        complaint,
        by=by,
        version=complaint.ticket.version,
        mode="upgrade",
        reason="客户对处理结果不满，要求升级",
    )


def detail_url(complaint) -> str:
    return reverse("complaints:detail", args=[complaint.pk])


@pytest.fixture
def upgraded(groups, agent_user, legal_user, handler_user) -> Complaint:
    """A billing complaint market & legal had, upgraded."""
    return upgrade(make_complaint(recorded_by=agent_user), legal_user)


def test_an_upgraded_complaint_goes_to_the_complaint_handling_group_with_the_specialists(
    upgraded, groups
):
    assert upgraded.tier == Tier.UPGRADED
    assert upgraded.ticket.team == groups["complaints"]
    assert upgraded.ticket.assignee is None
    assert upgraded.collaborating_team == groups["legal"]


def test_an_appeal_goes_to_the_complaint_handling_group_with_the_specialists(
    groups, agent_user, handler_user, tech_user
):
    appeal = make_complaint(
        recorded_by=agent_user,
        category="tech_support",
        tier="appeal",
        regulator_reference="GX-2026-0042",
    )

    assert appeal.ticket.team == groups["complaints"]
    assert appeal.collaborating_team == groups["tech"]
    routed = appeal.ticket.events.get(data__complaint_event="routed")
    assert routed.data["collaborating_team"] == groups["tech"].name
    for person in (handler_user, tech_user):
        assert Notification.objects.filter(
            recipient=person, kind="complaint.appeal", link=detail_url(appeal)
        ).exists()


def test_a_first_tier_complaint_stays_with_its_specialist_group_alone(groups, agent_user):
    complaint = make_complaint(recorded_by=agent_user)

    assert complaint.ticket.team == groups["legal"]
    assert complaint.collaborating_team is None


def test_the_handlers_workbench_lists_what_the_group_coordinates_and_the_specialists_too(
    upgraded, agent_user, handler_user, legal_user, tech_user
):
    ordinary = make_complaint(recorded_by=agent_user)

    assert list(workbench(handler_user)) == [upgraded]
    assert set(workbench(legal_user)) == {upgraded, ordinary}
    assert list(workbench(tech_user)) == []


def test_the_handler_is_told_of_the_upgraded_complaint(upgraded, handler_user):
    assert Notification.objects.filter(
        recipient=handler_user, kind="complaint.escalated", link=detail_url(upgraded)
    ).exists()


def test_the_handler_and_the_specialists_open_and_work_it_from_every_door(
    client, upgraded, handler_user, legal_user
):
    for person in (handler_user, legal_user):
        client.force_login(person)
        assert client.get(detail_url(upgraded)).status_code == 200
        assert client.get(detail_url(upgraded), **HX).status_code == 200
        archive = client.get(reverse("complaints:archive", args=[upgraded.pk]))
        assert archive.status_code == 200
        found = client.get(reverse("worktickets:search"), {"q": upgraded.ticket.number})
        assert found.status_code == 302
        api = APIClient()
        api.force_authenticate(person)
        assert api.get(f"/api/v1/complaints/{upgraded.pk}/").status_code == 200
    client.force_login(handler_user)
    accepted = client.post(
        reverse("complaints:action", args=[upgraded.pk, "accept"]),
        {"version": upgraded.ticket.version},
        **HX,
    )
    assert accepted.status_code == 200
    upgraded.ticket.refresh_from_db()
    assert upgraded.ticket.status == "accepted"


def test_the_handler_does_not_see_another_groups_first_tier_complaint(
    client, groups, agent_user, handler_user
):
    complaint = make_complaint(recorded_by=agent_user)
    client.force_login(handler_user)
    api = APIClient()
    api.force_authenticate(handler_user)

    assert client.get(detail_url(complaint)).status_code == 404
    assert api.get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404


def test_without_a_complaint_handling_group_the_group_that_had_it_keeps_it(
    tech_team, legal_team, agent_user, legal_user
):
    upgraded = upgrade(make_complaint(recorded_by=agent_user), legal_user)

    assert upgraded.ticket.team == legal_team
    assert upgraded.collaborating_team is None


def test_the_tier_rules_are_data_an_administrator_changes(groups, agent_user, legal_user):
    RoutingRule.objects.filter(tier=Tier.UPGRADED).update(is_active=False)

    upgraded = upgrade(make_complaint(recorded_by=agent_user), legal_user)

    assert upgraded.ticket.team == groups["legal"]


@pytest.mark.parametrize("debug", [False, True])
def test_a_complaint_the_person_may_not_open_answers_with_the_products_404_page(
    client, settings, groups, agent_user, outsider_user, debug
):
    settings.DEBUG = debug
    complaint = make_complaint(recorded_by=agent_user)
    client.force_login(outsider_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.get(detail_url(complaint))

    assert response.status_code == 404
    page = response.content.decode()
    assert "Nothing here" in page
    assert "Back to my start page" in page
    assert "URLconf" not in page
    assert "DEBUG = True" not in page
    api = APIClient()
    api.force_authenticate(outsider_user)
    refused = api.get(f"/api/v1/complaints/{complaint.pk}/")
    assert refused.status_code == 404
    assert refused["Content-Type"].startswith("application/json")

"""Each category goes to its handling group (DOMAIN.md P-4, C-16); rules are data."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.choices import Category, RoutingTarget
from complaints.models import RoutingRule, Subcategory
from csc.lib.errors import DomainError
from tests.factories import AgentFactory, TeamFactory, UserFactory, make_complaint


@pytest.mark.parametrize(
    ("category", "group"),
    [
        (Category.SERVICE_FAULT, "tech"),
        (Category.BILLING, "legal"),
        (Category.TECH_SUPPORT, "tech"),
    ],
)
def test_category_routes_to_its_handling_group(groups, agent_user, category, group):
    extra = {}
    if category == Category.SERVICE_FAULT:
        extra = {
            "service_type": "mobile",
            "promised_repair_at": timezone.now() + timedelta(hours=4),
        }

    complaint = make_complaint(recorded_by=agent_user, category=category, **extra)

    assert complaint.ticket.team == groups[group]
    assert complaint.ticket.kind == "complaint"
    assert complaint.ticket.first_contact_agent == agent_user


@pytest.mark.parametrize("category", [Category.SERVICE_QUALITY, Category.BUSINESS_ERROR])
def test_quality_and_handling_errors_go_to_the_team_lead_of_the_agent_concerned(
    groups, agent_user, lead_user, hotline_team, category
):
    other = TeamFactory(name="Walk-in hall", kind="walk_in")
    other_lead = UserFactory(username="hall-lead", roles=["team_lead"])
    other.lead = other_lead
    other.save()
    concerned = UserFactory(username="hall-agent", roles=["agent"])
    AgentFactory(user=concerned, team=other)

    complaint = make_complaint(recorded_by=agent_user, category=category, agent_concerned=concerned)

    assert complaint.ticket.team == other
    assert complaint.ticket.assignee == other_lead


def test_without_an_agent_concerned_the_recording_agents_team_lead_gets_it(
    groups, agent_user, lead_user, hotline_team
):
    complaint = make_complaint(recorded_by=agent_user, category=Category.SERVICE_QUALITY)

    assert complaint.ticket.team == hotline_team
    assert complaint.ticket.assignee == lead_user


def test_a_missing_handling_group_falls_back_to_the_customer_service_group(
    complaints_team, agent_user
):
    complaint = make_complaint(recorded_by=agent_user, category=Category.BILLING)

    assert complaint.ticket.team == complaints_team


def test_no_group_at_all_is_refused_with_the_reason(db, agent_user):
    with pytest.raises(DomainError) as refusal:
        make_complaint(recorded_by=agent_user, category=Category.BILLING)

    assert refusal.value.code == "no_handling_group"
    assert "category" in refusal.value.details


def test_a_subcategory_rule_wins_over_its_categorys(groups, agent_user):
    special = TeamFactory(name="Roaming desk", kind="tech_support")
    roaming = Subcategory.objects.get(code="roaming_charges")
    RoutingRule.objects.create(
        category=Category.BILLING,
        subcategory=roaming,
        target=RoutingTarget.TEAM,
        team=special,
        order=50,
    )

    routed = make_complaint(recorded_by=agent_user, subcategory=roaming)
    other = make_complaint(recorded_by=agent_user)

    assert routed.ticket.team == special
    assert other.ticket.team == groups["legal"]


def test_routing_rules_are_data_an_administrator_changes(groups, agent_user):
    RoutingRule.objects.filter(category=Category.BILLING, order=10).update(team_kind="tech_support")

    complaint = make_complaint(recorded_by=agent_user)

    assert complaint.ticket.team == groups["tech"]

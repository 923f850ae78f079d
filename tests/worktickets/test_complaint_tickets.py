"""A complaint's ticket through the ticket doors: the complaint rule decides who sees it
(worktickets.selectors.complaint_visibility, the same rule as complaints_visible_to),
and only those who handle complaints change its subject, content, priority or notes."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from complaints.choices import Tier
from complaints.models import Complaint
from complaints.selectors import complaints_visible_to
from tests.factories import AgentFactory, TeamFactory, TicketFactory, UserFactory, make_complaint
from worktickets import selectors
from worktickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(agent_user, hotline_team):
    """A complaint agent1 took (first-contact agent), routed to their own team."""
    recorded = make_complaint(
        recorded_by=agent_user, category="service_quality", subject="班长态度差"
    )
    Ticket.objects.filter(pk=recorded.pk).update(team=hotline_team, assignee=None)
    return Ticket.objects.get(pk=recorded.pk)


def _changes(client, ticket: Ticket) -> dict:
    api = f"/api/v1/tickets/{ticket.pk}/"
    return {
        "api patch": client.patch(
            api, {"version": ticket.version, "subject": "改写"}, content_type="application/json"
        ).status_code,
        "api note": client.post(
            f"{api}note/", {"body": "?"}, content_type="application/json"
        ).status_code,
        "page edit": client.post(
            reverse("worktickets:ticket_action", args=[ticket.pk, "edit"]),
            {"version": ticket.version, "subject": "改写", "description": "x", "priority": 2},
        ).status_code,
        "page note": client.post(
            reverse("worktickets:ticket_action", args=[ticket.pk, "note"]),
            {"version": ticket.version, "body": "?"},
        ).status_code,
    }


def test_an_agent_who_took_a_complaint_sees_it_but_does_not_rewrite_it(
    client, agent_user, complaint
):
    client.force_login(agent_user)
    notes_before = TicketEvent.objects.filter(ticket=complaint, kind="note").count()

    assert client.get(f"/api/v1/tickets/{complaint.pk}/").status_code == 200
    assert _changes(client, complaint) == dict.fromkeys(
        ["api patch", "api note", "page edit", "page note"], 403
    )
    complaint.refresh_from_db()
    assert complaint.subject == "班长态度差"
    assert TicketEvent.objects.filter(ticket=complaint, kind="note").count() == notes_before


def test_the_team_lead_who_handles_the_teams_complaints_changes_them(client, lead_user, complaint):
    client.force_login(lead_user)

    answers = _changes(client, complaint)

    assert answers["api patch"] == 200 and answers["api note"] == 201
    complaint.refresh_from_db()
    assert complaint.subject == "改写"


def test_a_lead_who_sees_every_teams_tickets_does_not_see_another_teams_complaint(
    client, lead_user, outsider_user, other_team
):
    hidden = make_complaint(recorded_by=outsider_user, category="service_quality")
    Ticket.objects.filter(pk=hidden.pk).update(team=other_team)
    client.force_login(lead_user)

    answers = (
        client.get(f"/api/v1/complaints/{hidden.pk}/").status_code,
        client.get(f"/api/v1/tickets/{hidden.pk}/").status_code,
        client.get(reverse("worktickets:ticket_detail", args=[hidden.pk])).status_code,
    )
    queue = client.get(reverse("worktickets:team_queue"), {"team": other_team.pk})

    assert answers == (404, 404, 404)
    assert hidden.ticket.number not in queue.content.decode()


def test_a_refused_ticket_page_is_the_products_own_not_found_page(
    client, settings, lead_user, outsider_user, other_team
):
    settings.DEBUG = False
    hidden = make_complaint(recorded_by=outsider_user, category="service_quality")
    Ticket.objects.filter(pk=hidden.pk).update(team=other_team)
    client.force_login(lead_user)

    response = client.get(reverse("worktickets:ticket_detail", args=[hidden.pk]))

    assert response.status_code == 404
    assert "worktickets" not in response.content.decode()  # no technical page
    assert next(t.name for t in response.templates) == "404.html"


PEOPLE = {
    "agent": "agent",
    "team lead": "team_lead",
    "complaint handler": "complaint_handler",
    "QA": "qa_inspector",
    "CS manager": "cs_manager",
    "centre director": "centre_director",
}


@pytest.mark.parametrize("role", sorted(PEOPLE.values()))
def test_the_ticket_doors_and_the_complaint_doors_apply_one_complaint_rule(
    role, hotline_team, other_team, agent_user
):
    user = UserFactory(username=f"who-{role}", roles=[role])
    AgentFactory(user=user, team=hotline_team)
    outsider = UserFactory(username="someone", roles=["agent"])
    AgentFactory(user=outsider, team=other_team)
    made = []
    for team in (hotline_team, other_team, TeamFactory(name="Else")):
        for tier_fields in ({}, {"tier": Tier.APPEAL, "regulator_reference": "工信部-1"}):
            complaint = make_complaint(
                recorded_by=outsider, category="service_quality", **tier_fields
            )
            Ticket.objects.filter(pk=complaint.pk).update(team=team)
            made.append(complaint.pk)
    Complaint.objects.filter(pk=made[4]).update(is_major=True)
    Ticket.objects.filter(pk=made[2]).update(assignee=user)

    through_tickets = set(
        selectors.tickets_visible_to(user).filter(kind="complaint").values_list("pk", flat=True)
    )
    through_complaints = set(complaints_visible_to(user).values_list("pk", flat=True))

    assert through_tickets == through_complaints
    assert made[2] in through_tickets  # theirs by assignment, whatever their role


def test_the_appeal_tier_worktickets_names_is_the_complaints_apps_appeal():
    assert selectors.APPEAL_TIER == Tier.APPEAL


def test_seeing_every_complaint_without_every_ticket_shows_other_teams_complaints_only(
    agent_user, outsider_user, other_team
):
    # A reviewer who oversees complaints but works one team's queue: every complaint
    # (whoever handles it), yet no other team's inquiries.
    agent_user.user_permissions.add(
        Permission.objects.get(codename="view_all_complaints", content_type__app_label="complaints")
    )
    agent_user = type(agent_user).objects.get(pk=agent_user.pk)  # fresh permission cache
    elsewhere = make_complaint(recorded_by=outsider_user, category="service_quality")
    Ticket.objects.filter(pk=elsewhere.pk).update(team=other_team, assignee=None)
    inquiry = TicketFactory(team=other_team, kind="inquiry")

    visible = set(selectors.tickets_visible_to(agent_user).values_list("pk", flat=True))

    assert elsewhere.pk in visible
    assert inquiry.pk not in visible

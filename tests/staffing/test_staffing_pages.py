"""The staffing pages: roster editor with coverage strip, requests, approvals, handover."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from staffing import rosters
from staffing.models import Agent, Handover, LeaveRequest, Roster, RosterEntry, SwapRequest
from tests.factories import AgentFactory, UserFactory, make_ticket

TZ = timezone.get_default_timezone()
JUNE = datetime.date(2026, 6, 1)
NOW = datetime.datetime(2026, 6, 1, 9, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _early_june():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def mate(hotline_team):
    return AgentFactory(team=hotline_team, user=UserFactory(username="mate", roles=["agent"]))


@pytest.fixture
def june(hotline_team, lead_user, pattern_a):
    return rosters.roster_create(
        team=hotline_team, month=JUNE, pattern=pattern_a, created_by=lead_user
    )


def test_the_lead_starts_fills_and_publishes_a_roster(
    client, lead_user, hotline_team, pattern_a, day_a, agent_user, django_assert_max_num_queries
):
    client.force_login(lead_user)
    response = client.post(
        reverse("staffing:roster_list"),
        {"team": hotline_team.pk, "month": "2026-07", "pattern": pattern_a.pk},
    )
    roster = Roster.objects.get(team=hotline_team, month=datetime.date(2026, 7, 1))
    assert response.status_code == 302
    agent = Agent.objects.get(user=agent_user)
    added = client.post(
        reverse("staffing:roster_assign", args=[roster.pk]),
        {"agent": agent.pk, "day": "2026-07-06", "template": day_a.pk},
    )
    assert added.status_code == 302 and RosterEntry.objects.filter(roster=roster).count() == 1
    with django_assert_max_num_queries(20):
        page = client.get(reverse("staffing:roster_edit", args=[roster.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and 'class="gap"' in text and 'class="ok"' in text
    client.post(reverse("staffing:roster_publish", args=[roster.pk]))
    roster.refresh_from_db()
    assert roster.is_published
    refused = client.post(
        reverse("staffing:roster_remove", args=[roster.pk]),
        {"entry": roster.entries.get().pk},
    )
    assert refused.status_code == 400  # a published roster changes only with a reason
    assert roster.entries.count() == 1


def test_bad_roster_input_answers_400(client, lead_user, june):
    client.force_login(lead_user)
    response = client.post(
        reverse("staffing:roster_assign", args=[june.pk]), {"agent": "x", "day": "not a day"}
    )
    assert response.status_code == 400


def test_a_lead_of_another_team_cannot_open_the_roster(client, june, other_team):
    stranger = UserFactory(username="lead-b", roles=["team_lead"])
    AgentFactory(user=stranger, team=other_team)
    client.force_login(stranger)
    assert client.get(reverse("staffing:roster_edit", args=[june.pk])).status_code == 404


def test_swap_through_the_pages_changes_the_roster(
    client, june, lead_user, agent_user, mate, day_a
):
    me = Agent.objects.get(user=agent_user)
    give = rosters.roster_assign(
        june, agent=me, day=datetime.date(2026, 6, 10), template=day_a, assigned_by=lead_user
    )
    take = rosters.roster_assign(
        june, agent=mate, day=datetime.date(2026, 6, 12), template=day_a, assigned_by=lead_user
    )
    rosters.roster_publish(june, published_by=lead_user)
    client.force_login(agent_user)
    asked = client.post(
        reverse("staffing:swap_create"), {"give": give.pk, "take": take.pk, "reason": "看病"}
    )
    assert asked.status_code == 302
    swap = SwapRequest.objects.get()
    client.force_login(mate.user)
    assert "看病" in client.get(reverse("staffing:my_requests")).content.decode()
    client.post(reverse("staffing:swap_answer", args=[swap.pk]), {"answer": "accept"})
    client.force_login(lead_user)
    assert "看病" in client.get(reverse("staffing:approvals")).content.decode()
    client.post(reverse("staffing:swap_decide", args=[swap.pk]), {"decision": "approve"})
    swap.refresh_from_db()
    assert swap.status == "approved"
    assert RosterEntry.objects.get(pk=give.pk).agent == mate


def test_a_swap_refusal_names_the_rule_on_the_page(
    client, june, lead_user, agent_user, mate, day_a
):
    me = Agent.objects.get(user=agent_user)
    mate.skill_level = 3
    mate.save()
    give = rosters.roster_assign(
        june, agent=me, day=datetime.date(2026, 6, 10), template=day_a, assigned_by=lead_user
    )
    take = rosters.roster_assign(
        june, agent=mate, day=datetime.date(2026, 6, 12), template=day_a, assigned_by=lead_user
    )
    rosters.roster_publish(june, published_by=lead_user)
    client.force_login(agent_user)
    response = client.post(
        reverse("staffing:swap_create"), {"give": give.pk, "take": take.pk, "reason": "看病"}
    )
    assert response.status_code == 400 and "ST-44" in response.content.decode()


def test_leave_through_the_pages_shows_the_approver_its_effect(
    client, june, lead_user, agent_user, manager_user, day_a, django_assert_max_num_queries
):
    me = Agent.objects.get(user=agent_user)
    rosters.roster_assign(
        june, agent=me, day=datetime.date(2026, 6, 10), template=day_a, assigned_by=lead_user
    )
    rosters.roster_publish(june, published_by=lead_user)
    client.force_login(agent_user)
    response = client.post(
        reverse("staffing:leave_create"),
        {
            "kind": "ordinary",
            "starts_at": "2026-06-10T08:00",
            "ends_at": "2026-06-10T17:00",
            "reason": "家中有事",
        },
    )
    assert response.status_code == 302
    bad = client.post(reverse("staffing:leave_create"), {"kind": "ordinary"})
    assert bad.status_code == 400
    client.force_login(manager_user)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("staffing:approvals"))
    assert "08:00–17:00" in page.content.decode() or "06-10" in page.content.decode()
    item = LeaveRequest.objects.get()
    client.post(reverse("staffing:leave_decide", args=[item.pk]), {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == "approved"


def test_handover_written_and_acknowledged_on_the_page(
    client, hotline_team, lead_user, agent_user, django_assert_max_num_queries
):
    ticket = make_ticket(created_by=agent_user, team=hotline_team, subject="宽带断线")
    client.force_login(lead_user)
    written = client.post(
        reverse("staffing:handover_write"),
        {
            "team": hotline_team.pk,
            "shift_ends_at": "2026-06-01T17:00",
            "equipment_status": "3号席位电脑重启",
        },
    )
    assert written.status_code == 302
    client.post(
        reverse("staffing:duty_log_write"),
        {"team": hotline_team.pk, "kind": "complaint", "text": "处理漫游投诉"},
    )
    night_lead = UserFactory(username="night-lead", roles=["team_lead"])
    AgentFactory(user=night_lead, team=hotline_team)
    hotline_team.lead = night_lead
    hotline_team.save()
    client.force_login(night_lead)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("staffing:handover"))
    text = page.content.decode()
    assert ticket.number in text and "3号席位电脑重启" in text and "处理漫游投诉" in text
    handover = Handover.objects.get()
    client.post(reverse("staffing:handover_acknowledge", args=[handover.pk]))
    handover.refresh_from_db()
    assert handover.acknowledged_by == night_lead


def test_agents_may_not_open_the_lead_pages(client, agent_user):
    client.force_login(agent_user)
    assert client.get(reverse("staffing:roster_list")).status_code == 403
    assert client.get(reverse("staffing:approvals")).status_code == 403
    assert client.get(reverse("staffing:handover")).status_code == 403
    assert client.get(reverse("staffing:my_requests")).status_code == 200

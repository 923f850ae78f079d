"""The agent's month calendar and iCalendar feed."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from staffing import rosters
from staffing.models import Agent, CalendarFeed
from tests.staffing.conftest import MAY


@pytest.fixture
def published(hotline_team, lead_user, agent_user, pattern_a, day_a, night_a):
    agent = Agent.objects.get(user=agent_user)
    roster = rosters.roster_create(
        team=hotline_team, month=MAY, pattern=pattern_a, created_by=lead_user
    )
    rosters.roster_assign(roster, agent=agent, day=MAY, template=day_a, assigned_by=lead_user)
    rosters.roster_assign(
        roster, agent=agent, day=datetime.date(2026, 5, 3), template=night_a, assigned_by=lead_user
    )
    rosters.roster_publish(roster, published_by=lead_user)
    return roster


def test_the_agent_sees_their_published_month(
    client, agent_user, published, django_assert_max_num_queries
):
    client.force_login(agent_user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("staffing:my_schedule"), {"month": "2026-05"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "白班 08:00–17:00" in text and "夜班 17:00–01:00" in text


def test_a_draft_roster_is_not_shown_to_the_agent(client, agent_user, published, lead_user):
    published.status = "draft"
    published.save()
    client.force_login(agent_user)
    text = client.get(reverse("staffing:my_schedule"), {"month": "2026-05"}).content.decode()
    assert "08:00–17:00" not in text


@time_machine.travel(datetime.datetime(2026, 4, 28, 9, tzinfo=datetime.UTC), tick=False)
def test_the_feed_lists_published_shifts_by_secret_address_only(client, agent_user, published):
    client.force_login(agent_user)
    client.post(reverse("staffing:renew_feed"))
    feed = CalendarFeed.objects.get(agent__user=agent_user)
    client.logout()
    response = client.get(reverse("roster_calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 2
    assert "DTSTART:20260501T000000Z" in body  # 08:00 in Shanghai
    assert client.get(reverse("roster_calendar_feed", args=["wrong"])).status_code == 404


def test_someone_without_a_staff_profile_gets_a_clear_page(client, db):
    from tests.factories import UserFactory

    user = UserFactory(username="nobody", roles=["agent"])
    client.force_login(user)
    page = client.get(reverse("staffing:my_schedule"))
    assert page.status_code == 200

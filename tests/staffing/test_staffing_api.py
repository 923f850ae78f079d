"""The staffing API: teams, published rosters, requirements (scope staffing:read)."""

import datetime

import pytest
from django.utils import timezone

from intake.models import Contact
from staffing import rosters
from staffing.models import Agent
from tests.factories import make_api_client
from tests.staffing.conftest import MAY

TZ = timezone.get_default_timezone()


@pytest.fixture
def reader(db):
    return make_api_client(name="planner", scopes=["staffing:read"])


@pytest.fixture
def outsider_client(db):
    return make_api_client(name="crm", scopes=["tickets:read"])


def get(client, url, key, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Token {key}")


def test_teams_are_listed_with_kind_and_channels(client, reader, hotline_team):
    hotline_team.channels = ["hotline", "online_chat"]
    hotline_team.save()
    _api_client, key = reader
    body = get(client, "/api/v1/teams/", key).json()
    assert {
        "id": hotline_team.pk,
        "name": "Hotline A",
        "kind": "hotline",
        "channels": ["hotline", "online_chat"],
    } in body["results"]


def test_a_client_without_the_staffing_scope_is_refused(client, outsider_client):
    _api_client, key = outsider_client
    assert get(client, "/api/v1/teams/", key).status_code == 403
    assert get(client, "/api/v1/staffing/requirements/", key, team=1).status_code == 403


def test_the_published_roster_is_served_and_a_draft_is_not(
    client, reader, hotline_team, lead_user, agent_user, pattern_a, day_a
):
    _api_client, key = reader
    roster = rosters.roster_create(
        team=hotline_team, month=MAY, pattern=pattern_a, created_by=lead_user
    )
    rosters.roster_assign(
        roster,
        agent=Agent.objects.get(user=agent_user),
        day=MAY,
        template=day_a,
        assigned_by=lead_user,
    )
    url = "/api/v1/staffing/roster/"
    assert get(client, url, key, team=hotline_team.pk, month="2026-05").json()["rosters"] == []
    rosters.roster_publish(roster, published_by=lead_user)
    body = get(client, url, key, team=hotline_team.pk, month="2026-05").json()
    assert body["month"] == "2026-05"
    (published,) = body["rosters"]
    assert published["status"] == "published" and published["team"] == hotline_team.pk
    assert published["shifts"][0]["shift"] == "白班"
    assert published["shifts"][0]["starts_at"] == "2026-05-01T08:00:00+08:00"
    assert get(client, url, key, month="2026-06").json() == {"month": "2026-06", "rosters": []}
    bad = get(client, url, key, team=hotline_team.pk, month="May")
    assert bad.status_code == 400 and "month" in bad.json()


def test_requirements_follow_the_history(client, reader, hotline_team):
    _api_client, key = reader
    monday = datetime.date(2026, 6, 15)
    contacts = []
    for weeks_back in (1, 2, 3, 4):
        day = monday - datetime.timedelta(weeks=weeks_back)
        queued = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=TZ)
        for n in range(100):  # 100 calls of 180 s in 09:00–09:30: 10 Erlangs
            at = queued + datetime.timedelta(seconds=n * 10)
            contacts.append(
                Contact(
                    channel="hotline",
                    queued_at=at,
                    answered_at=at,
                    ended_at=at + datetime.timedelta(seconds=180),
                )
            )
    Contact.objects.bulk_create(contacts)
    body = get(
        client,
        "/api/v1/staffing/requirements/",
        key,
        team=hotline_team.pk,
        start="2026-06-15",
        days=1,
        shrinkage=0,
    ).json()
    assert len(body["intervals"]) == 48
    nine = body["intervals"][18]
    assert nine["starts_at"] == "2026-06-15T09:00:00+08:00"
    assert (nine["general_volume"], nine["aht_seconds"]) == (100.0, 180.0)
    assert nine["general_agents"] == 13  # 10 Erlangs, 70 % within 20 s
    assert nine["vip_agents"] == 0 and body["intervals"][0]["agents"] == 0


def test_requirements_refuse_out_of_range_input(client, reader, hotline_team):
    _api_client, key = reader
    url = "/api/v1/staffing/requirements/"
    assert get(client, url, key, team=hotline_team.pk, days=29).status_code == 400
    assert get(client, url, key, team=hotline_team.pk, shrinkage="x").status_code == 400
    assert get(client, url, key, team=999999).status_code == 400
    by_channel = get(client, url, key, channel="online_chat", days=1).json()
    assert by_channel["channels"] == ["online_chat"] and by_channel["team"] is None

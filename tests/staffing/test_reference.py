"""API clients and teams are kept per process, yet a revoked key, a deactivated
client or service user, and a closed team stop working on the next request."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from csc.lib.reference import GENERATION_KEY
from staffing.models import User
from staffing.services import api_client_rotate_key
from tests.factories import PASSWORD, TeamFactory, make_api_client

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def call(key: str, path: str = TICKETS):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get(path)


def test_a_deactivated_client_is_refused_on_its_next_request():
    client, key = make_api_client("cti", ["tickets:read"])
    assert call(key).status_code == 200

    client.is_active = False
    client.save()

    assert call(key).status_code == 401


def test_a_rotated_key_replaces_the_old_one_at_once():
    client, old_key = make_api_client("cti", ["tickets:read"])
    assert call(old_key).status_code == 200

    new_key = api_client_rotate_key(client)

    assert call(old_key).status_code == 401
    assert call(new_key).status_code == 200


def test_a_deactivated_service_user_is_refused():
    client, key = make_api_client("cti", ["tickets:read"])
    assert call(key).status_code == 200

    User.objects.get(pk=client.service_user_id).save()  # any save renews the copies
    client.service_user.is_active = False
    client.service_user.save()

    assert call(key).status_code == 401


def test_a_sign_in_does_not_make_every_process_read_again(agent_user, client):
    call(make_api_client("cti", ["tickets:read"])[1])
    before = cache.get(GENERATION_KEY)

    response = client.post("/login/", {"username": "agent1", "password": PASSWORD})
    agent_user.refresh_from_db()

    assert response.status_code == 302 and agent_user.last_login is not None
    assert cache.get(GENERATION_KEY) == before


@pytest.fixture
def integration():
    _client, key = make_api_client("chat", ["tickets:read", "tickets:write"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def body(team) -> dict:
    return {"kind": "inquiry", "channel": "online_chat", "subject": "查询话费", "team": team}


def test_a_ticket_may_be_opened_for_a_team_set_up_a_moment_ago(integration):
    integration.post(TICKETS, body(TeamFactory(name="Hotline A").pk), format="json")
    new_team = TeamFactory(name="Hotline C")

    response = integration.post(TICKETS, body(new_team.pk), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["team"]["id"] == new_team.pk


def test_a_closed_unknown_or_malformed_team_is_a_400_naming_the_field(integration):
    closed = TeamFactory(name="Closed team")
    assert integration.post(TICKETS, body(closed.pk), format="json").status_code == 201
    closed.is_active = False
    closed.save()

    for team in (closed.pk, 999999, "abc", True):
        response = integration.post(TICKETS, body(team), format="json")
        assert response.status_code == 400, team
        assert "team" in response.json(), response.json()

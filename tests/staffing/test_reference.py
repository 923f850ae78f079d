"""An API key may be used only while its client's row says so, read on every
request; the service user and its permissions are kept in the shared cache, and
teams per process. An agent's status change or a sign-in renews nothing."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from csc.lib import reference
from sla.matching import published_policies
from staffing.models import Agent, ApiClient, User, hash_api_key
from staffing.reference import api_client_for_key
from staffing.services import agent_set_status, api_client_rotate_key
from tests.factories import PASSWORD, TeamFactory, make_api_client
from tests.staffing.test_admin import admin_client
from worktickets.views import listed_options

__all__ = ["admin_client"]  # the signed-in superuser fixture, shared with test_admin

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"
FULL_DATA = "intake.view_full_personal_data"


def call(key: str, path: str = TICKETS):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get(path)


def client_for(key: str) -> ApiClient | None:
    return api_client_for_key(hash_api_key(key))


def entry(client: ApiClient) -> str:
    return f"api-client-user:{client.service_user_id}"


def statements(queries) -> list[str]:
    return [query["sql"].split(" FROM ")[1].split()[0] for query in queries]


@pytest.fixture
def another_process(monkeypatch):
    """This process trusts no generation token it read: it sees what another would."""
    monkeypatch.setattr(reference, "GENERATION_TRUST_SECONDS", 0)


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

    client.service_user.is_active = False
    client.service_user.save()

    assert call(key).status_code == 401


def test_revoking_a_key_in_the_admin_refuses_it_in_every_worker_at_once(admin_client):
    client, key = make_api_client("cti", ["tickets:read"])
    assert call(key).status_code == 200
    other_worker = caches.create_connection("default")
    assert other_worker.get(entry(client)) is not None  # its service user, kept for all

    response = admin_client.post(
        f"/admin/staffing/apiclient/{client.pk}/change/",
        {"name": "cti", "scopes": ["tickets:read"], "expires_at_0": "", "expires_at_1": ""},
    )

    assert response.status_code == 302
    assert not ApiClient.objects.get(pk=client.pk).is_active
    assert call(key).status_code == 401  # the row decides, whatever is kept


def test_a_kept_service_user_and_its_permissions_cost_no_query():
    _client, key = make_api_client("cti", ["tickets:read"])
    client_for(key)

    with CaptureQueriesContext(connection) as queries:
        assert not client_for(key).service_user.has_perm(FULL_DATA)

    assert statements(queries) == ['"staffing_apiclient"']  # the row, read every time


def test_a_permission_granted_to_the_service_users_role_applies_on_the_next_request():
    client, key = make_api_client("cti", ["tickets:read"])
    role = Group.objects.create(name="integration")
    client.service_user.groups.add(role)
    assert not client_for(key).service_user.has_perm(FULL_DATA)

    role.permissions.add(Permission.objects.get(codename="view_full_personal_data"))
    assert client_for(key).service_user.has_perm(FULL_DATA)

    role.delete()
    assert not client_for(key).service_user.has_perm(FULL_DATA)


def test_a_grant_the_cache_missed_applies_within_the_documented_bound(settings):
    # Process memory expires entries by the frozen clock, as Redis does by its own.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client, key = make_api_client("cti", ["tickets:read"])
    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)) as clock:
        assert not client_for(key).service_user.has_perm(FULL_DATA)
        # A bulk insert sends no signal: a delete missed, as while Redis is unreachable.
        User.user_permissions.through.objects.bulk_create(
            [
                User.user_permissions.through(
                    user_id=client.service_user_id,
                    permission=Permission.objects.get(codename="view_full_personal_data"),
                )
            ]
        )

        clock.shift(datetime.timedelta(seconds=settings.API_CLIENT_CACHE_SECONDS + 1))
        assert client_for(key).service_user.has_perm(FULL_DATA)


def test_switched_off_every_request_reads_the_service_users_permissions(settings):
    settings.API_CLIENT_CACHE_SECONDS = 0
    client, key = make_api_client("cti", ["tickets:read"])
    client_for(key)

    with CaptureQueriesContext(connection) as queries:
        client_for(key).service_user.has_perm(FULL_DATA)

    assert cache.get(entry(client)) is None
    assert len(queries) == 4  # the row, the user, its own and its roles' permissions


def test_an_agent_status_change_leaves_api_clients_and_sla_policies_kept(
    agent_user, another_process, django_capture_on_commit_callbacks
):
    _client, key = make_api_client("cti", ["tickets:read"])
    client_for(key)
    published_policies.get()
    listed = listed_options.get()

    with django_capture_on_commit_callbacks(execute=True):
        agent_set_status(agent_user.agent, Agent.Status.BREAK, changed_by=agent_user)
        agent_set_status(agent_user.agent, Agent.Status.AVAILABLE, changed_by=agent_user)

    with CaptureQueriesContext(connection) as queries:
        client_for(key).service_user.has_perm(FULL_DATA)
        published_policies.get()
        assert listed_options.get() is listed
    assert statements(queries) == ['"staffing_apiclient"']


def test_an_agent_moved_to_another_team_renews_the_desk_options_only(
    agent_user, other_team, another_process, django_capture_on_commit_callbacks
):
    _client, key = make_api_client("cti", ["tickets:read"])
    client_for(key)
    published_policies.get()
    listed = listed_options.get()

    with django_capture_on_commit_callbacks(execute=True):
        agent = agent_user.agent
        agent.team = other_team
        agent.save()

    assert listed_options.get() != listed
    with CaptureQueriesContext(connection) as queries:
        client_for(key).service_user.has_perm(FULL_DATA)
        published_policies.get()
    assert statements(queries) == ['"staffing_apiclient"']


def test_a_sign_in_renews_nothing(agent_user, client, another_process):
    api_client, key = make_api_client("cti", ["tickets:read"])
    call(key)
    listed = listed_options.get()

    response = client.post("/login/", {"username": "agent1", "password": PASSWORD})
    agent_user.refresh_from_db()

    assert response.status_code == 302 and agent_user.last_login is not None
    assert cache.get(entry(api_client)) is not None
    assert listed_options.get() is listed


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

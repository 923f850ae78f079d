import pytest

from staffing.models import Agent
from staffing.services import api_client_create, team_create
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


@pytest.mark.parametrize("model", ["user", "team", "skill", "agent", "apiclient"])
def test_admin_lists_render(admin_client, model):
    assert admin_client.get(f"/admin/staffing/{model}/").status_code == 200


def test_user_admin_shows_roles_as_groups(admin_client, agent_user):
    response = admin_client.get(f"/admin/staffing/user/{agent_user.pk}/change/")

    assert response.status_code == 200
    assert 'name="groups"' in response.content.decode()
    listing = admin_client.get("/admin/staffing/user/").content.decode()
    assert "agent" in listing


def test_agent_admin_has_history(admin_client, agent_user):
    response = admin_client.get(f"/admin/staffing/agent/{agent_user.agent.pk}/history/")

    assert response.status_code == 200


def test_api_client_admin_never_shows_the_key_or_its_hash(admin_client):
    client, key = api_client_create("cti", ["customers:read"])

    html = admin_client.get(f"/admin/staffing/apiclient/{client.pk}/change/").content.decode()

    assert client.key_prefix in html
    assert client.key_hash not in html
    assert key not in html


def test_api_client_admin_cannot_add_clients(admin_client):
    # Keys are made by the command, which shows them once.
    assert admin_client.get("/admin/staffing/apiclient/add/").status_code == 403


def test_api_client_admin_refuses_an_unknown_scope_and_bad_rate(admin_client):
    client, _key = api_client_create("cti", ["customers:read"])

    response = admin_client.post(
        f"/admin/staffing/apiclient/{client.pk}/change/",
        {"name": "cti", "scopes": ["customers:fly"], "rate": "lots", "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"scopes", "rate"}
    client.refresh_from_db()
    assert client.scopes == ["customers:read"]


def test_team_admin_lists_teams(admin_client):
    team_create("热线三班", "hotline")
    AgentFactory(team__name="Other")

    html = admin_client.get("/admin/staffing/team/").content.decode()

    assert "热线三班" in html
    assert Agent.objects.count() == 1


def test_an_api_client_is_given_a_default_team_in_the_admin(admin_client, hotline_team):
    client, _key = api_client_create("cti", ["tickets:write"])

    response = admin_client.post(
        f"/admin/staffing/apiclient/{client.pk}/change/",
        {
            "name": "cti",
            "scopes": ["tickets:write"],
            "rate": "",
            "is_active": "on",
            "default_team": hotline_team.pk,
        },
    )

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.default_team == hotline_team


def test_team_admin_switches_auto_assignment_and_sets_the_cap(admin_client, hotline_team):
    html = admin_client.get(f"/admin/staffing/team/{hotline_team.pk}/change/").content.decode()

    assert 'name="auto_assign"' in html and 'name="assignment_cap"' in html

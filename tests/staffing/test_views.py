import pytest

from staffing.models import Agent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def agent_client(client, agent_user):
    client.force_login(agent_user)
    return client


def test_agent_changes_own_status_with_htmx_and_gets_the_control_back(agent_client, agent_user):
    response = agent_client.post("/team/status/", {"status": "break"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="agent-status"' in html
    assert "<html" not in html  # a fragment for htmx to swap in, not a page
    assert 'value="break" class="secondary" aria-pressed="true" disabled' in html
    agent_user.agent.refresh_from_db()
    assert agent_user.agent.status == Agent.Status.BREAK


def test_status_change_without_htmx_redirects_home(agent_client, agent_user):
    response = agent_client.post("/team/status/", {"status": "available"})

    assert response.status_code == 302
    assert response.url == "/"
    agent_user.agent.refresh_from_db()
    assert agent_user.agent.status == Agent.Status.AVAILABLE


def test_a_system_status_is_refused_with_the_reason_in_the_control(agent_client, agent_user):
    response = agent_client.post("/team/status/", {"status": "busy"}, **HTMX)

    assert response.status_code == 200
    assert "此状态由话务系统设置" in response.content.decode()
    agent_user.agent.refresh_from_db()
    assert agent_user.agent.status == Agent.Status.OFFLINE


def test_status_change_needs_an_agent_profile(client):
    client.force_login(UserFactory(username="noprofile", roles=["agent"]))

    response = client.post("/team/status/", {"status": "available"}, **HTMX)

    assert response.status_code == 404


def test_status_change_needs_sign_in(client):
    response = client.post("/team/status/", {"status": "available"})

    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_status_change_is_post_only(agent_client):
    assert agent_client.get("/team/status/").status_code == 405


def test_status_change_needs_the_csrf_token(agent_user):
    from django.http import HttpRequest
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    # Sign-in throttling (django-axes) needs the request that signs in.
    assert strict.login(request=HttpRequest(), username=agent_user.username, password=PASSWORD)

    response = strict.post("/team/status/", {"status": "available"}, **HTMX)

    assert response.status_code == 403

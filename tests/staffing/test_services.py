import pytest
from django.core.exceptions import ValidationError

from csc.lib.errors import DomainError
from staffing.models import Agent, ApiClient, Skill, User, hash_api_key
from staffing.services import (
    agent_create,
    agent_set_status,
    api_client_create,
    api_client_rotate_key,
    team_create,
)
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_agent_sets_own_status_and_history_names_who(agent_user):
    agent = agent_user.agent

    agent_set_status(agent, Agent.Status.BREAK, changed_by=agent_user)

    agent.refresh_from_db()
    assert agent.status == Agent.Status.BREAK
    latest = agent.history.first()
    assert latest.status == Agent.Status.BREAK
    assert latest.history_user == agent_user


def test_agent_cannot_set_a_status_the_telephony_system_owns(agent_user):
    with pytest.raises(DomainError) as exc:
        agent_set_status(agent_user.agent, Agent.Status.BUSY, changed_by=agent_user)

    assert exc.value.code == "status_not_self_set"
    agent_user.agent.refresh_from_db()
    assert agent_user.agent.status == Agent.Status.OFFLINE


def test_agent_cannot_change_a_colleagues_status(agent_user, hotline_team):
    colleague = AgentFactory(team=hotline_team)

    with pytest.raises(DomainError):
        agent_set_status(colleague, Agent.Status.AVAILABLE, changed_by=agent_user)

    colleague.refresh_from_db()
    assert colleague.status == Agent.Status.OFFLINE


def test_team_lead_may_set_an_agents_status(agent_user, lead_user):
    agent_set_status(agent_user.agent, Agent.Status.AFTER_CONTACT_WORK, changed_by=lead_user)

    agent_user.agent.refresh_from_db()
    assert agent_user.agent.status == Agent.Status.AFTER_CONTACT_WORK


def test_unknown_status_is_a_validation_error(agent_user):
    with pytest.raises(ValidationError) as exc:
        agent_set_status(agent_user.agent, "asleep", changed_by=agent_user)

    assert "status" in exc.value.message_dict


def test_setting_the_same_status_writes_no_history(agent_user):
    before = agent_user.agent.history.count()

    agent_set_status(agent_user.agent, Agent.Status.OFFLINE, changed_by=agent_user)

    assert agent_user.agent.history.count() == before


def test_team_create_refuses_an_unknown_kind():
    with pytest.raises(ValidationError) as exc:
        team_create("Night desk", "night")

    assert "kind" in exc.value.message_dict


def test_agent_create_makes_user_roles_and_profile(hotline_team):
    skill = Skill.objects.create(code="vip", name="VIP")

    agent = agent_create(
        username="newbie",
        employee_number="E99999",
        team=hotline_team,
        roles=["agent"],
        password="a-long-password-1",
        skills=[skill],
    )

    user = User.objects.get(username="newbie")
    assert agent.user == user
    assert list(user.groups.values_list("name", flat=True)) == ["agent"]
    assert user.check_password("a-long-password-1")
    assert list(agent.skills.all()) == [skill]


def test_agent_create_refuses_an_unknown_role(hotline_team):
    with pytest.raises(ValidationError) as exc:
        agent_create(username="x", employee_number="E1", team=hotline_team, roles=["wizard"])

    assert "roles" in exc.value.message_dict
    assert not User.objects.filter(username="x").exists()


def test_api_client_create_stores_only_the_hash_and_a_service_user():
    client, key = api_client_create("billing", ["customers:read", "contacts:write"], rate="60/min")

    assert client.key_hash == hash_api_key(key)
    assert key not in (client.key_hash, client.key_prefix)
    assert client.key_prefix == key[: ApiClient.KEY_PREFIX_LENGTH]
    assert client.scopes == ["customers:read", "contacts:write"]
    assert client.rate == "60/min"
    assert client.service_user.username == "api-billing"
    assert not client.service_user.has_usable_password()


def test_api_client_create_refuses_an_unknown_scope():
    with pytest.raises(ValidationError) as exc:
        api_client_create("cti", ["customers:read", "customers:delete"])

    assert "customers:delete" in exc.value.message_dict["scopes"][0]
    assert not ApiClient.objects.exists()
    assert not User.objects.filter(username="api-cti").exists()


@pytest.mark.parametrize("rate", ["600", "fast", "10/fortnight", "0/min"])
def test_api_client_create_refuses_a_rate_the_throttle_cannot_read(rate):
    with pytest.raises(ValidationError) as exc:
        api_client_create("cti", ["customers:read"], rate=rate)

    assert "rate" in exc.value.message_dict


def test_api_client_create_refuses_a_duplicate_name():
    api_client_create("cti", ["customers:read"])

    with pytest.raises(ValidationError) as exc:
        api_client_create("cti", ["customers:read"])

    assert "name" in exc.value.message_dict


def test_rotating_a_key_retires_the_old_one():
    client, old_key = api_client_create("cti", ["customers:read"])

    new_key = api_client_rotate_key(client)

    assert new_key != old_key
    assert not ApiClient.objects.filter(key_hash=hash_api_key(old_key)).exists()
    assert ApiClient.objects.get(key_hash=hash_api_key(new_key)) == client

import pytest

from staffing.models import Agent, Team, User
from staffing.selectors import agent_status_counts, team_agents, team_of, teams_with_headcount
from tests.factories import AgentFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_team_of_is_the_agents_team_or_else_the_team_they_lead(agent_user, hotline_team):
    leader_without_profile = UserFactory(username="boss")
    led = TeamFactory(name="Walk-in", kind=Team.Kind.WALK_IN, lead=leader_without_profile)

    assert team_of(agent_user) == hotline_team
    assert team_of(leader_without_profile) == led
    assert team_of(UserFactory(username="nobody")) is None


def test_team_agents_leave_out_deactivated_users(agent_user, hotline_team):
    gone = AgentFactory(team=hotline_team)
    gone.user.is_active = False
    gone.user.save()

    assert list(team_agents(hotline_team)) == [agent_user.agent]


def test_status_counts_list_every_status_in_order(agent_user, outsider_user, hotline_team):
    Agent.objects.filter(user=agent_user).update(status=Agent.Status.AVAILABLE)

    counts = agent_status_counts()
    only_team = agent_status_counts(hotline_team)

    assert [row["status"] for row in counts] == Agent.Status.values
    assert {row["status"]: row["count"] for row in counts}["available"] == 1
    assert {row["status"]: row["count"] for row in counts}["offline"] == 1
    assert sum(row["count"] for row in only_team) == 1


def test_teams_with_headcount_front_line_first(agent_user, outsider_user, manager_user):
    AgentFactory(team=agent_user.agent.team, status=Agent.Status.AVAILABLE)

    teams = list(teams_with_headcount())

    assert [t.name for t in teams] == ["Hotline A", "Hotline B", "Management"]
    assert [(t.headcount, t.available) for t in teams] == [(2, 1), (1, 0), (1, 0)]


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [("伟", "张", "张伟"), ("Wei", "Zhang", "Wei Zhang"), ("", "", "zw")],
)
def test_display_name_puts_a_chinese_family_name_first(first, last, shown):
    assert User(username="zw", first_name=first, last_name=last).display_name == shown

import datetime

import pytest

from staffing.models import ShiftPattern, ShiftTemplate
from tests.factories import AgentFactory, UserFactory

MAY = datetime.date(2026, 5, 1)  # Labour Day 1–5 May 2026 are public holidays


@pytest.fixture
def pattern_a(db):
    return ShiftPattern.objects.get(code="A")


@pytest.fixture
def pattern_b(db):
    return ShiftPattern.objects.get(code="B")


@pytest.fixture
def day_a(pattern_a):
    return ShiftTemplate.objects.get(pattern=pattern_a, code="day")


@pytest.fixture
def night_a(pattern_a):
    return ShiftTemplate.objects.get(pattern=pattern_a, code="night")


@pytest.fixture
def team_agents(hotline_team):
    return [
        AgentFactory(team=hotline_team, user=UserFactory(username=f"crew{n}", roles=["agent"]))
        for n in range(4)
    ]


@pytest.fixture
def director_user(db):
    from tests.factories import TeamFactory

    user = UserFactory(username="director1", roles=["centre_director"])
    AgentFactory(user=user, team=TeamFactory(name="Directors", kind="management"))
    return user

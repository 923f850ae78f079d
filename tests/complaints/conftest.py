"""Handling groups and their people (DOMAIN.md C-9 to C-12)."""

import pytest
from rest_framework.test import APIClient

from tests.factories import AgentFactory, TeamFactory, UserFactory, make_api_client


def _member(role: str, team, username: str):
    user = UserFactory(username=username, roles=[role])
    AgentFactory(user=user, team=team)
    return user


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tech_team(db):
    return TeamFactory(name="技术支持组", kind="tech_support")


@pytest.fixture
def legal_team(db):
    return TeamFactory(name="市场与法律合规组", kind="market_legal")


@pytest.fixture
def complaints_team(db):
    return TeamFactory(name="客户服务组", kind="complaints")


@pytest.fixture
def groups(tech_team, legal_team, complaints_team):
    return {"tech": tech_team, "legal": legal_team, "complaints": complaints_team}


@pytest.fixture
def tech_user(tech_team):
    return _member("tech_support", tech_team, "tech1")


@pytest.fixture
def legal_user(legal_team):
    return _member("market_legal", legal_team, "legal1")


@pytest.fixture
def legal_user2(legal_team):
    return _member("market_legal", legal_team, "legal2")


@pytest.fixture
def handler_user(complaints_team):
    return _member("complaint_handler", complaints_team, "handler1")


@pytest.fixture
def director_user(db):
    return _member("centre_director", TeamFactory(name="Direction", kind="management"), "director1")


@pytest.fixture
def portal(groups):
    """The regulator's appeal portal and the CTI as integrations with the complaints scope."""
    _, key = make_api_client("portal", ["complaints:read", "complaints:write"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api

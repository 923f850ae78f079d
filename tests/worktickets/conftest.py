"""Clients shared by the desk's and the API's tests."""

import pytest
from rest_framework.test import APIClient

from tests.factories import make_api_client


@pytest.fixture
def cti(hotline_team):
    """An integration with the tickets scopes; its tickets go to the hotline team."""
    _, key = make_api_client("cti", ["tickets:read", "tickets:write"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api.team = hotline_team
    return api


@pytest.fixture
def english(client):
    """Messages asserted word for word are read in English; Chinese is the default."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client

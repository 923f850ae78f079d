import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in their English source; pages and the API choose
    # their language per request (tests send Accept-Language where it matters).
    with translation.override("en"):
        yield


@pytest.fixture
def signed_in(client):
    """The test client signed in as the given user, asking for English pages."""

    def sign_in(user):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return sign_in

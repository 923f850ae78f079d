import pytest

from tests.factories import UserFactory


@pytest.fixture
def editor(db):
    """Writes and submits articles (a team lead holds knowledge.change_article)."""
    return UserFactory(username="editor1", roles=["team_lead"])


@pytest.fixture
def reviewer(db):
    """Publishes, returns and retires (a CS manager holds knowledge.publish_article)."""
    return UserFactory(username="reviewer1", roles=["cs_manager"])

import os

import pytest
from django.core.cache import cache

from csc.lib.reference import forget_reference_data
from tests.factories import AgentFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    # Hashing passwords properly is slow and proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    forget_reference_data()
    yield
    cache.clear()
    forget_reference_data()


def _ticket_numbers_allowed(items):
    """A test that may use the database may take ticket numbers too, which are
    counted on the `numbers` alias (a test mirror of the default database)."""
    from django.conf import settings

    from worktickets.numbering import NUMBERS_ALIAS

    if NUMBERS_ALIAS not in settings.DATABASES:
        return
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None and not {"db", "transactional_db"} & set(item.fixturenames):
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        if kwargs.get("databases") == "__all__":
            continue
        kwargs["databases"] = [*(kwargs.get("databases") or ["default"]), NUMBERS_ALIAS]
        item.add_marker(
            pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Ticket numbers are counted on a connection of their own (TestCase rolls it
    # back with the test's, a transactional test's flush empties the counters):
    # it is closed before the test database is dropped.
    yield
    from django.db import connections

    from worktickets.numbering import NUMBERS_ALIAS

    if NUMBERS_ALIAS in connections:
        connections[NUMBERS_ALIAS].close()


@pytest.fixture
def hotline_team(db):
    return TeamFactory(name="Hotline A", kind="hotline")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Hotline B", kind="hotline")


def _persona(role: str, team, username: str):
    user = UserFactory(username=username, roles=[role])
    AgentFactory(user=user, team=team)
    return user


@pytest.fixture
def agent_user(hotline_team):
    return _persona("agent", hotline_team, "agent1")


@pytest.fixture
def lead_user(hotline_team):
    user = _persona("team_lead", hotline_team, "lead1")
    hotline_team.lead = user
    hotline_team.save()
    return user


@pytest.fixture
def manager_user(db):
    return _persona("cs_manager", TeamFactory(name="Management", kind="management"), "manager1")


@pytest.fixture
def qa_user(db):
    return _persona("qa_inspector", TeamFactory(name="QA", kind="qa"), "qa1")


@pytest.fixture
def outsider_user(other_team):
    return _persona("agent", other_team, "outsider1")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # Browser tests last: Playwright's greenlet stays up for the session, and tests
    # after it would run in another context with another database connection.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
    _ticket_numbers_allowed(items)


def pytest_configure(config):
    # Parallel workers share one Redis; give each its own database so one
    # worker's cache.clear() cannot wipe another's throttle counters.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    from django.conf import settings

    cache = settings.CACHES["default"]
    if cache["BACKEND"].endswith("RedisCache"):
        base, _, db = cache["LOCATION"].rpartition("/")
        cache["LOCATION"] = f"{base}/{(int(db or 0) + 1 + int(worker[2:])) % 16}"


@pytest.fixture(autouse=True)
def every_change_is_recorded(monkeypatch):
    """Application code may not change a history-tracked field with
    `QuerySet.update()`, which writes no history row (tests/audit.py)."""
    from django.db.models import QuerySet

    from tests.audit import unrecorded_update

    update = QuerySet.update

    def recorded_update(self, **kwargs):
        where = unrecorded_update(self, kwargs)
        if where is not None:
            raise AssertionError(
                f"{where} writes no history row: use save() or "
                "simple_history.utils.bulk_update_with_history"
            )
        return update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", recorded_update)


@pytest.fixture(autouse=True)
def dns(monkeypatch) -> dict[str, list[str]]:
    """Webhook receivers' host names are never looked up on the network: numeric
    hosts and localhost resolve as usual, other names only as a test maps them
    here (`dns["hooks.example.com"] = ["203.0.113.5"]`); the rest do not resolve."""
    import socket

    from staffing import webhooks

    names: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in names[host]
            ]
        if host == "localhost":
            return real(host, port, *args, **kwargs)
        return real(host, port, *args, **{**kwargs, "flags": socket.AI_NUMERICHOST})

    monkeypatch.setattr(webhooks, "getaddrinfo", getaddrinfo)
    return names

"""API keys: revocation wins over every kept copy, even one kept while Redis was
down; keys may expire; the last use is recorded at most once a minute."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from staffing.models import ApiClient
from staffing.services import api_client_create, api_client_rotate_key
from tests.factories import make_api_client
from tests.robustness.test_failing_services import RedisDown
from tests.staffing.test_admin import admin_client

pytestmark = pytest.mark.django_db

__all__ = ["admin_client"]  # the signed-in superuser fixture, shared with test_admin

TICKETS = "/api/v1/tickets/"
T0 = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)


def call(key: str):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get(TICKETS)


# ---------------------------------------------------------------- revocation


def test_a_client_deactivated_while_redis_was_down_stays_refused_once_redis_is_back():
    client, key = make_api_client("cti", ["tickets:read"])
    assert call(key).status_code == 200  # this process now keeps the client

    with RedisDown():
        client.is_active = False
        client.save()  # the copies' generation cannot be renewed
        assert call(key).status_code == 401

    assert [call(key).status_code for _ in range(20)] == [401] * 20


def test_a_key_rotated_while_redis_was_down_is_refused_once_redis_is_back():
    client, old_key = make_api_client("cti", ["tickets:read"])
    assert call(old_key).status_code == 200

    with RedisDown():
        new_key = api_client_rotate_key(client)

    assert call(old_key).status_code == 401
    assert call(new_key).status_code == 200


def test_a_service_user_deactivated_while_redis_was_down_is_refused_once_redis_is_back():
    client, key = make_api_client("cti", ["tickets:read"])
    assert call(key).status_code == 200

    with RedisDown():
        client.service_user.is_active = False
        client.service_user.save()

    assert call(key).status_code == 401


def test_a_scope_withdrawn_while_redis_was_down_is_refused_at_once():
    client, key = make_api_client("cti", ["tickets:read"])
    assert call(key).status_code == 200

    with RedisDown():
        client.scopes = ["customers:read"]
        client.save()

    assert call(key).status_code == 403


def test_a_client_created_while_redis_was_down_works_at_once():
    _other, other_key = make_api_client("chat", ["tickets:read"])
    assert call(other_key).status_code == 200  # the kept copy predates the new client

    with RedisDown():
        _client, key = make_api_client("cti", ["tickets:read"])

    assert call(key).status_code == 200


def test_an_unknown_key_is_refused():
    make_api_client("cti", ["tickets:read"])

    assert call("not-a-key").status_code == 401


# ---------------------------------------------------------------- expiry


def test_a_key_works_until_its_expiry_then_is_refused_saying_so():
    client, key = make_api_client("cti", ["tickets:read"])
    client.expires_at = T0 + datetime.timedelta(days=30)
    client.save()

    with time_machine.travel(T0 + datetime.timedelta(days=30, seconds=-1), tick=False):
        assert call(key).status_code == 200
    with time_machine.travel(T0 + datetime.timedelta(days=30), tick=False):
        refused = call(key)

    assert refused.status_code == 401
    assert refused.json()["detail"] == "此 API 密钥已于 2026-04-01 10:00 过期，请申请新密钥。"


def test_an_expired_key_is_refused_in_english_when_asked():
    client, key = make_api_client("cti", ["tickets:read"])
    client.expires_at = T0
    client.save()

    with time_machine.travel(T0 + datetime.timedelta(hours=1), tick=False):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        refused = api.get(TICKETS, HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 401
    assert refused.json()["detail"] == (
        "This API key expired at 2026-03-02 10:00; ask for a new one."
    )


def test_a_key_cannot_be_created_already_expired():
    with time_machine.travel(T0, tick=False), pytest.raises(Exception) as raised:
        api_client_create("cti", ["tickets:read"], expires_at=T0)

    assert "expires_at" in raised.value.message_dict
    assert not ApiClient.objects.exists()


# ---------------------------------------------------------------- last used


def _last_used_updates(queries) -> int:
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "last_used_at" in q["sql"]
    )


def test_the_last_use_is_written_at_most_once_a_minute():
    client, key = make_api_client("cti", ["tickets:read"])
    with time_machine.travel(T0, tick=False) as traveller:
        with CaptureQueriesContext(connection) as first_minute:
            for _ in range(5):
                assert call(key).status_code == 200
            traveller.shift(datetime.timedelta(seconds=59))
            assert call(key).status_code == 200
        client.refresh_from_db()
        assert client.last_used_at == T0

        traveller.shift(datetime.timedelta(seconds=2))
        with CaptureQueriesContext(connection) as next_minute:
            assert call(key).status_code == 200

    assert _last_used_updates(first_minute) == 1
    assert _last_used_updates(next_minute) == 1
    client.refresh_from_db()
    assert client.last_used_at == T0 + datetime.timedelta(seconds=61)


# ---------------------------------------------------------------- admin and commands


def test_admin_shows_the_expiry_and_the_last_use(admin_client):
    client, key = make_api_client("cti", ["tickets:read"])
    client.expires_at = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
    client.save()
    call(key)

    listing = admin_client.get("/admin/staffing/apiclient/", HTTP_ACCEPT_LANGUAGE="en")
    page = admin_client.get(
        f"/admin/staffing/apiclient/{client.pk}/change/", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Key expires at" in listing.content.decode()
    assert "Last used at" in listing.content.decode()
    assert 'name="expires_at_0"' in page.content.decode()
    assert "2027" in page.content.decode()


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_api_client_gives_a_key_that_expires_in_the_days_asked():
    with time_machine.travel(T0, tick=False):
        output = _command(
            "create_api_client", "cti", "--scope", "tickets:read", "--expires-in-days", "90"
        )

    created = ApiClient.objects.get(name="cti")
    assert created.expires_at == T0 + datetime.timedelta(days=90)
    assert "2026-05-31 10:00" in output
    key = output.strip().splitlines()[-1]
    with time_machine.travel(T0 + datetime.timedelta(days=90), tick=False):
        assert call(key).status_code == 401


def test_create_api_client_without_expiry_makes_a_key_that_does_not_expire():
    output = _command("create_api_client", "cti", "--scope", "tickets:read")

    assert ApiClient.objects.get(name="cti").expires_at is None
    assert "不会过期" in output


def test_rotating_a_key_sets_the_new_keys_expiry():
    client, _key = make_api_client("cti", ["tickets:read"])
    with time_machine.travel(T0, tick=False):
        output = _command("rotate_api_client_key", "cti", "--expires-in-days", "7")
        assert call(output.strip().splitlines()[-1]).status_code == 200

    client.refresh_from_db()
    assert client.expires_at == T0 + datetime.timedelta(days=7)
    assert "2026-03-09 10:00" in output


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_expiry_days_must_be_a_positive_whole_number(days):
    with pytest.raises(CommandError, match="expires-in-days"):
        _command("create_api_client", "cti", "--scope", "tickets:read", "--expires-in-days", days)

    assert not ApiClient.objects.exists()

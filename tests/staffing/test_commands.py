import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from staffing.models import ApiClient

pytestmark = pytest.mark.django_db


def _create(*args: str) -> str:
    out = io.StringIO()
    call_command("create_api_client", *args, stdout=out)
    return out.getvalue()


def test_create_api_client_prints_a_key_that_authenticates(client):
    output = _create("cti", "--scope", "customers:read", "--scope", "customers:write")
    key = output.strip().splitlines()[-1]

    response = client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    created = ApiClient.objects.get(name="cti")
    assert created.scopes == ["customers:read", "customers:write"]
    assert key not in (created.key_hash, created.key_prefix)


def test_the_printed_key_is_refused_for_a_scope_it_lacks(client):
    key = _create("cti", "--scope", "customers:read").strip().splitlines()[-1]

    response = client.post(
        "/api/v1/customers/", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )

    assert response.status_code == 403


def test_create_api_client_stores_the_rate(client):
    _create("billing", "--scope", "customers:read", "--rate", "600/min")

    assert ApiClient.objects.get(name="billing").rate == "600/min"


def _run_manage(*args: str) -> subprocess.CompletedProcess:
    """Run manage.py in a real process, to see the exit status an operator's shell sees."""
    db = connection.settings_dict
    env = {**os.environ}
    if db["ENGINE"].endswith("postgresql"):
        # The test database exists for the whole session; the process starts up against it.
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    return subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_unknown_scope_fails_with_a_clear_message_and_nonzero_exit():
    result = _run_manage("create_api_client", "cti", "--scope", "customers:destroy")

    assert result.returncode != 0
    assert "未知权限范围" in result.stderr  # "Unknown scope", in the default language
    assert "customers:destroy" in result.stderr
    assert result.stdout == ""


def test_create_api_client_needs_a_scope():
    result = _run_manage("create_api_client", "cti")

    assert result.returncode != 0
    assert "--scope" in result.stderr


def test_unknown_scope_creates_nothing():
    with pytest.raises(CommandError):
        _create("cti", "--scope", "customers:read", "--scope", "customers:destroy")

    assert not ApiClient.objects.exists()


def test_rotate_api_client_key_prints_a_new_working_key(client):
    old_key = _create("cti", "--scope", "customers:read").strip().splitlines()[-1]
    out = io.StringIO()

    call_command("rotate_api_client_key", "cti", stdout=out)
    new_key = out.getvalue().strip().splitlines()[-1]

    assert (
        client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {old_key}").status_code == 401
    )
    assert (
        client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {new_key}").status_code == 200
    )

"""Production settings: `check --deploy` clean, no start without a secret, the
image's build steps work, and the load balancer's probe answers over HTTP."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

MANAGE = Path(settings.BASE_DIR) / "manage.py"

# Variables a developer's shell may hold that would change what production means.
_OVERRIDABLE_PREFIXES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_",
    "SESSION_COOKIE_",
    "CSRF_",
    "STATIC_",
    "BEHIND_TLS_PROXY",
    "PERSONAL_DATA_",
    "DJANGO_SETTINGS_MODULE",
)


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OVERRIDABLE_PREFIXES)}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        PERSONAL_DATA_KEYS=Fernet.generate_key().decode(),
        PERSONAL_DATA_INDEX_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="csc.example.com",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/csc"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        CSC_VAR_DIR=str(tmp_path / "var"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_no_issues(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_a_weak_secret_key(tmp_path):
    # Proves the check above really runs the deployment checks.
    env = production_env(tmp_path, SECRET_KEY="too-short")

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    result = manage(env, "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize("variable", ["PERSONAL_DATA_KEYS", "PERSONAL_DATA_INDEX_KEY"])
def test_settings_refuse_to_start_without_personal_data_keys_when_debug_is_off(tmp_path, variable):
    env = production_env(tmp_path)
    del env[variable]

    result = manage(env, "check")

    assert result.returncode != 0
    assert "PERSONAL_DATA_KEYS and PERSONAL_DATA_INDEX_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"PERSONAL_DATA_KEYS": "not-a-fernet-key"}, "must be a Fernet key"),
        ({"PERSONAL_DATA_INDEX_KEY": "short"}, "at least 32 characters"),
    ],
)
def test_check_refuses_malformed_personal_data_keys(tmp_path, overrides, message):
    result = manage(production_env(tmp_path, **overrides), "check")

    assert result.returncode != 0
    assert "csc.E001" in result.stderr
    assert message in result.stderr


def test_collectstatic_with_production_storage_hashes_every_asset(tmp_path):
    # The Dockerfile runs this step; a CSS url() to a missing file breaks it.
    static_root = tmp_path / "static"
    env = production_env(tmp_path, STATIC_ROOT=str(static_root))

    result = manage(env, "collectstatic", "--noinput")

    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    assert "css/csc.css" in manifest
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in manifest
    assert "django_htmx/htmx-2.min.js" in manifest


def test_healthz_answers_plain_http_when_every_other_page_redirects_to_https(settings, client):
    settings.SECURE_SSL_REDIRECT = True

    probe = client.get("/healthz")
    page = client.get("/login/")

    assert probe.status_code == 200
    assert page.status_code == 301
    assert page["Location"].startswith("https://")


@pytest.mark.parametrize(
    "flag, expected", [("1", "('HTTP_X_FORWARDED_PROTO', 'https')"), ("0", "None")]
)
def test_behind_tls_proxy_decides_whether_the_forwarded_scheme_is_trusted(tmp_path, flag, expected):
    # Trusting X-Forwarded-Proto without a proxy that sets it would let any client claim HTTPS.
    env = production_env(tmp_path, BEHIND_TLS_PROXY=flag)

    result = manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(getattr(settings, 'SECURE_PROXY_SSL_HEADER'))",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected

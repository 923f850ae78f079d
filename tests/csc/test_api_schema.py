"""The API's contract document (DESIGN.md §3): a valid OpenAPI 3 schema at
/api/schema/, and interactive docs at /api/docs/ that work with no internet."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, agent_user):
    """The schema and docs are for signed-in staff (test_schema_access.py)."""
    client.force_login(agent_user)
    return client


def test_schema_is_a_valid_openapi_3_document(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document


def test_schema_describes_the_api_client_token(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    scheme = schema["components"]["securitySchemes"]["ApiClientToken"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}


def test_schema_paths_are_all_under_api_v1(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_schema_generates_without_warnings():
    # A warning means an endpoint the generator could not describe exactly:
    # integrations would get a wrong contract.
    out = StringIO()

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out
    )

    assert '"openapi"' in out.getvalue()


def _local_asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.fixture
def static_served_by_whitenoise(settings):
    # Production serves collected files; tests have no collectstatic, so let
    # whitenoise read the same files through the finders.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


def test_api_docs_reference_no_other_host(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r"https?://[^\s\"'<>]+", html) == []
    urls = _local_asset_urls(html)
    assert urls, "the docs page should load Swagger UI's script and styles"
    # Swagger UI's own files, and its start-up script as a file of its own (no inline script).
    assert all(url.startswith(("/static/", "/api/docs/?")) for url in urls), urls
    script = client.get("/api/docs/", {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")
    assert '"/api/schema/"' in script.content.decode()


def test_api_docs_assets_are_served_locally(client, static_served_by_whitenoise):
    html = client.get("/api/docs/").content.decode()
    urls = _local_asset_urls(html)

    statuses = {url: client.get(url).status_code for url in urls}

    assert statuses == dict.fromkeys(urls, 200)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)


def test_operations_are_grouped_by_resource(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    tags = {
        tag
        for operations in schema["paths"].values()
        for operation in operations.values()
        for tag in operation.get("tags", [])
    }
    assert {"customers", "contacts", "tickets", "complaints"} <= tags
    assert "v1" not in tags and "api" not in tags


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_api_path_answers_json_404_in_every_mode(client, settings, debug):
    settings.DEBUG = debug

    response = client.get("/api/v1/no-such-resource/7/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_an_api_path_missing_its_slash_is_still_sent_to_the_endpoint(client):
    response = client.get("/api/v1/customers")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/customers/"

"""The API's contract document (DESIGN.md §3): a valid OpenAPI 3 schema at
/api/schema/, and interactive docs at /api/docs/ that work with no internet."""

import json
import re
from io import StringIO

import jsonschema
import pytest
from django.core.management import call_command
from django.urls import resolve
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
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


# --- the documentation an integrator reads -----------------------------------------------

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    """The document /api/docs/ shows, in English (the reader's Accept-Language)."""
    with django_db_blocker.unblock(), translation.override("en"):
        document = SchemaGenerator().get_schema(request=None, public=True)
        return json.loads(OpenApiJsonRenderer().render(document))


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", path, method, operation


def _errors(operation: dict) -> dict:
    return {code: r for code, r in operation["responses"].items() if code >= "400"}


def test_every_operation_has_a_summary_a_description_and_examples(schema):
    missing = {}
    for name, _path, _method, operation in _operations(schema):
        lacks = []
        if not operation.get("summary"):
            lacks.append("summary")
        # Its own words, before the scope and errors every description ends with.
        if operation.get("description", "").startswith("**"):
            lacks.append("description")
        bodies = operation.get("requestBody", {}).get("content", {})
        # JSON where it is read (form encodings take the same fields), else the one it reads.
        for media_type in ["application/json"] if "application/json" in bodies else bodies:
            if not bodies[media_type].get("examples"):
                lacks.append(f"request example ({media_type})")
        for code, response in operation["responses"].items():
            content = response.get("content", {}).get("application/json", {})
            if code < "300" and "content" in response and not content.get("examples"):
                lacks.append(f"{code} example")
        if lacks:
            missing[name] = lacks

    assert missing == {}


def test_every_operation_documents_its_errors_with_their_bodies(schema):
    problems = {}
    for name, path, _method, operation in _operations(schema):
        errors = _errors(operation)
        expected = {"400", "401", "403", "429"}
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected.add("415")
        found = []
        if not expected <= set(errors):
            found.append(f"missing {sorted(expected - set(errors))}")
        for code, response in errors.items():
            content = response.get("content", {}).get("application/json", {})
            body = content.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
            if body not in ({"BadRequest"} if code == "400" else {"Error"}):
                found.append(f"{code} body {body or 'undocumented'}")
            if not response.get("description") or not content.get("examples"):
                found.append(f"{code} without description or example")
            if f"`{code}`" not in operation["description"]:
                found.append(f"{code} not in the description")
        if found:
            problems[name] = found

    assert problems == {}


def test_the_error_bodies_are_the_ones_the_handler_writes(schema):
    components = schema["components"]["schemas"]

    assert components["Error"]["required"] == ["detail"]
    assert set(components["Error"]["properties"]) == {"detail", "code"}
    assert components["BadRequest"]["oneOf"] == [
        {"$ref": "#/components/schemas/FieldErrors"},
        {"$ref": "#/components/schemas/Error"},
    ]
    error = {"detail": "x", "code": "stale_version", "current_version": 4}
    jsonschema.validate(error, _json_schema(components["Error"], schema))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"phone": ["x"]}, _json_schema(components["Error"], schema))
    field_errors = _json_schema(components["FieldErrors"], schema)
    jsonschema.validate({"phone": ["x"], "events": {"1": ["y"]}}, field_errors)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"detail": "x"}, field_errors)


def test_every_operation_names_the_scope_its_view_requires(schema):
    wrong = {}
    for name, path, method, operation in _operations(schema):
        view = resolve(path.replace("{id}", "1")).func
        resource = (getattr(view, "cls", None) or view.view_class).scope_resource
        scope = f"{resource}:{'read' if method == 'get' else 'write'}"
        if f"**Scope:** `{scope}`." not in operation["description"]:
            wrong[name] = scope

    assert wrong == {}


def test_every_write_that_takes_a_version_documents_the_stale_version_409(schema):
    missing = []
    for name, _path, _method, operation in _operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        body = _resolve(content.get("application/json", {}).get("schema", {}), schema)
        if "version" not in body.get("required", []):
            continue
        conflict = operation["responses"].get("409", {})
        examples = conflict.get("content", {}).get("application/json", {}).get("examples", {})
        codes = {example["value"].get("code") for example in examples.values()}
        if "stale_version" not in codes:
            missing.append(name)

    assert missing == []


def test_creates_that_take_an_idempotency_key_document_it(schema):
    creates = ["/api/v1/customers/", "/api/v1/contacts/", "/api/v1/tickets/"]
    creates += ["/api/v1/complaints/", "/api/v1/webhooks/"]

    for path in creates:
        operation = schema["paths"][path]["post"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path
        assert {"404", "422"} <= set(operation["responses"]), path
        assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"], path
    assert "Idempotency-Key" not in {
        p["name"] for p in schema["paths"]["/api/v1/tickets/{id}/accept/"]["post"]["parameters"]
    }


def test_a_refused_rate_documents_retry_after(schema):
    missing = [
        name
        for name, _path, _method, operation in _operations(schema)
        if "Retry-After" not in operation["responses"]["429"].get("headers", {})
    ]

    assert missing == []


def _resolve(node: dict, schema: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _nullable(node):
    """OpenAPI 3.0's `nullable` as JSON Schema says it (a null among the types)."""
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def _json_schema(node: dict, schema: dict) -> dict:
    return {**_nullable(node), "components": _nullable(schema["components"])}


def _examples(operation: dict):
    for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
        for name, example in content.get("examples", {}).items():
            yield f"request {media_type} {name}", content["schema"], example["value"]
    for code, response in operation["responses"].items():
        for media_type, content in response.get("content", {}).items():
            for name, example in content.get("examples", {}).items():
                yield f"{code} {media_type} {name}", content["schema"], example["value"]


def test_every_example_matches_the_schema_it_illustrates(schema):
    invalid = {}
    checked = 0
    for name, _path, _method, operation in _operations(schema):
        for which, body_schema, value in _examples(operation):
            checked += 1
            validator = jsonschema.Draft202012Validator(_json_schema(body_schema, schema))
            problems = [error.message for error in validator.iter_errors(value)]
            if problems:
                invalid[f"{name} {which}"] = problems[:3]

    assert invalid == {}
    assert checked > 200

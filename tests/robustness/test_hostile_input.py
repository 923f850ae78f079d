"""Classes of hostile input the random fuzzer rarely draws, sent to every operation
of the schema (DESIGN.md §3: bad input gets a clear 4xx, never a 500):

- a JSON body nested 1,000 deep (2 KB; json.loads recursed until Python's stack ran out),
- a lone UTF-16 surrogate in every body field (the 400 that echoed it could not be encoded),
- NUL in every body field (JSON, form or multipart), query parameter and header
  parameter (PostgreSQL refuses it).

Each request names real rows, so it gets past "not found" into the serializers.
"""

import json
import logging

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from complaints.models import OutageCluster
from csc.lib.untrusted import MAX_JSON_DEPTH
from staffing.models import ApiClient, WebhookSubscription
from tests.robustness.schema import keep_test_database_across_requests, raw_schema

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000
SURROGATE = "\ud800"
NUL = "\x00"

OPERATIONS = [
    (path, method.upper(), operation)
    for path, operations in raw_schema["paths"].items()
    for method, operation in operations.items()
]
WRITES = [op for op in OPERATIONS if "requestBody" in op[2]]


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = raw_schema["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def body_fields(operation: dict) -> list[str]:
    content = operation["requestBody"]["content"]
    media = content.get("application/json") or next(iter(content.values()))
    return sorted(_resolve(media["schema"]).get("properties", {}))


def parameters(operation: dict, where: str) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p["in"] == where]


@pytest.fixture
def ids(world, full_token) -> dict[str, int]:
    """Path prefix -> a real row its {id} names, for every resource of the API."""
    complaint = world.complaints[0]
    cluster = OutageCluster.objects.create(
        service_type=complaint.service_type or "mobile",
        area="西城区",
        threshold=3,
        window_minutes=60,
    )
    hook = WebhookSubscription.objects.create(
        api_client=ApiClient.objects.get(name="fuzz"),
        url="https://crm.example.com/hook",
        events=["ticket.created"],
        secret="s",
    )
    return {
        "/api/v1/customers/": world.customers[0].pk,
        "/api/v1/contacts/": world.contacts[0].pk,
        "/api/v1/tickets/": world.tickets[0].pk,
        "/api/v1/complaints/": complaint.pk,
        "/api/v1/sla/clocks/": world.clocks[0],
        "/api/v1/complaint-clusters/": cluster.pk,
        "/api/v1/webhooks/": hook.pk,
        "/api/v1/problems/": world.problems[0].pk,
        # No article, scorecard or evaluation in this world: hostile input must still
        # get a 4xx, never a 500.
        "/api/v1/knowledge/articles/": 1,
        "/api/v1/quality/scorecards/": 1,
        "/api/v1/quality/evaluations/": 1,
    }


def _path_of(path: str, ids: dict[str, int]) -> str:
    if "{id}" not in path:
        return path
    prefix = path.split("{id}")[0]
    return path.replace("{id}", str(ids[prefix]))


@pytest.fixture
def send(client, ids, full_token):
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # hundreds of expected 4xx lines

    def send(
        path: str,
        method: str,
        *,
        body: str | bytes = "",
        query: str = "",
        headers=None,
        content_type: str = "application/json",
    ):
        url = _path_of(path, ids) + (f"?{query}" if query else "")
        with keep_test_database_across_requests():
            return client.generic(
                method,
                url,
                body,
                content_type=content_type,
                headers={"Authorization": f"Token {full_token}", **(headers or {})},
            )

    yield send
    logger.setLevel(level)


def _refused(response) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    # The answer is JSON and renders: the bad character is not echoed back raw.
    assert response["Content-Type"].startswith("application/json")
    assert SURROGATE not in response.content.decode("utf-8")


def test_json_nested_a_thousand_deep_is_a_400_on_every_operation(send):
    answers = {f"{method} {path}": send(path, method, body=DEEP) for path, method, _ in WRITES}

    assert {op: r.status_code for op, r in answers.items() if r.status_code != 400} == {}
    assert all(str(MAX_JSON_DEPTH) in r.json()["detail"] for r in answers.values())


def test_a_lone_surrogate_or_nul_in_any_body_field_is_a_400(send):
    failures = {}
    for path, method, operation in WRITES:
        for name in body_fields(operation):
            for bad in (SURROGATE, NUL, f"billing{SURROGATE}"):
                response = send(path, method, body=json.dumps({name: bad}))
                if response.status_code != 400 or SURROGATE in response.content.decode():
                    failures[f"{method} {path} {name}={bad!r}"] = response.status_code

    assert failures == {}


def test_nul_in_any_form_or_multipart_field_is_a_400(send):
    failures = {}
    for path, method, operation in WRITES:
        for name in body_fields(operation):
            multipart = encode_multipart(BOUNDARY, {name: "a\x00b"})
            for content_type, body in (
                (MULTIPART_CONTENT, multipart),
                ("application/x-www-form-urlencoded", f"{name}=a%00b"),
            ):
                response = send(path, method, body=body, content_type=content_type)
                if response.status_code != 400:
                    failures[f"{method} {path} {name} ({content_type})"] = response.status_code

    assert failures == {}


def test_nul_in_any_query_or_header_parameter_is_a_400(send):
    failures = {}
    for path, method, operation in OPERATIONS:
        for name in parameters(operation, "query"):
            response = send(path, method, body="{}", query=f"{name}=a%00b")
            if response.status_code != 400:
                failures[f"{method} {path}?{name}"] = response.status_code
        for name in parameters(operation, "header"):
            response = send(path, method, body="{}", headers={name: "key\x00"})
            if response.status_code != 400:
                failures[f"{method} {path} {name}:"] = response.status_code

    assert failures == {}


def test_a_broken_utf8_query_string_never_fails(send):
    # A surrogate cannot be sent in a URL; its UTF-8-like bytes arrive as U+FFFD.
    statuses = {
        f"{method} {path}": send(path, method, body="{}", query="q=%ED%A0%80").status_code
        for path, method, _ in OPERATIONS
    }

    assert {op: code for op, code in statuses.items() if code >= 500} == {}


def test_the_refusal_names_the_field_not_the_character(send, world):
    response = send("/api/v1/complaints/", "POST", body=json.dumps({"category": SURROGATE}))

    _refused(response)
    assert "category" in response.json()["category"][0]
    assert SURROGATE not in response.content.decode("utf-8", "surrogatepass")


def test_a_field_nested_in_a_list_is_named_by_its_path(send):
    body = json.dumps({"items": [{"name": "ok"}, {"name": f"x{NUL}"}]})

    response = send("/api/v1/customers/", "POST", body=body)

    _refused(response)
    assert "items[1].name" in response.json()["items[1].name"][0]


def test_a_nul_in_a_list_filter_names_the_parameter(send):
    response = send("/api/v1/customers/", "GET", query="q=%00")

    _refused(response)
    assert response.json()["q"]


def test_json_at_the_depth_limit_still_parses(send, world):
    # 32 levels are accepted: the refusal is about depth, not about lists in general.
    depth = MAX_JSON_DEPTH - 1  # the body object is the first level
    body = json.dumps({"summary": "ok", "x": json.loads("[" * depth + "]" * depth)})

    response = send("/api/v1/contacts/", "POST", body=body)

    assert response.status_code == 400
    assert "queued_at" in response.json()  # past the parser, into the serializer


def test_brackets_inside_strings_do_not_count_as_nesting(send, world):
    body = json.dumps(
        {"channel": "hotline", "queued_at": "2026-03-02T09:00:00+08:00", "summary": "[" * 500}
    )

    response = send("/api/v1/contacts/", "POST", body=body)

    assert response.status_code == 201, response.content[:300]


def test_a_json_body_larger_than_the_upload_limit_is_a_json_400(send, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = send("/api/v1/contacts/", "POST", body=json.dumps({"summary": "x" * 2000}))

    _refused(response)
    assert response.json()["code"] == "bad_request"


# --- pages: the same check covers query strings and form posts -------------------------


def test_a_customer_search_for_nul_is_a_400_page_not_a_500(client, agent_user):
    client.force_login(agent_user)

    response = client.get("/customers/?q=%00")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "“q”" in response.content.decode()


def test_an_htmx_search_for_nul_gets_a_fragment_that_says_why(client, agent_user):
    client.force_login(agent_user)

    response = client.get("/customers/", {"q": "138\x00"}, headers={"HX-Request": "true"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" not in html and "“q”" in html


def test_a_form_post_with_nul_is_a_400_page(client, agent_user):
    client.force_login(agent_user)

    response = client.post(
        "/contacts/new/",
        "channel=hotline&summary=call%00back",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "“summary”" in response.content.decode()

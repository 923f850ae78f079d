"""The API's own OpenAPI document, as /api/schema/ serves it, with the WSGI
application that answers its operations, and the checks every response must pass."""

import copy
import json
from contextlib import contextmanager

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from csc.wsgi import application

# No 5xx; only documented status codes and content types; bodies that match the schema.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def served_schema() -> dict:
    """The document /api/schema/ answers with. It is served to signed-in staff and
    API clients only, and tests are collected before any exists, so it is built
    by the generator the view uses, and rendered the same way."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


raw_schema = served_schema()
# The fuzzer gets a copy of its own: it sends the documented examples as cases, and
# the tests aim their bodies at seeded rows in place.
api_schema = schemathesis.openapi.from_dict(copy.deepcopy(raw_schema))
api_schema.app = application


@contextmanager
def keep_test_database_across_requests():
    """The WSGI handler closes the database connection after each request; in a
    test that connection holds the test's transaction (Django's test client
    unhooks the same signals)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(operation_path: str, method: str, token: str, **parts):
    """Send one request to an operation of the schema; returns (case, response)."""
    case = api_schema[operation_path][method].Case(**parts)
    with keep_test_database_across_requests():
        response = case.call(headers={"Authorization": f"Token {token}"})
    return case, response


def conforms(case, response) -> None:
    case.validate_response(response, checks=CHECKS)

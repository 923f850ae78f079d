"""The API's own OpenAPI document, loaded through the WSGI application the way an
integration reads it, and the checks every response must pass."""

from contextlib import contextmanager

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from csc.wsgi import application

SCHEMA_URL = "/api/schema/?format=json"
# No 5xx; only documented status codes and content types; bodies that match the schema.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

api_schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, application)


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

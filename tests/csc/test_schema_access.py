"""The API's schema and docs are for signed-in staff and API clients only."""

import pytest
from django.urls import reverse

from tests.factories import make_api_client

pytestmark = pytest.mark.django_db


def test_a_signed_out_visitor_gets_no_schema(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 401
    assert "paths" not in response.content.decode()


def test_a_signed_out_visitor_is_sent_to_sign_in_from_the_docs(client):
    for path in ("/api/docs/", "/api/docs/?script="):
        response = client.get(path)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_api_client_reads_the_schema_with_its_key(client):
    _, key = make_api_client("crm", [])

    response = client.get(
        "/api/schema/", {"format": "json"}, headers={"Authorization": f"Token {key}"}
    )

    assert response.status_code == 200
    assert "/api/v1/customers/" in response.json()["paths"]


def test_a_bad_key_gets_no_schema(client):
    response = client.get("/api/schema/", headers={"Authorization": "Token nope"})

    assert response.status_code == 401


def test_signed_in_staff_read_the_schema_and_the_docs(client, agent_user):
    client.force_login(agent_user)

    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200

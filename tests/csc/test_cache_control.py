"""Pages and API answers with personal data are never stored by a browser or proxy."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, make_api_client

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_a_customer_page_showing_full_numbers_is_not_stored(client, manager_user):
    customer = CustomerFactory(phone="13912345678")
    client.force_login(manager_user)

    response = client.get(reverse("intake:customer_detail", args=[customer.pk]))

    assert response.status_code == 200
    assert _no_store(response)


def test_htmx_fragments_are_not_stored_either(client, agent_user):
    client.force_login(agent_user)

    response = client.get(reverse("intake:customer_search"), {"q": "139"}, HTTP_HX_REQUEST="true")

    assert _no_store(response)


def test_api_answers_to_a_client_are_not_stored(client):
    CustomerFactory()
    _, key = make_api_client("crm", ["customers:read"])

    response = client.get("/api/v1/customers/", headers={"Authorization": f"Token {key}"})

    assert response.status_code == 200
    assert _no_store(response)


def test_the_health_probe_stays_cacheable(client):
    assert "no-store" not in client.get("/healthz").get("Cache-Control", "")

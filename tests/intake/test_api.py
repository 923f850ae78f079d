import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from intake.models import Contact, Customer
from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerFactory,
    CustomerServiceFactory,
    UserFactory,
    make_api_client,
)

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"
CONTACTS = "/api/v1/contacts/"


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def integration(api):
    """An API client with every intake scope, and the APIClient using its key."""

    def make(scopes=("customers:read", "customers:write", "contacts:read", "contacts:write"), **kw):
        _, key = make_api_client(kw.pop("name", "cti"), list(scopes), **kw)
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api

    return make


def customer_body(**fields) -> dict:
    return {
        "name": "王五",
        "phone": "+86 138 0013 8000",
        "customer_type": "individual",
        "payment_type": "postpaid",
        "vip_tier": "silver",
        "region": "urban",
        **fields,
    }


def contact_body(**fields) -> dict:
    return {
        "channel": "hotline",
        "caller_number": "13800138000",
        "queued_at": "2026-03-02T09:00:00+08:00",
        "answered_at": "2026-03-02T09:00:12+08:00",
        "ended_at": "2026-03-02T09:04:00+08:00",
        "summary": "查询话费",
        **fields,
    }


# --- auth, scopes, throttling -----------------------------------------------------------


def test_a_bad_key_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-key")

    assert api.get(CUSTOMERS).status_code == 401


def test_no_credentials_is_401(api):
    assert api.get(CUSTOMERS).status_code == 401


def test_a_client_without_the_scope_is_403(integration):
    api = integration(scopes=["contacts:read"])

    response = api.get(CUSTOMERS)

    assert response.status_code == 403
    assert "customers:read" in response.json()["detail"]


def test_a_client_with_read_scope_may_read_but_not_write(integration):
    api = integration(scopes=["customers:read", "contacts:read"])
    customer = CustomerFactory()

    assert api.get(CUSTOMERS).status_code == 200
    assert api.get(f"{CUSTOMERS}{customer.pk}/").status_code == 200
    assert api.get(CONTACTS).status_code == 200
    assert api.post(CUSTOMERS, customer_body(), format="json").status_code == 403
    assert api.patch(f"{CUSTOMERS}{customer.pk}/", {"city": "x"}, format="json").status_code == 403
    assert api.post(CONTACTS, contact_body(), format="json").status_code == 403
    assert not Contact.objects.exists()


WINDOW_START = datetime.datetime(2026, 12, 4, 9, 30, tzinfo=datetime.UTC)


def test_a_client_over_its_rate_is_throttled_until_the_window_ends(integration):
    api = integration(rate="3/min")

    with time_machine.travel(WINDOW_START + datetime.timedelta(seconds=15), tick=False):
        statuses = [api.get(CUSTOMERS).status_code for _ in range(4)]
        refused = api.get(CUSTOMERS)
    with time_machine.travel(WINDOW_START + datetime.timedelta(seconds=61), tick=False):
        next_window = api.get(CUSTOMERS).status_code

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert next_window == 200


def test_a_windows_counter_ends_with_its_window(integration):
    from django_redis import get_redis_connection

    try:
        redis = get_redis_connection()
    except NotImplementedError:
        pytest.skip("needs Redis")
    api = integration(rate="3/min")
    before = set(redis.scan_iter("*throttle*"))

    with time_machine.travel(WINDOW_START + datetime.timedelta(seconds=15), tick=False):
        api.get(CUSTOMERS)
        api.get(CUSTOMERS)

    (counter,) = set(redis.scan_iter("*throttle*")) - before
    assert int(redis.get(counter)) == 2
    assert 0 < redis.ttl(counter) <= 61


def test_the_embedded_setup_throttles_through_its_local_cache(integration, settings):
    # Without Redis (make run) the window's counter lives in the process's cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    api = integration(rate="3/min")

    with time_machine.travel(WINDOW_START + datetime.timedelta(seconds=15), tick=False):
        statuses = [api.get(CUSTOMERS).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_throttling_is_per_client(integration, api):
    integration(rate="3/min")
    for _ in range(3):
        api.get(CUSTOMERS)
    _, other_key = make_api_client("chat", ["customers:read"], rate="3/min")
    api.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")

    assert api.get(CUSTOMERS).status_code == 200


def test_session_users_need_the_django_permissions(api, agent_user, qa_user):
    customer = CustomerFactory()
    api.force_authenticate(qa_user)
    assert api.get(CUSTOMERS).status_code == 200
    assert api.patch(f"{CUSTOMERS}{customer.pk}/", {"city": "x"}, format="json").status_code == 403
    assert api.post(CONTACTS, contact_body(), format="json").status_code == 403

    api.force_authenticate(agent_user)
    assert api.patch(f"{CUSTOMERS}{customer.pk}/", {"city": "x"}, format="json").status_code == 200

    api.force_authenticate(UserFactory())
    assert api.get(CUSTOMERS).status_code == 403


def test_deleting_and_replacing_customers_is_not_offered(integration):
    api = integration()
    customer = CustomerFactory()

    assert api.delete(f"{CUSTOMERS}{customer.pk}/").status_code == 405
    assert api.put(f"{CUSTOMERS}{customer.pk}/", customer_body(), format="json").status_code == 405


# --- customers --------------------------------------------------------------------------


def test_registering_a_customer_normalises_and_masks(integration):
    api = integration()

    response = api.post(CUSTOMERS, customer_body(id_number="11010519491231002x"), format="json")

    assert response.status_code == 201
    body = response.json()
    customer = Customer.objects.get()
    assert body["id"] == customer.pk
    assert customer.phone == "13800138000"
    assert customer.id_number == "11010519491231002X"
    assert (body["phone"], body["id_number"]) == ("138****8000", "110105********002X")
    assert (body["vip_tier"], body["payment_segment"]) == ("silver", "postpaid_vip")
    assert customer.history.get().history_user.username == "api-cti"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "Enter a mainland mobile number"),
        ({"id_number": "110105194912310021"}, "id_number", "check digit"),
        ({"id_number": "110105"}, "id_number", "17 digits"),
        ({"vip_tier": "platinum"}, "vip_tier", "not a valid choice"),
        ({"name": ""}, "name", "may not be blank"),
        ({"account_manager": "abc"}, "account_manager", "Incorrect type"),
        ({"account_manager": 10**20}, "account_manager", "Invalid pk"),
    ],
)
def test_bad_customer_input_is_a_400_with_the_fields_message(integration, fields, field, message):
    api = integration()

    response = api.post(CUSTOMERS, customer_body(**fields), format="json")

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Customer.objects.exists()


def test_missing_customer_fields_are_named(integration):
    response = integration().post(CUSTOMERS, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"name", "phone"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ("null", "application/json"),
    ],
)
def test_malformed_bodies_are_a_400(integration, body, content_type):
    response = integration().post(CUSTOMERS, body, content_type=content_type)

    assert response.status_code == 400


def test_a_replayed_idempotency_key_registers_once(integration):
    api = integration()

    first = api.post(CUSTOMERS, customer_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(CUSTOMERS, customer_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Customer.objects.count() == 1


def test_patch_changes_only_the_given_fields(integration):
    api = integration()
    customer = CustomerFactory(name="旧名", city="北京", vip_tier="none")

    response = api.patch(
        f"{CUSTOMERS}{customer.pk}/", {"vip_tier": "gold", "phone": "0571-8888 6666"}, format="json"
    )

    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.city, customer.vip_tier) == ("旧名", "北京", "gold")
    assert customer.phone == "057188886666"
    assert response.json()["phone"] == "057*****6666"


def test_patch_with_a_bad_phone_is_a_400_and_changes_nothing(integration):
    api = integration()
    customer = CustomerFactory(phone="13800138000")

    response = api.patch(f"{CUSTOMERS}{customer.pk}/", {"phone": "000"}, format="json")

    assert response.status_code == 400
    assert "phone" in response.json()
    customer.refresh_from_db()
    assert customer.phone == "13800138000"


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999", "abc"])
def test_an_unknown_customer_is_a_404(integration, pk):
    api = integration()

    assert api.get(f"{CUSTOMERS}{pk}/").status_code == 404
    assert api.patch(f"{CUSTOMERS}{pk}/", {"city": "x"}, format="json").status_code == 404


def test_phone_lookup_finds_the_customer_by_a_service_number(integration):
    api = integration()
    service = CustomerServiceFactory(number="18600000009")
    CustomerFactory(phone="18600000008")

    results = api.get(CUSTOMERS, {"phone": "186 0000 0009"}).json()["results"]

    assert [row["id"] for row in results] == [service.customer_id]


def test_a_bad_phone_lookup_is_a_400(integration):
    response = integration().get(CUSTOMERS, {"phone": "12"})

    assert response.status_code == 400
    assert "Enter a mainland mobile number" in response.json()["phone"][0]


def test_customers_filter_by_name_and_segment(integration):
    api = integration()
    wanted = CustomerFactory(name="陈一", vip_tier="gold", region="rural", payment_type="postpaid")
    CustomerFactory(name="陈二", vip_tier="gold", region="urban", payment_type="postpaid")
    CustomerFactory(name="林三", vip_tier="gold", region="rural", payment_type="postpaid")

    results = api.get(
        CUSTOMERS, {"q": "陈", "vip_tier": "gold", "region": "rural", "payment_type": "postpaid"}
    ).json()["results"]

    assert [row["id"] for row in results] == [wanted.pk]


def test_a_bad_filter_value_is_a_400(integration):
    response = integration().get(CUSTOMERS, {"vip_tier": "platinum", "customer_type": "alien"})

    assert response.status_code == 400
    assert set(response.json()) == {"vip_tier", "customer_type"}


def test_customer_list_pages_with_a_cursor(integration):
    api = integration()
    CustomerFactory.create_batch(5)

    first = api.get(CUSTOMERS, {"page_size": 3}).json()
    second = api.get(first["next"]).json()

    assert len(first["results"]) == 3 and len(second["results"]) == 2
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == sorted(ids, reverse=True)


@pytest.mark.parametrize("persona", ["agent_user", "lead_user"])
def test_customer_list_query_count_does_not_grow_with_rows(api, persona, request):
    api.force_authenticate(request.getfixturevalue(persona))
    api.get(CUSTOMERS)  # the user's permissions are loaded once, on the first request
    counts = []
    for batch in (10, 40):
        for customer in CustomerFactory.create_batch(batch):
            CustomerServiceFactory(customer=customer)
        with CaptureQueriesContext(connection) as captured:
            response = api.get(CUSTOMERS)
        assert response.status_code == 200
        counts.append(len(captured))

    assert len(response.json()["results"]) == 50
    assert counts[0] == counts[1]


# --- contacts ---------------------------------------------------------------------------


def test_recording_a_contact_links_the_caller_and_answers_201(integration):
    api = integration()
    customer = CustomerFactory(phone="13800138000")
    agent = AgentFactory().user

    response = api.post(CONTACTS, contact_body(agent=agent.pk), format="json")

    assert response.status_code == 201
    body = response.json()
    contact = Contact.objects.get()
    assert body["id"] == contact.pk
    assert (contact.customer, contact.agent) == (customer, agent)
    assert body["customer"] == customer.pk
    assert body["caller_number"] == "138****8000"
    assert body["wait_seconds"] == 12.0


def test_a_replayed_external_id_returns_the_first_contact(integration):
    api = integration()

    first = api.post(CONTACTS, contact_body(external_id="CALL-7"), format="json")
    again = api.post(CONTACTS, contact_body(external_id="CALL-7", summary="x"), format="json")

    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"channel": "fax"}, "channel", "not a valid choice"),
        ({"caller_number": "12"}, "caller_number", "Enter a mainland mobile number"),
        ({"queued_at": "yesterday"}, "queued_at", "Datetime has wrong format"),
        ({"answered_at": "2026-03-02T08:59:00+08:00"}, "answered_at", "before it came in"),
        ({"ended_at": "2026-03-02T08:00:00+08:00"}, "ended_at", "before it came in"),
        ({"customer": 999999}, "customer", "Invalid pk"),
        ({"agent": "abc"}, "agent", "Incorrect type"),
        ({"disposition": "lost"}, "disposition", "not a valid choice"),
        ({"queued_at": "0001-01-01T00:00:00+14:00"}, "queued_at", ""),
    ],
)
def test_bad_contact_input_is_a_400_with_the_fields_message(integration, fields, field, message):
    response = integration().post(CONTACTS, contact_body(**fields), format="json")

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])


def test_missing_contact_fields_are_named(integration):
    response = integration().post(CONTACTS, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"channel", "queued_at"}


def test_contacts_filter_by_channel_agent_customer_and_days(integration):
    api = integration()
    agent = AgentFactory().user
    customer = CustomerFactory()
    day = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)
    wanted = ContactFactory(channel="app", agent=agent, customer=customer, queued_at=day)
    ContactFactory(channel="app", agent=agent, customer=customer, queued_at=day.replace(day=5))
    ContactFactory(channel="sms", agent=agent, customer=customer, queued_at=day)
    ContactFactory(channel="app", customer=customer, queued_at=day)

    results = api.get(
        CONTACTS,
        {
            "channel": "app",
            "agent": agent.pk,
            "customer": customer.pk,
            "queued_from": "2026-03-01",
            "queued_to": "2026-03-02",
        },
    ).json()["results"]

    assert [row["id"] for row in results] == [wanted.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"channel": "fax"},
        {"customer": "abc"},
        {"customer": "99999999999999999999"},
        {"queued_from": "2026-02-30"},
        {"agent": "0"},
    ],
)
def test_a_bad_contact_filter_is_a_400(integration, params):
    assert integration().get(CONTACTS, params).status_code == 400


def test_a_contact_is_readable_by_id(integration):
    api = integration()
    contact = ContactFactory(summary="来电咨询")

    body = api.get(f"{CONTACTS}{contact.pk}/").json()

    assert body["summary"] == "来电咨询"
    assert api.get(f"{CONTACTS}999999/").status_code == 404


@pytest.mark.parametrize("persona", ["agent_user", "lead_user"])
def test_contact_list_query_count_does_not_grow_with_rows(api, persona, request):
    api.force_authenticate(request.getfixturevalue(persona))
    api.get(CONTACTS)  # the user's permissions are loaded once, on the first request
    counts = []
    for batch in (10, 40):
        for _ in range(batch):
            ContactFactory(agent=UserFactory())
        with CaptureQueriesContext(connection) as captured:
            response = api.get(CONTACTS)
        assert response.status_code == 200
        counts.append(len(captured))

    assert len(response.json()["results"]) == 50
    assert counts[0] == counts[1]


# --- contract ---------------------------------------------------------------------------


def test_the_schema_describes_the_intake_endpoints(client, agent_user):
    client.force_login(agent_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()

    customers = schema["paths"]["/api/v1/customers/"]
    assert {"get", "post"} <= set(customers)
    parameters = {p["name"] for p in customers["get"]["parameters"]}
    assert {"phone", "q", "customer_type", "payment_type", "vip_tier", "region"} <= parameters
    assert {"get", "patch"} <= set(schema["paths"]["/api/v1/customers/{id}/"])
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/contacts/"])
    assert "get" in schema["paths"]["/api/v1/contacts/{id}/"]
    assert "400" in customers["post"]["responses"]

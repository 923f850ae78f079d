"""Searches by phone or ID number are limited, recorded with the number masked, and
bursts alert the security-alert holders (DOMAIN.md R-2): an exact-number search
answers found / not found, so unlimited ones rebuild masked numbers."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from csc.lib.masking import mask_id_number
from csc.lib.resident_id import check_code
from intake.models import PersonalDataAccess
from staffing.models import Notification
from tests.factories import ContactFactory, CustomerFactory, UserFactory, make_api_client

pytestmark = pytest.mark.django_db

LIMIT = 3
WINDOW = 600
# 09:30:00 local is the start of a 10-minute window.
WINDOW_START = datetime.datetime(2026, 12, 4, 1, 30, tzinfo=datetime.UTC)
PHONE, MASKED_PHONE = "13812341234", "138****1234"
ID_NUMBER = "110105198001041234"
MASKED_ID = "110105********1234"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.CUSTOMER_SEARCH_LIMIT = LIMIT
    settings.CUSTOMER_SEARCH_CLIENT_LIMIT = 5
    settings.CUSTOMER_SEARCH_WINDOW_SECONDS = WINDOW


@pytest.fixture
def frozen():
    with time_machine.travel(WINDOW_START + datetime.timedelta(seconds=20), tick=False) as t:
        yield t


def guesses(n: int) -> list[str]:
    """Valid resident ID numbers with the masked one's visible ends: what a rebuild tries."""
    numbers = []
    for day in range(1, n + 1):
        first17 = f"110105198001{day:02d}123"
        numbers.append(first17 + check_code(first17))
    return numbers


def _search(client, query: str):
    return client.get(reverse("intake:customer_search"), {"q": query})


# --- the limit ---------------------------------------------------------------------------


def test_searches_by_number_beyond_the_limit_are_refused_with_a_message(
    signed_in, agent_user, frozen
):
    client = signed_in(agent_user)

    statuses = [_search(client, number).status_code for number in guesses(LIMIT + 2)]

    assert statuses == [200] * LIMIT + [429, 429]
    refused = _search(client, PHONE)
    assert "Too many searches by phone or ID number" in refused.content.decode()


def test_name_searches_are_neither_limited_nor_recorded(signed_in, agent_user, frozen):
    client = signed_in(agent_user)
    for number in guesses(LIMIT + 1):
        _search(client, number)
    recorded = PersonalDataAccess.objects.count()

    assert _search(client, "郑").status_code == 200
    assert PersonalDataAccess.objects.count() == recorded


def test_the_limit_is_per_person(signed_in, agent_user, outsider_user, frozen):
    for number in guesses(LIMIT + 1):
        _search(signed_in(agent_user), number)

    assert _search(signed_in(outsider_user), PHONE).status_code == 200


def test_the_next_window_allows_searches_again(signed_in, agent_user):
    client = signed_in(agent_user)
    with time_machine.travel(WINDOW_START + datetime.timedelta(seconds=20), tick=False):
        for number in guesses(LIMIT + 1):
            _search(client, number)
        assert _search(client, PHONE).status_code == 429
    with time_machine.travel(WINDOW_START + datetime.timedelta(seconds=WINDOW + 1), tick=False):
        assert _search(client, PHONE).status_code == 200


def test_a_rebuild_by_guessing_is_stopped_at_the_limit(signed_in, agent_user, frozen):
    target_first17 = "11010519800128123"
    CustomerFactory(id_number=target_first17 + check_code(target_first17))
    client = signed_in(agent_user)

    found = [
        number
        for number in guesses(28)
        if _search(client, number).status_code == 302  # an exact hit jumps to the customer
    ]

    assert found == []
    assert PersonalDataAccess.objects.filter(user=agent_user, action="search").count() == LIMIT


# --- every door counts -------------------------------------------------------------------


def test_the_desk_search_and_the_caller_panel_share_the_limit(signed_in, agent_user, frozen):
    client = signed_in(agent_user)
    search = reverse("worktickets:search")
    caller = reverse("worktickets:caller_lookup")

    answers = [
        client.get(search, {"q": "13900000001"}).status_code,
        client.get(caller, {"phone": "13900000002"}).status_code,
        client.get(search, {"q": "13900000003"}).status_code,
    ]
    refused_search = client.get(search, {"q": "13900000004"})
    refused_panel = client.get(caller, {"phone": "13900000005"}).content.decode()

    assert answers == [200, 200, 200]
    assert refused_search.status_code == 429
    assert "Too many searches" in refused_search.content.decode()
    assert "Too many searches" in refused_panel


def test_the_complaint_form_lookup_counts_and_says_when_refused(signed_in, agent_user, frozen):
    client = signed_in(agent_user)
    for number in guesses(LIMIT):
        _search(client, number)

    content = client.get(reverse("complaints:new"), {"phone": PHONE}).content.decode()

    assert "Too many searches" in content


def test_a_contacts_own_number_is_looked_up_without_counting(signed_in, agent_user, frozen):
    contact = ContactFactory(customer=None, caller_number=PHONE)
    client = signed_in(agent_user)

    for _ in range(LIMIT + 2):
        client.get(reverse("worktickets:caller_lookup"), {"contact": contact.pk})

    assert _search(client, "13900000009").status_code == 200
    assert not PersonalDataAccess.objects.exclude(term="139****0009").exists()


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def test_the_api_answers_429_with_retry_after_beyond_the_limit(api, agent_user, frozen):
    api.force_authenticate(agent_user)

    statuses = [
        api.get("/api/v1/customers/", {"q": number}).status_code for number in guesses(LIMIT)
    ]
    refused = api.get("/api/v1/customers/", {"phone": PHONE})

    assert statuses == [200] * LIMIT
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(WINDOW - 20 + 1)
    assert "Too many searches" in refused.json()["detail"]
    assert api.get("/api/v1/customers/", {"q": "郑"}).status_code == 200


def test_an_api_client_is_counted_apart_with_its_own_limit(api, agent_user, frozen):
    _client, key = make_api_client("ivr", ["customers:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    statuses = [
        api.get("/api/v1/customers/", {"phone": f"1390000000{n}"}).status_code for n in range(6)
    ]

    assert statuses == [200] * 5 + [429]


# --- the record --------------------------------------------------------------------------


def test_a_search_by_id_number_is_recorded_with_the_number_masked(signed_in, agent_user, frozen):
    customer = CustomerFactory(id_number=ID_NUMBER)
    client = signed_in(agent_user)

    _search(client, ID_NUMBER)
    _search(client, guesses(1)[0])  # finds nobody

    rows = PersonalDataAccess.objects.order_by("id")
    assert [(r.user, r.customer, r.action, r.term, r.via, r.path) for r in rows] == [
        (agent_user, customer, "search", MASKED_ID, "page", "/customers/"),
        (agent_user, None, "search", mask_id_number(guesses(1)[0]), "page", "/customers/"),
    ]
    assert ID_NUMBER not in str(list(PersonalDataAccess.objects.values()))


def test_a_search_by_phone_through_the_api_is_recorded_masked(api, agent_user, frozen):
    customer = CustomerFactory(phone=PHONE)
    api.force_authenticate(agent_user)

    api.get("/api/v1/customers/", {"phone": "138 1234 1234"})

    row = PersonalDataAccess.objects.get()
    assert (row.customer, row.action, row.term, row.via, row.path) == (
        customer,
        "search",
        MASKED_PHONE,
        "api",
        "/api/v1/customers/",
    )


def test_a_badly_typed_number_is_neither_counted_nor_recorded(signed_in, agent_user, frozen):
    client = signed_in(agent_user)

    for _ in range(LIMIT + 1):
        client.get(reverse("worktickets:search"), {"q": "12345"})

    assert not PersonalDataAccess.objects.exists()
    assert client.get(reverse("worktickets:search"), {"q": PHONE}).status_code == 200


# --- the alert ---------------------------------------------------------------------------


def test_a_burst_alerts_the_security_alert_holders_once_per_window(
    signed_in, agent_user, lead_user
):
    director = UserFactory(username="director", roles=["centre_director"])
    UserFactory(username="legal", roles=["market_legal"])
    client = signed_in(agent_user)

    with time_machine.travel(WINDOW_START + datetime.timedelta(seconds=20), tick=False):
        for number in guesses(LIMIT + 3):
            _search(client, number)
    with time_machine.travel(WINDOW_START + datetime.timedelta(seconds=WINDOW + 5), tick=False):
        for number in guesses(LIMIT + 1):
            _search(client, number)

    alerts = Notification.objects.filter(kind="security.search_burst")
    assert sorted(alerts.values_list("recipient__username", flat=True)) == [
        "director",
        "director",
        "legal",
        "legal",
    ]
    alert = alerts.filter(recipient=director).first()
    assert alert.link == f"{reverse('intake:access_log')}?user={agent_user.pk}"
    assert agent_user.display_name in alert.title
    assert not Notification.objects.filter(recipient__in=[agent_user, lead_user]).exists()


def test_the_alert_holders_may_open_the_access_log_it_links_to(signed_in, frozen):
    legal = UserFactory(username="legal", roles=["market_legal"])

    assert legal.has_perm("intake.receive_security_alerts")
    assert signed_in(legal).get(reverse("intake:access_log")).status_code == 200

"""DOMAIN.md R-2 / issue item 8: numbers masked unless the user may see them in
full, and every full view recorded with who, whose, through what and where."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from intake.models import PersonalDataAccess
from intake.personal_data import PersonalDataDisclosure
from tests.factories import ContactFactory, CustomerFactory, CustomerServiceFactory

pytestmark = pytest.mark.django_db

PHONE, MASKED_PHONE = "13812341234", "138****1234"
ID_NUMBER, MASKED_ID = "110105198001041234", "110105********1234"
SERVICE, MASKED_SERVICE = "18655556666", "186****6666"
CALLER, MASKED_CALLER = "13977778888", "139****8888"


@pytest.fixture
def customer():
    from csc.lib.resident_id import check_code

    id_number = ID_NUMBER[:17] + check_code(ID_NUMBER[:17])
    assert id_number == ID_NUMBER, "the sample ID number must be valid"
    customer = CustomerFactory(name="郑十一", phone=PHONE, id_number=ID_NUMBER)
    CustomerServiceFactory(customer=customer, number=SERVICE)
    ContactFactory(customer=customer, caller_number=CALLER)
    return customer


# --- the module itself ------------------------------------------------------------------


def test_an_agent_gets_masked_numbers_and_nothing_is_recorded(agent_user, customer):
    pd = PersonalDataDisclosure(agent_user, via="page", path="/x/")

    shown = (pd.phone(customer), pd.id_number(customer), pd.service_number(customer.services.get()))

    assert shown == (MASKED_PHONE, MASKED_ID, MASKED_SERVICE)
    assert pd.record() == 0
    assert not PersonalDataAccess.objects.exists()


def test_a_holder_of_the_permission_gets_full_numbers_recorded_once_per_customer(
    lead_user, customer, django_assert_num_queries
):
    other = CustomerFactory()
    pd = PersonalDataDisclosure(lead_user, via="api", path="/api/v1/customers/")

    assert pd.phone(customer) == PHONE
    assert pd.id_number(customer) == ID_NUMBER
    assert pd.phone(other) == other.phone
    with django_assert_num_queries(1):  # one bulk insert, whatever the number of customers
        assert pd.record() == 2

    rows = PersonalDataAccess.objects.order_by("customer_id")
    assert [(r.user, r.customer, r.via, r.path) for r in rows] == [
        (lead_user, customer, "api", "/api/v1/customers/"),
        (lead_user, other, "api", "/api/v1/customers/"),
    ]


def test_an_anonymous_callers_number_shown_in_full_is_recorded_against_the_contact(lead_user):
    contact = ContactFactory(customer=None, caller_number=CALLER)
    pd = PersonalDataDisclosure(lead_user, via="page", path="/contacts/")

    assert pd.caller_number(contact) == CALLER
    pd.record()

    access = PersonalDataAccess.objects.get()
    assert (access.customer, access.contact) == (None, contact)


def test_an_empty_number_shows_nothing_and_records_nothing(lead_user):
    customer = CustomerFactory(id_number="")
    pd = PersonalDataDisclosure(lead_user, via="page", path="/x/")

    assert pd.id_number(customer) == ""
    assert pd.record() == 0


def test_the_recorded_path_never_carries_the_query_string(signed_in, lead_user, customer):
    signed_in(lead_user).get(reverse("intake:customer_search"), {"q": PHONE})

    assert PersonalDataAccess.objects.get().path == "/customers/"


def test_a_number_in_a_recorded_path_is_masked(lead_user, customer):
    pd = PersonalDataDisclosure(lead_user, via="api", path=f"/x/{PHONE}/?q={ID_NUMBER}")

    assert pd.path == f"/x/{MASKED_PHONE}/"


# --- pages ------------------------------------------------------------------------------


def _page_urls(customer) -> list[str]:
    return [
        reverse("intake:customer_detail", args=[customer.pk]),
        reverse("intake:customer_search") + "?q=郑",
        reverse("intake:contact_list"),
        reverse("intake:customer_history", args=[customer.pk]),
    ]


def _masked_detail_page(client, customer) -> str:
    """Every page masks every number; the customer's page, returned, shows them masked."""
    for url in _page_urls(customer):
        content = client.get(url).content.decode()
        for full in (PHONE, ID_NUMBER, SERVICE, CALLER):
            assert full not in content, (url, full)
    detail = client.get(_page_urls(customer)[0]).content.decode()
    for masked in (MASKED_PHONE, MASKED_ID, MASKED_SERVICE, MASKED_CALLER):
        assert masked in detail
    return detail


def test_pages_show_an_agent_only_masked_numbers_and_record_nothing(
    signed_in, agent_user, customer
):
    detail = _masked_detail_page(signed_in(agent_user), customer)

    assert reverse("intake:reveal", args=["phone", customer.pk]) not in detail
    assert not PersonalDataAccess.objects.exists()


def test_pages_show_a_lead_masked_numbers_with_reveal_controls_and_record_nothing(
    signed_in, lead_user, customer
):
    detail = _masked_detail_page(signed_in(lead_user), customer)

    for what, pk in (
        ("phone", customer.pk),
        ("id_number", customer.pk),
        ("service", customer.services.get().pk),
        ("caller", customer.contacts.get().pk),
    ):
        assert reverse("intake:reveal", args=[what, pk]) in detail
    assert not PersonalDataAccess.objects.exists()


def test_a_list_page_records_nothing_for_a_lead(signed_in, lead_user):
    for n in range(7):
        ContactFactory(caller_number=f"1390000000{n}")

    signed_in(lead_user).get(reverse("intake:contact_list"))

    assert not PersonalDataAccess.objects.exists()


def test_the_edit_form_keeps_stored_numbers_masked_for_a_lead_too(signed_in, lead_user, customer):
    content = (
        signed_in(lead_user)
        .get(reverse("intake:customer_edit", args=[customer.pk]))
        .content.decode()
    )

    assert PHONE not in content and MASKED_PHONE in content
    assert not PersonalDataAccess.objects.exists()


# --- reveal on demand -------------------------------------------------------------------


def _reveal(client, what: str, pk: int, reason: str = "客户来电核实身份"):
    return client.post(reverse("intake:reveal", args=[what, pk]), {"reveal_reason": reason})


def test_a_lead_reveals_one_number_with_a_reason_and_one_row_records_it(
    signed_in, lead_user, customer
):
    response = _reveal(signed_in(lead_user), "id_number", customer.pk)

    assert response.status_code == 200
    assert ID_NUMBER in response.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.customer, access.action, access.reason, access.via) == (
        lead_user,
        customer,
        "reveal",
        "客户来电核实身份",
        "page",
    )
    assert access.path == reverse("intake:reveal", args=["id_number", customer.pk])


@pytest.mark.parametrize(
    ("what", "full"), [("phone", PHONE), ("service", SERVICE), ("caller", CALLER)]
)
def test_each_number_on_the_page_can_be_revealed(signed_in, lead_user, customer, what, full):
    pk = {
        "phone": customer.pk,
        "service": customer.services.get().pk,
        "caller": customer.contacts.get().pk,
    }[what]

    content = _reveal(signed_in(lead_user), what, pk).content.decode()

    assert full in content
    assert PersonalDataAccess.objects.get().customer == customer


def test_an_anonymous_callers_reveal_is_recorded_against_the_contact(signed_in, lead_user):
    contact = ContactFactory(customer=None, caller_number=CALLER)

    assert CALLER in _reveal(signed_in(lead_user), "caller", contact.pk).content.decode()
    assert PersonalDataAccess.objects.get().contact == contact


def test_a_reveal_without_a_reason_is_refused_and_records_nothing(signed_in, lead_user, customer):
    response = _reveal(signed_in(lead_user), "phone", customer.pk, reason="   ")

    assert response.status_code == 400
    content = response.content.decode()
    assert PHONE not in content
    assert "Say why you need the full number" in content and MASKED_PHONE in content
    assert not PersonalDataAccess.objects.exists()


def test_an_agent_may_not_reveal(signed_in, agent_user, customer):
    response = _reveal(signed_in(agent_user), "phone", customer.pk)

    assert response.status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_an_unknown_thing_to_reveal_is_a_404(signed_in, lead_user, customer):
    assert _reveal(signed_in(lead_user), "password", customer.pk).status_code == 404
    assert _reveal(signed_in(lead_user), "phone", 999_999).status_code == 404


def test_the_admin_list_masks_numbers(admin_client, customer):
    content = admin_client.get("/admin/intake/customer/").content.decode()

    assert MASKED_PHONE in content
    assert PHONE not in content


def test_the_admin_change_form_hides_full_numbers_from_staff_without_the_permission(
    client, customer
):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "change_customer"])
    )
    client.force_login(staff)

    content = client.get(f"/admin/intake/customer/{customer.pk}/change/").content.decode()

    assert MASKED_PHONE in content and PHONE not in content
    assert ID_NUMBER not in content
    assert not PersonalDataAccess.objects.exists()


def test_the_admin_change_form_records_a_full_view(admin_client, admin_user, customer):
    content = admin_client.get(f"/admin/intake/customer/{customer.pk}/change/").content.decode()

    assert PHONE in content
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.customer, access.via) == (admin_user, customer, "page")


# --- API --------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def test_the_api_masks_numbers_for_an_agent_and_records_nothing(api, agent_user, customer):
    api.force_authenticate(agent_user)

    body = api.get(f"/api/v1/customers/{customer.pk}/").json()
    contacts = api.get("/api/v1/contacts/").json()["results"]

    assert (body["phone"], body["id_number"], body["personal_data"]) == (
        MASKED_PHONE,
        MASKED_ID,
        "masked",
    )
    assert body["services"][0]["number"] == MASKED_SERVICE
    assert contacts[0]["caller_number"] == MASKED_CALLER
    assert not PersonalDataAccess.objects.exists()


def test_the_api_shows_full_numbers_to_a_lead_and_records_each_response(api, lead_user, customer):
    api.force_authenticate(lead_user)

    body = api.get(f"/api/v1/customers/{customer.pk}/").json()
    listed = api.get("/api/v1/customers/", {"phone": PHONE}).json()["results"]

    assert (body["phone"], body["id_number"], body["personal_data"]) == (PHONE, ID_NUMBER, "full")
    assert body["services"][0]["number"] == SERVICE
    assert listed[0]["phone"] == PHONE
    rows = PersonalDataAccess.objects.order_by("id")
    assert [(r.user, r.customer, r.via, r.path, r.action) for r in rows] == [
        (lead_user, customer, "api", f"/api/v1/customers/{customer.pk}/", "view"),
        (lead_user, customer, "api", "/api/v1/customers/", "search"),
        (lead_user, customer, "api", "/api/v1/customers/", "view"),
    ]


def test_an_api_client_sees_full_numbers_only_when_its_user_holds_the_permission(api, customer):
    from django.contrib.auth.models import Permission

    from tests.factories import make_api_client

    client, key = make_api_client("crm", ["customers:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    masked = api.get(f"/api/v1/customers/{customer.pk}/").json()
    client.service_user.user_permissions.add(
        Permission.objects.get(codename="view_full_personal_data")
    )
    full = api.get(f"/api/v1/customers/{customer.pk}/").json()

    assert masked["phone"] == MASKED_PHONE
    assert full["phone"] == PHONE
    assert PersonalDataAccess.objects.get().user == client.service_user

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from intake import selectors
from tests.factories import ContactFactory, CustomerFactory, CustomerServiceFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, 0, tzinfo=SHANGHAI)


# --- lookup by phone --------------------------------------------------------------------


def test_find_by_phone_matches_the_customers_own_phone_in_any_form():
    customer = CustomerFactory(phone="13800138000")
    CustomerFactory(phone="13800138001")

    assert list(selectors.customer_find_by_phone("+86 138 0013 8000")) == [customer]


def test_find_by_phone_matches_a_service_number(django_assert_num_queries):
    service = CustomerServiceFactory(number="18600000009")
    CustomerServiceFactory(number="18600000008")

    with django_assert_num_queries(1):
        found = list(selectors.customer_find_by_phone("186-0000-0009"))

    assert found == [service.customer]


def test_find_by_phone_finds_every_customer_reached_at_the_number_once(
    django_assert_num_queries,
):
    holder = CustomerFactory(phone="01065123456")
    CustomerServiceFactory(customer=holder, service_type="fixed", number="01065123456")
    relative = CustomerFactory()
    CustomerServiceFactory(customer=relative, service_type="fixed", number="01065123457")
    family = CustomerFactory(phone="01065123457")

    with django_assert_num_queries(2):  # one per lookup
        found = set(selectors.customer_find_by_phone("010 6512 3456"))
        found_other = set(selectors.customer_find_by_phone("(010) 6512-3457"))

    assert found == {holder}
    assert found_other == {relative, family}


def test_find_by_phone_refuses_what_is_not_a_phone_number():
    with pytest.raises(ValidationError) as excinfo:
        selectors.customer_find_by_phone("12345")

    assert "phone" in excinfo.value.message_dict


# --- search box -------------------------------------------------------------------------


def test_search_takes_a_full_phone_number_as_a_lookup():
    customer = CustomerFactory(phone="13800138000")

    search = selectors.customer_search(" 138 0013 8000 ")

    assert search.kind == "phone"
    assert list(search.customers) == [customer]


def test_search_takes_a_full_resident_id_as_a_lookup():
    customer = CustomerFactory(id_number="11010519491231002X")

    search = selectors.customer_search("11010519491231002x")

    assert search.kind == "id_number"
    assert list(search.customers) == [customer]


def test_search_matches_names_from_their_start():
    zhang_san = CustomerFactory(name="张三")
    zhang_wei = CustomerFactory(name="张伟")
    CustomerFactory(name="李张")

    search = selectors.customer_search("张")

    assert search.kind == "name"
    assert list(search.customers) == [zhang_san, zhang_wei]


@pytest.mark.parametrize("query", ["1380013", "138 0013", "110105", "+86 138"])
def test_search_never_matches_fragments_of_numbers(query):
    CustomerFactory(phone="13800138000", id_number="11010519491231002X")

    search = selectors.customer_search(query)

    assert search.kind == "partial_number"
    assert not search.customers.exists()


def test_search_with_nothing_typed_finds_nothing():
    CustomerFactory()

    assert not selectors.customer_search("  ").customers.exists()


# --- customer detail --------------------------------------------------------------------


def test_customer_detail_loads_services_and_recent_contacts_in_three_queries(
    django_assert_num_queries,
):
    customer = CustomerFactory()
    CustomerServiceFactory.create_batch(3, customer=customer)
    contacts = [
        ContactFactory(customer=customer, queued_at=at(1, 9) + datetime.timedelta(hours=n))
        for n in range(selectors.RECENT_CONTACTS + 2)
    ]
    ContactFactory()  # someone else's

    with django_assert_num_queries(3):
        loaded = selectors.customer_with_details().get(pk=customer.pk)
        services = list(loaded.services.all())
        recent = loaded.recent_contacts
        agents = [contact.agent for contact in recent]

    assert len(services) == 3
    assert recent == list(reversed(contacts))[: selectors.RECENT_CONTACTS]
    assert agents == [None] * selectors.RECENT_CONTACTS


# --- contact list -----------------------------------------------------------------------


def test_contact_list_is_newest_first():
    old = ContactFactory(queued_at=at(1, 9))
    new = ContactFactory(queued_at=at(2, 9))

    assert list(selectors.contact_list()) == [new, old]


def test_contact_list_filters_by_channel_agent_and_customer():
    agent = UserFactory()
    customer = CustomerFactory()
    wanted = ContactFactory(channel="online_chat", agent=agent, customer=customer)
    ContactFactory(channel="hotline", agent=agent, customer=customer)
    ContactFactory(channel="online_chat", customer=customer)
    ContactFactory(channel="online_chat", agent=agent)

    found = selectors.contact_list(channel="online_chat", agent=agent, customer=customer)

    assert list(found) == [wanted]


def test_contact_list_date_range_covers_whole_local_days():
    before = ContactFactory(queued_at=at(1, 23).replace(minute=59))
    first_minute = ContactFactory(queued_at=at(2, 0))
    last_minute = ContactFactory(queued_at=at(3, 23).replace(minute=59))
    after = ContactFactory(queued_at=at(4, 0))

    found = set(
        selectors.contact_list(
            queued_from=datetime.date(2026, 3, 2), queued_to=datetime.date(2026, 3, 3)
        )
    )

    assert found == {first_minute, last_minute}
    assert before not in found and after not in found


def test_contact_list_accepts_the_ends_of_the_calendar():
    contact = ContactFactory()

    found = selectors.contact_list(queued_from=datetime.date.min, queued_to=datetime.date.max)

    assert list(found) == [contact]


def test_the_phone_lookup_is_served_by_the_phone_and_service_number_indexes():
    # With sequential scans priced out, a lookup that cannot use an index still
    # shows a Seq Scan in its plan; one that can shows both indexes.
    from django.db import connection

    CustomerServiceFactory.create_batch(3)
    queryset = selectors.customer_find_by_phone("13800138000")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Seq Scan" not in plan, plan
    assert "intake_customer_phone" in plan and "intake_customerservice_number" in plan, plan

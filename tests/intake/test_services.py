import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from intake import services
from intake.models import Contact, Customer, CustomerService
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    CustomerServiceFactory,
    make_resident_id,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def register(agent_user, **fields):
    values = {"name": "张三", "phone": "138 0013 8000", "registered_by": agent_user, **fields}
    return services.customer_register(**values)


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- customer_register ------------------------------------------------------------------


def test_register_stores_normalised_phone_and_id_and_names_the_registrar(agent_user):
    customer = register(agent_user, phone="+86 138-0013-8000", id_number="11010519491231002x")

    customer.refresh_from_db()
    assert customer.phone == "13800138000"
    assert customer.id_number == "11010519491231002X"
    first = customer.history.get()
    assert first.history_type == "+"
    assert first.history_user == agent_user


def test_register_keeps_the_segment_fields(agent_user):
    customer = register(
        agent_user,
        customer_type="enterprise",
        payment_type="postpaid",
        vip_tier="gold",
        region="rural",
        city=" 杭州 ",
        account_manager=agent_user,
    )

    assert (customer.customer_type, customer.payment_type, customer.vip_tier) == (
        "enterprise",
        "postpaid",
        "gold",
    )
    assert customer.region == "rural"
    assert customer.city == "杭州"
    assert customer.account_manager == agent_user
    assert customer.payment_segment == "postpaid_vip"


def test_register_refuses_a_bad_phone_and_a_bad_id_with_a_message_for_each(agent_user):
    with pytest.raises(ValidationError) as excinfo:
        register(agent_user, phone="12345", id_number="110105194912310021")

    errors = field_errors(excinfo)
    assert "mainland mobile number" in errors["phone"][0]
    assert "check digit" in errors["id_number"][0]
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("id_number", "message"),
    [("1101051949", "17 digits"), ("110105198002300014", "birth date")],
)
def test_register_says_what_is_wrong_with_an_id_number(agent_user, id_number, message):
    with pytest.raises(ValidationError) as excinfo:
        register(agent_user, id_number=id_number)

    assert message in field_errors(excinfo)["id_number"][0]


def test_register_refuses_missing_name_and_unknown_choices(agent_user):
    with pytest.raises(ValidationError) as excinfo:
        register(agent_user, name="  ", vip_tier="platinum", region="moon")

    errors = field_errors(excinfo)
    assert set(errors) == {"name", "vip_tier", "region"}


def test_register_refuses_a_resident_id_already_registered(agent_user):
    CustomerFactory(id_number=make_resident_id(7))

    with pytest.raises(ValidationError) as excinfo:
        register(agent_user, id_number=make_resident_id(7))

    assert "already registered" in field_errors(excinfo)["id_number"][0]


def test_a_refused_registration_does_not_tell_whether_an_id_number_is_taken(agent_user):
    # Else a form refused for its name would answer "registered or not" for free,
    # and guessing would rebuild a masked ID number without a trace.
    CustomerFactory(id_number=make_resident_id(7))

    with pytest.raises(ValidationError) as excinfo:
        register(agent_user, name=" ", id_number=make_resident_id(7))

    assert set(field_errors(excinfo)) == {"name"}


def test_a_refused_update_does_not_tell_whether_an_id_number_is_taken(agent_user):
    from intake.services import customer_update

    CustomerFactory(id_number=make_resident_id(7))
    customer = CustomerFactory()

    with pytest.raises(ValidationError) as excinfo:
        customer_update(
            customer, changed_by=agent_user, phone="12345", id_number=make_resident_id(7)
        )

    assert set(field_errors(excinfo)) == {"phone"}


def test_two_customers_may_share_a_contact_phone(agent_user):
    register(agent_user, name="父亲")
    register(agent_user, name="女儿")

    assert Customer.objects.filter(phone="13800138000").count() == 2


# --- customer_update --------------------------------------------------------------------


def test_update_changes_the_fields_and_records_who_and_what(agent_user, lead_user):
    customer = register(agent_user)

    services.customer_update(
        customer, changed_by=lead_user, phone="010-6512 3456", vip_tier="diamond"
    )

    customer.refresh_from_db()
    assert customer.phone == "01065123456"
    assert customer.vip_tier == "diamond"
    latest = customer.history.first()
    assert latest.history_user == lead_user
    assert latest.history_change_reason == "updated: phone, vip_tier"
    assert latest.prev_record.phone == "13800138000"


def test_update_that_changes_nothing_writes_no_history(agent_user):
    customer = register(agent_user)

    services.customer_update(customer, changed_by=agent_user, phone="138 0013 8000", name="张三")

    assert customer.history.count() == 1


def test_update_refuses_bad_values_and_keeps_the_stored_ones(agent_user):
    customer = register(agent_user)

    with pytest.raises(ValidationError) as excinfo:
        services.customer_update(customer, changed_by=agent_user, phone="999", name="")

    assert set(field_errors(excinfo)) == {"phone", "name"}
    customer.refresh_from_db()
    assert (customer.phone, customer.name) == ("13800138000", "张三")


def test_update_refuses_fields_that_are_not_editable(agent_user):
    customer = register(agent_user)

    with pytest.raises(TypeError):
        services.customer_update(customer, changed_by=agent_user, created_at=NOW)


def test_update_may_keep_the_customers_own_resident_id(agent_user):
    customer = register(agent_user, id_number=make_resident_id(3))

    services.customer_update(customer, changed_by=agent_user, id_number=make_resident_id(3))

    assert customer.id_number == make_resident_id(3)


# --- customer_service_add ---------------------------------------------------------------


def test_service_add_normalises_phone_numbers_and_keeps_broadband_accounts(agent_user):
    customer = CustomerFactory()

    mobile = services.customer_service_add(
        customer=customer, service_type="mobile", number="+86 186 0000 0001", added_by=agent_user
    )
    fixed = services.customer_service_add(
        customer=customer, service_type="fixed", number="0571-8888 6666", added_by=agent_user
    )
    broadband = services.customer_service_add(
        customer=customer, service_type="broadband", number=" ADSL0571-0001 ", added_by=agent_user
    )

    assert (mobile.number, fixed.number, broadband.number) == (
        "18600000001",
        "057188886666",
        "ADSL0571-0001",
    )
    assert mobile.history.get().history_user == agent_user


@pytest.mark.parametrize(
    ("service_type", "number", "message"),
    [
        ("mobile", "010-65123456", "11-digit mobile"),
        ("fixed", "18600000001", "fixed-line number"),
        ("mobile", "123", "mainland mobile number"),
        ("broadband", "  ", "broadband account"),
    ],
)
def test_service_add_refuses_a_number_of_the_wrong_kind(agent_user, service_type, number, message):
    with pytest.raises(ValidationError) as excinfo:
        services.customer_service_add(
            customer=CustomerFactory(),
            service_type=service_type,
            number=number,
            added_by=agent_user,
        )

    assert message in field_errors(excinfo)["number"][0]


def test_service_add_refuses_a_number_another_customer_holds(agent_user):
    CustomerServiceFactory(number="18600000001")

    with pytest.raises(ValidationError) as excinfo:
        services.customer_service_add(
            customer=CustomerFactory(),
            service_type="mobile",
            number="186 0000 0001",
            added_by=agent_user,
        )

    assert "already registered" in field_errors(excinfo)["number"][0]


def test_a_refused_service_add_does_not_tell_whether_a_number_is_taken(agent_user):
    CustomerServiceFactory(number="18600000001")

    with pytest.raises(ValidationError) as excinfo:
        services.customer_service_add(
            customer=CustomerFactory(),
            service_type="mobile",
            number="18600000001",
            status="bogus",
            added_by=agent_user,
        )

    assert set(field_errors(excinfo)) == {"status"}
    assert CustomerService.objects.count() == 1


# --- contact_record ---------------------------------------------------------------------


def record(**fields):
    values = {"channel": "hotline", "queued_at": NOW, **fields}
    return services.contact_record(**values)


def test_record_links_a_caller_to_the_customer_with_that_phone(agent_user):
    customer = CustomerFactory(phone="13800138000")

    contact = record(caller_number="+86 138 0013 8000", agent=agent_user)

    assert contact.customer == customer
    assert contact.caller_number == "13800138000"
    assert contact.history.get().history_user == agent_user


def test_record_links_a_caller_by_one_of_the_customers_service_numbers():
    service = CustomerServiceFactory(number="18600000009")

    contact = record(caller_number="186-0000-0009")

    assert contact.customer == service.customer


def test_record_leaves_a_caller_anonymous_when_the_number_is_unknown_or_shared():
    CustomerFactory(phone="13800138001")
    CustomerFactory(phone="13800138001")

    shared = record(caller_number="13800138001")
    unknown = record(caller_number="13900000000")

    assert shared.customer is None
    assert unknown.customer is None
    assert unknown.caller_number == "13900000000"


def test_record_keeps_the_customer_given_even_when_the_number_is_someone_elses():
    given = CustomerFactory()
    CustomerFactory(phone="13800138000")

    contact = record(customer=given, caller_number="13800138000")

    assert contact.customer == given


def test_a_replay_of_the_same_channel_and_external_id_returns_the_first_contact():
    first = record(external_id="CTI-1", summary="first push")

    again = record(external_id="CTI-1", summary="second push")

    assert again.pk == first.pk
    assert Contact.objects.count() == 1
    assert Contact.objects.get().summary == "first push"


def test_the_same_external_id_on_another_channel_is_another_contact():
    record(external_id="42")

    record(channel="online_chat", external_id="42")

    assert Contact.objects.count() == 2


def test_contacts_without_external_id_are_never_merged():
    record()
    record()

    assert Contact.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"channel": "fax"}, "channel", "not a valid choice"),
        ({"caller_number": "12"}, "caller_number", "mainland mobile number"),
        ({"answered_at": NOW - datetime.timedelta(seconds=1)}, "answered_at", "before it came in"),
        ({"ended_at": NOW - datetime.timedelta(seconds=1)}, "ended_at", "before it came in"),
        (
            {"answered_at": NOW + datetime.timedelta(minutes=2), "ended_at": NOW},
            "ended_at",
            "before it was answered",
        ),
        ({"disposition": "lost"}, "disposition", "not a valid choice"),
        ({"queued_at": None}, "queued_at", "came in"),
    ],
)
def test_record_refuses_bad_input_with_a_message_on_the_field(fields, field, message):
    with pytest.raises(ValidationError) as excinfo:
        record(**fields)

    assert message in " ".join(field_errors(excinfo)[field])
    assert not Contact.objects.exists()


def test_contact_factory_rows_are_valid_contacts():
    # The shared factory is used by other apps' tests; its rows must pass our rules.
    ContactFactory().full_clean()

"""Resident ID numbers are stored encrypted (customers and their history), found through
a keyed blind index, and re-encrypted by key rotation."""

import io
import pickle

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.test import APIClient

from csc.lib import crypto
from intake import selectors, services
from intake.models import Customer, PersonalDataAccess
from intake.personal_data import PersonalDataDisclosure
from tests.factories import CustomerFactory, UserFactory, make_resident_id

pytestmark = pytest.mark.django_db

FIRST_ID = "11010519491231002X"
SECOND_ID = make_resident_id(42)


def raw_rows(table: str) -> list[tuple]:
    """Every column of every row, as PostgreSQL stores it (no model, no decryption)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return cursor.fetchall()


def raw_text(table: str) -> str:
    return "\n".join(" ".join(str(value) for value in row) for row in raw_rows(table))


def register(agent_user, id_number: str = FIRST_ID) -> Customer:
    return services.customer_register(
        name="张三", phone="13800138000", id_number=id_number, registered_by=agent_user
    )


def test_no_table_holds_a_plain_id_number_after_register_update_and_history(agent_user):
    customer = register(agent_user)
    services.customer_update(customer, changed_by=agent_user, id_number=SECOND_ID)
    services.customer_update(customer, changed_by=agent_user, name="张三丰")

    stored = raw_text("intake_customer") + raw_text("intake_historicalcustomer")

    assert Customer.history.count() == 3
    for plain in (FIRST_ID, SECOND_ID, FIRST_ID[6:14], SECOND_ID[6:14]):
        assert plain not in stored
    assert customer.id_number == SECOND_ID


def test_the_stored_token_decrypts_to_the_number_and_each_write_is_a_fresh_token(agent_user):
    first = register(agent_user)
    second = CustomerFactory(id_number=FIRST_ID)

    tokens = [c.id_number_encrypted for c in Customer.objects.order_by("pk")]

    assert [crypto.decrypt(token) for token in tokens] == [FIRST_ID, FIRST_ID]
    assert tokens[0] != tokens[1]  # a random IV: equal numbers do not look equal
    assert first.id_number_index == second.id_number_index
    assert first.id_number_masked == "110105********002X"


def test_the_blind_index_is_keyed(settings):
    plain_digest = crypto.blind_index(FIRST_ID)
    settings.PERSONAL_DATA_INDEX_KEY = "another-index-key-of-at-least-32-characters"

    assert crypto.blind_index(FIRST_ID) != plain_digest
    assert len(plain_digest) == 64


def test_search_by_id_number_goes_through_the_blind_index(agent_user):
    customer = register(agent_user)
    CustomerFactory(id_number=SECOND_ID)

    search = selectors.customer_search("11010519491231002x")

    assert search.kind == "id_number"
    assert list(search.customers) == [customer]


def test_a_masked_list_decrypts_nothing(agent_user, monkeypatch):
    CustomerFactory.create_batch(3)

    def refuse(token):
        raise AssertionError("decrypted for a masked view")

    monkeypatch.setattr("intake.models.decrypt", refuse)
    monkeypatch.setattr("intake.personal_data.decrypt", refuse)
    pd = PersonalDataDisclosure(agent_user, via="api", path="/api/v1/customers/")
    shown = [pd.id_number(c) for c in Customer.objects.all()]

    assert all(value.startswith("110105") and "*" in value for value in shown)


def test_an_unchanged_id_number_is_not_encrypted_again(agent_user):
    customer = register(agent_user)
    token = customer.id_number_encrypted

    customer.id_number = FIRST_ID
    customer.full_clean()

    assert customer.id_number_encrypted == token


def test_the_plain_number_is_never_pickled(agent_user):
    customer = register(agent_user)
    assert customer.id_number == FIRST_ID

    copy = pickle.loads(pickle.dumps(customer))

    assert FIRST_ID.encode() not in pickle.dumps(customer)
    assert copy.id_number == FIRST_ID


# --- key rotation ----------------------------------------------------------------------


def test_rotation_re_encrypts_customers_and_history_with_the_newest_key(agent_user, settings):
    old_key = settings.PERSONAL_DATA_KEYS[0]
    customer = register(agent_user)
    services.customer_update(customer, changed_by=agent_user, id_number=SECOND_ID)
    new_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [new_key, old_key]

    call_command("rotate_personal_data_keys", "--batch-size", "1", stdout=io.StringIO())

    newest = Fernet(new_key.encode())
    customer_tokens = [row.id_number_encrypted for row in Customer.objects.all()]
    history_tokens = [row.id_number_encrypted for row in Customer.history.all()]
    assert {newest.decrypt(t.encode()).decode() for t in customer_tokens} == {SECOND_ID}
    assert sorted(newest.decrypt(t.encode()).decode() for t in history_tokens) == sorted(
        [FIRST_ID, SECOND_ID]
    )
    # The old key can go: everything reads with the new one alone.
    settings.PERSONAL_DATA_KEYS = [new_key]
    assert Customer.objects.get().id_number == SECOND_ID


def test_rotation_rewrites_nothing_already_on_the_newest_key(agent_user):
    register(agent_user)

    assert services.customer_id_numbers_rotate() == {"customers": 0, "history rows": 0}


def test_rotation_re_indexes_under_a_new_index_key(agent_user, settings):
    customer = register(agent_user)
    settings.PERSONAL_DATA_INDEX_KEY = "a-new-index-key-of-at-least-32-characters"
    assert not Customer.objects.with_id_number(FIRST_ID).exists()

    rewritten = services.customer_id_numbers_rotate()

    assert rewritten == {"customers": 1, "history rows": 1}
    assert list(Customer.objects.with_id_number(FIRST_ID)) == [customer]


def test_a_value_no_key_decrypts_names_the_problem(agent_user, settings):
    register(agent_user)
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(crypto.UndecryptableValue, match="keep the old keys"):
        _ = Customer.objects.get().id_number


# --- the data migration ----------------------------------------------------------------

BEFORE = ("intake", "0004_customer_id_number_encrypted_columns")
ENCRYPTED = ("intake", "0005_encrypt_customer_id_numbers")
AFTER = ("intake", "0006_drop_plain_customer_id_number")


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state(target).apps


def test_the_data_migration_encrypts_existing_customers_and_history_rows():
    old_apps = migrate(BEFORE)
    OldCustomer = old_apps.get_model("intake", "Customer")
    OldHistory = old_apps.get_model("intake", "HistoricalCustomer")
    with_id = OldCustomer.objects.create(name="甲", phone="13800138000", id_number=FIRST_ID)
    without_id = OldCustomer.objects.create(name="乙", phone="13800138001", id_number="")
    for customer, number in ((with_id, FIRST_ID), (with_id, SECOND_ID), (without_id, "")):
        OldHistory.objects.create(
            id=customer.pk,
            name=customer.name,
            phone=customer.phone,
            id_number=number,
            created_at=customer.created_at,
            updated_at=customer.updated_at,
            history_date=customer.created_at,
            history_type="~",
        )

    migrate(ENCRYPTED)
    with connection.cursor() as cursor:
        # Each migration commits on its own; here, in the test's transaction, the
        # deferred foreign-key checks must run before the next ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    migrate(AFTER)

    stored = raw_text("intake_customer") + raw_text("intake_historicalcustomer")
    assert FIRST_ID not in stored and SECOND_ID not in stored
    assert Customer.objects.get(pk=with_id.pk).id_number == FIRST_ID
    assert Customer.objects.get(pk=without_id.pk).id_number_encrypted == ""
    assert list(Customer.objects.with_id_number(FIRST_ID)) == [Customer.objects.get(pk=with_id.pk)]
    history = Customer.history.filter(id=with_id.pk).order_by("history_id")
    assert [crypto.decrypt(row.id_number_encrypted) for row in history] == [FIRST_ID, SECOND_ID]
    assert [row.id_number_masked for row in history] == [
        "110105********002X",
        SECOND_ID[:6] + "********" + SECOND_ID[-4:],
    ]
    assert Customer.history.count() == 3  # nothing deleted


def test_the_data_migration_reverses_to_plain_numbers(agent_user):
    customer = register(agent_user)
    services.customer_update(customer, changed_by=agent_user, id_number=SECOND_ID)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as above: before the ALTER TABLE

    old_apps = migrate(BEFORE)

    OldCustomer = old_apps.get_model("intake", "Customer")
    OldHistory = old_apps.get_model("intake", "HistoricalCustomer")
    assert OldCustomer.objects.get().id_number == SECOND_ID
    history = OldHistory.objects.order_by("history_id").values_list("id_number", flat=True)
    assert list(history) == [FIRST_ID, SECOND_ID]


# --- history page ----------------------------------------------------------------------


def test_history_page_shows_an_id_number_change_masked_to_everyone(
    signed_in, agent_user, lead_user
):
    customer = register(agent_user)
    services.customer_update(customer, changed_by=agent_user, id_number=SECOND_ID)
    url = reverse("intake:customer_history", args=[customer.pk])
    masked_second = SECOND_ID[:6] + "********" + SECOND_ID[-4:]

    masked = signed_in(agent_user).get(url).content.decode()
    full = signed_in(lead_user).get(url).content.decode()

    assert "110105********002X" in masked and masked_second in masked
    assert FIRST_ID not in masked and SECOND_ID not in masked
    # Pages mask every number, holders included; the history page records nothing.
    assert "110105********002X" in full and masked_second in full
    assert FIRST_ID not in full and SECOND_ID not in full
    assert not PersonalDataAccess.objects.exists()


# --- admin -----------------------------------------------------------------------------


def admin_form(customer: Customer, **fields) -> dict:
    return {
        "name": customer.name,
        "phone": customer.phone,
        "customer_type": customer.customer_type,
        "payment_type": customer.payment_type,
        "vip_tier": customer.vip_tier,
        "region": customer.region,
        "city": customer.city,
        "account_manager": "",
        "services-TOTAL_FORMS": "0",
        "services-INITIAL_FORMS": "0",
        "services-MIN_NUM_FORMS": "0",
        "services-MAX_NUM_FORMS": "1000",
        **fields,
    }


def test_the_admin_change_form_stores_an_id_number_encrypted(admin_client, agent_user):
    customer = register(agent_user)
    url = f"/admin/intake/customer/{customer.pk}/change/"

    response = admin_client.post(url, admin_form(customer, id_number=SECOND_ID.lower()))

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.id_number == SECOND_ID
    assert list(Customer.objects.with_id_number(SECOND_ID)) == [customer]
    assert SECOND_ID not in raw_text("intake_customer")


def test_the_admin_change_form_keeps_the_id_number_of_staff_who_may_not_see_it(client, agent_user):
    customer = register(agent_user)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "change_customer"])
    )
    client.force_login(staff)

    response = client.post(
        f"/admin/intake/customer/{customer.pk}/change/", admin_form(customer, city="上海")
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.city, customer.id_number) == ("上海", FIRST_ID)


def test_an_id_number_with_a_lone_surrogate_is_a_400_not_a_500(agent_user):
    api = APIClient()
    api.force_login(agent_user)

    response = api.post(
        "/api/v1/customers/",
        '{"name": "王五", "phone": "13800138000", "id_number": "1101051949\\ud800"}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "id_number" in response.json()

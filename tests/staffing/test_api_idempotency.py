"""Idempotent creates store no response body: a replay renders the created object for
the caller as they are now (masked numbers after a lost permission, a full view
recorded), and the body is kept only as a keyed hash."""

import hashlib
import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from intake.models import Contact, Customer, PersonalDataAccess
from staffing.models import IdempotentRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"
CONTACTS = "/api/v1/contacts/"
PHONE, MASKED_PHONE = "13800138000", "138****8000"
ID_NUMBER, MASKED_ID = "11010519491231002X", "110105********002X"
BODY = {"name": "王五", "phone": PHONE, "id_number": ID_NUMBER}
FULL = "view_full_personal_data"


@pytest.fixture
def clerk():
    """A user who may register customers, record contacts and see numbers in full."""
    user = UserFactory(username="clerk")
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_customer", "view_customer", "add_contact", "view_contact", FULL]
        )
    )
    return user


@pytest.fixture
def api(clerk):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(clerk)
    return client


def post(api, url=CUSTOMERS, body=BODY, key="k-1"):
    return api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def raw_idempotency_rows() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM staffing_idempotentrequest")
        return "\n".join(" ".join(str(value) for value in row) for row in cursor.fetchall())


def test_the_idempotency_table_holds_no_number_and_no_body(api):
    first = post(api)

    assert first.status_code == 201
    assert (first.json()["phone"], first.json()["id_number"]) == (PHONE, ID_NUMBER)
    stored = raw_idempotency_rows()
    for value in (PHONE, ID_NUMBER, MASKED_PHONE, MASKED_ID, "王五"):
        assert value not in stored
    record = IdempotentRequest.objects.get()
    assert (record.object_id, record.response_status) == (Customer.objects.get().pk, 201)


def test_a_replay_after_the_permission_is_lost_shows_masked_numbers(api, clerk):
    post(api)
    clerk.user_permissions.remove(Permission.objects.get(codename=FULL))

    again = post(api)

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    body = again.json()
    assert (body["phone"], body["id_number"], body["personal_data"]) == (
        MASKED_PHONE,
        MASKED_ID,
        "masked",
    )
    assert Customer.objects.count() == 1


def test_a_replay_shown_in_full_is_recorded_like_any_full_view(api, clerk):
    first = post(api)

    again = post(api)

    assert again.json() == first.json()
    views = PersonalDataAccess.objects.filter(user=clerk, customer=Customer.objects.get())
    assert views.count() == 2  # the create and the replay
    assert {view.path for view in views} == {CUSTOMERS}


def test_the_request_hash_is_keyed_not_a_bare_digest_of_the_body(api):
    post(api)

    text = f"POST {CUSTOMERS}\n" + json.dumps(BODY, sort_keys=True, ensure_ascii=False)
    bare = hashlib.sha256(text.encode()).hexdigest()
    assert IdempotentRequest.objects.get().request_hash not in ("", bare)


def test_a_row_stored_with_a_bare_digest_still_replays(api, clerk):
    post(api)
    text = f"POST {CUSTOMERS}\n" + json.dumps(BODY, sort_keys=True, ensure_ascii=False)
    IdempotentRequest.objects.update(request_hash=hashlib.sha256(text.encode()).hexdigest())

    again = post(api)
    other = post(api, body={**BODY, "name": "赵六"})

    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert Customer.objects.count() == 1


def test_a_replay_of_an_object_since_deleted_is_a_404(api):
    body = {
        "channel": "hotline",
        "caller_number": PHONE,
        "queued_at": "2026-03-02T09:00:00+08:00",
    }
    assert post(api, CONTACTS, body).status_code == 201
    Contact.objects.all().delete()

    again = post(api, CONTACTS, body)

    assert again.status_code == 404
    assert "can no longer be shown" in again.json()["detail"]


def test_a_contact_replay_masks_the_caller_number_after_the_permission_is_lost(api, clerk):
    body = {"channel": "hotline", "caller_number": PHONE, "queued_at": "2026-03-02T09:00:00+08:00"}
    first = post(api, CONTACTS, body)
    clerk.user_permissions.remove(Permission.objects.get(codename=FULL))

    again = post(api, CONTACTS, body)

    assert first.json()["caller_number"] == PHONE
    assert again.json()["caller_number"] == MASKED_PHONE
    assert again.json()["id"] == first.json()["id"]


# --- the data migration ----------------------------------------------------------------


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state(target).apps


def test_the_migration_keeps_the_created_ids_and_drops_the_stored_bodies(clerk):
    old_apps = migrate(("staffing", "0005_webhook_permissions"))
    OldRequest = old_apps.get_model("staffing", "IdempotentRequest")
    for key, body in (
        ("a", {"id": 7, "phone": PHONE, "id_number": ID_NUMBER}),
        ("b", ["not", "an", "object"]),
        ("c", None),
    ):
        OldRequest.objects.create(
            owner_id=clerk.pk,
            key=key,
            endpoint=CUSTOMERS,
            request_hash="0" * 64,
            response_status=201 if body else None,
            response_body=body,
        )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # each migration commits on its own

    migrate(("staffing", "0006_idempotent_request_object_id"))
    migrate(("staffing", "0007_drop_idempotent_response_bodies"))

    rows = IdempotentRequest.objects.order_by("key").values_list("key", "object_id")
    assert list(rows) == [("a", 7), ("b", None), ("c", None)]
    assert PHONE not in raw_idempotency_rows() and ID_NUMBER not in raw_idempotency_rows()

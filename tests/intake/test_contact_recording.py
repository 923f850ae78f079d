"""The CTI posts a contact's recording URL, duration and transcript (issue 17 item 1)."""

import pytest
from rest_framework.test import APIClient

from intake import services
from intake.models import Contact
from tests.factories import ContactFactory, make_api_client

pytestmark = pytest.mark.django_db

URL = "https://cti.example.com/rec/0731.mp3"


def _api(scopes):
    _, key = make_api_client("cti", scopes)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_the_cti_attaches_a_recording_and_transcript_with_contacts_write():
    contact = ContactFactory()
    api = _api(["contacts:read", "contacts:write"])

    response = api.patch(
        f"/api/v1/contacts/{contact.pk}/",
        {"recording_url": URL, "recording_seconds": 393, "transcript": "坐席：您好\n客户：查话费"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["recording_url"] == URL
    assert response.json()["recording_seconds"] == 393
    contact.refresh_from_db()
    assert contact.transcript.startswith("坐席：您好")
    assert contact.history.first().history_user.username == "api-cti"
    # A later post of the transcript alone keeps the recording.
    api.patch(f"/api/v1/contacts/{contact.pk}/", {"transcript": "坐席：再见"}, format="json")
    contact.refresh_from_db()
    assert (contact.recording_url, contact.transcript) == (URL, "坐席：再见")


def test_a_contact_is_recorded_with_its_recording_in_one_post():
    api = _api(["contacts:write", "contacts:read"])
    response = api.post(
        "/api/v1/contacts/",
        {
            "channel": "hotline",
            "queued_at": "2026-03-02T09:00:00+08:00",
            "recording_url": URL,
            "recording_seconds": 60,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Contact.objects.get().recording_url == URL


@pytest.mark.parametrize(
    "body, field",
    [
        ({"recording_url": "javascript:alert(1)"}, "recording_url"),
        ({"recording_url": "ftp://cti/rec.mp3"}, "recording_url"),
        ({"recording_seconds": -5}, "recording_seconds"),
    ],
)
def test_bad_recording_input_is_a_400_naming_the_field(body, field):
    contact = ContactFactory()
    response = _api(["contacts:write"]).patch(
        f"/api/v1/contacts/{contact.pk}/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_reading_contacts_is_not_enough_to_attach_a_recording():
    contact = ContactFactory()
    response = _api(["contacts:read"]).patch(
        f"/api/v1/contacts/{contact.pk}/", {"recording_url": URL}, format="json"
    )
    assert response.status_code == 403


def test_anonymising_a_contact_drops_its_recording_and_transcript():
    contact = ContactFactory(recording_url=URL, transcript="客户：我的身份证号是……")
    services.contacts_anonymise([contact.pk])
    contact.refresh_from_db()
    assert contact.recording_url == ""
    assert "身份证" not in contact.transcript

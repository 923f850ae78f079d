"""Evidence files: refused while they stream when too large, and downloaded only
through the permission-checked view, as attachments the browser will not render."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import LimitedStream
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.evidence import evidence_add
from complaints.models import ComplaintSettings, Evidence
from csc.lib.uploads import FORM_ALLOWANCE
from tests.factories import make_complaint

MB = 1024 * 1024


@pytest.fixture
def one_megabyte_limit(db):
    config = ComplaintSettings.current()
    config.evidence_max_megabytes = 1
    config.save()


@pytest.fixture
def bytes_read(monkeypatch) -> list[int]:
    """How much of each request body the server read."""
    read = []
    original = LimitedStream.read

    def counting(self, *args, **kwargs):
        data = original(self, *args, **kwargs)
        read.append(len(data))
        return data

    monkeypatch.setattr(LimitedStream, "read", counting)
    return read


def _page_upload(client, complaint, content: bytes):
    return client.post(
        reverse("complaints:evidence_upload", args=[complaint.pk]),
        {"kind": "screenshot", "file": SimpleUploadedFile("bill.png", content)},
    )


def _api_upload(api, complaint, content: bytes):
    return api.post(
        f"/api/v1/complaints/{complaint.pk}/evidence/",
        {"kind": "call_recording", "file": SimpleUploadedFile("call.mp3", content)},
        format="multipart",
    )


def test_an_oversized_upload_on_the_page_is_refused_before_its_body_is_read(
    client, groups, agent_user, legal_user, one_megabyte_limit, bytes_read
):
    complaint = make_complaint(recorded_by=agent_user)
    client.force_login(legal_user)

    response = _page_upload(client, complaint, b"x" * (3 * MB))

    assert response.status_code == 413
    assert "1 MB" in response.content.decode()
    assert sum(bytes_read) == 0
    assert not Evidence.objects.exists()


def test_a_file_growing_past_the_limit_stops_while_it_streams(
    client, groups, agent_user, legal_user, one_megabyte_limit, bytes_read, tmp_path
):
    # Within the form allowance, so the Content-Length alone does not give it away.
    complaint = make_complaint(recorded_by=agent_user)
    client.force_login(legal_user)

    response = _page_upload(client, complaint, b"x" * (MB + 1))

    assert response.status_code == 413
    assert sum(bytes_read) < MB + FORM_ALLOWANCE + 1024
    assert not Evidence.objects.exists()


def test_an_oversized_upload_through_the_api_is_a_413_before_its_body_is_read(
    groups, agent_user, legal_user, one_megabyte_limit, bytes_read
):
    complaint = make_complaint(recorded_by=agent_user)
    api = APIClient()
    api.force_login(legal_user)

    response = _api_upload(api, complaint, b"x" * (3 * MB))

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert response.json()["file"]
    assert sum(bytes_read) == 0


def test_a_file_growing_past_the_limit_through_the_api_is_a_413(
    groups, agent_user, legal_user, one_megabyte_limit
):
    complaint = make_complaint(recorded_by=agent_user)
    api = APIClient()
    api.force_login(legal_user)

    response = _api_upload(api, complaint, b"x" * (MB + 1))

    assert response.status_code == 413
    assert not Evidence.objects.exists()


def test_a_file_at_the_limit_is_accepted(groups, agent_user, legal_user, one_megabyte_limit):
    complaint = make_complaint(recorded_by=agent_user)
    api = APIClient()
    api.force_login(legal_user)

    response = _api_upload(api, complaint, b"x" * MB)

    assert response.status_code == 201, response.content[:300]


def test_someone_who_cannot_see_the_complaint_gets_no_size_answer(
    client, groups, agent_user, outsider_user, one_megabyte_limit
):
    complaint = make_complaint(recorded_by=agent_user)
    client.force_login(outsider_user)

    response = _page_upload(client, complaint, b"x" * (3 * MB))

    assert response.status_code in (403, 404)


def test_evidence_downloads_as_an_attachment_the_browser_does_not_sniff(
    client, groups, agent_user, legal_user
):
    complaint = make_complaint(recorded_by=agent_user)
    evidence_add(
        complaint,
        by=legal_user,
        file=SimpleUploadedFile("page.html", b"<script>alert(1)</script>"),
        kind="screenshot",
    )
    client.force_login(legal_user)

    response = client.get(reverse("complaints:evidence_download", args=[complaint.pk, 1]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_evidence_goes_through_the_web_server_when_it_can_send_internal_files(
    client, groups, agent_user, legal_user, settings
):
    settings.MEDIA_INTERNAL_REDIRECT = "/protected-media/"
    complaint = make_complaint(recorded_by=agent_user)
    entry = evidence_add(
        complaint, by=legal_user, file=SimpleUploadedFile("a.txt", b"abc"), kind="screenshot"
    )
    client.force_login(legal_user)

    response = client.get(reverse("complaints:evidence_download", args=[complaint.pk, 1]))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{entry.file.name}"
    assert response.content == b""


def test_evidence_names_are_unguessable(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)
    entry = evidence_add(
        complaint, by=legal_user, file=SimpleUploadedFile("a.txt", b"abc"), kind="screenshot"
    )

    name = entry.file.name.rsplit("/", 1)[1]
    assert len(name.split("-", 1)[1]) >= 16 + len(".txt")

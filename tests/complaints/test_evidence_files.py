"""Evidence files: refused while they stream when too large, and downloaded only
through the permission-checked view, as attachments the browser will not render."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import LimitedStream
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.evidence import evidence_add
from complaints.models import ComplaintSettings, Evidence
from csc.lib.errors import DomainError
from csc.lib.uploads import FORM_ALLOWANCE
from tests.factories import make_complaint
from tests.samples import EXE, MP3, MP3_FRAME, PDF, PNG, WAV

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

    response = _api_upload(api, complaint, MP3 + b"x" * (MB - len(MP3)))

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
        file=SimpleUploadedFile("page.txt", b"<script>alert(1)</script>"),
        kind="chat_log",
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
        complaint, by=legal_user, file=SimpleUploadedFile("a.txt", b"abc"), kind="chat_log"
    )
    client.force_login(legal_user)

    response = client.get(reverse("complaints:evidence_download", args=[complaint.pk, 1]))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{entry.file.name}"
    assert response.content == b""


def test_evidence_names_are_unguessable(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)
    entry = evidence_add(
        complaint, by=legal_user, file=SimpleUploadedFile("a.txt", b"abc"), kind="chat_log"
    )

    name = entry.file.name.rsplit("/", 1)[1]
    assert len(name.split("-", 1)[1]) >= 16 + len(".txt")


# ---------------------------------------------------------------- what a file may be


def _add(complaint, by, name: str, content: bytes, kind: str):
    return evidence_add(complaint, by=by, file=SimpleUploadedFile(name, content), kind=kind)


def test_an_executable_renamed_mp3_is_refused_as_a_call_recording(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)

    with pytest.raises(DomainError) as refused:
        _add(complaint, legal_user, "call.mp3", EXE, "call_recording")

    assert refused.value.code == "file_content"
    assert "call.mp3" in refused.value.details["file"][0]
    assert not Evidence.objects.exists()


def test_a_file_whose_name_the_kind_does_not_accept_is_refused(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)

    for name, content, kind in [
        ("setup.exe", EXE, "call_recording"),
        ("bill.pdf", PDF, "call_recording"),  # a real PDF, but not a recording
        ("call.mp3", MP3, "screenshot"),
        ("notes", b"no extension", "chat_log"),
    ]:
        with pytest.raises(DomainError) as refused:
            _add(complaint, legal_user, name, content, kind)
        assert refused.value.code == "file_type", name
        assert ".mp3" in refused.value.details["file"][0] or kind != "call_recording"
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "kind", "mime"),
    [
        ("call.mp3", MP3 + b"\x00" * 64, "call_recording", "audio/mpeg"),
        ("call.MP3", MP3_FRAME, "call_recording", "audio/mpeg"),
        ("call.wav", WAV, "call_recording", "audio/wav"),
        ("bill.png", PNG, "screenshot", "image/png"),
        ("voucher.pdf", PDF, "service_voucher", "application/pdf"),
        ("chat.txt", "客户：话费为什么多扣了？".encode(), "chat_log", "text/plain"),
        ("chat.txt", "客户：话费为什么多扣了？".encode("gb18030"), "chat_log", "text/plain"),
    ],
)
def test_a_real_file_is_accepted_for_its_kind_and_stored_with_its_type(
    groups, agent_user, legal_user, name, content, kind, mime
):
    complaint = make_complaint(recorded_by=agent_user)

    entry = _add(complaint, legal_user, name, content, kind)

    assert (entry.original_name, entry.content_type) == (name, mime)


def test_text_with_binary_bytes_is_not_a_text_file(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)

    with pytest.raises(DomainError) as refused:
        _add(complaint, legal_user, "chat.txt", EXE, "chat_log")

    assert refused.value.code == "file_content"


def test_the_page_refuses_an_executable_recording_and_keeps_the_rest_of_the_form(
    client, groups, agent_user, legal_user
):
    complaint = make_complaint(recorded_by=agent_user)
    client.force_login(legal_user)

    response = client.post(
        reverse("complaints:evidence_upload", args=[complaint.pk]),
        {
            "kind": "call_recording",
            "title": "来电录音 6 月 3 日",
            "note": "客户称未办理",
            "file": SimpleUploadedFile("call.mp3", EXE),
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "call.mp3" in body and "MP3" in body
    assert "来电录音 6 月 3 日" in body and "客户称未办理" in body
    assert not Evidence.objects.exists()


def test_the_api_refuses_an_executable_recording_with_a_400_naming_the_file(
    groups, agent_user, legal_user
):
    complaint = make_complaint(recorded_by=agent_user)
    api = APIClient()
    api.force_login(legal_user)

    response = _api_upload(api, complaint, EXE)

    assert response.status_code == 400
    assert response.json()["code"] == "file_content"
    assert "call.mp3" in response.json()["file"][0]
    assert not Evidence.objects.exists()


def test_the_complaint_page_shows_each_evidence_files_name(client, groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)
    evidence_add(
        complaint,
        by=legal_user,
        file=SimpleUploadedFile("20250603-142005.wav", WAV),
        kind="call_recording",
        title="来电录音",
    )
    client.force_login(legal_user)

    response = client.get(reverse("complaints:detail", args=[complaint.pk]))

    assert "20250603-142005.wav" in response.content.decode()

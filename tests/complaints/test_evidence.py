"""Evidence, one case one file (DOMAIN.md C-28): SHA-256, a per-complaint hash chain,
never deleted or overwritten, and a verification that names the first broken entry."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from complaints import services
from complaints.evidence import evidence_add, evidence_verify
from complaints.models import GENESIS_HASH, Complaint, Evidence
from complaints.tasks import audit_evidence_chains
from csc.lib.errors import DomainError, IllegalTransition
from staffing.models import Notification
from tests.factories import make_complaint
from tests.samples import MP3, PNG

RECORDING = MP3 + b"call recording bytes"


def upload(complaint, by, content: bytes, name="录音.mp3", kind="call_recording", **extra):
    return evidence_add(
        complaint,
        by=by,
        file=SimpleUploadedFile(name, content, content_type="audio/mpeg"),
        kind=kind,
        title=extra.pop("title", name),
        **extra,
    )


@pytest.fixture
def complaint(groups, agent_user):
    return make_complaint(recorded_by=agent_user)


@pytest.fixture
def chain(complaint, legal_user):
    entries = [
        upload(complaint, legal_user, RECORDING, "call.mp3"),
        upload(complaint, legal_user, b"chat log", "chat.txt", kind="chat_log"),
        upload(complaint, legal_user, PNG + b" screenshot", "bill.png", kind="screenshot"),
    ]
    return complaint, entries


def test_each_upload_stores_its_sha256_and_links_to_the_previous_entry(chain):
    complaint, (first, second, third) = chain

    assert first.sha256 == hashlib.sha256(RECORDING).hexdigest()
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.chain_hash
    assert third.prev_hash == second.chain_hash
    assert Complaint.objects.get(pk=complaint.pk).evidence_head == third.chain_hash
    with first.file.open("rb") as handle:
        assert handle.read() == RECORDING


def test_an_intact_chain_verifies(chain):
    complaint, _entries = chain

    report = evidence_verify(complaint)

    assert report.ok
    assert report.entries == 3
    assert report.first_bad_seq is None


def test_a_tampered_file_is_detected_and_named(chain):
    complaint, (_first, second, _third) = chain
    with open(second.file.path, "wb") as handle:
        handle.write(b"chat log, edited afterwards")

    report = evidence_verify(complaint)

    assert not report.ok
    assert report.first_bad_seq == 2
    assert report.first_bad_id == second.pk
    assert report.problem_code == "file_changed"


def test_a_tampered_row_is_detected_and_named(chain):
    complaint, (_first, second, _third) = chain
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_evidence SET title = %s WHERE id = %s", ["无关截图", second.pk]
        )

    report = evidence_verify(complaint)

    assert not report.ok
    assert report.first_bad_seq == 2
    assert report.problem_code == "record_changed"


def test_a_row_rewritten_to_match_a_swapped_file_is_still_detected(chain):
    complaint, (first, _second, _third) = chain
    forged = b"a different recording"
    with open(first.file.path, "wb") as handle:
        handle.write(forged)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_evidence SET sha256 = %s, size = %s WHERE id = %s",
            [hashlib.sha256(forged).hexdigest(), len(forged), first.pk],
        )

    report = evidence_verify(complaint)

    assert report.first_bad_seq == 1
    assert report.problem_code == "record_changed"


@pytest.mark.parametrize("deleted", [1, 2], ids=["middle", "last"])
def test_a_deleted_entry_is_detected(chain, deleted):
    complaint, entries = chain
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM complaints_evidence WHERE id = %s", [entries[deleted].pk])

    report = evidence_verify(complaint)

    assert not report.ok
    # Entry #3 no longer follows #2 (deleted), or the chain stops before its head (#3).
    assert report.first_bad_seq == 3
    assert report.problem_code == "entry_missing"


def test_evidence_is_never_changed_or_deleted_through_the_application(chain):
    _complaint, (first, _second, _third) = chain

    with pytest.raises(TypeError):
        first.delete()
    with pytest.raises(TypeError):
        first.save()
    with pytest.raises(TypeError):
        Evidence.objects.filter(pk=first.pk).update(title="x")
    with pytest.raises(TypeError):
        Evidence.objects.filter(pk=first.pk).delete()


def test_a_corrected_file_supersedes_the_old_entry_which_stays(chain, legal_user):
    complaint, (first, _second, _third) = chain

    fixed = upload(complaint, legal_user, MP3 + b"clean recording", "call-v2.mp3", supersedes=first)

    assert fixed.seq == 4
    assert fixed.supersedes == first
    assert Evidence.objects.filter(complaint=complaint).count() == 4
    assert evidence_verify(complaint).ok
    with pytest.raises(DomainError):
        upload(complaint, legal_user, MP3 + b"third try", "call-v3.mp3", supersedes=first)


def test_an_empty_file_is_refused(complaint, legal_user):
    with pytest.raises(DomainError) as refusal:
        upload(complaint, legal_user, b"")

    assert "file" in refusal.value.details


def test_a_closed_complaint_takes_no_more_evidence(complaint, legal_user):
    services.complaint_escalate(
        complaint, by=legal_user, version=complaint.ticket.version, mode="upgrade", reason="上级"
    )

    with pytest.raises(IllegalTransition):
        upload(complaint, legal_user, MP3 + b"late")


def test_the_command_verifies_a_chain_by_complaint_number(chain, capsys):
    complaint, _entries = chain

    call_command("verify_evidence_chain", complaint.ticket.number)

    assert complaint.ticket.number in capsys.readouterr().out


def test_the_command_names_the_first_broken_entry_and_fails(chain):
    complaint, (_first, second, _third) = chain
    with open(second.file.path, "wb") as handle:
        handle.write(b"tampered")

    with pytest.raises(CommandError) as failure:
        call_command("verify_evidence_chain", complaint.ticket.number)

    assert "#2" in str(failure.value)
    assert failure.value.returncode == 1


def test_the_command_refuses_an_unknown_number(db):
    with pytest.raises(CommandError):
        call_command("verify_evidence_chain", "T20990101-000001")


def test_the_nightly_audit_reports_a_broken_chain_to_the_leadership_group_once(chain, manager_user):
    complaint, (first, _second, _third) = chain
    assert audit_evidence_chains() == 0
    with open(first.file.path, "wb") as handle:
        handle.write(b"swapped")

    assert audit_evidence_chains() == 1
    assert audit_evidence_chains() == 1

    told = Notification.objects.filter(recipient=manager_user, kind="complaint.evidence_broken")
    assert told.count() == 1
    assert complaint.ticket.number in told.get().title

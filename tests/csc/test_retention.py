"""The retention job (DOMAIN.md R-1, R-3): policies never shorter than the law, each
record type anonymised or deleted exactly when past its period, in batches, rerun
safely, reported; evidence files go while the chains still verify."""

import datetime
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from complaints.evidence import evidence_add, evidence_verify
from complaints.models import Complaint, Evidence
from csc.choices import MINIMUM_DAYS, RecordType
from csc.lib.anonymise import MARKER
from csc.models import RetentionPolicy, RetentionRun
from csc.retention import retention_apply
from intake.models import Contact, PersonalDataAccess
from staffing.models import (
    IdempotentRequest,
    Notification,
    OutboxMessage,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from tests.complaints.conftest import (  # noqa: F401 (fixtures)
    _media_in_tmp,
    complaints_team,
    groups,
    legal_team,
    tech_team,
)
from tests.factories import (
    ContactFactory,
    TicketFactory,
    UserFactory,
    make_api_client,
    make_complaint,
)
from worktickets.models import Ticket, TicketEvent

NOW = datetime.datetime(2026, 6, 1, 2, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def close(ticket_id: int, at: datetime.datetime) -> None:
    Ticket.objects.filter(pk=ticket_id).update(
        status="closed", status_category="closed", closed_at=at, updated_at=at
    )


def counts(run: RetentionRun) -> dict[str, int]:
    return {record_type: line["count"] for record_type, line in run.results.items()}


# ---------------------------------------------------------------- policies


@pytest.mark.parametrize("record_type", sorted(MINIMUM_DAYS))
def test_a_period_shorter_than_the_law_is_refused(db, record_type):
    policy = RetentionPolicy.objects.get(record_type=record_type)
    policy.keep_days = MINIMUM_DAYS[record_type] - 1

    with pytest.raises(ValidationError) as refusal:
        policy.full_clean()

    assert "keep_days" in refusal.value.message_dict
    policy.keep_days = MINIMUM_DAYS[record_type]
    policy.full_clean()


def test_the_legal_minimums_are_those_of_r1_and_r3():
    # About 5 months for billing appeals, 2 years for others; 6 months of logs.
    assert MINIMUM_DAYS[RecordType.COMPLAINT_BILLING] >= 153
    assert MINIMUM_DAYS[RecordType.EVIDENCE_BILLING] >= 153
    assert MINIMUM_DAYS[RecordType.COMPLAINT_OTHER] >= 731
    assert MINIMUM_DAYS[RecordType.EVIDENCE_OTHER] >= 731
    assert MINIMUM_DAYS[RecordType.ACCESS_LOG] >= 184


def test_every_record_type_ships_with_a_policy_and_a_nightly_schedule(db):
    policies = {p.record_type: p for p in RetentionPolicy.objects.all()}

    assert set(policies) == set(RecordType.values)
    for record_type, policy in policies.items():
        assert policy.keep_days >= MINIMUM_DAYS[record_type]
        assert policy.legal_source
    assert policies["idempotency"].keep_days == 3  # 72 h
    task = PeriodicTask.objects.get(task="csc.tasks.apply_retention")
    assert task.crontab.hour == "3"


def test_a_row_set_below_the_minimum_behind_the_admins_back_still_keeps_the_law(db, now):
    RetentionPolicy.objects.filter(record_type="contact").update(keep_days=1)
    young = ContactFactory(queued_at=NOW - 400 * DAY)

    run = retention_apply()

    young.refresh_from_db()
    assert young.caller_number
    assert run.results["contact"]["keep_days"] == 731


# ---------------------------------------------------------------- the job


def test_contacts_past_two_years_lose_their_personal_data_and_keep_their_statistics(db, now):
    old = ContactFactory(queued_at=NOW - 732 * DAY, external_id="CALL-1")
    young = ContactFactory(queued_at=NOW - 700 * DAY)
    Contact.objects.filter(pk=old.pk).update(summary="客户说他住在朝阳区 1 号")  # a history row
    old.summary = "客户说他住在朝阳区 1 号"
    old.save()

    run = retention_apply()

    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.caller_number, old.external_id, old.customer_id, old.summary) == (
        "",
        "",
        None,
        MARKER,
    )
    assert old.channel == "hotline" and old.answered_at is not None
    assert young.caller_number and young.summary == "咨询套餐余量"
    history = old.history.all()
    assert history.count() >= 2
    assert {(h.caller_number, h.summary, h.customer_id) for h in history} == {("", MARKER, None)}
    assert counts(run)["contact"] == 1


def test_tickets_are_anonymised_two_years_after_closure_and_never_while_open(db, now):
    old = TicketFactory(description="用户 张三 身份证 110105...", caller_number="13800001111")
    recent = TicketFactory(description="最近的")
    still_open = TicketFactory(description="仍在处理")
    Ticket.objects.filter(pk=still_open.pk).update(created_at=NOW - 900 * DAY)
    close(old.pk, NOW - 732 * DAY)
    close(recent.pk, NOW - 100 * DAY)
    TicketEvent.objects.create(ticket=old, kind="note", body="客户电话 13800001111")
    TicketEvent.objects.create(
        ticket=old, kind="fields_changed", data={"description": {"from": "张三", "to": "李四"}}
    )

    retention_apply()

    old.refresh_from_db()
    assert (old.subject, old.description, old.caller_number, old.customer_id) == (
        MARKER,
        MARKER,
        "",
        None,
    )
    assert old.kind == "inquiry" and old.closed_at == NOW - 732 * DAY
    assert set(old.events.values_list("body", flat=True)) <= {MARKER, ""}
    assert old.events.get(kind="fields_changed").data == {}
    assert Ticket.objects.get(pk=recent.pk).description == "最近的"
    assert Ticket.objects.get(pk=still_open.pk).description == "仍在处理"


@pytest.mark.usefixtures("groups")
def test_billing_complaints_go_after_five_months_others_after_two_years(db, now):
    recorder = UserFactory(roles=["agent"])
    with time_machine.travel(NOW - 200 * DAY, tick=False):
        billing = make_complaint(
            recorded_by=recorder, contact_address="北京市西城区 1 号", service_number="13900001111"
        )
        quality = make_complaint(recorded_by=recorder, category="service_quality")
    close(billing.pk, NOW - 160 * DAY)
    close(quality.pk, NOW - 160 * DAY)

    run = retention_apply()

    billing = Complaint.objects.select_related("ticket").get(pk=billing.pk)
    quality = Complaint.objects.select_related("ticket").get(pk=quality.pk)
    assert billing.customer_name == MARKER
    assert (billing.contact_phone, billing.contact_address, billing.service_number) == ("", "", "")
    assert billing.ticket.description == MARKER and billing.ticket.customer_id is None
    assert billing.category == "billing" and billing.ticket.closed_at == NOW - 160 * DAY
    assert {h.customer_name for h in billing.history.all()} == {MARKER}
    assert quality.customer_name != MARKER and quality.contact_phone
    assert counts(run)["complaint_billing"] == 1
    assert counts(run)["complaint_other"] == 0


@pytest.mark.usefixtures("groups")
def test_a_complaint_whose_appeal_is_open_is_kept(db, now):
    recorder = UserFactory(roles=["agent"])
    with time_machine.travel(NOW - 200 * DAY, tick=False):
        original = make_complaint(recorded_by=recorder)
        make_complaint(
            recorded_by=recorder,
            tier="appeal",
            parent=original,
            customer=original.ticket.customer,
        )
    close(original.pk, NOW - 160 * DAY)

    retention_apply()

    assert Complaint.objects.get(pk=original.pk).customer_name != MARKER


@pytest.mark.usefixtures("groups")
def test_evidence_files_are_deleted_after_the_period_and_the_chain_still_verifies(
    db, now, django_capture_on_commit_callbacks
):
    handler = UserFactory(roles=["market_legal"])
    with time_machine.travel(NOW - 200 * DAY, tick=False):
        old = make_complaint(recorded_by=handler)
        young = make_complaint(recorded_by=handler)
        first = evidence_add(
            old, by=handler, file=SimpleUploadedFile("a.txt", b"A"), kind="chat_log"
        )
        evidence_add(old, by=handler, file=SimpleUploadedFile("b.txt", b"B"), kind="chat_log")
        kept = evidence_add(
            young, by=handler, file=SimpleUploadedFile("c.txt", b"C"), kind="chat_log"
        )
    close(old.pk, NOW - 160 * DAY)
    close(young.pk, NOW - 100 * DAY)
    storage, name = first.file.storage, first.file.name

    with django_capture_on_commit_callbacks(execute=True):
        run = retention_apply()

    assert not storage.exists(name)
    entries = list(Evidence.objects.filter(complaint=old).order_by("seq"))
    assert [e.file.name for e in entries] == ["", ""]
    assert [e.sha256 for e in entries] == [first.sha256, entries[1].sha256]
    report = evidence_verify(old)
    assert report.ok and report.purged == 2
    assert "保存期满" in report.message  # deleted at the end of the retention period
    assert storage.exists(kept.file.name) and evidence_verify(young).ok
    assert counts(run)["evidence_billing"] == 2
    purged = old.ticket.events.get(data__complaint_event="evidence_purged")
    assert purged.data["files"] == 2


def test_logs_and_technical_rows_are_deleted_after_their_period(db, now):
    user = UserFactory()
    contact = ContactFactory(queued_at=NOW)
    for days in (190, 2):
        with time_machine.travel(NOW - days * DAY, tick=False):
            PersonalDataAccess.objects.create(user=user, contact=contact, via="page", path="/x")
            IdempotentRequest.objects.create(
                owner=user, key=f"k{days}", endpoint="/api", request_hash="h"
            )
            Notification.objects.create(recipient=user, kind="note", title="t")
            for status in ("sent", "failed", "pending"):
                OutboxMessage.objects.create(
                    channel="sms", recipient="13800001111", body="您的投诉已处理", status=status
                )

    run = retention_apply()

    assert list(PersonalDataAccess.objects.values_list("path", flat=True)) == ["/x"]
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["k2"]
    assert Notification.objects.count() == 1
    # Sent and given-up messages go; a pending one is still to be delivered.
    assert sorted(OutboxMessage.objects.values_list("status", flat=True)) == [
        "failed",
        "pending",
        "pending",
        "sent",
    ]
    assert (counts(run)["access_log"], counts(run)["outbox"]) == (1, 2)


def test_the_job_works_in_batches_and_a_second_run_finds_nothing(db, now):
    for _ in range(5):
        ContactFactory(queued_at=NOW - 800 * DAY)

    first = retention_apply(batch_size=2)
    second = retention_apply(batch_size=2)

    assert counts(first)["contact"] == 5
    assert counts(second)["contact"] == 0
    assert not Contact.objects.exclude(caller_number="").exists()


def test_a_dry_run_counts_and_changes_nothing_and_the_command_prints_the_counts(db, now, capsys):
    ContactFactory(queued_at=NOW - 800 * DAY)

    call_command("apply_retention", "--dry-run")

    out = capsys.readouterr().out
    assert "contact" in out and "1 would be anonymised" in out
    assert Contact.objects.exclude(caller_number="").count() == 1
    run = RetentionRun.objects.get()
    assert run.dry_run and run.trigger == "command"


def test_each_run_is_reported(db, now):
    ContactFactory(queued_at=NOW - 800 * DAY)

    run = retention_apply()

    run.refresh_from_db()
    assert run.status == "finished" and run.finished_at is not None
    assert run.results["contact"] == {
        "action": "anonymise",
        "keep_days": 731,
        "cutoff": (NOW - 731 * DAY).isoformat(),
        "count": 1,
    }
    assert set(run.results) == set(RecordType.values)


def test_webhook_deliveries_go_with_their_attempts_after_six_months(db, now):
    api_client, _key = make_api_client("crm", ["webhooks:write"])
    subscription = WebhookSubscription.objects.create(
        api_client=api_client, url="https://crm.example.com/hook", events=["ticket.created"]
    )
    for days in (190, 100):
        with time_machine.travel(NOW - days * DAY, tick=False):
            message = OutboxMessage.objects.create(
                channel="webhook", recipient=subscription.url, status="sent"
            )
            delivery = WebhookDelivery.objects.create(
                subscription=subscription,
                message=message,
                event="ticket.created",
                event_id=uuid.uuid4(),
            )
            WebhookAttempt.objects.create(
                delivery=delivery, number=1, at=NOW, url=subscription.url, duration_ms=5
            )

    run = retention_apply()

    assert WebhookDelivery.objects.count() == WebhookAttempt.objects.count() == 1
    assert counts(run)["webhook_delivery"] == 1
    assert counts(run)["outbox"] == 0


def test_the_admin_refuses_a_period_below_the_law_and_shows_the_runs(client, db, now):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    policy = RetentionPolicy.objects.get(record_type="complaint_billing")
    url = reverse("admin:csc_retentionpolicy_change", args=[policy.pk])
    retention_apply()

    refused = client.post(url, {"keep_days": "100", "legal_source": policy.legal_source})
    accepted = client.post(url, {"keep_days": "200", "legal_source": policy.legal_source})
    runs = client.get(reverse("admin:csc_retentionrun_changelist"))

    assert refused.status_code == 200 and "155" in refused.content.decode()
    assert accepted.status_code == 302
    assert RetentionPolicy.objects.get(pk=policy.pk).keep_days == 200
    assert runs.status_code == 200

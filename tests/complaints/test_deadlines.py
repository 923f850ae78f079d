"""Stage deadlines in working days through the SLA engine (DOMAIN.md P-2, K-3, P-5, R-1),
across the National Day week of 2026: 1–7 October off, Saturday 10 October a make-up
working day (调休)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services
from complaints.choices import Category, Tier
from complaints.models import DeadlineExtension
from csc.lib.errors import DomainError, NotAllowed
from sla.models import Clock
from tests.factories import CustomerFactory, make_complaint

SH = ZoneInfo("Asia/Shanghai")
# Wednesday before the National Day holiday, 10:00 Beijing time.
RECEIVED = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=SH)


def at(month, day, hour=10, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SH)


def dues(complaint) -> dict[str, datetime.datetime]:
    return {
        clock.metric: clock.due_at.astimezone(SH)
        for clock in Clock.objects.filter(ticket_id=complaint.pk, state__in=["running", "paused"])
    }


@pytest.fixture
def received():
    with time_machine.travel(RECEIVED, tick=False) as traveller:
        yield traveller


def test_ordinary_complaint_stages_skip_the_national_day_week(groups, agent_user, received):
    complaint = make_complaint(recorded_by=agent_user)

    assert dues(complaint) == {
        # 1 working day: the holiday week does not count.
        "complaint_acceptance": at(10, 8),
        # 3 working days: 8, 9 and the make-up Saturday 10 October.
        "complaint_investigation": at(10, 10),
        # 5 working days: 8, 9, 10, 12, 13 October.
        "complaint_feedback": at(10, 13),
        # 30 working days, capped by the 15 calendar days of MIIT Order 35.
        "complaint_overall": at(10, 15),
    }
    assert complaint.ticket.sla_due_at.astimezone(SH) == at(10, 8)


def test_vip_complaints_run_at_the_tight_end(groups, agent_user, received):
    complaint = make_complaint(recorded_by=agent_user, customer=CustomerFactory(vip_tier="silver"))

    found = dues(complaint)
    assert found["complaint_acceptance"] == at(10, 1)  # 24 h
    assert found["complaint_investigation"] == at(10, 3)  # 72 h
    assert found["complaint_feedback"] == at(10, 10)  # 3 working days


def test_an_appeal_runs_at_the_strictest_deadlines(groups, agent_user, received, manager_user):
    original = make_complaint(recorded_by=agent_user)

    appeal = make_complaint(
        recorded_by=agent_user, tier=Tier.APPEAL, parent=original, customer=original.ticket.customer
    )

    found = dues(appeal)
    assert found["complaint_acceptance"] == at(10, 1)
    assert found["complaint_feedback"] == at(10, 10)
    assert "complaint_investigation" not in found
    assert found["complaint_acceptance"] < dues(original)["complaint_acceptance"]


def test_evidence_collection_runs_seven_calendar_days_from_acceptance(
    groups, agent_user, legal_user, received
):
    complaint = make_complaint(recorded_by=agent_user)
    assert "evidence_collection" not in dues(complaint)

    received.move_to(at(10, 8, 9, 30))
    services.complaint_accept(complaint, by=legal_user, version=complaint.ticket.version)

    found = dues(complaint)
    assert found["evidence_collection"] == at(10, 15, 9, 30)
    assert "complaint_acceptance" not in found
    accepted = Clock.objects.get(ticket_id=complaint.pk, metric="complaint_acceptance")
    assert accepted.state == "met"


def test_completing_evidence_meets_its_clock(groups, agent_user, legal_user, received):
    complaint = make_complaint(recorded_by=agent_user)
    services.complaint_accept(complaint, by=legal_user, version=complaint.ticket.version)
    complaint.ticket.refresh_from_db()

    services.complaint_evidence_complete(
        complaint, by=legal_user, version=complaint.ticket.version, note="录音与截图齐全"
    )

    clock = Clock.objects.get(ticket_id=complaint.pk, metric="evidence_collection")
    assert clock.state == "met"


@pytest.mark.parametrize(
    ("service_type", "region", "hours"),
    [
        ("mobile", "urban", 48),
        ("broadband", "urban", 36),
        ("broadband", "rural", 48),
        ("fixed", "rural", 48),
    ],
)
def test_service_faults_carry_the_repair_limit_of_their_service_and_region(
    groups, agent_user, received, service_type, region, hours
):
    complaint = make_complaint(
        recorded_by=agent_user,
        category=Category.SERVICE_FAULT,
        service_type=service_type,
        region=region,
        promised_repair_at=RECEIVED + datetime.timedelta(hours=hours),
    )

    repair = Clock.objects.get(ticket_id=complaint.pk, metric="repair")
    assert repair.due_at == RECEIVED + datetime.timedelta(hours=hours)
    assert complaint.promised_repair_at == RECEIVED + datetime.timedelta(hours=hours)


def test_the_fixed_line_limit_is_flagged_as_an_assumption(groups, agent_user, received):
    complaint = make_complaint(
        recorded_by=agent_user,
        category=Category.SERVICE_FAULT,
        service_type="fixed",
        promised_repair_at=RECEIVED + datetime.timedelta(hours=24),
    )

    repair = Clock.objects.get(ticket_id=complaint.pk, metric="repair")
    assert "Assumption" in repair.target["note"]


def test_a_promise_beyond_the_repair_limit_is_refused(groups, agent_user, received):
    with pytest.raises(DomainError) as refusal:
        make_complaint(
            recorded_by=agent_user,
            category=Category.SERVICE_FAULT,
            service_type="broadband",
            region="urban",
            promised_repair_at=RECEIVED + datetime.timedelta(hours=37),
        )

    assert "promised_repair_at" in refusal.value.details
    assert "36" in refusal.value.message


def test_a_service_fault_needs_a_promised_repair_time(groups, agent_user, received):
    with pytest.raises(DomainError) as refusal:
        make_complaint(
            recorded_by=agent_user, category=Category.SERVICE_FAULT, service_type="mobile"
        )

    assert refusal.value.code == "required"
    assert "promised_repair_at" in refusal.value.details


# ---------------------------------------------------------------- extensions


def test_an_extension_needs_a_cs_managers_approval_and_moves_the_clock(
    groups, agent_user, legal_user, manager_user, received
):
    complaint = make_complaint(recorded_by=agent_user)
    request = services.complaint_request_extension(
        complaint,
        by=legal_user,
        version=complaint.ticket.version,
        metric="complaint_feedback",
        working_days=2,
        reason="证据需要 7 天才能收齐",
    )
    complaint.ticket.refresh_from_db()

    with pytest.raises(NotAllowed):
        services.complaint_extend(
            complaint, by=legal_user, version=complaint.ticket.version, extension=request
        )
    assert dues(complaint)["complaint_feedback"] == at(10, 13)

    services.complaint_extend(
        complaint,
        by=manager_user,
        version=complaint.ticket.version,
        extension=request,
        note="同意",
    )

    request.refresh_from_db()
    assert dues(complaint)["complaint_feedback"] == at(10, 15)  # 13 + 2 working days
    assert request.status == "approved"
    assert request.decided_by == manager_user
    assert request.due_before.astimezone(SH) == at(10, 13)
    assert request.due_after.astimezone(SH) == at(10, 15)
    assert complaint.ticket.events.filter(data__complaint_event="extension").count() == 2


def test_a_manager_extends_directly_with_a_reason(groups, agent_user, manager_user, received):
    complaint = make_complaint(recorded_by=agent_user)

    services.complaint_extend(
        complaint,
        by=manager_user,
        version=complaint.ticket.version,
        metric="complaint_investigation",
        working_days=1,
        reason="需要跨省协查",
    )

    extension = DeadlineExtension.objects.get(complaint=complaint)
    assert extension.status == "approved"
    assert extension.requested_by == extension.decided_by == manager_user
    assert dues(complaint)["complaint_investigation"] == at(10, 12)


def test_an_extension_stops_at_the_fifteen_day_reply_limit(
    groups, agent_user, legal_user, manager_user, received
):
    # R-1, P-2: the result feedback (due 13 October) may move, but never past
    # receipt + 15 calendar days (15 October 10:00), whatever the manager grants.
    complaint = make_complaint(recorded_by=agent_user)

    services.complaint_extend(
        complaint,
        by=manager_user,
        version=complaint.ticket.version,
        metric="complaint_feedback",
        working_days=5,
        reason="等待省公司核查",
    )

    extension = DeadlineExtension.objects.get(complaint=complaint)
    assert dues(complaint)["complaint_feedback"] == at(10, 15)
    assert extension.due_after.astimezone(SH) == at(10, 15)
    line = complaint.ticket.events.filter(data__complaint_event="extension").get()
    assert "申诉途径" in line.body  # the appeal path


def test_the_overall_limit_at_the_reply_limit_cannot_be_extended(
    groups, agent_user, manager_user, received
):
    # The 30-working-day cap is already held by the 15 calendar days: nothing to extend.
    complaint = make_complaint(recorded_by=agent_user)

    with pytest.raises(DomainError) as refusal:
        services.complaint_extend(
            complaint,
            by=manager_user,
            version=complaint.ticket.version,
            metric="complaint_overall",
            working_days=5,
            reason="需要跨省协查",
        )

    assert refusal.value.code == "reply_limit"
    assert "申诉途径" in refusal.value.message  # the appeal path
    assert dues(complaint)["complaint_overall"] == at(10, 15)
    assert not DeadlineExtension.objects.filter(complaint=complaint).exists()


def test_a_request_to_extend_past_the_reply_limit_is_refused_when_asked(
    groups, agent_user, legal_user, manager_user, received
):
    complaint = make_complaint(recorded_by=agent_user)
    services.complaint_extend(
        complaint,
        by=manager_user,
        version=complaint.ticket.version,
        metric="complaint_feedback",
        working_days=2,
        reason="等证据",
    )
    complaint.ticket.refresh_from_db()

    with pytest.raises(DomainError) as refusal:
        services.complaint_request_extension(
            complaint,
            by=legal_user,
            version=complaint.ticket.version,
            metric="complaint_feedback",
            working_days=1,
            reason="还要一天",
        )

    assert refusal.value.code == "reply_limit"
    assert "working_days" in refusal.value.details


def test_a_recomputation_keeps_an_extension_under_the_reply_limit(
    groups, agent_user, manager_user, received
):
    from sla.services import clocks_recompute

    complaint = make_complaint(recorded_by=agent_user)
    services.complaint_extend(
        complaint,
        by=manager_user,
        version=complaint.ticket.version,
        metric="complaint_feedback",
        working_days=5,
        reason="等待省公司核查",
    )

    clocks_recompute([complaint.pk])

    assert dues(complaint)["complaint_feedback"] == at(10, 15)


def test_a_refused_extension_leaves_the_deadline(
    groups, agent_user, legal_user, manager_user, received
):
    complaint = make_complaint(recorded_by=agent_user)
    request = services.complaint_request_extension(
        complaint,
        by=legal_user,
        version=complaint.ticket.version,
        metric="complaint_feedback",
        working_days=2,
        reason="想多要两天",
    )
    complaint.ticket.refresh_from_db()

    services.complaint_extend(
        complaint,
        by=manager_user,
        version=complaint.ticket.version,
        extension=request,
        decision="reject",
        note="理由不足",
    )

    request.refresh_from_db()
    assert request.status == "refused"
    assert dues(complaint)["complaint_feedback"] == at(10, 13)


def test_a_rejected_result_restarts_the_feedback_deadline(groups, agent_user, legal_user, received):
    complaint = make_complaint(recorded_by=agent_user)
    services.complaint_accept(complaint, by=legal_user, version=complaint.ticket.version)
    complaint.ticket.refresh_from_db()
    received.move_to(at(10, 9, 15))
    services.complaint_feedback(
        complaint,
        by=legal_user,
        version=complaint.ticket.version,
        cause="计费错误",
        measures="已退费",
        channel="sms",
    )
    complaint.ticket.refresh_from_db()
    assert "complaint_feedback" not in dues(complaint)

    services.complaint_dissatisfied(
        complaint,
        by=legal_user,
        version=complaint.ticket.version,
        note="金额不对",
        next_step="reopen",
    )

    # A new 5-working-day result deadline from the rejection on Friday 9 October:
    # the make-up Saturday 10, then 12, 13, 14 and 15 October.
    found = dues(complaint)
    assert found["complaint_feedback"] == at(10, 15, 15)
    assert found["complaint_overall"] == at(10, 15)
    assert Clock.objects.filter(ticket_id=complaint.pk, metric="complaint_feedback").count() == 2

"""Escalation (DOMAIN.md K-19, C-5, DESIGN.md §2.2): an overdue stage raises the support
level, overdue result feedback makes an upgraded complaint; each exactly once, however
often the SLA sweeper runs."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services
from complaints.choices import EscalationKind, SupportLevel, Tier
from complaints.models import Complaint, ComplaintEscalation
from csc.lib.errors import IllegalTransition
from sla import sweeper
from sla.models import Clock, EscalationRecord
from tests.factories import make_complaint
from worktickets.choices import TicketStatus

SH = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=SH)


def at(month, day, hour=10, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SH)


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return sweeper.sweep(now=moment)


def reload(complaint) -> Complaint:
    return Complaint.objects.select_related("ticket").get(pk=complaint.pk)


@pytest.fixture
def complaint(groups, agent_user):
    with time_machine.travel(RECEIVED, tick=False):
        return make_complaint(recorded_by=agent_user)


def test_overdue_acceptance_raises_the_support_level_once_however_often_swept(
    complaint, legal_user
):
    sweep_at(at(10, 8, 9, 59))
    assert reload(complaint).support_level == SupportLevel.L1

    sweep_at(at(10, 8, 10, 1))
    sweep_at(at(10, 8, 10, 2))
    sweep_at(at(10, 9, 12, 0))

    complaint = reload(complaint)
    assert complaint.support_level == SupportLevel.L2
    steps = ComplaintEscalation.objects.filter(complaint=complaint)
    assert steps.count() == 1
    step = steps.get()
    assert (step.kind, step.trigger, step.from_level, step.to_level) == (
        EscalationKind.RAISE_LEVEL,
        "overdue",
        1,
        2,
    )
    assert complaint.ticket.events.filter(data__complaint_event="escalation").count() == 1


def test_overdue_feedback_turns_the_complaint_into_an_upgraded_one_exactly_once(
    complaint, legal_user, manager_user
):
    with time_machine.travel(at(10, 8, 9, 0), tick=False):
        services.complaint_accept(complaint, by=legal_user, version=complaint.ticket.version)
        complaint = reload(complaint)
        services.complaint_investigate(complaint, by=legal_user, version=complaint.ticket.version)
        complaint = reload(complaint)
        services.complaint_handle(
            complaint, by=legal_user, version=complaint.ticket.version, findings="待核实"
        )

    sweep_at(at(10, 13, 10, 1))  # result feedback was due 13 October 10:00
    sweep_at(at(10, 13, 10, 5))
    sweep_at(at(10, 13, 12, 0))

    original = reload(complaint)
    upgraded = Complaint.objects.get(parent=original, tier=Tier.UPGRADED)
    assert Complaint.objects.filter(tier=Tier.UPGRADED).count() == 1
    assert original.ticket.status == TicketStatus.CLOSED
    assert upgraded.ticket.status == TicketStatus.NEW
    assert upgraded.support_level == SupportLevel.L2
    # The original's clocks all stopped, the swept one included: nothing left to sweep.
    assert not Clock.objects.filter(
        ticket_id=original.pk, state__in=["running", "breached"]
    ).exists()
    assert not Clock.objects.filter(ticket_id=original.pk, sweep_at__isnull=False).exists()
    feedback_clock = Clock.objects.get(ticket_id=original.pk, metric="complaint_feedback")
    assert (
        EscalationRecord.objects.get(
            clock=feedback_clock, level__actions__contains=["upgrade_complaint"]
        ).outcome
        == "done"
    )
    # The upgraded complaint runs at the upgraded tier's deadlines (24 h acceptance).
    acceptance = Clock.objects.get(ticket_id=upgraded.pk, metric="complaint_acceptance")
    assert acceptance.due_at - acceptance.started_at == datetime.timedelta(hours=24)


def test_the_overdue_escalation_service_acts_once_per_key(complaint):
    first = services.complaint_escalate_overdue(
        complaint.pk, mode=EscalationKind.RAISE_LEVEL, reason="受理超时", dedupe_key="clock:1:1"
    )
    second = services.complaint_escalate_overdue(
        complaint.pk, mode=EscalationKind.RAISE_LEVEL, reason="受理超时", dedupe_key="clock:1:1"
    )

    assert first is not None
    assert second is None
    assert reload(complaint).support_level == SupportLevel.L2


def test_an_overdue_upgrade_of_an_already_upgraded_complaint_does_nothing(complaint, legal_user):
    services.complaint_escalate(
        complaint,
        by=legal_user,
        version=complaint.ticket.version,
        mode="upgrade",
        reason="客户要求",
    )

    again = services.complaint_escalate_overdue(
        complaint.pk, mode=EscalationKind.UPGRADE, reason="反馈超时", dedupe_key="clock:9:9"
    )

    assert again is None
    assert Complaint.objects.filter(parent=complaint, tier=Tier.UPGRADED).count() == 1


def test_a_handler_raises_the_level_step_by_step_to_the_provincial_centre(complaint, legal_user):
    for expected in (SupportLevel.L2, SupportLevel.L3):
        complaint = reload(complaint)
        services.complaint_escalate(
            complaint,
            by=legal_user,
            version=complaint.ticket.version,
            mode="raise_level",
            reason="疑难",
        )
        assert reload(complaint).support_level == expected

    complaint = reload(complaint)
    with pytest.raises(IllegalTransition):
        services.complaint_escalate(
            complaint,
            by=legal_user,
            version=complaint.ticket.version,
            mode="raise_level",
            reason="再升",
        )


def test_an_upgraded_complaint_or_an_appeal_is_not_upgraded_again(complaint, legal_user):
    upgraded = services.complaint_escalate(
        complaint,
        by=legal_user,
        version=complaint.ticket.version,
        mode="upgrade",
        reason="客户要求",
    )

    with pytest.raises(IllegalTransition):
        services.complaint_escalate(
            upgraded, by=legal_user, version=upgraded.ticket.version, mode="upgrade", reason="再升"
        )

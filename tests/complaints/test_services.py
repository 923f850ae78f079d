"""Intake, stages, feedback and the customer's answer (DOMAIN.md C-20 to C-22, C-33, I-17)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from complaints import services
from complaints.choices import (
    Category,
    CustomerResponse,
    DissatisfiedNext,
    EventCode,
    FeedbackChannel,
    MajorReason,
    SupportLevel,
    Tier,
)
from complaints.models import Complaint, ComplaintEscalation, ComplaintSettings, Subcategory
from csc.lib.errors import DomainError, IllegalTransition, StaleVersion
from staffing.models import Notification, OutboxMessage
from tests.factories import AgentFactory, CustomerFactory, UserFactory, make_complaint
from worktickets.choices import TicketStatus


def _v(complaint: Complaint) -> int:
    complaint.ticket.refresh_from_db()
    return complaint.ticket.version


def walk_to_handling(complaint, by):
    services.complaint_accept(complaint, by=by, version=_v(complaint))
    services.complaint_investigate(complaint, by=by, version=_v(complaint))
    services.complaint_handle(complaint, by=by, version=_v(complaint), findings="计费系统重复扣费")
    return Complaint.objects.select_related("ticket").get(pk=complaint.pk)


def give_feedback(complaint, by, channel=FeedbackChannel.SMS):
    return services.complaint_feedback(
        complaint,
        by=by,
        version=_v(complaint),
        cause="计费系统升级时重复计费",
        measures="已退还多扣费用并修复计费规则",
        rectification="计费规则上线前增加复核",
        follow_up="三日内回访确认",
        channel=channel,
    )


# ---------------------------------------------------------------- intake


def test_a_complaint_records_who_how_to_reach_them_what_and_the_channel(groups, agent_user):
    customer = CustomerFactory(name="王芳", phone="13912345678")

    complaint = make_complaint(
        recorded_by=agent_user, customer=customer, channel="walk_in", content="宽带套餐多收费"
    )

    assert complaint.customer_name == "王芳"
    assert complaint.contact_phone == "13912345678"
    assert complaint.ticket.description == "宽带套餐多收费"
    assert complaint.ticket.channel == "walk_in"
    assert complaint.ticket.status == TicketStatus.NEW
    assert complaint.tier == Tier.COMPLAINT
    assert complaint.support_level == SupportLevel.L1
    assert complaint.ticket.number.startswith("T")


def test_an_unregistered_caller_is_recorded_by_name_and_contact(groups, agent_user):
    complaint = services.complaint_record(
        services.ComplaintIntake(
            channel="hotline",
            category=Category.BILLING,
            customer_name="李雷",
            contact_phone="139 1111 2222",
            region="rural",
            content="话费异常",
        ),
        recorded_by=agent_user,
    ).complaint

    assert complaint.ticket.customer is None
    assert complaint.contact_phone == "13911112222"
    assert complaint.region == "rural"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"content": "  "}, "content"),
        ({"category": "weather"}, "category"),
        ({"channel": "pigeon"}, "channel"),
        (
            {"customer": None, "customer_name": "", "contact_phone": "", "region": "urban"},
            "customer_name",
        ),
        ({"customer": None, "customer_name": "张三", "region": "urban"}, "contact_phone"),
        ({"contact_phone": "12"}, "contact_phone"),
        ({"tier": "upgraded"}, "tier"),
        ({"tier": "appeal"}, "parent"),
        ({"customer": None, "customer_name": "张三", "contact_phone": "13900001111"}, "region"),
    ],
)
def test_incomplete_intake_is_refused_naming_the_field(groups, agent_user, fields, field):
    base = {"customer": CustomerFactory(), "content": "多扣费"}
    base.update(fields)

    with pytest.raises(DomainError) as refusal:
        make_complaint(recorded_by=agent_user, **base)

    assert field in refusal.value.details


def test_a_subcategory_of_another_category_is_refused(groups, agent_user):
    with pytest.raises(DomainError) as refusal:
        make_complaint(
            recorded_by=agent_user, subcategory=Subcategory.objects.get(code="staff_attitude")
        )

    assert "subcategory" in refusal.value.details


def test_vip_and_major_complaints_get_a_higher_priority(groups, agent_user):
    vip = make_complaint(recorded_by=agent_user, customer=CustomerFactory(vip_tier="gold"))
    critical = make_complaint(recorded_by=agent_user, severity="critical")

    assert vip.ticket.priority == 3
    assert critical.ticket.priority == 4


def test_a_prepaid_tier_holder_gets_no_vip_complaint_priority(groups, agent_user):
    # CA-4: grade service (and its priority) is for postpaid VIPs only.
    prepaid = CustomerFactory(vip_tier="gold", payment_type="prepaid")

    complaint = make_complaint(recorded_by=agent_user, customer=prepaid)

    assert complaint.ticket.priority == 2


# ---------------------------------------------------------------- major complaints


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"severity": "major"}, MajorReason.SEVERITY),
        ({"severity": "critical"}, MajorReason.SEVERITY),
        ({"media_involved": True}, MajorReason.MEDIA),
        ({"regulator_involved": True}, MajorReason.REGULATOR),
    ],
)
def test_a_major_complaint_is_reported_to_the_leadership_group_at_once(
    groups, agent_user, manager_user, director_user, fields, reason
):
    complaint = make_complaint(recorded_by=agent_user, **fields)

    assert complaint.is_major
    assert reason in complaint.major_reasons
    told = Notification.objects.filter(kind="complaint.major")
    assert set(told.values_list("recipient__username", flat=True)) == {"manager1", "director1"}
    assert complaint.leadership_notified_at is not None


def test_an_ordinary_complaint_does_not_alarm_the_leadership_group(
    groups, agent_user, manager_user
):
    complaint = make_complaint(recorded_by=agent_user)

    assert not complaint.is_major
    assert not Notification.objects.filter(kind="complaint.major").exists()


def test_major_criteria_are_configurable(groups, agent_user, manager_user):
    ComplaintSettings.objects.update(major_on_media=False)

    complaint = make_complaint(recorded_by=agent_user, media_involved=True)

    assert not complaint.is_major


# ---------------------------------------------------------------- stages


def test_a_complaint_walks_every_stage_to_closed(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)

    complaint = walk_to_handling(complaint, legal_user)
    assert complaint.ticket.status == TicketStatus.HANDLING
    assert complaint.ticket.assignee == legal_user
    assert complaint.accepted_at is not None

    give_feedback(complaint, legal_user)
    complaint.refresh_from_db()
    complaint.ticket.refresh_from_db()
    assert complaint.ticket.status == TicketStatus.FEEDBACK_GIVEN
    assert complaint.ticket.status_category == "waiting_customer"

    services.complaint_confirm(complaint, by=legal_user, version=_v(complaint), note="满意")
    services.complaint_close(complaint, by=legal_user, version=_v(complaint))
    complaint.refresh_from_db()
    complaint.ticket.refresh_from_db()

    assert complaint.ticket.status == TicketStatus.CLOSED
    assert complaint.customer_response == CustomerResponse.CONFIRMED
    assert complaint.ticket.resolved_at is not None
    stages = list(
        complaint.ticket.events.filter(kind="status_changed").values_list("to_status", flat=True)
    )
    assert stages == [
        "accepted",
        "investigating",
        "handling",
        "feedback_given",
        "confirmed",
        "closed",
    ]
    # 首问负责制: the agent who took the complaint hears it is closed.
    assert Notification.objects.filter(recipient=agent_user, kind="complaint.closed").exists()


def test_a_stale_version_is_refused(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)
    version = complaint.ticket.version
    services.complaint_accept(complaint, by=legal_user, version=version)

    with pytest.raises(StaleVersion):
        services.complaint_investigate(complaint, by=legal_user, version=version)


def test_an_action_out_of_stage_is_an_illegal_transition(groups, agent_user, legal_user):
    complaint = make_complaint(recorded_by=agent_user)

    with pytest.raises(IllegalTransition) as refusal:
        services.complaint_close(complaint, by=legal_user, version=complaint.ticket.version)

    assert "accept" in refusal.value.details["allowed"]


# ---------------------------------------------------------------- feedback


@pytest.mark.parametrize(
    ("channel", "recipient"),
    [
        (FeedbackChannel.SMS, "13955556666"),
        (FeedbackChannel.EMAIL, "fang@example.com"),
        (FeedbackChannel.LETTER, "王芳\n北京市朝阳区建国路 1 号"),
    ],
)
def test_feedback_goes_to_the_customer_through_the_outbox(
    groups, agent_user, legal_user, channel, recipient
):
    customer = CustomerFactory(name="王芳", phone="13955556666")
    complaint = make_complaint(
        recorded_by=agent_user,
        customer=customer,
        contact_email="fang@example.com",
        contact_address="北京市朝阳区建国路 1 号",
    )
    complaint = walk_to_handling(complaint, legal_user)

    feedback = give_feedback(complaint, legal_user, channel=channel)

    message = OutboxMessage.objects.get(dedupe_key=f"complaint-feedback:{feedback.pk}")
    assert message.channel == channel
    assert message.recipient == recipient
    assert "计费系统升级时重复计费" in message.body
    assert "已退还多扣费用并修复计费规则" in message.body
    assert "计费规则上线前增加复核" in message.body
    assert "三日内回访确认" in message.body
    assert complaint.ticket.number in message.subject
    assert feedback.message == message
    assert feedback.due_at is not None and feedback.on_time


def test_feedback_by_email_without_an_address_is_refused(groups, agent_user, legal_user):
    complaint = walk_to_handling(make_complaint(recorded_by=agent_user), legal_user)

    with pytest.raises(DomainError) as refusal:
        give_feedback(complaint, legal_user, channel=FeedbackChannel.EMAIL)

    assert refusal.value.code == "no_recipient"
    assert not OutboxMessage.objects.exists()


def test_feedback_states_the_approved_compensation(groups, agent_user, legal_user, handler_user):
    complaint = walk_to_handling(make_complaint(recorded_by=agent_user), handler_user)
    proposal = services.compensation_propose(
        complaint,
        by=handler_user,
        version=_v(complaint),
        kind="fee_credit",
        amount=30,
        reason="多扣",
    )
    services.compensation_decide(
        complaint, by=legal_user, version=_v(complaint), compensation=proposal, decision="approve"
    )

    feedback = give_feedback(complaint, handler_user)

    assert "¥30" in feedback.compensation_text
    assert "¥30" in feedback.message.body


def test_feedback_waits_for_a_pending_compensation_decision(groups, agent_user, handler_user):
    complaint = walk_to_handling(make_complaint(recorded_by=agent_user), handler_user)
    services.compensation_propose(
        complaint,
        by=handler_user,
        version=_v(complaint),
        kind="fee_credit",
        amount=30,
        reason="多扣",
    )

    with pytest.raises(IllegalTransition):
        give_feedback(complaint, handler_user)


def test_a_dissatisfied_customer_reopens_the_complaint(groups, agent_user, legal_user):
    complaint = walk_to_handling(make_complaint(recorded_by=agent_user), legal_user)
    feedback = give_feedback(complaint, legal_user)

    services.complaint_dissatisfied(
        complaint,
        by=legal_user,
        version=_v(complaint),
        note="退款金额不对",
        next_step=DissatisfiedNext.REOPEN,
    )

    complaint.refresh_from_db()
    feedback.refresh_from_db()
    assert complaint.ticket.status == TicketStatus.HANDLING
    assert feedback.response == CustomerResponse.DISSATISFIED
    assert feedback.response_note == "退款金额不对"


def test_a_dissatisfied_customer_can_have_the_complaint_upgraded(
    groups, agent_user, legal_user, manager_user
):
    complaint = walk_to_handling(make_complaint(recorded_by=agent_user), legal_user)
    give_feedback(complaint, legal_user)

    upgraded = services.complaint_dissatisfied(
        complaint,
        by=legal_user,
        version=_v(complaint),
        note="要求上级处理",
        next_step=DissatisfiedNext.UPGRADE,
    )

    complaint.refresh_from_db()
    assert upgraded.tier == Tier.UPGRADED
    assert upgraded.parent == complaint
    assert upgraded.support_level == SupportLevel.L2
    assert upgraded.ticket.status == TicketStatus.NEW
    assert complaint.ticket.status == TicketStatus.CLOSED
    escalation = ComplaintEscalation.objects.get(complaint=complaint)
    assert escalation.upgraded_to == upgraded
    assert escalation.trigger == "dissatisfied"
    assert Notification.objects.filter(recipient=manager_user, kind="complaint.escalated").exists()


def test_a_closed_complaint_is_reopened_when_the_customer_comes_back(
    groups, agent_user, legal_user
):
    complaint = walk_to_handling(make_complaint(recorded_by=agent_user), legal_user)
    give_feedback(complaint, legal_user)
    services.complaint_confirm(complaint, by=legal_user, version=_v(complaint))
    services.complaint_close(complaint, by=legal_user, version=_v(complaint))

    services.complaint_reopen(complaint, by=legal_user, version=_v(complaint), reason="问题复现")

    complaint.ticket.refresh_from_db()
    assert complaint.ticket.status == TicketStatus.HANDLING
    assert complaint.ticket.closed_at is None


def test_repair_is_recorded_for_service_faults_only(groups, agent_user, tech_user, legal_user):
    fault = make_complaint(
        recorded_by=agent_user,
        category=Category.SERVICE_FAULT,
        service_type="mobile",
        promised_repair_at=timezone.now() + timedelta(hours=6),
    )
    billing = make_complaint(recorded_by=agent_user)

    services.complaint_record_repair(fault, by=tech_user, version=_v(fault), note="基站恢复")
    with pytest.raises(IllegalTransition):
        services.complaint_record_repair(billing, by=legal_user, version=_v(billing))

    fault.refresh_from_db()
    assert fault.repaired_at is not None
    assert fault.ticket.events.filter(data__complaint_event=EventCode.REPAIR).exists()


# ---------------------------------------------------------------- appeals


def test_an_appeal_links_the_complaint_it_appeals_and_tells_the_cs_manager(
    groups, agent_user, manager_user
):
    original = make_complaint(recorded_by=agent_user)

    appeal = services.complaint_record(
        services.ComplaintIntake(
            channel="web",
            tier=Tier.APPEAL,
            parent=original,
            regulator_reference="GXB-2026-0001",
            content="对处理结果不满，向工信部申诉",
        ),
        recorded_by=agent_user,
    ).complaint

    assert appeal.parent == original
    assert appeal.category == original.category
    assert appeal.ticket.customer == original.ticket.customer
    assert appeal.support_level == SupportLevel.L3
    assert Notification.objects.filter(recipient=manager_user, kind="complaint.appeal").exists()
    assert original.ticket.events.filter(data__complaint_event=EventCode.APPEALED).exists()


def test_an_appeal_of_another_customers_complaint_is_refused(groups, agent_user):
    original = make_complaint(recorded_by=agent_user)

    with pytest.raises(DomainError) as refusal:
        make_complaint(
            recorded_by=agent_user, tier=Tier.APPEAL, parent=original, customer=CustomerFactory()
        )

    assert "parent" in refusal.value.details


def test_an_appeal_of_a_fault_keeps_the_repair_time_promised_then(groups, agent_user):
    with time_machine.travel(timezone.now() - timedelta(days=3), tick=False):
        fault = make_complaint(
            recorded_by=agent_user,
            category=Category.SERVICE_FAULT,
            service_type="mobile",
            promised_repair_at=timezone.now() + timedelta(hours=10),
        )

    appeal = make_complaint(
        recorded_by=agent_user,
        tier=Tier.APPEAL,
        parent=fault,
        customer=fault.ticket.customer,
        category="",
    )

    assert appeal.category == Category.SERVICE_FAULT
    assert appeal.promised_repair_at == fault.promised_repair_at


def test_a_compensation_notice_reaches_only_approvers_who_may_open_the_complaint(
    groups, agent_user, legal_user, handler_user
):
    # Market & legal of another group hold the approval permission but may not open
    # this complaint (it may be about a colleague): the notice names it, so not them.
    elsewhere = UserFactory(username="legal-elsewhere", roles=["market_legal"])
    AgentFactory(user=elsewhere, team=groups["tech"])
    complaint = walk_to_handling(make_complaint(recorded_by=agent_user), handler_user)

    services.compensation_propose(
        complaint,
        by=handler_user,
        version=_v(complaint),
        kind="fee_credit",
        amount=30,
        reason="多扣",
    )

    told = set(
        Notification.objects.filter(kind="complaint.compensation_proposed").values_list(
            "recipient__username", flat=True
        )
    )
    assert legal_user.username in told
    assert elsewhere.username not in told

"""Compensation (DOMAIN.md C-16, C-32): a handler proposes; market & legal approve; the CS
manager approves too above a configurable amount; every decision is recorded."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import deadlines, selectors, services
from complaints.models import Complaint, ComplaintSettings
from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from staffing.models import Notification
from tests.factories import make_complaint


def fresh(complaint) -> Complaint:
    return Complaint.objects.select_related("ticket").get(pk=complaint.pk)


@pytest.fixture
def complaint(groups, agent_user, handler_user):
    complaint = make_complaint(recorded_by=agent_user)
    services.complaint_accept(complaint, by=handler_user, version=complaint.ticket.version)
    return fresh(complaint)


def propose(complaint, by, amount, kind="fee_credit", remedy=""):
    return services.compensation_propose(
        fresh(complaint),
        by=by,
        version=fresh(complaint).ticket.version,
        kind=kind,
        amount=Decimal(amount) if amount is not None else None,
        remedy=remedy,
        reason="计费错误导致多扣费",
    )


def decide(complaint, by, compensation, decision="approve", note=""):
    return services.compensation_decide(
        fresh(complaint),
        by=by,
        version=fresh(complaint).ticket.version,
        compensation=compensation,
        decision=decision,
        note=note,
    )


def test_at_or_below_the_threshold_market_and_legal_approve_alone(
    complaint, handler_user, legal_user
):
    proposal = propose(complaint, handler_user, "500.00")

    decided = decide(complaint, legal_user, proposal)

    assert not decided.needs_manager
    assert decided.status == "approved"
    assert list(decided.decisions.values_list("stage", "decision", "by__username")) == [
        ("market_legal", "approve", "legal1")
    ]
    assert Notification.objects.filter(
        recipient=handler_user, kind="complaint.compensation_decided"
    ).exists()


def test_above_the_threshold_the_cs_manager_approves_after_market_and_legal(
    complaint, handler_user, legal_user, manager_user
):
    proposal = propose(complaint, handler_user, "500.01")
    assert proposal.needs_manager
    assert Notification.objects.filter(
        recipient=legal_user, kind="complaint.compensation_proposed"
    ).exists()

    after_legal = decide(complaint, legal_user, proposal)
    assert after_legal.status == "awaiting_manager"
    assert Notification.objects.filter(
        recipient=manager_user, kind="complaint.compensation_proposed"
    ).exists()
    with pytest.raises(NotAllowed):
        decide(complaint, legal_user, proposal)

    approved = decide(complaint, manager_user, proposal, note="金额合理")

    assert approved.status == "approved"
    assert list(approved.decisions.values_list("stage", "by__username")) == [
        ("market_legal", "legal1"),
        ("cs_manager", "manager1"),
    ]


def test_the_threshold_is_configurable(complaint, handler_user, legal_user):
    ComplaintSettings.objects.update(compensation_manager_threshold=Decimal("50"))

    proposal = propose(complaint, handler_user, "60")

    assert proposal.needs_manager
    assert proposal.threshold == Decimal("50")
    assert decide(complaint, legal_user, proposal).status == "awaiting_manager"


def test_the_cs_manager_cannot_skip_market_and_legal(
    complaint, handler_user, legal_user, manager_user
):
    proposal = propose(complaint, handler_user, "800")

    with pytest.raises(NotAllowed):
        decide(complaint, manager_user, proposal)


def test_a_handler_cannot_approve(complaint, handler_user, agent_user):
    proposal = propose(complaint, handler_user, "20")

    with pytest.raises(NotAllowed):
        decide(complaint, handler_user, proposal)


def test_nobody_approves_their_own_proposal(complaint, legal_user):
    proposal = propose(complaint, legal_user, "20")

    with pytest.raises(NotAllowed):
        decide(complaint, legal_user, proposal)


def test_a_rejection_needs_its_reason_and_ends_the_proposal(complaint, handler_user, legal_user):
    proposal = propose(complaint, handler_user, "20")

    with pytest.raises(DomainError) as refusal:
        decide(complaint, legal_user, proposal, decision="reject")
    assert "note" in refusal.value.details

    rejected = decide(complaint, legal_user, proposal, decision="reject", note="属于正常计费")
    assert rejected.status == "rejected"
    with pytest.raises(IllegalTransition):
        decide(complaint, legal_user, proposal)


@pytest.mark.parametrize(
    ("kind", "amount", "remedy", "field"),
    [
        ("fee_credit", None, "", "amount"),
        ("fee_credit", "-5", "", "amount"),
        ("equipment", None, "", "remedy"),
        ("cake", "5", "", "kind"),
    ],
)
def test_an_incomplete_proposal_is_refused(complaint, handler_user, kind, amount, remedy, field):
    with pytest.raises(DomainError) as refusal:
        propose(complaint, handler_user, amount, kind=kind, remedy=remedy)

    assert field in refusal.value.details


def test_a_non_cash_remedy_needs_no_amount(complaint, handler_user, legal_user):
    proposal = propose(complaint, handler_user, None, kind="equipment", remedy="免费更换光猫")

    assert decide(complaint, legal_user, proposal).status == "approved"


# ---------------------------------------------------------------- who decides next


def requests_to(user):
    return Notification.objects.filter(recipient=user, kind="complaint.compensation_proposed")


def test_another_member_of_market_and_legal_decides_a_members_proposal(
    complaint, legal_user, legal_user2
):
    proposal = propose(complaint, legal_user, "20")

    assert proposal.status == "proposed"
    assert not requests_to(legal_user).exists()
    assert requests_to(legal_user2).exists()
    assert decide(complaint, legal_user2, proposal).status == "approved"


def test_a_lone_market_and_legal_members_proposal_goes_to_the_cs_manager(
    complaint, legal_user, manager_user
):
    proposal = propose(complaint, legal_user, "20")

    assert proposal.status == "awaiting_manager"
    assert requests_to(manager_user).exists()
    approved = decide(complaint, manager_user, proposal)
    assert approved.status == "approved"
    assert list(approved.decisions.values_list("stage", "by__username")) == [
        ("cs_manager", "manager1")
    ]
    feedback = services.complaint_feedback(
        fresh(complaint),
        by=legal_user,
        version=fresh(complaint).ticket.version,
        cause="计费系统配置错误",
        measures="已退还多扣费用",
        channel="sms",
    )
    assert feedback.pk is not None


def test_when_market_and_legal_may_not_open_the_complaint_the_cs_manager_decides(
    groups, agent_user, lead_user, legal_user, manager_user
):
    # A service-quality complaint stays with the agent's team lead (DOMAIN.md P-4).
    complaint = make_complaint(recorded_by=agent_user, category="service_quality")
    services.complaint_accept(complaint, by=lead_user, version=complaint.ticket.version)

    proposal = propose(complaint, lead_user, "20")

    assert proposal.status == "awaiting_manager"
    assert not requests_to(legal_user).exists()
    assert requests_to(manager_user).exists()
    assert decide(complaint, manager_user, proposal).status == "approved"


def test_the_next_decision_names_who_may_take_it_and_by_when(
    complaint, handler_user, legal_user, legal_user2, manager_user
):
    proposal = propose(complaint, legal_user, "800")

    step = selectors.next_decision(fresh(complaint), proposal)

    assert step.stage == "market_legal"
    assert [p.username for p in step.people] == ["legal2"]
    assert step.due_at == deadlines.open_clock(fresh(complaint), deadlines.FEEDBACK).due_at
    assert step.due_at is not None
    decide(complaint, legal_user2, proposal)
    proposal.refresh_from_db()
    step = selectors.next_decision(fresh(complaint), proposal)
    assert step.stage == "cs_manager"
    assert "manager1" in [p.username for p in step.people]
    decide(complaint, manager_user, proposal)
    proposal.refresh_from_db()
    assert selectors.next_decision(fresh(complaint), proposal) is None


def test_a_decision_marks_every_request_for_it_done_whoever_takes_it(
    complaint, handler_user, legal_user, legal_user2, manager_user, director_user
):
    proposal = propose(complaint, handler_user, "800")
    decide(complaint, legal_user, proposal)
    assert requests_to(legal_user2).get().read_at is not None
    assert requests_to(director_user).get().read_at is None

    decide(complaint, manager_user, proposal)

    assert requests_to(director_user).get().read_at is not None
    assert requests_to(manager_user).get().read_at is not None


def test_the_card_says_who_decides_next_and_stops_asking_once_decided(
    client, complaint, handler_user, legal_user, legal_user2, manager_user
):
    proposal = propose(complaint, handler_user, "800")
    client.force_login(manager_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("complaints:detail", args=[complaint.pk])
    due = deadlines.open_clock(fresh(complaint), deadlines.FEEDBACK).due_at

    page = client.get(url).content.decode()
    assert "Next decision:" in page
    assert legal_user.display_name in page and legal_user2.display_name in page
    assert timezone.localtime(due).strftime("%Y-%m-%d %H:%M") in page
    assert "the CS manager approves too" in page

    decide(complaint, legal_user, proposal)
    decide(complaint, manager_user, proposal)
    page = client.get(url).content.decode()

    assert "Next decision:" not in page
    assert "the CS manager approves too" not in page

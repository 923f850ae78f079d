"""待我审批 (issue: an inbox for every approval): compensations, deadline extensions and
business orders needing approval, each listed for the people who may decide it and
decided in place through its own app's service."""

from decimal import Decimal

import pytest
from django.urls import reverse

from complaints import services
from complaints.models import Compensation, Complaint, DeadlineExtension
from csc import approvals
from tests.factories import CustomerFactory, business_type, make_complaint, make_ticket
from worktickets import services as ticket_services
from worktickets.models import Ticket


def fresh(complaint) -> Complaint:
    return Complaint.objects.select_related("ticket").get(pk=complaint.pk)


@pytest.fixture
def complaint(groups, agent_user, handler_user):
    complaint = make_complaint(recorded_by=agent_user)
    services.complaint_accept(complaint, by=handler_user, version=complaint.ticket.version)
    return fresh(complaint)


def propose(complaint, by, amount="800.00") -> Compensation:
    return services.compensation_propose(
        fresh(complaint),
        by=by,
        version=fresh(complaint).ticket.version,
        kind="fee_credit",
        amount=Decimal(amount),
        remedy="",
        reason="计费错误导致多扣费",
    )


def request_extension(complaint, by) -> DeadlineExtension:
    return services.complaint_request_extension(
        fresh(complaint),
        by=by,
        version=fresh(complaint).ticket.version,
        metric="complaint_feedback",
        working_days=2,
        reason="证据需要 7 天才能收齐",
    )


def order_awaiting_approval(agent) -> Ticket:
    ticket = make_ticket(
        created_by=agent,
        kind="business",
        customer=CustomerFactory(payment_type="postpaid"),
        business_type=business_type("ownership_transfer"),
        subject="过户办理",
        channel="walk_in",
    )
    return ticket_services.business_review(
        ticket, by=agent, version=ticket.version, identity_verified=True
    )


def keys(user) -> list[str]:
    return [item.key for item in approvals.awaiting_decision(user)]


def decide(client, item_kind, pk, version, decision, note="", htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("approval_decide", args=[item_kind, pk]),
        {"decision": decision, "note": note, "version": version},
        **headers,
    )


def test_a_compensation_waits_for_legal_but_never_for_its_proposer_then_for_the_manager(
    client, complaint, handler_user, legal_user, legal_user2, manager_user
):
    proposal = propose(complaint, legal_user)  # above the 500 yuan threshold

    assert keys(legal_user) == []
    assert keys(legal_user2) == [f"compensation-{proposal.pk}"]
    assert f"compensation-{proposal.pk}" not in keys(manager_user)

    client.force_login(legal_user2)
    answer = decide(client, "compensation", proposal.pk, fresh(complaint).ticket.version, "approve")
    assert answer.status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "awaiting_manager"
    assert keys(legal_user2) == []
    assert keys(manager_user) == [f"compensation-{proposal.pk}"]

    client.force_login(manager_user)
    page = client.get(reverse("approvals"))
    assert fresh(complaint).ticket.number in page.content.decode()
    decide(client, "compensation", proposal.pk, fresh(complaint).ticket.version, "approve")
    proposal.refresh_from_db()
    assert proposal.status == "approved"
    assert keys(manager_user) == []


def test_a_rejection_without_a_note_is_refused_beside_the_note_and_keeps_nothing_lost(
    client, complaint, handler_user, legal_user
):
    proposal = propose(complaint, handler_user, "200.00")
    client.force_login(legal_user)

    answer = decide(client, "compensation", proposal.pk, fresh(complaint).ticket.version, "reject")

    assert answer.status_code == 400
    body = answer.content.decode()
    assert f'id="approval-compensation-{proposal.pk}"' in body
    assert 'aria-invalid="true"' in body
    proposal.refresh_from_db()
    assert proposal.status == "proposed"

    page = decide(
        client,
        "compensation",
        proposal.pk,
        fresh(complaint).ticket.version,
        "reject",
        note="   ",
        htmx=False,
    )
    assert page.status_code == 400
    assert "<html" in page.content.decode()


def test_an_extension_is_approved_in_place_by_the_cs_manager(
    client, complaint, legal_user, manager_user
):
    extension = request_extension(complaint, legal_user)
    assert keys(legal_user) == []
    assert keys(manager_user) == [f"extension-{extension.pk}"]
    client.force_login(manager_user)

    answer = decide(client, "extension", extension.pk, fresh(complaint).ticket.version, "approve")

    assert answer.status_code == 200
    extension.refresh_from_db()
    assert (extension.status, extension.decided_by) == ("approved", manager_user)
    assert keys(manager_user) == []


def test_a_business_order_awaiting_approval_waits_for_its_team_lead(client, agent_user, lead_user):
    ticket = order_awaiting_approval(agent_user)
    assert keys(lead_user) == [f"business_order-{ticket.pk}"]
    client.force_login(lead_user)

    refused = decide(client, "business_order", ticket.pk, ticket.version, "reject")
    assert refused.status_code == 400
    done = decide(client, "business_order", ticket.pk, ticket.version, "reject", note="资料不全")

    assert done.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rejection_reason) == ("rejected", "资料不全")
    assert keys(lead_user) == []


def test_a_request_decided_meanwhile_says_so_in_place(
    client, complaint, handler_user, legal_user, legal_user2
):
    proposal = propose(complaint, handler_user, "200.00")
    version = fresh(complaint).ticket.version
    services.compensation_decide(
        fresh(complaint),
        by=legal_user2,
        version=version,
        compensation=proposal,
        decision="approve",
    )
    client.force_login(legal_user)

    answer = decide(client, "compensation", proposal.pk, version, "approve")

    assert answer.status_code == 409
    assert "approval-done" in answer.content.decode()


def test_people_who_decide_nothing_have_no_inbox(client, agent_user):
    client.force_login(agent_user)

    assert client.get(reverse("approvals")).status_code == 403
    assert decide(client, "compensation", 1, 1, "approve").status_code == 403
    home = client.get(reverse("home")).content.decode()
    assert reverse("approvals") not in home


def test_the_inbox_costs_the_same_queries_for_one_request_or_many(
    client,
    groups,
    agent_user,
    handler_user,
    legal_user,
    manager_user,
    lead_user,
    django_assert_max_num_queries,
):
    def one_of_each():
        complaint = make_complaint(recorded_by=agent_user)
        services.complaint_accept(complaint, by=handler_user, version=complaint.ticket.version)
        propose(complaint, handler_user, "200.00")
        request_extension(complaint, legal_user)

    one_of_each()
    client.force_login(manager_user)
    # Deciding all three kinds: market & legal's and a team lead's roles too.
    manager_user.groups.add(*lead_user.groups.all(), *legal_user.groups.all())
    order_awaiting_approval(agent_user)
    client.get(reverse("approvals"))

    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("approvals")).status_code == 200
    for _ in range(3):
        one_of_each()
        order_awaiting_approval(agent_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("approvals")).content.decode()
    assert page.count('class="approval-decision"') == 12

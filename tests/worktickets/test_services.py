import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed, StaleVersion
from staffing.models import Notification
from tests.factories import AgentFactory, CustomerFactory, UserFactory, business_type, make_ticket
from worktickets import services
from worktickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def event_kinds(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))


def test_ticket_number_counts_per_local_day(agent_user):
    with time_machine.travel(datetime.datetime(2026, 11, 21, 23, 59, tzinfo=datetime.UTC)):
        # 07:59 on 22 November in Shanghai: the local day decides the number.
        first = make_ticket(created_by=agent_user)
        second = make_ticket(created_by=agent_user)
    assert first.number == "T20261122-000001"
    assert second.number == "T20261122-000002"
    with time_machine.travel(datetime.datetime(2026, 11, 22, 16, 1, tzinfo=datetime.UTC)):
        next_day = make_ticket(created_by=agent_user)
    assert next_day.number == "T20261123-000001"


def test_inquiry_walks_through_every_state_and_records_each_step(agent_user, lead_user):
    ticket = make_ticket(created_by=agent_user)
    assert (ticket.status, ticket.status_category, ticket.version) == ("new", "open", 1)
    assert ticket.first_contact_agent == agent_user
    ticket = services.ticket_accept(ticket, by=agent_user, version=1)
    assert (ticket.status, ticket.assignee) == ("in_progress", agent_user)
    ticket = services.ticket_reply(ticket, by=agent_user, version=ticket.version, body="您好")
    assert ticket.first_response_at is not None
    ticket = services.ticket_hold(
        ticket, by=agent_user, version=ticket.version, reason="等客户重启"
    )
    assert (ticket.status, ticket.status_category) == ("pending_customer", "waiting_customer")
    ticket = services.ticket_resume(ticket, by=agent_user, version=ticket.version)
    assert ticket.status == "in_progress"
    ticket = services.ticket_resolve(
        ticket, by=agent_user, version=ticket.version, resolution="已重置网络"
    )
    assert (ticket.status, ticket.resolution) == ("resolved", "已重置网络")
    ticket = services.ticket_close(ticket, by=agent_user, version=ticket.version)
    assert (ticket.status, ticket.status_category) == ("closed", "closed")
    assert ticket.closed_at is not None
    assert event_kinds(ticket) == [
        "created",
        "status_changed",
        "accepted",
        "reply",
        "status_changed",
        "status_changed",
        "status_changed",
        "status_changed",
    ]
    assert ticket.version == 7
    assert ticket.history.count() == 7


def test_illegal_transition_is_refused_and_changes_nothing(agent_user):
    ticket = make_ticket(created_by=agent_user)
    events_before = TicketEvent.objects.count()
    with pytest.raises(IllegalTransition, match=r"新建|New"):
        services.ticket_close(ticket, by=agent_user, version=1)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("new", 1)
    assert TicketEvent.objects.count() == events_before


def test_stale_version_is_refused_naming_who_changed_it(agent_user, lead_user):
    ticket = make_ticket(created_by=agent_user)
    services.ticket_accept(ticket, by=lead_user, version=1)
    with pytest.raises(StaleVersion) as refused:
        services.ticket_update(ticket, by=agent_user, version=1, subject="改过的主题")
    assert lead_user.display_name in refused.value.message
    assert refused.value.details["current_version"] == 2
    ticket.refresh_from_db()
    assert ticket.subject == "查询流量余额"


def test_an_agent_keeps_what_they_open_for_their_own_team(agent_user, other_team):
    kept = make_ticket(created_by=agent_user)
    queued = make_ticket(created_by=agent_user, to_team_queue=True)
    sent = make_ticket(created_by=agent_user, team=other_team)
    named = make_ticket(created_by=agent_user, assignee=UserFactory())
    by_integration = make_ticket(created_by=UserFactory(), team=agent_user.agent.team)

    assert kept.assignee == agent_user
    assert kept.history.get().assignee_id == agent_user.pk  # written so at creation
    assert [t.assignee for t in (queued, sent, by_integration)] == [None, None, None]
    assert named.assignee != agent_user


def test_reassigning_to_the_holder_changes_nothing_and_says_so(agent_user, lead_user):
    ticket = make_ticket(created_by=lead_user, assignee=agent_user)

    with pytest.raises(DomainError) as refused:
        services.ticket_reassign(ticket, by=lead_user, version=1, assignee=agent_user)

    assert refused.value.code == "no_change"
    assert list(refused.value.details) == ["assignee"]
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.version) == (agent_user, 1)
    assert event_kinds(ticket) == ["created"]
    assert not Notification.objects.filter(recipient=agent_user).exists()


def test_reassigning_a_pending_transfer_to_its_receiver_hands_it_over(
    agent_user, lead_user, hotline_team
):
    ticket = make_ticket(created_by=lead_user)
    ticket = services.ticket_transfer(
        ticket,
        by=lead_user,
        version=ticket.version,
        team=hotline_team,
        assignee=agent_user,
        reason="请跟进",
    )

    ticket = services.ticket_reassign(
        ticket, by=lead_user, version=ticket.version, assignee=agent_user
    )

    assert (ticket.assignee, ticket.transfer_pending) == (agent_user, False)


def test_transfer_keeps_first_contact_agent_and_waits_for_acceptance(
    agent_user, outsider_user, other_team
):
    ticket = make_ticket(created_by=agent_user)
    ticket = services.ticket_accept(ticket, by=agent_user, version=1)
    with pytest.raises(DomainError):
        services.ticket_transfer(
            ticket, by=agent_user, version=ticket.version, reason="", team=other_team
        )
    ticket = services.ticket_transfer(
        ticket,
        by=agent_user,
        version=ticket.version,
        reason="需要宽带组处理",
        assignee=outsider_user,
    )
    assert ticket.team == other_team
    assert ticket.transfer_pending
    assert ticket.first_contact_agent == agent_user
    assert Notification.objects.filter(recipient=outsider_user, kind="ticket.transferred").exists()
    ticket = services.ticket_accept(ticket, by=outsider_user, version=ticket.version)
    assert not ticket.transfer_pending
    assert ticket.assignee == outsider_user
    assert ticket.first_contact_agent == agent_user
    transfer = TicketEvent.objects.get(ticket=ticket, kind="transfer")
    assert transfer.body == "需要宽带组处理"
    assert transfer.data["to_team"] == other_team.name


def test_first_contact_agent_is_notified_when_someone_else_closes(agent_user, outsider_user):
    ticket = make_ticket(created_by=agent_user, assignee=outsider_user)
    ticket = services.ticket_resolve(ticket, by=outsider_user, version=1, resolution="已解决")
    services.ticket_close(ticket, by=outsider_user, version=ticket.version)
    note = Notification.objects.get(recipient=agent_user, kind="ticket.closed")
    assert ticket.number in note.title
    assert "notified" in event_kinds(ticket)


def test_reopen_only_within_the_window(agent_user, settings):
    settings.TICKET_REOPEN_WINDOW_DAYS = 7
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(created_by=agent_user)
        ticket = services.ticket_resolve(ticket, by=agent_user, version=1, resolution="ok")
        ticket = services.ticket_close(ticket, by=agent_user, version=ticket.version)
    with time_machine.travel(start + datetime.timedelta(days=7), tick=False):
        reopened = services.ticket_reopen(
            ticket, by=agent_user, version=ticket.version, reason="又坏了"
        )
        assert reopened.status == "in_progress"
        assert reopened.resolved_at is None
        reopened = services.ticket_resolve(
            reopened, by=agent_user, version=reopened.version, resolution="ok"
        )
    with (
        time_machine.travel(start + datetime.timedelta(days=14, minutes=1), tick=False),
        pytest.raises(IllegalTransition, match="7"),
    ):
        services.ticket_reopen(reopened, by=agent_user, version=reopened.version, reason="again")


def test_only_inquiry_and_business_open_here(agent_user):
    with pytest.raises(DomainError):
        make_ticket(created_by=agent_user, kind="complaint")


# ---------------------------------------------------------------- business


@pytest.fixture
def postpaid():
    return CustomerFactory(payment_type="postpaid", vip_tier="none")


@pytest.fixture
def prepaid():
    return CustomerFactory(payment_type="prepaid", vip_tier="none")


def business(agent, customer, code, channel="walk_in"):
    return make_ticket(
        created_by=agent,
        kind="business",
        customer=customer,
        channel=channel,
        business_type=business_type(code),
        subject="业务办理",
    )


def test_business_order_without_approval_goes_review_then_deliver(agent_user, postpaid):
    ticket = business(agent_user, postpaid, "sim_replacement")
    assert ticket.status == "accepted"
    with pytest.raises(DomainError, match=r"identity|身份"):
        services.business_review(ticket, by=agent_user, version=1, identity_verified=False)
    ticket = services.business_review(ticket, by=agent_user, version=1, identity_verified=True)
    assert ticket.status == "reviewed"
    with pytest.raises(IllegalTransition):
        services.business_approve(ticket, by=agent_user, version=ticket.version)
    ticket = services.business_deliver(
        ticket, by=agent_user, version=ticket.version, note="新卡已激活"
    )
    assert (ticket.status, ticket.status_category) == ("delivered", "resolved")
    ticket = services.ticket_close(ticket, by=agent_user, version=ticket.version)
    assert ticket.status == "closed"


def test_business_type_needing_approval_is_approved_by_a_team_lead_only(
    agent_user, lead_user, postpaid
):
    ticket = business(agent_user, postpaid, "ownership_transfer")
    ticket = services.business_review(ticket, by=agent_user, version=1, identity_verified=True)
    with pytest.raises(IllegalTransition, match=r"approved|审批"):
        services.business_deliver(ticket, by=agent_user, version=ticket.version)
    with pytest.raises(NotAllowed):
        services.business_approve(ticket, by=agent_user, version=ticket.version)
    ticket = services.business_approve(
        ticket, by=lead_user, version=ticket.version, note="资料齐全"
    )
    assert (ticket.status, ticket.status_category) == ("approved", "waiting_internal")
    ticket = services.business_deliver(ticket, by=agent_user, version=ticket.version)
    assert ticket.status == "delivered"


def test_rejection_at_review_or_approval_needs_a_reason(agent_user, lead_user, postpaid):
    ticket = business(agent_user, postpaid, "account_closure")
    with pytest.raises(DomainError):
        services.business_reject(ticket, by=agent_user, version=1, reason=" ")
    ticket = services.business_review(ticket, by=agent_user, version=1, identity_verified=True)
    with pytest.raises(NotAllowed):
        services.business_reject(ticket, by=agent_user, version=ticket.version, reason="欠费未结清")
    ticket = services.business_reject(
        ticket, by=lead_user, version=ticket.version, reason="欠费未结清"
    )
    assert (ticket.status, ticket.rejection_reason) == ("rejected", "欠费未结清")
    assert Notification.objects.filter(recipient=agent_user, kind="ticket.closed").exists()


def test_change_order_sends_it_back_to_review_and_cancel_ends_it(agent_user, postpaid):
    ticket = business(agent_user, postpaid, "product_order_change", channel="hotline")
    ticket = services.business_review(ticket, by=agent_user, version=1, identity_verified=True)
    ticket = services.business_change_order(
        ticket,
        by=agent_user,
        version=ticket.version,
        order_details={"plan": "5G 畅享 129"},
        reason="客户改选套餐",
    )
    assert (ticket.status, ticket.identity_verified) == ("accepted", False)
    assert ticket.order_details == {"plan": "5G 畅享 129"}
    change = TicketEvent.objects.get(ticket=ticket, kind="order_changed")
    assert change.data["to"] == {"plan": "5G 畅享 129"}
    ticket = services.business_cancel(
        ticket, by=agent_user, version=ticket.version, reason="客户退订"
    )
    assert (ticket.status, ticket.status_category) == ("cancelled", "closed")
    with pytest.raises(IllegalTransition):
        services.business_deliver(ticket, by=agent_user, version=ticket.version)


# DOMAIN.md W-25, one case per rule the catalogue enforces:
# (business type, payment type, VIP tier, channel, eligible?)
ELIGIBILITY_CASES = [
    ("network_entry", "prepaid", "none", "web", True),  # row 6: prepaid, all but hotline
    ("network_entry", "prepaid", "none", "hotline", False),
    ("network_entry", "postpaid", "none", "walk_in", True),  # postpaid: own channels
    ("network_entry", "postpaid", "none", "web", False),
    ("instant_activation", "postpaid", "none", "app", True),  # row 5: optional for postpaid
    ("ownership_transfer", "postpaid", "none", "walk_in", True),  # row 7: hall only
    ("ownership_transfer", "postpaid", "none", "hotline", False),
    ("ownership_transfer", "prepaid", "none", "walk_in", False),  # not for prepaid
    ("account_closure", "prepaid", "none", "walk_in", False),
    ("number_change", "postpaid", "none", "walk_in", True),  # row 8
    ("number_change", "prepaid", "none", "walk_in", False),
    ("suspension_keep_number", "prepaid", "none", "walk_in", False),  # row 9
    ("suspend_resume", "prepaid", "none", "account_manager", True),  # row 10: own channels
    ("suspend_resume", "prepaid", "none", "hotline", False),
    ("international_roaming", "postpaid", "gold", "walk_in", True),  # row 11: conditional
    ("international_roaming", "prepaid", "none", "walk_in", False),  # convert to postpaid
    ("prepaid_refund", "prepaid", "none", "walk_in", False),  # row 12
    ("product_order_change", "prepaid", "none", "hotline", True),  # row 13: all channels
    ("sim_replacement", "prepaid", "none", "walk_in", True),  # row 14: hall
    ("sim_replacement", "prepaid", "none", "hotline", False),
    ("deposit_refund", "prepaid", "none", "walk_in", False),  # row 15
    ("bill_query", "postpaid", "none", "sms", True),  # row 16: postpaid all channels
    ("bill_query", "prepaid", "none", "hotline", False),  # prepaid guided to self-service
    ("bill_payment", "prepaid", "none", "app", True),  # row 17
    ("points_rewards", "postpaid", "silver", "web", True),  # row 19
    ("points_rewards", "prepaid", "none", "web", False),
    ("itemised_bill", "prepaid", "none", "web", True),  # row 22: online hall, hall
    ("itemised_bill", "prepaid", "none", "hotline", False),
]


@pytest.mark.parametrize(("code", "payment_type", "tier", "channel", "eligible"), ELIGIBILITY_CASES)
def test_eligibility_by_payment_segment_and_channel(
    agent_user, code, payment_type, tier, channel, eligible
):
    customer = CustomerFactory(payment_type=payment_type, vip_tier=tier)
    if eligible:
        assert business(agent_user, customer, code, channel).status == "accepted"
        return
    with pytest.raises(DomainError) as refused:
        business(agent_user, customer, code, channel)
    assert refused.value.code in {"not_eligible_for_customer", "not_eligible_for_channel"}
    assert not Ticket.objects.exists()


def test_channel_refusal_names_the_channels_that_can_handle_it(agent_user, postpaid):
    with pytest.raises(DomainError) as refused:
        business(agent_user, postpaid, "ownership_transfer", channel="hotline")
    assert refused.value.details["eligible_channels"] == ["walk_in"]
    assert re.search("营业厅|Walk-in", refused.value.message)


def test_business_order_needs_a_registered_customer(agent_user):
    with pytest.raises(DomainError) as refused:
        services.ticket_create(
            kind="business",
            channel="walk_in",
            subject="过户",
            created_by=agent_user,
            business_type=business_type("ownership_transfer"),
        )
    assert "customer" in refused.value.details


def test_ticket_without_a_team_of_ones_own_needs_a_team(db):
    service_user = UserFactory(username="api-cti")
    with pytest.raises(DomainError) as refused:
        make_ticket(created_by=service_user)
    assert "team" in refused.value.details
    team = AgentFactory().team
    ticket = make_ticket(created_by=service_user, team=team)
    assert ticket.team == team
    assert timezone.localdate(ticket.created_at).strftime("%Y%m%d") in ticket.number

"""The inquiry category tree (DOMAIN.md W-1 to W-10, W-22): two levels, shipped as
data, edited in the admin with history."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from csc.lib.errors import DomainError
from sla.calendars import SHANGHAI
from sla.choices import ClockState, Metric
from sla.models import Clock
from sla.sweeper import sweep
from tests.factories import CustomerFactory, UserFactory, business_type, make_ticket
from worktickets import services
from worktickets.choices import EventKind
from worktickets.models import InquiryCategory, Ticket

pytestmark = pytest.mark.django_db


def category(code: str) -> InquiryCategory:
    return InquiryCategory.objects.select_related("parent").get(code=code)


def test_the_shipped_tree_has_the_seeds_kinds_of_inquiry_at_the_top():
    top = set(InquiryCategory.objects.filter(parent=None).values_list("code", flat=True))

    assert {"consultation", "query", "proactive", "feedback", "system_fault", "complex"} <= top
    assert not InquiryCategory.objects.filter(parent__parent__isnull=False).exists()
    assert InquiryCategory.objects.filter(parent__code="consultation").count() >= 4


def test_a_sub_category_matches_by_its_own_code_and_its_parents():
    attitude = category("feedback_attitude")

    assert attitude.codes == ("feedback_attitude", "feedback")
    assert category("feedback").codes == ("feedback",)


def test_the_name_follows_the_language():
    attitude = category("feedback_attitude")

    with translation.override("zh-hans"):
        assert str(attitude) == "意见反馈 / 服务态度"
    with translation.override("en"):
        assert str(attitude) == "Suggestion and feedback / Service attitude"


def test_a_third_level_is_refused():
    third = InquiryCategory(
        parent=category("feedback_attitude"), code="too_deep", name_zh="过深", name_en="Too deep"
    )

    with pytest.raises(ValidationError) as refused:
        third.full_clean()

    assert "parent" in refused.value.message_dict


def test_a_parent_with_children_cannot_move_under_another():
    feedback = category("feedback")
    feedback.parent = category("query")

    with pytest.raises(ValidationError) as refused:
        feedback.full_clean()

    assert "parent" in refused.value.message_dict


def test_the_admin_edits_a_category_and_keeps_its_history(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    attitude = category("feedback_attitude")

    response = client.post(
        reverse("admin:worktickets_inquirycategory_change", args=[attitude.pk]),
        {
            "parent": attitude.parent_id,
            "code": attitude.code,
            "name_zh": "服务态度与礼仪",
            "name_en": attitude.name_en,
            "source": attitude.source,
            "is_active": "on",
            "sort_order": attitude.sort_order,
        },
    )

    assert response.status_code == 302
    attitude.refresh_from_db()
    assert attitude.name_zh == "服务态度与礼仪"
    assert attitude.history.first().name_zh == "服务态度与礼仪"
    listing = client.get(reverse("admin:worktickets_inquirycategory_changelist"))
    assert listing.status_code == 200


# --- per-category timers through the SLA engine (DOMAIN.md P-1, K-4, S-24 to S-26) ---------

T0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
MINUTE = datetime.timedelta(minutes=1)


def at(moment):
    return time_machine.travel(moment, tick=False)


def open_clocks(ticket) -> dict[str, Clock]:
    return {c.metric: c for c in Clock.objects.open().filter(ticket=ticket)}


def due_after(ticket) -> dict[str, datetime.timedelta]:
    return {metric: c.due_at - c.started_at for metric, c in open_clocks(ticket).items()}


def new_inquiry(agent, code: str | None = None, **fields) -> Ticket:
    with at(T0):
        return make_ticket(created_by=agent, category=category(code) if code else None, **fields)


def test_a_system_fault_gets_a_5_minute_clock_and_breaches_after_it(agent_user):
    ticket = new_inquiry(agent_user, "system_fault_app")

    assert due_after(ticket) == {
        Metric.FIRST_RESPONSE: 5 * MINUTE,
        Metric.INITIAL_SOLUTION: 5 * MINUTE,
        Metric.CLOSURE: datetime.timedelta(hours=48),
    }
    assert ticket.sla_due_at == T0 + 5 * MINUTE
    with at(T0 + 5 * MINUTE - datetime.timedelta(seconds=1)):
        sweep()
    assert open_clocks(ticket)[Metric.FIRST_RESPONSE].state == ClockState.RUNNING
    with at(T0 + 5 * MINUTE + datetime.timedelta(seconds=1)):
        sweep()
    assert open_clocks(ticket)[Metric.FIRST_RESPONSE].state == ClockState.BREACHED


def test_feedback_gets_a_24_hour_reply(agent_user):
    ticket = new_inquiry(agent_user, "feedback_attitude")

    assert due_after(ticket) == {
        Metric.FIRST_RESPONSE: datetime.timedelta(hours=24),
        Metric.INITIAL_SOLUTION: datetime.timedelta(hours=24),
        Metric.CLOSURE: datetime.timedelta(hours=48),
    }
    policy = open_clocks(ticket)[Metric.FIRST_RESPONSE].policy_version.policy
    assert policy.name == "Suggestions and feedback"


def test_a_complex_request_gets_its_own_48_hour_response(agent_user):
    ticket = new_inquiry(agent_user, "complex")  # a top-level category, chosen as such

    clocks = open_clocks(ticket)
    assert due_after(ticket)[Metric.FIRST_RESPONSE] == datetime.timedelta(hours=48)
    # K-2: the same 48 hours, two timers from two policies.
    assert clocks[Metric.FIRST_RESPONSE].policy_version.policy.name == "Complex requests"
    assert clocks[Metric.CLOSURE].policy_version.policy.name == "Inquiries"


def test_inquiries_without_a_category_keep_the_default_timers(agent_user):
    ticket = new_inquiry(agent_user)

    assert due_after(ticket) == {
        Metric.FIRST_RESPONSE: 15 * MINUTE,
        Metric.INITIAL_SOLUTION: 30 * MINUTE,
        Metric.CLOSURE: datetime.timedelta(hours=48),
    }


def test_a_category_without_a_policy_of_its_own_keeps_the_default_timers(agent_user):
    ticket = new_inquiry(agent_user, "query_tariff")

    assert due_after(ticket)[Metric.FIRST_RESPONSE] == 15 * MINUTE


def test_vip_and_online_chat_keep_their_5_minute_first_response_for_feedback(
    agent_user,
):
    vip = new_inquiry(agent_user, "feedback", customer=CustomerFactory(vip_tier="gold"))
    chat = new_inquiry(agent_user, "feedback", channel="online_chat")

    for ticket in (vip, chat):
        assert due_after(ticket)[Metric.FIRST_RESPONSE] == 5 * MINUTE
        assert due_after(ticket)[Metric.INITIAL_SOLUTION] == datetime.timedelta(hours=24)


# --- choosing a category later ------------------------------------------------------------


def test_classifying_later_moves_the_changed_timers_and_keeps_the_others(agent_user):
    ticket = new_inquiry(agent_user)
    closure = open_clocks(ticket)[Metric.CLOSURE]

    with at(T0 + 10 * MINUTE):
        ticket = services.ticket_update(
            ticket, by=agent_user, version=ticket.version, category=category("feedback_system")
        )

    clocks = open_clocks(ticket)
    assert clocks[Metric.FIRST_RESPONSE].due_at == T0 + 10 * MINUTE + datetime.timedelta(hours=24)
    assert clocks[Metric.CLOSURE].pk == closure.pk  # the same target: it keeps running
    stopped = Clock.objects.get(ticket=ticket, metric=Metric.FIRST_RESPONSE, state="stopped")
    assert stopped.due_at == T0 + 15 * MINUTE
    ticket.refresh_from_db()
    assert ticket.category.code == "feedback_system"
    assert ticket.sla_due_at == T0 + 10 * MINUTE + datetime.timedelta(hours=24)
    line = ticket.events.get(kind=EventKind.FIELDS_CHANGED)
    assert line.actor == agent_user
    assert line.data == {"category": {"from": "", "to": "feedback_system"}}
    assert ticket.history.first().category_id == category("feedback_system").pk


def test_a_met_first_response_is_not_started_again_by_a_new_category(agent_user):
    ticket = new_inquiry(agent_user)
    with at(T0 + 2 * MINUTE):
        ticket = services.ticket_reply(ticket, by=agent_user, version=ticket.version, body="您好")
    with at(T0 + 3 * MINUTE):
        services.ticket_update(
            ticket, by=agent_user, version=ticket.version, category=category("system_fault")
        )

    clocks = open_clocks(ticket)
    assert Metric.FIRST_RESPONSE not in clocks
    assert clocks[Metric.INITIAL_SOLUTION].due_at == T0 + 8 * MINUTE


def test_a_new_target_waits_while_the_ticket_waits_for_the_customer(agent_user):
    ticket = new_inquiry(agent_user)
    with at(T0 + MINUTE):
        ticket = services.ticket_accept(ticket, by=agent_user, version=ticket.version)
        ticket = services.ticket_hold(
            ticket, by=agent_user, version=ticket.version, reason="请客户重启光猫后回电"
        )
    with at(T0 + 2 * MINUTE):
        ticket = services.ticket_update(
            ticket, by=agent_user, version=ticket.version, category=category("complex")
        )

    solution = open_clocks(ticket)[Metric.INITIAL_SOLUTION]
    assert solution.state == ClockState.PAUSED
    assert solution.policy_version.policy.name == "Complex requests"


def test_clearing_the_category_returns_to_the_default_timers(agent_user):
    ticket = new_inquiry(agent_user, "feedback")

    with at(T0 + MINUTE):
        services.ticket_update(ticket, by=agent_user, version=ticket.version, category=None)

    assert due_after(ticket)[Metric.FIRST_RESPONSE] == 15 * MINUTE
    ticket.refresh_from_db()
    assert ticket.category is None


def test_only_inquiries_carry_a_category(agent_user):
    with pytest.raises(DomainError) as refused:
        make_ticket(
            created_by=agent_user,
            kind="business",
            business_type=business_type("bill_query"),
            category=category("query"),
        )
    assert "category" in refused.value.details

    order = make_ticket(
        created_by=agent_user, kind="business", business_type=business_type("bill_query")
    )
    with pytest.raises(DomainError) as refused:
        services.ticket_update(
            order, by=agent_user, version=order.version, category=category("query")
        )
    assert "category" in refused.value.details


def test_a_retired_category_is_not_chosen_anew_but_stays_on_its_tickets(agent_user):
    ticket = new_inquiry(agent_user, "proactive_care")
    InquiryCategory.objects.filter(code="proactive").update(is_active=False)
    retired = category("proactive_care")

    with pytest.raises(DomainError) as refused:
        make_ticket(created_by=agent_user, category=retired)
    assert "category" in refused.value.details

    ticket = services.ticket_update(
        ticket, by=agent_user, version=ticket.version, subject="新的主题", category=retired
    )
    assert ticket.category_id == retired.pk
    assert ticket.subject == "新的主题"

"""Walk tickets through every metric of every default policy, with exact due times.

Time is moved with time_machine and the services are called without `at`,
as the ticket services will call them.
"""

import datetime

import pytest
import time_machine

from csc.lib.errors import DomainError, IllegalTransition
from sla import services
from sla.choices import ClockEventKind, ClockState, Metric
from sla.models import Clock
from tests.factories import UserFactory
from tests.sla.conftest import facts_for, sh
from worktickets.models import BusinessType, DeliveryLimit

M = Metric
OPEN, WAIT_CUSTOMER, WAIT_INTERNAL, RESOLVED, CLOSED = (
    "open",
    "waiting_customer",
    "waiting_internal",
    "resolved",
    "closed",
)


def at(moment):
    return time_machine.travel(moment, tick=False)


def due_times(ticket) -> dict:
    return {c.metric: c.due_at for c in Clock.objects.open().filter(ticket=ticket)}


def clock(ticket, metric) -> Clock:
    return Clock.objects.filter(ticket=ticket, metric=metric).latest("pk")


def start(ticket, moment, **facts):
    with at(moment):
        return services.clocks_start(ticket, facts_for(ticket, **facts))


def status(ticket, moment, old, new):
    with at(moment):
        services.clocks_status_changed(ticket, old, new)


def meet(ticket, moment, metric):
    with at(moment):
        return services.clock_meet(ticket, metric)


def sla_due(ticket):
    ticket.refresh_from_db()
    return ticket.sla_due_at


# --- inquiries (P-1) -----------------------------------------------------------------------------


def test_inquiry_walk_meet_pause_resume_resolve_and_reopen(make_ticket):
    ticket = make_ticket()
    start(ticket, sh(2026, 3, 2, 10, 0))

    assert due_times(ticket) == {
        M.FIRST_RESPONSE: sh(2026, 3, 2, 10, 15),
        M.INITIAL_SOLUTION: sh(2026, 3, 2, 10, 30),
        M.CLOSURE: sh(2026, 3, 4, 10, 0),
    }
    assert sla_due(ticket) == sh(2026, 3, 2, 10, 15)
    first = clock(ticket, M.FIRST_RESPONSE)
    assert first.warn_at == sh(2026, 3, 2, 10, 7, 30)  # 50 % of 15 min: minutes ahead

    # The first reply meets the first response, five minutes early.
    met = meet(ticket, sh(2026, 3, 2, 10, 10), M.FIRST_RESPONSE)
    assert met.state == ClockState.MET
    assert met.lateness == -datetime.timedelta(minutes=5)
    assert sla_due(ticket) == sh(2026, 3, 2, 10, 30)

    # Waiting for the customer pauses solution and closure; nothing counts then.
    status(ticket, sh(2026, 3, 2, 10, 20), OPEN, WAIT_CUSTOMER)
    assert clock(ticket, M.INITIAL_SOLUTION).state == ClockState.PAUSED
    assert clock(ticket, M.CLOSURE).state == ClockState.PAUSED
    assert sla_due(ticket) is None

    # Back after an hour: both due times move by the hour.
    status(ticket, sh(2026, 3, 2, 11, 20), WAIT_CUSTOMER, OPEN)
    assert due_times(ticket) == {
        M.INITIAL_SOLUTION: sh(2026, 3, 2, 11, 30),
        M.CLOSURE: sh(2026, 3, 4, 11, 0),
    }
    assert clock(ticket, M.CLOSURE).paused_total == datetime.timedelta(hours=1)
    assert sla_due(ticket) == sh(2026, 3, 2, 11, 30)

    status(ticket, sh(2026, 3, 2, 11, 25), OPEN, RESOLVED)
    solution = clock(ticket, M.INITIAL_SOLUTION)
    assert solution.state == ClockState.MET
    assert solution.lateness == -datetime.timedelta(minutes=5)
    assert clock(ticket, M.CLOSURE).state == ClockState.MET
    assert sla_due(ticket) is None

    # Reopened: closure restarts with the full 48 h; the others keep their result.
    status(ticket, sh(2026, 3, 2, 12, 0), RESOLVED, OPEN)
    assert due_times(ticket) == {M.CLOSURE: sh(2026, 3, 4, 12, 0)}
    assert Clock.objects.filter(ticket=ticket, metric=M.CLOSURE).count() == 2
    assert sla_due(ticket) == sh(2026, 3, 4, 12, 0)

    status(ticket, sh(2026, 3, 3, 9, 0), OPEN, RESOLVED)
    status(ticket, sh(2026, 3, 3, 10, 0), RESOLVED, CLOSED)
    assert due_times(ticket) == {}
    kinds = list(
        clock(ticket, M.INITIAL_SOLUTION).events.values_list("kind", flat=True).order_by("at", "pk")
    )
    assert kinds == ["started", "paused", "resumed", "met"]


def test_late_first_reply_counts_as_a_breach_even_before_the_sweeper(make_ticket):
    ticket = make_ticket()
    start(ticket, sh(2026, 3, 2, 23, 50))

    met = meet(ticket, sh(2026, 3, 3, 0, 10), M.FIRST_RESPONSE)

    assert met.due_at == sh(2026, 3, 3, 0, 5)  # across midnight on 24×7
    assert met.state == ClockState.MET
    assert met.breached_at == sh(2026, 3, 3, 0, 5)
    assert met.lateness == datetime.timedelta(minutes=5)


def test_meeting_a_metric_without_a_clock_is_a_no_op(make_ticket):
    ticket = make_ticket()
    start(ticket, sh(2026, 3, 2, 10, 0))
    meet(ticket, sh(2026, 3, 2, 10, 1), M.FIRST_RESPONSE)

    assert meet(ticket, sh(2026, 3, 2, 10, 2), M.FIRST_RESPONSE) is None
    assert meet(ticket, sh(2026, 3, 2, 10, 2), M.REPAIR) is None


def test_starting_twice_creates_no_second_clock(make_ticket):
    ticket = make_ticket()
    start(ticket, sh(2026, 3, 2, 10, 0))

    assert start(ticket, sh(2026, 3, 2, 10, 5)) == []
    assert Clock.objects.filter(ticket=ticket).count() == 3


def test_online_chat_answers_in_five_minutes_and_inherits_the_rest(make_ticket):
    ticket = make_ticket(channel="online_chat")
    start(ticket, sh(2026, 3, 2, 10, 0))

    assert due_times(ticket) == {
        M.FIRST_RESPONSE: sh(2026, 3, 2, 10, 5),
        M.INITIAL_SOLUTION: sh(2026, 3, 2, 10, 30),
        M.CLOSURE: sh(2026, 3, 4, 10, 0),
    }
    assert clock(ticket, M.FIRST_RESPONSE).policy_version.policy.name == "Online chat inquiries"
    assert clock(ticket, M.CLOSURE).policy_version.policy.name == "Inquiries"


@pytest.mark.parametrize("tier", ["silver", "gold", "diamond", "supreme"])
def test_vip_inquiries_run_at_the_tight_end(make_ticket, tier):
    ticket = make_ticket(vip_tier=tier)
    start(ticket, sh(2026, 3, 2, 10, 0))

    assert due_times(ticket)[M.FIRST_RESPONSE] == sh(2026, 3, 2, 10, 5)


def test_inquiry_waiting_internal_pauses_nothing(make_ticket):
    ticket = make_ticket()
    start(ticket, sh(2026, 3, 2, 10, 0))

    status(ticket, sh(2026, 3, 2, 10, 5), OPEN, WAIT_INTERNAL)

    assert {c.state for c in Clock.objects.filter(ticket=ticket)} == {ClockState.RUNNING}


def test_waiting_for_an_overdue_clock_does_not_hide_the_breach(make_ticket):
    ticket = make_ticket()
    start(ticket, sh(2026, 3, 2, 10, 0))

    status(ticket, sh(2026, 3, 2, 10, 45), OPEN, WAIT_CUSTOMER)

    solution = clock(ticket, M.INITIAL_SOLUTION)
    assert solution.state == ClockState.BREACHED
    assert solution.breached_at == sh(2026, 3, 2, 10, 30)
    assert clock(ticket, M.CLOSURE).state == ClockState.PAUSED


# --- complaints (P-2) ----------------------------------------------------------------------------

SPRING_START = sh(2026, 2, 13, 16, 0)  # Friday before the Spring Festival week


def complaint(make_ticket, tier="complaint", vip="none", category="billing", **extra):
    ticket = make_ticket(kind="complaint", vip_tier=vip)
    facts = {"complaint_category": category, "complaint_tier": tier, **extra}
    return ticket, facts


def test_ordinary_complaint_across_spring_festival(make_ticket):
    ticket, facts = complaint(make_ticket)
    start(ticket, SPRING_START, **facts)

    assert due_times(ticket) == {
        M.COMPLAINT_ACCEPTANCE: sh(2026, 2, 14, 16, 0),  # the make-up Saturday
        M.COMPLAINT_INVESTIGATION: sh(2026, 2, 25, 16, 0),
        M.COMPLAINT_FEEDBACK: sh(2026, 2, 27, 16, 0),
        # 30 working days or 15 calendar days, whichever is sooner.
        M.COMPLAINT_OVERALL: sh(2026, 2, 28, 16, 0),
    }

    # Evidence collection starts at acceptance: 7 calendar days.
    meet(ticket, sh(2026, 2, 14, 11, 0), M.COMPLAINT_ACCEPTANCE)
    assert due_times(ticket)[M.EVIDENCE_COLLECTION] == sh(2026, 2, 21, 11, 0)


def test_ordinary_complaint_across_national_day(make_ticket):
    ticket, facts = complaint(make_ticket)
    start(ticket, sh(2026, 9, 30, 17, 0), **facts)

    assert due_times(ticket) == {
        M.COMPLAINT_ACCEPTANCE: sh(2026, 10, 8, 17, 0),
        M.COMPLAINT_INVESTIGATION: sh(2026, 10, 10, 17, 0),  # the make-up Saturday
        M.COMPLAINT_FEEDBACK: sh(2026, 10, 13, 17, 0),
        M.COMPLAINT_OVERALL: sh(2026, 10, 15, 17, 0),
    }


TIGHT = {
    M.COMPLAINT_ACCEPTANCE: sh(2026, 2, 14, 16, 0),
    M.COMPLAINT_INVESTIGATION: sh(2026, 2, 16, 16, 0),  # 72 h, holidays count
    M.COMPLAINT_FEEDBACK: sh(2026, 2, 25, 16, 0),  # 3 working days
    M.COMPLAINT_OVERALL: sh(2026, 2, 28, 16, 0),
}


@pytest.mark.parametrize("tier", ["silver", "gold", "diamond", "supreme"])
def test_vip_complaints_run_at_the_tight_end(make_ticket, tier):
    ticket, facts = complaint(make_ticket, vip=tier)
    start(ticket, SPRING_START, **facts)

    assert due_times(ticket) == TIGHT


def test_upgraded_complaint_of_an_ordinary_customer_is_tight(make_ticket):
    ticket, facts = complaint(make_ticket, tier="upgraded")
    start(ticket, SPRING_START, **facts)

    assert due_times(ticket) == TIGHT


def test_appeal_has_acceptance_and_feedback_but_no_investigation(make_ticket):
    ticket, facts = complaint(make_ticket, tier="appeal", vip="gold")
    start(ticket, SPRING_START, **facts)

    assert due_times(ticket) == {
        M.COMPLAINT_ACCEPTANCE: sh(2026, 2, 14, 16, 0),
        M.COMPLAINT_FEEDBACK: sh(2026, 2, 25, 16, 0),
        M.COMPLAINT_OVERALL: sh(2026, 2, 28, 16, 0),
    }


def test_complaint_pause_moves_feedback_by_the_working_time_waited(make_ticket):
    ticket, facts = complaint(make_ticket)
    start(ticket, sh(2026, 3, 2, 10, 0), **facts)
    meet(ticket, sh(2026, 3, 2, 11, 0), M.COMPLAINT_ACCEPTANCE)
    meet(ticket, sh(2026, 3, 4, 11, 0), M.COMPLAINT_INVESTIGATION)
    assert due_times(ticket)[M.COMPLAINT_FEEDBACK] == sh(2026, 3, 9, 10, 0)

    # Waiting for the customer from Friday 17:00 to Monday 10:00 is 2 working hours.
    status(ticket, sh(2026, 3, 6, 17, 0), OPEN, WAIT_CUSTOMER)
    assert clock(ticket, M.COMPLAINT_OVERALL).state == ClockState.RUNNING  # does not pause
    assert clock(ticket, M.EVIDENCE_COLLECTION).state == ClockState.RUNNING
    status(ticket, sh(2026, 3, 9, 10, 0), WAIT_CUSTOMER, OPEN)

    feedback = clock(ticket, M.COMPLAINT_FEEDBACK)
    assert feedback.due_at == sh(2026, 3, 9, 12, 0)
    assert feedback.paused_total == datetime.timedelta(hours=2)


def test_reopened_complaint_resumes_the_overall_cap_and_restarts_feedback(make_ticket):
    ticket, facts = complaint(make_ticket)
    start(ticket, sh(2026, 3, 2, 10, 0), **facts)
    meet(ticket, sh(2026, 3, 2, 11, 0), M.COMPLAINT_ACCEPTANCE)
    status(ticket, sh(2026, 3, 10, 10, 0), OPEN, RESOLVED)
    assert due_times(ticket) == {}

    status(ticket, sh(2026, 3, 11, 10, 0), RESOLVED, OPEN)

    assert due_times(ticket) == {
        M.COMPLAINT_OVERALL: sh(2026, 3, 17, 10, 0),  # 15 calendar days from receipt
        M.COMPLAINT_FEEDBACK: sh(2026, 3, 18, 10, 0),  # 5 working days from the reopening
    }
    overall = clock(ticket, M.COMPLAINT_OVERALL)
    assert overall.met_at is None
    assert overall.events.filter(kind=ClockEventKind.REOPENED).count() == 1


@pytest.mark.parametrize(
    ("service", "region", "hours"),
    [
        ("mobile", "urban", 48),
        ("broadband", "urban", 36),
        ("broadband", "rural", 48),
        ("fixed", "urban", 48),
    ],
)
def test_service_fault_complaints_get_the_repair_limit(make_ticket, service, region, hours):
    ticket, facts = complaint(
        make_ticket, category="service_fault", service_type=service, region=region
    )
    start(ticket, sh(2026, 3, 2, 10, 0), **facts)

    due = due_times(ticket)
    assert due[M.REPAIR] == sh(2026, 3, 2, 10, 0) + datetime.timedelta(hours=hours)
    assert due[M.COMPLAINT_ACCEPTANCE] == sh(2026, 3, 3, 10, 0)


def test_upgrade_rematches_changed_targets_and_keeps_the_overall_cap(make_ticket):
    ticket, facts = complaint(make_ticket)
    start(ticket, sh(2026, 3, 2, 10, 0), **facts)
    meet(ticket, sh(2026, 3, 2, 11, 0), M.COMPLAINT_ACCEPTANCE)
    overall = clock(ticket, M.COMPLAINT_OVERALL)

    with at(sh(2026, 3, 3, 10, 0)):
        services.clocks_rematch(
            ticket, facts_for(ticket, complaint_tier="upgraded", complaint_category="billing")
        )

    due = due_times(ticket)
    assert clock(ticket, M.COMPLAINT_OVERALL).pk == overall.pk
    assert due[M.COMPLAINT_OVERALL] == sh(2026, 3, 17, 10, 0)
    assert due[M.COMPLAINT_INVESTIGATION] == sh(2026, 3, 6, 10, 0)  # 72 h from the upgrade
    assert due[M.COMPLAINT_FEEDBACK] == sh(2026, 3, 6, 10, 0)  # 3 working days
    assert due[M.EVIDENCE_COLLECTION] == sh(2026, 3, 9, 11, 0)  # unchanged
    assert M.COMPLAINT_ACCEPTANCE not in due  # already met; not started again


# --- extensions ----------------------------------------------------------------------------------


def test_extension_moves_the_due_time_and_records_the_approval(make_ticket, manager_user):
    ticket, facts = complaint(make_ticket)
    start(ticket, sh(2026, 3, 2, 10, 0), **facts)
    overall = clock(ticket, M.COMPLAINT_OVERALL)

    with at(sh(2026, 3, 5, 10, 0)):
        extended = services.clock_extend(
            overall,
            by_working_days=5,
            reason="Awaiting the carrier's report",
            approved_by=manager_user,
        )

    assert extended.due_at == sh(2026, 3, 24, 10, 0)
    event = extended.events.get(kind=ClockEventKind.EXTENDED)
    assert event.actor == manager_user
    assert event.data["reason"] == "Awaiting the carrier's report"
    assert event.data["working_days"] == 5


def test_extension_needs_reason_approver_and_an_open_clock(make_ticket, manager_user):
    ticket, facts = complaint(make_ticket)
    start(ticket, sh(2026, 3, 2, 10, 0), **facts)
    acceptance = clock(ticket, M.COMPLAINT_ACCEPTANCE)

    with pytest.raises(DomainError):
        services.clock_extend(acceptance, by_minutes=30, reason=" ", approved_by=manager_user)
    with pytest.raises(DomainError):
        services.clock_extend(
            acceptance, by_minutes=30, by_working_days=1, reason="x", approved_by=manager_user
        )
    meet(ticket, sh(2026, 3, 2, 11, 0), M.COMPLAINT_ACCEPTANCE)
    with pytest.raises(IllegalTransition):
        services.clock_extend(acceptance, by_minutes=30, reason="x", approved_by=manager_user)


def test_extension_of_a_breached_clock_runs_again(make_ticket):
    ticket = make_ticket()
    start(ticket, sh(2026, 3, 2, 10, 0))
    first = clock(ticket, M.FIRST_RESPONSE)
    Clock.objects.filter(pk=first.pk).update(state=ClockState.BREACHED, breached_at=first.due_at)

    with at(sh(2026, 3, 2, 10, 20)):
        extended = services.clock_extend(
            first, by_minutes=30, reason="Line down", approved_by=UserFactory()
        )

    assert extended.state == ClockState.RUNNING
    assert extended.due_at == sh(2026, 3, 2, 10, 45)


# --- business orders (K-5, P-5) ------------------------------------------------------------------


def business(make_ticket, code, **fields):
    return make_ticket(kind="business", business_type=BusinessType.objects.get(code=code), **fields)


def test_business_delivery_follows_the_business_type(make_ticket):
    # 10 minutes at the counter (S-3)
    ticket = business(make_ticket, "sim_replacement", channel="walk_in")
    start(ticket, sh(2026, 3, 2, 10, 0))

    assert due_times(ticket) == {M.BUSINESS_DELIVERY: sh(2026, 3, 2, 10, 10)}

    status(ticket, sh(2026, 3, 2, 10, 2), OPEN, WAIT_CUSTOMER)
    status(ticket, sh(2026, 3, 2, 10, 12), WAIT_CUSTOMER, OPEN)
    assert due_times(ticket) == {M.BUSINESS_DELIVERY: sh(2026, 3, 2, 10, 20)}

    # Approved orders wait for the processing post: the clock keeps running.
    status(ticket, sh(2026, 3, 2, 10, 13), OPEN, WAIT_INTERNAL)
    assert clock(ticket, M.BUSINESS_DELIVERY).state == ClockState.RUNNING

    status(ticket, sh(2026, 3, 2, 10, 15), WAIT_INTERNAL, RESOLVED)
    delivered = clock(ticket, M.BUSINESS_DELIVERY)
    assert delivered.state == ClockState.MET
    assert delivered.lateness == -datetime.timedelta(minutes=5)


def test_business_type_without_a_limit_has_no_delivery_clock(make_ticket):
    DeliveryLimit.objects.filter(business_type__code="ownership_transfer").delete()
    ticket = business(make_ticket, "ownership_transfer")

    assert start(ticket, sh(2026, 3, 2, 10, 0)) == []
    assert sla_due(ticket) is None


def test_rejected_order_stops_its_clock_without_a_verdict(make_ticket):
    ticket = business(make_ticket, "network_entry")  # 20 days for a fixed line (S-12)
    start(ticket, sh(2026, 3, 2, 10, 0), service_type="fixed")
    assert due_times(ticket) == {M.BUSINESS_DELIVERY: sh(2026, 3, 22, 10, 0)}

    status(ticket, sh(2026, 3, 3, 10, 0), OPEN, CLOSED)

    stopped = clock(ticket, M.BUSINESS_DELIVERY)
    assert stopped.state == ClockState.STOPPED
    assert stopped.met_at is None
    assert stopped.lateness is None


@pytest.mark.parametrize(
    ("service", "region", "hours"),
    [
        ("mobile", "urban", 48),
        ("broadband", "urban", 36),
        ("broadband", "rural", 48),
        ("fixed", "rural", 48),
        ("", "urban", 48),
    ],
)
def test_fault_reports_get_the_repair_limit_of_their_service(make_ticket, service, region, hours):
    ticket = business(make_ticket, "fault_report")
    start(ticket, sh(2026, 3, 2, 10, 0), service_type=service, region=region)

    assert due_times(ticket) == {
        M.BUSINESS_DELIVERY: sh(2026, 3, 2, 10, 0) + datetime.timedelta(hours=hours)
    }


# --- the ticket's nearest due time ---------------------------------------------------------------


def test_ticket_carries_the_nearest_due_time_of_its_counting_clocks(make_ticket):
    ticket, facts = complaint(make_ticket, vip="gold")
    start(ticket, SPRING_START, **facts)
    assert sla_due(ticket) == sh(2026, 2, 14, 16, 0)

    meet(ticket, sh(2026, 2, 14, 9, 0), M.COMPLAINT_ACCEPTANCE)

    assert sla_due(ticket) == sh(2026, 2, 16, 16, 0)
    assert ticket.sla_due_at == sh(2026, 2, 16, 16, 0)


# --- clocks planned before the ticket is written -------------------------------------------------


def test_planned_clocks_saved_show_no_escalations_without_reading_them(
    make_ticket, django_assert_num_queries
):
    from sla.api import ClockSerializer

    ticket = make_ticket()
    facts = facts_for(ticket)
    with at(sh(2026, 3, 2, 10, 0)):
        clocks = services.clocks_save_planned(
            ticket, services.clocks_planned(facts, at=sh(2026, 3, 2, 10, 0)), facts
        )
    assert len(clocks) == 3

    with django_assert_num_queries(0):
        shown = ClockSerializer(clocks, many=True).data
    assert [clock["escalations"] for clock in shown] == [[], [], []]

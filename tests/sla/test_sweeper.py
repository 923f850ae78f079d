"""The sweeper: warnings, breaches and the escalation ladder, each step exactly once."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csc.lib.reference import forget_reference_data
from sla import escalation, services
from sla.choices import ClockEventKind, ClockState, EscalationOutcome, Metric
from sla.models import Clock, EscalationLevel, EscalationRecord
from sla.sweeper import sweep
from staffing.models import Notification, OutboxMessage
from tests.factories import UserFactory
from tests.sla.conftest import facts_for, sh

T0 = sh(2026, 3, 2, 10, 0)


def first_response(ticket) -> Clock:
    return Clock.objects.get(ticket=ticket, metric=Metric.FIRST_RESPONSE)


def swept(moment):
    with time_machine.travel(moment, tick=False):
        return sweep()


@pytest.fixture
def inquiry(make_ticket, lead_user, manager_user):
    ticket = make_ticket()
    with time_machine.travel(T0, tick=False):
        services.clocks_start(ticket, facts_for(ticket))
    return ticket


def levels_taken(clock) -> list[str]:
    return list(
        EscalationRecord.objects.filter(clock=clock)
        .order_by("level__order")
        .values_list("level__order", flat=True)
    )


def test_first_response_walks_warning_breach_and_the_whole_ladder(
    inquiry, test_actions, agent_user, lead_user, manager_user
):
    clock = first_response(inquiry)

    swept(T0 + datetime.timedelta(minutes=7, seconds=29))
    clock.refresh_from_db()
    assert not clock.at_risk

    # 50 % of 15 minutes: at risk, the assignee is told.
    swept(T0 + datetime.timedelta(minutes=7, seconds=30))
    clock.refresh_from_db()
    assert clock.at_risk
    assert clock.at_risk_since == T0 + datetime.timedelta(minutes=7, seconds=30)
    assert clock.warn_at == T0 + datetime.timedelta(minutes=12)
    assert levels_taken(clock) == [10]
    assert Notification.objects.filter(recipient=agent_user, kind="sla_assignee").count() == 1

    # 80 %: a second warning event, no second notification.
    swept(T0 + datetime.timedelta(minutes=12))
    assert clock.events.filter(kind=ClockEventKind.WARNED).count() == 2
    assert Notification.objects.filter(recipient=agent_user).count() == 1

    # Due: breached; the team lead is told and the priority raised.
    swept(T0 + datetime.timedelta(minutes=15))
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED
    assert clock.breached_at == T0 + datetime.timedelta(minutes=15)
    assert levels_taken(clock) == [10, 20]
    assert Notification.objects.filter(recipient=lead_user, kind="sla_team_lead").count() == 1
    inquiry.refresh_from_db()
    assert inquiry.priority == 3
    # The next step is half the target (7.5 min) after the breach.
    assert clock.sweep_at == T0 + datetime.timedelta(minutes=22, seconds=30)

    swept(T0 + datetime.timedelta(minutes=22, seconds=29))
    assert levels_taken(clock) == [10, 20]

    swept(T0 + datetime.timedelta(minutes=22, seconds=30))
    clock.refresh_from_db()
    assert levels_taken(clock) == [10, 20, 30]
    assert Notification.objects.filter(recipient=manager_user, kind="sla_cs_manager").count() == 1
    inquiry.refresh_from_db()
    assert inquiry.in_escalation_queue
    assert clock.sweep_at is None

    # Sweeping again and again changes nothing.
    swept(T0 + datetime.timedelta(hours=5))
    swept(T0 + datetime.timedelta(hours=6))
    assert EscalationRecord.objects.filter(clock=clock).count() == 3
    assert [name for name, clock_id, _ in test_actions if clock_id == clock.pk] == [
        "raise_priority",
        "move_to_escalation_queue",
    ]
    assert clock.events.filter(kind=ClockEventKind.BREACHED).count() == 1


def test_a_sweeper_that_was_down_catches_up_in_one_run(inquiry, test_actions):
    result = swept(T0 + datetime.timedelta(hours=1))

    clock = first_response(inquiry)
    assert clock.state == ClockState.BREACHED
    # Warnings and the at-risk step overtaken by the breach are not sent late.
    assert clock.events.filter(kind=ClockEventKind.WARNED).count() == 0
    assert not clock.at_risk
    assert levels_taken(clock) == [20, 30]
    assert result.breaches == 2  # first response and initial solution
    # Initial solution (30 min) is due at +30 and its third step at +45: both passed.
    solution = Clock.objects.get(ticket=inquiry, metric=Metric.INITIAL_SOLUTION)
    assert levels_taken(solution) == [20, 30]


def test_a_warning_already_sent_keeps_its_at_risk_step_when_the_breach_follows(
    inquiry, test_actions
):
    swept(T0 + datetime.timedelta(minutes=8))
    swept(T0 + datetime.timedelta(hours=1))

    assert levels_taken(first_response(inquiry)) == [10, 20, 30]


def test_a_warning_time_without_its_fraction_does_not_halt_the_sweep(inquiry, test_actions):
    # Rows written by another system (a migration, a bulk load) may carry a
    # warning time their target has no fraction for.
    clock = first_response(inquiry)
    Clock.objects.filter(pk=clock.pk).update(target={**clock.target, "warn_fractions": []})

    result = swept(T0 + datetime.timedelta(minutes=8))

    clock.refresh_from_db()
    assert clock.at_risk and clock.warn_at is None
    assert clock.events.get(kind=ClockEventKind.WARNED).data == {"fraction": None}
    assert result.warnings == 1
    swept(T0 + datetime.timedelta(minutes=15))
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED


def test_met_and_paused_clocks_are_not_swept(inquiry, test_actions):
    with time_machine.travel(T0 + datetime.timedelta(minutes=1), tick=False):
        services.clock_meet(inquiry, Metric.FIRST_RESPONSE)
        services.clocks_status_changed(inquiry, "open", "waiting_customer")

    result = swept(T0 + datetime.timedelta(hours=3))

    assert result.clocks == 0
    assert EscalationRecord.objects.count() == 0
    assert set(Clock.objects.values_list("state", flat=True)) == {"met", "paused"}


def test_an_unknown_action_is_recorded_as_failed_once(inquiry, caplog):
    level = EscalationLevel.objects.get(order=20)
    level.actions = ["notify_team_lead", "call_the_fire_brigade"]
    level.save()

    swept(T0 + datetime.timedelta(minutes=16))
    swept(T0 + datetime.timedelta(minutes=17))

    record = EscalationRecord.objects.get(clock=first_response(inquiry), level=level)
    assert record.outcome == EscalationOutcome.PARTIAL
    assert record.results == {"notify_team_lead": "done", "call_the_fire_brigade": "unknown"}
    assert "call_the_fire_brigade" in caplog.text


def test_a_failing_action_rolls_back_its_own_writes_only(inquiry, agent_user):
    def explode(clock, level):
        Notification.objects.create(recipient=agent_user, kind="half-written", title="x")
        raise RuntimeError("gateway timeout")

    escalation.register_action("explode", explode, "Explode")
    try:
        EscalationLevel.objects.filter(order=10).update(actions=["explode", "notify_assignee"])
        swept(T0 + datetime.timedelta(minutes=8))
    finally:
        escalation.unregister_action("explode")

    record = EscalationRecord.objects.get(clock=first_response(inquiry), level__order=10)
    assert record.outcome == EscalationOutcome.PARTIAL
    assert record.results["explode"].startswith("failed: RuntimeError")
    assert not Notification.objects.filter(kind="half-written").exists()
    assert Notification.objects.filter(kind="sla_assignee").count() == 1


def test_level_for_one_metric_ignores_the_others(inquiry, test_actions):
    EscalationLevel.objects.create(
        name="Closure only",
        metric=Metric.CLOSURE,
        trigger="breached",
        actions=["raise_priority"],
        order=40,
    )

    swept(T0 + datetime.timedelta(hours=1))

    assert not EscalationRecord.objects.filter(level__name="Closure only").exists()


def test_nothing_due_costs_one_query_on_clocks(inquiry):
    with (
        time_machine.travel(T0 + datetime.timedelta(minutes=1), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        result = sweep()

    assert result.clocks == 0
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    # The ladder, and the claim: one indexed range query on the clocks.
    assert len(statements) == 2
    assert sum('"sla_clock"' in sql for sql in statements) == 1


def test_batch_query_count_does_not_grow_with_the_number_of_due_clocks(make_ticket, test_actions):
    def run(count: int) -> int:
        tickets = [make_ticket() for _ in range(count)]
        for ticket in tickets:
            with time_machine.travel(T0, tick=False):
                services.clocks_start(ticket, facts_for(ticket))
        # Only warnings (notify_assignee, a batch action) are due at +8 min.
        forget_reference_data()  # both runs read the reference data cold
        with (
            time_machine.travel(T0 + datetime.timedelta(minutes=8), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            result = sweep()
        assert result.escalations == count
        Clock.objects.all().delete()
        return len(queries)

    assert run(3) == run(30)


def test_escalation_email_goes_through_the_outbox_when_the_broker_is_down(
    inquiry, test_actions, agent_user, django_capture_on_commit_callbacks, settings
):
    from csc.celery import app
    from staffing import outbox
    from staffing.tasks import flush_outbox

    agent_user.email = "agent1@example.com"
    agent_user.save()
    old_broker, old_eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app.conf.task_always_eager = False
    outbox._broker_down_until = 0.0
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            result = swept(T0 + datetime.timedelta(minutes=8))
    finally:
        app.conf.broker_url, app.conf.task_always_eager = old_broker, old_eager
        outbox._broker_down_until = 0.0

    # The escalation committed; the email waits in the outbox, nothing sent yet.
    assert result.escalations == 1
    assert len(callbacks) == 1  # one dispatch for the whole batch, which failed quietly
    message = OutboxMessage.objects.get(recipient="agent1@example.com")
    assert message.status == OutboxMessage.Status.PENDING
    assert mail.outbox == []

    # The periodic flush delivers it once the broker is back, exactly once.
    assert flush_outbox() == 1
    assert flush_outbox() == 0
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert inquiry.number in email.subject
    assert email.to == ["agent1@example.com"]
    assert f"/tickets/{inquiry.pk}/" in email.body
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_cs_managers_are_found_through_their_group(inquiry, test_actions):
    other_manager = UserFactory(username="manager2", roles=["cs_manager"])
    inactive = UserFactory(username="manager3", roles=["cs_manager"])
    inactive.is_active = False
    inactive.save()

    swept(T0 + datetime.timedelta(hours=1))

    notified = set(
        Notification.objects.filter(kind="sla_cs_manager").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"manager1", "manager2"}
    assert Group.objects.get(name="cs_manager").user_set.filter(pk=other_manager.pk).exists()

"""Exactly-once escalation on PostgreSQL: concurrent sweepers, a sweeper that dies
mid-batch, and a ticket locked by a request while the sweeper runs.

These tests commit for real (transaction=True) so that row locks and
`skip_locked` behave as in production.
"""

import datetime
import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from sla import services, sweeper
from sla.choices import ClockState, Metric
from sla.models import Clock, EscalationRecord
from staffing.models import Notification
from tests.sla.conftest import facts_for, sh
from worktickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

T0 = sh(2026, 3, 2, 10, 0)
LATER = T0 + datetime.timedelta(hours=1)  # first response and solution: every step due


@pytest.fixture
def due_tickets(make_ticket, lead_user, manager_user):
    tickets = [make_ticket() for _ in range(40)]
    for ticket in tickets:
        services.clocks_start(ticket, facts_for(ticket), at=T0)
    return tickets


def assert_each_step_once(test_actions, clocks: int):
    records = list(EscalationRecord.objects.values_list("clock_id", "level_id"))
    assert len(records) == clocks * 2  # the breach and the later step; at-risk was overtaken
    assert len(set(records)) == len(records)
    calls = Counter((name, clock_id, level_id) for name, clock_id, level_id in test_actions)
    assert set(calls.values()) == {1}
    assert len(calls) == clocks * 2  # raise_priority at breach, escalation queue later
    keys = Counter(Notification.objects.values_list("recipient_id", "dedupe_key"))
    assert set(keys.values()) == {1}


def test_two_sweepers_at_once_escalate_each_step_exactly_once(due_tickets, test_actions):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(sweeper.sweep(now=LATER, batch_size=7))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    due_clocks = 80  # first response and initial solution of 40 tickets
    assert sum(r.clocks for r in results) == due_clocks  # no clock worked twice
    assert_each_step_once(test_actions, due_clocks)
    assert Clock.objects.filter(state=ClockState.BREACHED).count() == due_clocks


def test_a_sweep_killed_mid_batch_and_run_again_escalates_each_step_once(
    due_tickets, test_actions, monkeypatch
):
    real_advance = sweeper.advance
    calls = {"n": 0}

    def dies_in_the_third_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 25:
            raise SystemExit("worker killed")
        return real_advance(*args, **kwargs)

    monkeypatch.setattr(sweeper, "advance", dies_in_the_third_batch)
    with pytest.raises(SystemExit):
        sweeper.sweep(now=LATER, batch_size=10)

    # Two batches committed; the third died after four rows and rolled back whole.
    assert EscalationRecord.objects.values("clock_id").distinct().count() == 20
    assert Clock.objects.filter(state=ClockState.BREACHED).count() == 20
    assert Clock.objects.filter(sweep_at__isnull=True).count() == 20

    monkeypatch.setattr(sweeper, "advance", real_advance)
    sweeper.sweep(now=LATER, batch_size=10)
    sweeper.sweep(now=LATER, batch_size=10)

    assert_each_step_once(test_actions, 80)


def test_a_ticket_locked_by_a_request_is_left_for_the_next_sweep(due_tickets, test_actions):
    busy = due_tickets[0]
    locked, release = threading.Event(), threading.Event()

    def request_holding_the_ticket():
        with transaction.atomic():
            Ticket.objects.select_for_update().get(pk=busy.pk)
            locked.set()
            release.wait(timeout=30)
        connections.close_all()

    holder = threading.Thread(target=request_holding_the_ticket)
    holder.start()
    assert locked.wait(timeout=30)
    try:
        first = sweeper.sweep(now=LATER, batch_size=50)
    finally:
        release.set()
        holder.join(timeout=30)

    assert first.skipped == 2
    assert not EscalationRecord.objects.filter(clock__ticket=busy).exists()

    second = sweeper.sweep(now=LATER, batch_size=50)

    assert second.clocks == 2
    assert EscalationRecord.objects.filter(clock__ticket=busy).count() == 4
    assert Clock.objects.get(ticket=busy, metric=Metric.FIRST_RESPONSE).state == ClockState.BREACHED

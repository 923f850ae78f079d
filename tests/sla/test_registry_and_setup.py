"""The action registry, the beat schedules and the role permissions shipped by migrations."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django_celery_beat.models import PeriodicTask

from sla import escalation, services, tasks
from sla.admin import EscalationLevelForm
from sla.choices import Metric
from sla.models import EscalationLevel, EscalationRecord
from tests.sla.conftest import facts_for, sh

T0 = sh(2026, 3, 2, 10, 0)


def test_builtin_notify_actions_are_registered():
    names = {name for name, _label in escalation.action_choices()}

    assert {"notify_assignee", "notify_team_lead", "notify_cs_manager"} <= names


def test_upper_apps_register_actions_the_ladder_then_calls_by_name(make_ticket):
    seen = []
    escalation.register_action(
        "page_the_duty_manager", lambda clock, level: seen.append(clock.metric), "Page"
    )
    try:
        EscalationLevel.objects.create(
            name="Page at breach",
            metric=Metric.FIRST_RESPONSE,
            trigger="breached",
            actions=["page_the_duty_manager"],
            order=50,
        )
        ticket = make_ticket()
        services.clocks_start(ticket, facts_for(ticket), at=T0)
        with time_machine.travel(T0 + datetime.timedelta(minutes=16), tick=False):
            tasks.sweep()
            tasks.sweep()
    finally:
        escalation.unregister_action("page_the_duty_manager")

    assert seen == [Metric.FIRST_RESPONSE]
    assert EscalationRecord.objects.get(level__name="Page at breach").outcome == "done"


def test_batch_actions_receive_every_firing_of_a_batch_at_once(make_ticket):
    batches = []
    escalation.register_action(
        "count", lambda firings: batches.append(len(firings)), "Count", many=True
    )
    try:
        EscalationLevel.objects.create(name="Count", trigger="at_risk", actions=["count"], order=60)
        for _ in range(3):
            ticket = make_ticket()
            services.clocks_start(ticket, facts_for(ticket), at=T0)
        with time_machine.travel(T0 + datetime.timedelta(minutes=8), tick=False):
            tasks.sweep()
    finally:
        escalation.unregister_action("count")

    assert batches == [3]


def test_ladder_form_offers_registered_actions_and_keeps_unknown_stored_ones(db):
    level = EscalationLevel.objects.get(order=30)

    choices = dict(EscalationLevelForm(instance=level).fields["actions"].choices)

    assert "notify_cs_manager" in choices
    assert "move_to_escalation_queue" in choices  # stored; registered by worktickets


def test_default_ladder(db):
    # Upper apps add their own steps (complaints: upgrade); these are the engine's.
    ladder = [
        (lv.trigger, str(lv.delay_fraction), lv.actions)
        for lv in EscalationLevel.objects.filter(order__in=[10, 20, 30], metric="").order_by(
            "order"
        )
    ]

    assert ladder == [
        ("at_risk", "0.00", ["notify_assignee"]),
        ("breached", "0.00", ["notify_team_lead", "raise_priority"]),
        ("breached", "0.50", ["move_to_escalation_queue", "notify_cs_manager"]),
    ]


@pytest.mark.parametrize(
    ("task", "seconds"),
    [
        ("sla.tasks.sweep", 30),
        ("staffing.tasks.flush_outbox", 30),
        ("sla.tasks.run_recompute_jobs", 60),
    ],
)
def test_beat_schedules_live_in_the_database(db, task, seconds):
    periodic = PeriodicTask.objects.get(task=task)

    assert periodic.enabled
    assert (periodic.interval.every, periodic.interval.period) == (seconds, "seconds")


@pytest.mark.parametrize(
    ("role", "perm", "granted"),
    [
        ("agent", "view_clock", True),
        ("agent", "view_at_risk", False),
        ("team_lead", "view_at_risk", True),
        ("team_lead", "view_all_clocks", False),
        ("cs_manager", "view_at_risk", True),
        ("centre_director", "view_all_clocks", True),
        ("qa_inspector", "view_clock", True),
        ("complaint_handler", "view_clock", True),
        ("administrator", "change_slapolicy", True),
        ("cs_manager", "change_slapolicy", False),
    ],
)
def test_role_permissions(db, role, perm, granted):
    has = (
        Group.objects.get(name=role)
        .permissions.filter(content_type__app_label="sla", codename=perm)
        .exists()
    )

    assert has is granted

"""Policies as data: explicit precedence, matching, versions, and recomputation."""

import datetime

import pytest
import time_machine

from sla import services
from sla.choices import ClockEventKind, ClockState, Metric, VipMatch
from sla.matching import TicketFacts, policies_for, targets_for, vip_matches
from sla.models import CalendarOverride, Clock, PolicyTarget, RecomputeJob, SlaPolicy
from tests.sla.conftest import facts_for, sh

T0 = sh(2026, 3, 2, 10, 0)


def inquiry_facts(**extra) -> TicketFacts:
    values = {"kind": "inquiry", "channel": "hotline", "priority": 2, "vip_tier": "none"}
    return TicketFacts(**{**values, **extra})


@pytest.mark.parametrize(
    ("rule", "tier", "matches"),
    [
        (VipMatch.ANY, "none", True),
        (VipMatch.ANY, "gold", True),
        (VipMatch.NONE, "none", True),
        (VipMatch.NONE, "silver", False),
        (VipMatch.VIP, "none", False),
        (VipMatch.VIP, "supreme", True),
        (VipMatch.GOLD, "gold", True),
        (VipMatch.GOLD, "diamond", False),
        (VipMatch.NONE, "", True),
    ],
)
def test_vip_matching(rule, tier, matches):
    assert vip_matches(rule, tier) is matches


def test_default_set_has_distinct_explicit_orders(db):
    orders = list(SlaPolicy.objects.values_list("order", flat=True))

    assert len(orders) == len(set(orders))
    assert SlaPolicy.objects.filter(current_version__isnull=True).count() == 0


def test_the_first_policy_by_order_wins_per_metric_whatever_its_name_or_age(db, always):
    urgent = SlaPolicy.objects.create(
        name="AAA urgent inquiries", order=105, kind="inquiry", min_priority=4
    )
    PolicyTarget.objects.create(
        policy=urgent, metric=Metric.FIRST_RESPONSE, amount=3, unit="minutes", calendar=always
    )
    services.policy_publish(urgent)

    chosen = {
        t["metric"]: (v.policy.name, t["amount"]) for v, t in targets_for(inquiry_facts(priority=4))
    }
    normal = {t["metric"]: t["amount"] for _, t in targets_for(inquiry_facts(priority=2))}

    assert chosen[Metric.FIRST_RESPONSE] == ("AAA urgent inquiries", 3)
    assert chosen[Metric.CLOSURE] == ("Inquiries", 48)
    assert normal[Metric.FIRST_RESPONSE] == 15

    # Moved after the default inquiry policy, it no longer wins.
    urgent.order = 300
    urgent.save(update_fields=["order"])
    moved = {t["metric"]: t["amount"] for _, t in targets_for(inquiry_facts(priority=4))}
    assert moved[Metric.FIRST_RESPONSE] == 15


def test_inactive_and_unpublished_policies_do_not_match(db):
    names = [p.name for p in policies_for(inquiry_facts())]

    assert "Alternative: ordinary business consultation answered within 20 minutes" not in names
    assert names == ["Inquiries"]


def test_matching_by_complaint_category_tier_channel_service_and_region(db):
    facts = TicketFacts(
        kind="complaint",
        channel="hotline",
        priority=2,
        vip_tier="none",
        complaint_category="service_fault",
        complaint_tier="complaint",
        service_type="broadband",
        region="rural",
    )

    names = [p.name for p in policies_for(facts)]

    assert names == [
        "Ordinary complaints",
        "Every complaint: overall limit and evidence",
        "Repair limit: rural broadband service-fault complaints",
    ]


def test_publishing_makes_a_new_version_only_when_something_changed(db):
    policy = SlaPolicy.objects.get(name="Inquiries")

    assert services.policy_publish(policy) is None  # the migration's version is current

    PolicyTarget.objects.filter(policy=policy, metric=Metric.FIRST_RESPONSE).update(amount=10)
    version = services.policy_publish(policy)

    assert version.number == 2
    assert {t["metric"]: t["amount"] for t in version.targets}[Metric.FIRST_RESPONSE] == 10
    policy.refresh_from_db()
    assert policy.current_version == version


def test_running_clocks_keep_their_version_and_new_tickets_get_the_new_one(make_ticket):
    before = make_ticket()
    services.clocks_start(before, facts_for(before), at=T0)
    policy = SlaPolicy.objects.get(name="Inquiries")
    PolicyTarget.objects.filter(policy=policy, metric=Metric.FIRST_RESPONSE).update(amount=10)
    services.policy_publish(policy)

    after = make_ticket()
    services.clocks_start(after, facts_for(after), at=T0)

    old_clock = Clock.objects.get(ticket=before, metric=Metric.FIRST_RESPONSE)
    new_clock = Clock.objects.get(ticket=after, metric=Metric.FIRST_RESPONSE)
    assert (old_clock.policy_version.number, old_clock.due_at) == (1, sh(2026, 3, 2, 10, 15))
    assert (new_clock.policy_version.number, new_clock.due_at) == (2, sh(2026, 3, 2, 10, 10))


def test_applying_a_new_version_to_open_tickets_recomputes_them_in_batches(make_ticket):
    tickets = [make_ticket() for _ in range(5)]
    for ticket in tickets:
        services.clocks_start(ticket, facts_for(ticket), at=T0)
    services.clock_meet(tickets[0], Metric.FIRST_RESPONSE, at=T0 + datetime.timedelta(minutes=1))
    policy = SlaPolicy.objects.get(name="Inquiries")
    PolicyTarget.objects.filter(policy=policy, metric=Metric.CLOSURE).update(amount=24)
    version = services.policy_publish(policy)
    job = services.policy_apply_to_open_clocks(version)

    batches = 0
    while services.recompute_job_run(job, batch_size=4):
        batches += 1

    assert batches == 4  # 14 open clocks, 4 at a time
    job.refresh_from_db()
    assert job.finished_at is not None
    assert job.clocks_done == 14
    closures = Clock.objects.filter(metric=Metric.CLOSURE)
    assert {c.due_at for c in closures} == {sh(2026, 3, 3, 10, 0)}
    assert {c.policy_version_id for c in closures} == {version.pk}
    # The met clock is history: it keeps its version.
    met = Clock.objects.get(ticket=tickets[0], metric=Metric.FIRST_RESPONSE)
    assert met.policy_version.number == 1
    tickets[1].refresh_from_db()
    assert tickets[1].sla_due_at == sh(2026, 3, 2, 10, 15)
    assert (
        Clock.objects.get(ticket=tickets[1], metric=Metric.CLOSURE)
        .events.filter(kind=ClockEventKind.RECOMPUTED)
        .count()
        == 1
    )


def test_calendar_change_recomputes_open_clocks_on_that_calendar(make_ticket, workdays):
    ticket = make_ticket(kind="complaint")
    facts = facts_for(ticket, complaint_category="billing", complaint_tier="complaint")
    services.clocks_start(ticket, facts, at=T0)
    acceptance = Clock.objects.get(ticket=ticket, metric=Metric.COMPLAINT_ACCEPTANCE)
    assert acceptance.due_at == sh(2026, 3, 3, 10, 0)

    # A typhoon closes the centre on 3 March: the administrator adds an override.
    CalendarOverride.objects.create(
        calendar=workdays, date=datetime.date(2026, 3, 3), is_working_day=False, note="台风"
    )
    services.calendar_changed(workdays)
    with time_machine.travel(T0 + datetime.timedelta(hours=1), tick=False):
        assert services.recompute_jobs_run() == 1

    acceptance.refresh_from_db()
    assert acceptance.due_at == sh(2026, 3, 4, 10, 0)
    assert acceptance.calendar_revision == workdays.revision
    event = acceptance.events.get(kind=ClockEventKind.RECOMPUTED)
    assert event.data["old_due"] == sh(2026, 3, 3, 10, 0).isoformat()
    ticket.refresh_from_db()
    assert ticket.sla_due_at == sh(2026, 3, 4, 10, 0)
    # 24×7 clocks of the ticket were not part of the job.
    evidence_free = Clock.objects.filter(ticket=ticket, calendar__kind="24x7")
    assert not any(c.events.filter(kind=ClockEventKind.RECOMPUTED).exists() for c in evidence_free)
    assert RecomputeJob.objects.get().finished_at is not None


def test_recompute_keeps_pauses_and_extensions(make_ticket, workdays, manager_user):
    ticket = make_ticket(kind="complaint")
    facts = facts_for(ticket, complaint_category="billing", complaint_tier="complaint")
    services.clocks_start(ticket, facts, at=T0)
    services.clocks_status_changed(ticket, "open", "waiting_customer", at=sh(2026, 3, 2, 17, 0))
    services.clocks_status_changed(ticket, "waiting_customer", "open", at=sh(2026, 3, 3, 10, 0))
    feedback = Clock.objects.get(ticket=ticket, metric=Metric.COMPLAINT_FEEDBACK)
    services.clock_extend(
        feedback, by_working_days=2, reason="waiting for carrier", approved_by=manager_user
    )
    feedback.refresh_from_db()
    due = feedback.due_at

    changed = services.clocks_recompute([ticket.pk])

    feedback.refresh_from_db()
    assert changed == 0
    assert feedback.due_at == due == sh(2026, 3, 11, 12, 0)
    assert feedback.paused_total == datetime.timedelta(hours=2)


def test_recompute_that_gives_more_time_lifts_a_breach(make_ticket, workdays):
    ticket = make_ticket(kind="complaint")
    facts = facts_for(ticket, complaint_category="billing", complaint_tier="complaint")
    services.clocks_start(ticket, facts, at=T0)
    acceptance = Clock.objects.get(ticket=ticket, metric=Metric.COMPLAINT_ACCEPTANCE)
    Clock.objects.filter(pk=acceptance.pk).update(
        state=ClockState.BREACHED, breached_at=acceptance.due_at
    )
    CalendarOverride.objects.create(
        calendar=workdays, date=datetime.date(2026, 3, 3), is_working_day=False
    )
    services.calendar_changed(workdays)

    with time_machine.travel(sh(2026, 3, 3, 12, 0), tick=False):
        services.clocks_recompute([ticket.pk])

    acceptance.refresh_from_db()
    assert acceptance.state == ClockState.RUNNING
    assert acceptance.breached_at is None
    assert acceptance.due_at == sh(2026, 3, 4, 10, 0)


def test_a_policy_naming_a_category_matches_it_and_its_sub_categories_only(db):
    fault = inquiry_facts(category_codes=("system_fault_app", "system_fault"))
    top = inquiry_facts(category_codes=("system_fault",))
    other = inquiry_facts(category_codes=("feedback_attitude", "feedback"))
    none = inquiry_facts()

    def first_response(facts):
        chosen = {t["metric"]: (v.policy.name, t["amount"]) for v, t in targets_for(facts)}
        return chosen[Metric.FIRST_RESPONSE]

    assert first_response(fault) == first_response(top) == ("System faults during a query", 5)
    assert first_response(other) == ("Suggestions and feedback", 24)
    assert first_response(none) == ("Inquiries", 15)


def test_every_shipped_policy_is_current_so_republishing_makes_no_version(db):
    for policy in SlaPolicy.objects.all():
        assert services.policy_publish(policy) is None, policy.name
        assert "category_code" in policy.current_version.criteria

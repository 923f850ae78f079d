"""Recurrence (DOMAIN.md C-25, C-36) and outage clusters (C-15, P-3), as configured."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from complaints import selectors, services
from complaints.choices import Category, MajorReason
from complaints.models import Complaint, ComplaintSettings, OutageCluster
from staffing.models import Notification, OutboxMessage
from tests.factories import CustomerFactory, make_complaint

SH = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=SH)


# ---------------------------------------------------------------- recurrence


def test_a_second_complaint_within_30_days_is_flagged_linked_and_counted(groups, agent_user):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        first = make_complaint(recorded_by=agent_user, customer=customer)
        clock.move_to(START + datetime.timedelta(days=10))
        second = make_complaint(recorded_by=agent_user, customer=customer)
        clock.move_to(START + datetime.timedelta(days=29))
        third = make_complaint(recorded_by=agent_user, customer=customer)

    assert first.recurrence_of is None
    assert second.recurrence_of == first
    assert second.recurrence_count == 1
    assert third.recurrence_of == second
    assert third.recurrence_count == 2
    assert first.ticket.events.filter(data__complaint_event="recurrence").exists()


def test_no_recurrence_after_the_window_or_in_another_category(groups, agent_user):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        make_complaint(recorded_by=agent_user, customer=customer)
        other_category = make_complaint(
            recorded_by=agent_user, customer=customer, category=Category.TECH_SUPPORT
        )
        other_customer = make_complaint(recorded_by=agent_user)
        clock.move_to(START + datetime.timedelta(days=31))
        late = make_complaint(recorded_by=agent_user, customer=customer)

    assert other_category.recurrence_of is None
    assert other_customer.recurrence_of is None
    assert late.recurrence_of is None


def test_the_recurrence_window_is_configurable(groups, agent_user):
    ComplaintSettings.objects.update(recurrence_window_days=40)
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        first = make_complaint(recorded_by=agent_user, customer=customer)
        clock.move_to(START + datetime.timedelta(days=35))
        later = make_complaint(recorded_by=agent_user, customer=customer)

    assert later.recurrence_of == first


def test_a_repeat_complaint_becomes_major_at_the_configured_count(groups, agent_user, manager_user):
    customer = CustomerFactory()
    complaints = [make_complaint(recorded_by=agent_user, customer=customer) for _ in range(3)]

    assert [c.is_major for c in complaints] == [False, False, True]
    assert MajorReason.REPEAT in complaints[2].major_reasons


def test_recurrence_rate_per_category_per_month(groups, agent_user):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False):
        make_complaint(recorded_by=agent_user, customer=customer)
        make_complaint(recorded_by=agent_user, customer=customer)
        make_complaint(recorded_by=agent_user)
        make_complaint(recorded_by=agent_user)
        make_complaint(recorded_by=agent_user, category=Category.TECH_SUPPORT)
        rows = selectors.recurrence_rates(months=2)

    by_category = {(row.month, row.category): row for row in rows}
    billing = by_category[(datetime.date(2026, 11, 1), "billing")]
    assert (billing.complaints, billing.recurrences) == (4, 1)
    assert billing.rate == 0.25
    tech = by_category[(datetime.date(2026, 11, 1), "tech_support")]
    assert (tech.complaints, tech.recurrences) == (1, 0)


# ---------------------------------------------------------------- outage clusters


def fault(agent_user, area="朝阳区", service_type="broadband", **extra):
    return make_complaint(
        recorded_by=agent_user,
        category=Category.SERVICE_FAULT,
        service_type=service_type,
        region="urban",
        area=area,
        promised_repair_at=datetime.datetime.now(tz=SH) + datetime.timedelta(hours=12),
        **extra,
    )


def test_ten_faults_in_thirty_minutes_in_one_area_make_one_outage(
    groups, agent_user, manager_user, director_user
):
    with time_machine.travel(START, tick=False) as clock:
        faults = []
        for minute in range(0, 30, 3):  # 10 complaints over 27 minutes
            clock.move_to(START + datetime.timedelta(minutes=minute))
            faults.append(fault(agent_user))
        clock.move_to(START + datetime.timedelta(minutes=29))
        late_joiner = fault(agent_user)

    cluster = OutageCluster.objects.get()
    assert cluster.complaints.count() == 11
    assert late_joiner.cluster == cluster
    assert all(MajorReason.MASS_FAULT in c.major_reasons for c in cluster.complaints.all())
    told = Notification.objects.filter(kind="complaint.cluster")
    assert set(told.values_list("recipient__username", flat=True)) == {"manager1", "director1"}
    # The outage notice covers its members: no separate alarm for each.
    assert not Notification.objects.filter(kind="complaint.major").exists()


def test_a_complaint_major_on_its_own_is_reported_even_when_it_joins_an_outage(
    groups, agent_user, manager_user
):
    ComplaintSettings.objects.update(cluster_threshold=3)
    with time_machine.travel(START, tick=False):
        fault(agent_user)
        fault(agent_user)  # the outage opens with the next one
        in_the_press = fault(agent_user, media_involved=True)

    in_the_press.refresh_from_db()
    assert in_the_press.cluster is not None
    assert set(in_the_press.major_reasons) == {MajorReason.MEDIA, MajorReason.MASS_FAULT}
    # Its own notice, at its recording; the other members' only through the outage's.
    (major,) = Notification.objects.filter(kind="complaint.major", recipient=manager_user)
    assert in_the_press.ticket.number in major.title
    # Recorded major; joined the outage; then major for the outage too.
    assert [h.cluster_id for h in in_the_press.history.order_by("history_date", "history_id")] == [
        None,
        in_the_press.cluster_id,
        in_the_press.cluster_id,
    ]


def test_joining_an_outage_is_in_each_complaints_history(groups, agent_user):
    ComplaintSettings.objects.update(cluster_threshold=3, major_on_cluster=False)
    with time_machine.travel(START, tick=False):
        first, second = fault(agent_user), fault(agent_user)
        # Changed since this process read it: its history copies the row as it is.
        Complaint.objects.filter(pk=first.pk).update(contact_address="北京市朝阳区 1 号")
        opener = fault(agent_user)  # the outage opens, taking the first two
        joiner = fault(agent_user)
    cluster = OutageCluster.objects.get()

    for member in (first, second, opener, joiner):
        rows = member.history.order_by("history_date", "history_id")
        assert [(h.history_type, h.cluster_id) for h in rows] == [("+", None), ("~", cluster.pk)]
        latest = rows.last()
        assert latest.history_change_reason == "joined an outage cluster"
        assert latest.contact_address == Complaint.objects.get(pk=member.pk).contact_address
    assert first.history.latest().contact_address == "北京市朝阳区 1 号"


def test_nine_faults_or_a_slow_trickle_make_no_outage(groups, agent_user):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(9):
            fault(agent_user)
        clock.move_to(START + datetime.timedelta(minutes=31))
        fault(agent_user)  # the first nine are outside the window now

    assert not OutageCluster.objects.exists()


def test_faults_in_other_areas_or_services_are_not_grouped(groups, agent_user):
    with time_machine.travel(START, tick=False):
        for index in range(10):
            fault(agent_user, area=f"区{index % 2}")
        for _ in range(5):
            fault(agent_user, service_type="mobile")

    assert not OutageCluster.objects.exists()


def test_the_threshold_and_window_are_configurable(groups, agent_user):
    ComplaintSettings.objects.update(cluster_threshold=3, cluster_window_minutes=5)

    with time_machine.travel(START, tick=False):
        for _ in range(3):
            fault(agent_user, area="海淀区")

    cluster = OutageCluster.objects.get()
    assert (cluster.threshold, cluster.window_minutes, cluster.complaints.count()) == (3, 5, 3)


def test_one_result_goes_to_every_complaint_of_the_outage(groups, agent_user, tech_user):
    ComplaintSettings.objects.update(cluster_threshold=3)
    with time_machine.travel(START, tick=False):
        members = [fault(agent_user, area="海淀区") for _ in range(3)]
    accepted = members[0]
    services.complaint_accept(accepted, by=tech_user, version=accepted.ticket.version)
    cluster = OutageCluster.objects.get()

    result = services.cluster_feedback(
        cluster,
        by=tech_user,
        cause="光缆被施工挖断",
        measures="已熔接恢复",
        channel="sms",
    )

    assert len(result.given) == 3
    assert result.skipped == []
    messages = OutboxMessage.objects.filter(dedupe_key__startswith="complaint-feedback:")
    assert messages.count() == 3
    assert {m.recipient for m in messages} == {c.contact_phone for c in members}
    assert all("光缆被施工挖断" in m.body for m in messages)
    cluster.refresh_from_db()
    assert cluster.status == "resolved"
    for member in members:
        member.ticket.refresh_from_db()
        assert member.ticket.status == "feedback_given"

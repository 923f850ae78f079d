"""Recording a complaint through the API costs a fixed, small number of queries:
the routing rules, the settings, the calendars and the leadership group are kept
per process (complaints.reference), the clocks are planned before the ticket is
written, and the 201 answer is rendered from what the creation wrote. Yet a
change to the rules, the teams, the settings or the roles is seen by the next
complaint, and the answer is the complaint as a read shows it."""

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.choices import Category, RoutingTarget
from complaints.models import Complaint, ComplaintSettings, RoutingRule
from staffing.models import Notification
from tests.factories import (
    AgentFactory,
    CustomerFactory,
    TeamFactory,
    UserFactory,
    make_complaint,
    record_complaint,
)

BASE = "/api/v1/complaints/"


def body(**extra) -> dict:
    return {
        "channel": "hotline",
        "category": "billing",
        "content": "上月账单多扣了 30 元套餐外流量费",
        "customer": CustomerFactory().pk,
        **extra,
    }


def record(api, **extra) -> dict:
    response = api.post(BASE, body(**extra), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def captured_creation(api, **extra) -> list[str]:
    values = body(**extra)
    with CaptureQueriesContext(connection) as captured:
        response = api.post(BASE, values, format="json")
    assert response.status_code == 201, response.json()
    return [query["sql"] for query in captured]


def statements(queries: list[str]) -> list[str]:
    """Each statement's verb and table, e.g. 'INSERT worktickets_ticket'."""
    shown = []
    for sql in queries:
        verb = sql.split()[0]
        if verb in ("SAVEPOINT", "RELEASE"):
            shown.append(verb)
            continue
        keyword = {"SELECT": " FROM ", "INSERT": " INTO ", "UPDATE": "UPDATE "}[verb]
        shown.append(f"{verb} {sql.split(keyword, 1)[1].split()[0].strip(chr(34))}")
    return shown


# ---------------------------------------------------------------- queries


def test_recording_a_complaint_through_the_api_costs_a_fixed_number_of_queries(portal, agent_user):
    record(portal)  # warm up: reference data read, the client's last use stamped

    queries = captured_creation(portal, first_contact_agent=agent_user.pk)

    # The API client's row (whether its key is still good is never taken from a
    # kept copy); the input's customer and agent; the recurrence lookup, before anything is
    # written; the ticket and the complaint, each followed by the history row
    # simple-history writes; the two timeline lines, the clocks and their start events in
    # one INSERT each. Nothing is updated after its INSERT, nor read back for
    # the answer. (The savepoint is the test's: in a request the creation's
    # transaction is the outermost.)
    assert statements(queries) == [
        "SELECT staffing_apiclient",
        "SELECT intake_customer",
        "SELECT staffing_user",
        "SAVEPOINT",
        "SELECT complaints_complaint",
        "INSERT worktickets_ticket",
        "INSERT worktickets_historicalticket",
        "INSERT complaints_complaint",
        "INSERT complaints_historicalcomplaint",
        "INSERT worktickets_ticketevent",
        "INSERT sla_clock",
        "INSERT sla_clockevent",
        "RELEASE",
    ], "\n".join(queries)


def test_a_service_fault_costs_no_more(portal, agent_user):
    fault = {
        "category": "service_fault",
        "service_type": "broadband",
        "promised_repair_at": (timezone.now() + datetime.timedelta(hours=4)).isoformat(),
    }
    record(portal, **fault)

    queries = captured_creation(portal, **fault)

    # The repair limit's calendar is the SLA engine's kept copy.
    assert len(queries) == 12, "\n".join(queries)


def test_a_major_repeat_complaint_reads_only_the_earlier_complaints(
    portal, agent_user, manager_user
):
    record(portal, media_involved=True)  # warm up: the leadership group is read once
    customer = CustomerFactory().pk
    record(portal, customer=customer)
    record(portal, customer=customer)

    queries = captured_creation(portal, customer=customer)

    # Linked to the earlier two and reported to the leadership group, whose members
    # are kept per process too: the only reads are the API client's row, the
    # input and the lookup.
    reads = [s for s in statements(queries) if s.startswith("SELECT")]
    assert reads == [
        "SELECT staffing_apiclient",
        "SELECT intake_customer",
        "SELECT complaints_complaint",
    ], "\n".join(queries)
    # Its own two lines, both recurrence lines (on it and on the earlier
    # complaint) and the major report's line in one INSERT; the leaders'
    # notifications in another.
    assert statements(queries).count("INSERT worktickets_ticketevent") == 1
    assert statements(queries).count("INSERT staffing_notification") == 1
    assert Notification.objects.filter(kind="complaint.major", recipient=manager_user).exists()
    # Written once: its one history row already holds the link and the major mark.
    latest = Complaint.objects.filter(ticket__customer_id=customer).order_by("-pk").first()
    (history,) = latest.history.all()
    assert history.recurrence_count == 2 and history.recurrence_of_id is not None
    assert history.is_major and history.major_reasons == ["repeat"]
    assert latest.ticket.history.count() == 1


# ---------------------------------------------------------------- the answer


def detail(api, complaint_id: int) -> dict:
    response = api.get(f"{BASE}{complaint_id}/")
    assert response.status_code == 200
    return response.json()


START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def test_the_answer_is_the_complaint_as_a_read_shows_it(portal, agent_user, manager_user):
    customer = CustomerFactory().pk
    ComplaintSettings.objects.update(cluster_threshold=2)
    fault = {
        "category": "service_fault",
        "service_type": "broadband",
        "area": "东城区",
        "promised_repair_at": (START + datetime.timedelta(hours=4)).isoformat(),
    }
    answers = []

    def record_and_read(**extra) -> dict:
        answer = record(portal, **extra)
        answers.append(answer)
        # Read at once: later complaints add lines to earlier ones' timelines.
        assert answer == detail(portal, answer["id"])
        return answer

    with time_machine.travel(START, tick=False):
        first = record_and_read(customer=customer)
        record_and_read(customer=customer, first_contact_agent=agent_user.pk)
        record_and_read(customer=customer, media_involved=True)  # a repeat, major
        record_and_read(**fault)
        record_and_read(**fault)  # opens the outage
        record_and_read(**fault)  # joins it
        record_and_read(
            customer=customer, kind="appeal", parent=first["id"], regulator_reference="GXB-1"
        )

    assert answers[2]["recurrence_of"] == answers[1]["id"] and answers[2]["is_major"]
    assert answers[4]["cluster"] is not None and answers[5]["cluster"] == answers[4]["cluster"]
    assert [line["data"]["complaint_event"] for line in answers[4]["timeline"]] == [
        "recorded",
        "routed",
        "cluster",
        "major",
    ]


# ---------------------------------------------------------------- kept data is renewed


def test_a_routing_rule_changed_is_seen_by_the_next_complaint(groups, agent_user):
    assert make_complaint(recorded_by=agent_user).ticket.team == groups["legal"]
    rule = RoutingRule.objects.get(category=Category.BILLING, order=10)

    rule.team_kind = "tech_support"
    rule.save()
    assert make_complaint(recorded_by=agent_user).ticket.team == groups["tech"]

    rule.target = RoutingTarget.TEAM
    rule.team = special = TeamFactory(name="Billing desk", kind="hotline")
    rule.assign_to_lead = True
    rule.save()
    assert make_complaint(recorded_by=agent_user).ticket.team == special

    rule.delete()
    assert make_complaint(recorded_by=agent_user).ticket.team == groups["complaints"]


def test_a_team_opened_closed_or_given_a_lead_is_seen_by_the_next_complaint(groups, agent_user):
    assert make_complaint(recorded_by=agent_user).ticket.team == groups["legal"]
    # "A team of this kind" is the first active one by name.
    first = TeamFactory(name="上海合规组", kind="market_legal")
    assert make_complaint(recorded_by=agent_user).ticket.team == first

    first.is_active = False
    first.save()
    assert make_complaint(recorded_by=agent_user).ticket.team == groups["legal"]

    rule = RoutingRule.objects.get(category=Category.BILLING, order=10)
    rule.assign_to_lead = True
    rule.save()
    assert make_complaint(recorded_by=agent_user).ticket.assignee is None
    lead = UserFactory(username="legal-lead", roles=["market_legal"])
    AgentFactory(user=lead, team=groups["legal"])
    groups["legal"].lead = lead
    groups["legal"].save()
    assert make_complaint(recorded_by=agent_user).ticket.assignee == lead


def test_the_settings_changed_are_seen_by_the_next_complaint(groups, agent_user):
    customer = CustomerFactory()
    make_complaint(recorded_by=agent_user, customer=customer)
    assert make_complaint(recorded_by=agent_user, customer=customer).recurrence_of is not None

    config = ComplaintSettings.current()
    config.recurrence_window_days = 0  # recurrence off
    config.major_on_media = False
    config.save()

    later = make_complaint(recorded_by=agent_user, customer=customer, media_involved=True)
    assert later.recurrence_of is None
    assert not later.is_major


def test_someone_given_the_leadership_role_hears_of_the_next_major_complaint(
    groups, agent_user, manager_user
):
    make_complaint(recorded_by=agent_user, media_involved=True)
    newcomer = UserFactory(username="director2", roles=["agent"])

    newcomer.groups.add(*manager_user.groups.all())
    major = make_complaint(recorded_by=agent_user, media_involved=True)

    told = Notification.objects.filter(kind="complaint.major", link__contains=f"/{major.pk}/")
    assert set(told.values_list("recipient__username", flat=True)) == {
        "manager1",
        "director2",
    }

    manager_user.is_active = False
    manager_user.save()
    later = make_complaint(recorded_by=agent_user, media_involved=True)

    told = Notification.objects.filter(kind="complaint.major", link__contains=f"/{later.pk}/")
    assert set(told.values_list("recipient__username", flat=True)) == {"director2"}


def test_a_complaint_created_keeps_its_own_timeline_only(groups, agent_user):
    customer = CustomerFactory()
    first = make_complaint(recorded_by=agent_user, customer=customer)
    second = record_complaint(recorded_by=agent_user, customer=customer)

    # The earlier complaint's "complained again" line is on its own timeline.
    assert [e.ticket_id for e in second.timeline] == [second.complaint.pk] * 3
    assert Complaint.objects.get(pk=first.pk).ticket.events.count() == 3

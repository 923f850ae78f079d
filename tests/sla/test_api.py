"""GET /api/v1/sla/clocks/: filters, visibility by team, scopes, constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sla import services
from sla.api import ClockSerializer
from sla.choices import ClockState, Metric
from sla.models import Clock
from sla.selectors import clocks_for_ticket
from tests.factories import make_api_client
from tests.sla.conftest import facts_for, sh

URL = "/api/v1/sla/clocks/"
T0 = sh(2026, 3, 2, 10, 0)


@pytest.fixture
def clocks(make_ticket, other_team, outsider_user):
    mine = make_ticket()
    theirs = make_ticket(team=other_team, assignee=outsider_user, first_contact_agent=outsider_user)
    for ticket in (mine, theirs):
        services.clocks_start(ticket, facts_for(ticket), at=T0)
    first = Clock.objects.get(ticket=mine, metric=Metric.FIRST_RESPONSE)
    Clock.objects.filter(pk=first.pk).update(at_risk=True)
    solution = Clock.objects.get(ticket=mine, metric=Metric.INITIAL_SOLUTION)
    Clock.objects.filter(pk=solution.pk).update(
        state=ClockState.BREACHED, breached_at=solution.due_at
    )
    return mine, theirs


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_agent_sees_the_clocks_of_their_team_only(client, agent_user, clocks):
    mine, _theirs = clocks
    client.force_login(agent_user)

    assert ids(client.get(URL)) == set(
        Clock.objects.filter(ticket=mine).values_list("pk", flat=True)
    )


def test_manager_sees_every_team(client, manager_user, clocks):
    client.force_login(manager_user)

    assert len(ids(client.get(URL))) == 6


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "breached"}, {Metric.INITIAL_SOLUTION}),
        ({"state": "at_risk"}, {Metric.FIRST_RESPONSE}),
        ({"state": "open"}, {Metric.FIRST_RESPONSE, Metric.INITIAL_SOLUTION, Metric.CLOSURE}),
        ({"metric": "closure"}, {Metric.CLOSURE}),
        ({"at_risk": "true"}, {Metric.FIRST_RESPONSE}),
    ],
)
def test_filters(client, agent_user, clocks, query, expected):
    client.force_login(agent_user)

    response = client.get(URL, query)

    assert {row["metric"] for row in response.json()["results"]} == expected


def test_filter_by_ticket_and_team(client, manager_user, clocks, other_team):
    mine, theirs = clocks
    client.force_login(manager_user)

    assert len(ids(client.get(URL, {"ticket": mine.pk}))) == 3
    by_team = client.get(URL, {"team": other_team.pk}).json()["results"]
    assert {row["ticket"] for row in by_team} == {theirs.pk}


@pytest.mark.parametrize(
    "query",
    [{"state": "sleeping"}, {"ticket": "abc"}, {"team": "-1"}, {"ticket": "99999999999999999999"}],
)
def test_bad_filters_are_a_400(client, agent_user, clocks, query):
    client.force_login(agent_user)

    assert client.get(URL, query).status_code == 400


def test_clock_fields(client, agent_user, clocks):
    mine, _ = clocks
    client.force_login(agent_user)

    row = client.get(URL, {"ticket": mine.pk, "metric": "first_response"}).json()["results"][0]

    assert row["policy"] == "Inquiries"
    assert row["policy_version"] == 1
    assert row["calendar"] == "24×7"
    assert row["due_at"] == "2026-03-02T10:15:00+08:00"
    assert row["paused_seconds"] == 0
    assert row["lateness_seconds"] is None
    assert row["escalations"] == []


def test_retrieve_respects_visibility(client, agent_user, clocks):
    _mine, theirs = clocks
    client.force_login(agent_user)
    other = Clock.objects.filter(ticket=theirs).first()

    assert client.get(f"{URL}{other.pk}/").status_code == 404


def test_signed_out_and_unprivileged_are_refused(client, clocks, db):
    assert client.get(URL).status_code in (401, 403)


def test_api_client_needs_the_sla_read_scope(client, clocks):
    _, key = make_api_client("portal", ["sla:read"])
    _, other_key = make_api_client("crm", ["customers:read"])

    assert len(ids(client.get(URL, HTTP_AUTHORIZATION=f"Token {key}"))) == 6
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {other_key}").status_code == 403


def test_writes_are_not_allowed(client, manager_user, clocks):
    client.force_login(manager_user)

    assert client.post(URL, {}).status_code in (403, 405)


def test_query_count_does_not_grow_with_the_list(client, manager_user, make_ticket):
    client.force_login(manager_user)

    def count(tickets: int) -> int:
        for _ in range(tickets):
            ticket = make_ticket()
            services.clocks_start(ticket, facts_for(ticket), at=T0)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"page_size": 200})
        assert response.status_code == 200
        Clock.objects.all().delete()
        return len(queries)

    count(0)  # the first request loads what each process keeps (the team table)
    assert count(2) == count(20)


def test_serializer_embeds_in_the_ticket_detail(make_ticket, django_assert_max_num_queries):
    ticket = make_ticket()
    services.clocks_start(ticket, facts_for(ticket), at=T0)

    with django_assert_max_num_queries(3):
        data = ClockSerializer(clocks_for_ticket(ticket), many=True).data

    assert [row["metric"] for row in data] == ["first_response", "initial_solution", "closure"]
    assert data[2]["due_at"] == (T0 + datetime.timedelta(hours=48)).isoformat()

"""A person sees a clock exactly when they may see its ticket (worktickets'
tickets_visible_to, registered with sla from WorkticketsConfig.ready()):
the clock API, its detail and the at-risk list alike. Integrations with the
sla:read scope see every clock."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sla import services
from sla.models import Clock
from sla.selectors import (
    attention_list,
    register_ticket_visibility,
    ticket_visibility,
    visible_clocks,
)
from tests.factories import AgentFactory, UserFactory, make_api_client
from tests.sla.conftest import facts_for, sh
from worktickets.models import Ticket
from worktickets.selectors import tickets_visible_to

URL = "/api/v1/sla/clocks/"
T0 = sh(2026, 3, 2, 10, 0)


@pytest.fixture
def colleague(hotline_team):
    """Another agent of agent1's team: the complaint below is about them."""
    user = UserFactory(username="colleague1", roles=["agent"])
    AgentFactory(user=user, team=hotline_team)
    return user


@pytest.fixture
def handler_user(hotline_team):
    """A complaint handler of agent1's team: they work its complaints."""
    user = UserFactory(username="handler1", roles=["complaint_handler"])
    AgentFactory(user=user, team=hotline_team)
    return user


@pytest.fixture
def tickets(make_ticket, agent_user, colleague, outsider_user, other_team):
    """Tickets with running clocks, named by what agent1 has to do with them."""

    def started(**fields):
        ticket = make_ticket(**fields)
        services.clocks_start(ticket, facts_for(ticket), at=T0)
        return ticket

    theirs = {"assignee": colleague, "first_contact_agent": colleague}
    outside = {"team": other_team, "assignee": outsider_user, "first_contact_agent": outsider_user}
    return {
        "team's": started(**theirs),
        "team's complaint": started(kind="complaint", **theirs),
        "other team's": started(**outside),
        "other team's complaint": started(kind="complaint", **outside),
        "other team's, assigned to them": started(**{**outside, "assignee": agent_user}),
        "other team's, they took the call": started(
            **{**outside, "first_contact_agent": agent_user}
        ),
        "their complaint": started(kind="complaint", **{**theirs, "assignee": agent_user}),
    }


AGENT_SEES = {
    "team's",
    "other team's, assigned to them",
    "other team's, they took the call",
    "their complaint",
}


def listed(client, **query) -> list[dict]:
    response = client.get(URL, {"page_size": 200, **query})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def names_of(rows: list[dict], tickets: dict) -> set[str]:
    by_pk = {ticket.pk: name for name, ticket in tickets.items()}
    return {by_pk[row["ticket"]] for row in rows}


def clock_of(ticket) -> Clock:
    return Clock.objects.filter(ticket=ticket).order_by("pk").first()


def test_an_agent_lists_the_clocks_of_tickets_they_may_open_only(client, agent_user, tickets):
    client.force_login(agent_user)

    rows = listed(client)

    assert names_of(rows, tickets) == AGENT_SEES
    expected = Clock.objects.filter(ticket__in=[tickets[name] for name in AGENT_SEES])
    assert {row["id"] for row in rows} == set(expected.values_list("pk", flat=True))


def test_an_agent_opens_a_clock_only_if_they_may_open_its_ticket(client, agent_user, tickets):
    client.force_login(agent_user)

    answers = {
        name: client.get(f"{URL}{clock_of(ticket).pk}/").status_code
        for name, ticket in tickets.items()
    }
    ticket_pages = {
        name: client.get(f"/api/v1/tickets/{ticket.pk}/").status_code
        for name, ticket in tickets.items()
    }

    assert answers == {name: 200 if name in AGENT_SEES else 404 for name in tickets}
    assert answers == ticket_pages


@pytest.mark.parametrize(
    "query",
    [lambda t: {"ticket": t["team's complaint"].pk}, lambda t: {"team": t["other team's"].team_id}],
)
def test_filters_do_not_reach_past_visibility(client, agent_user, tickets, query):
    client.force_login(agent_user)

    rows = listed(client, **query(tickets))

    assert names_of(rows, tickets) <= AGENT_SEES
    assert "team's complaint" not in names_of(rows, tickets)


PERSONAS = ["agent_user", "handler_user", "outsider_user", "lead_user", "manager_user", "qa_user"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_sees_the_clocks_of_exactly_the_tickets_they_may_see(
    client, request, tickets, persona
):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    shown = {row["ticket"] for row in listed(client)}

    assert shown == set(
        tickets_visible_to(user).filter(sla_clocks__isnull=False).values_list("pk", flat=True)
    )


def test_a_complaint_handler_sees_their_team_s_complaints_but_not_another_team_s(
    client, handler_user, tickets
):
    client.force_login(handler_user)

    names = names_of(listed(client), tickets)

    assert {"team's", "team's complaint", "their complaint"} <= names
    assert not names & {"other team's", "other team's complaint"}


def test_a_lead_who_sees_every_teams_tickets_sees_no_other_teams_complaint_clock(
    client, lead_user, tickets
):
    # Seeing every team's tickets is not seeing every group's complaints: those follow
    # the complaint rule (a team lead handles their own team's).
    client.force_login(lead_user)

    assert names_of(listed(client), tickets) == set(tickets) - {"other team's complaint"}


def test_managers_who_see_every_ticket_and_complaint_see_every_clock(client, manager_user, tickets):
    client.force_login(manager_user)

    assert names_of(listed(client), tickets) == set(tickets)


def test_an_api_client_with_the_sla_scope_sees_every_clock(client, tickets):
    _, key = make_api_client("portal", ["sla:read"])

    response = client.get(URL, {"page_size": 200}, HTTP_AUTHORIZATION=f"Token {key}")

    assert {row["id"] for row in response.json()["results"]} == set(
        Clock.objects.values_list("pk", flat=True)
    )
    hidden = clock_of(tickets["team's complaint"])
    detail = client.get(f"{URL}{hidden.pk}/", HTTP_AUTHORIZATION=f"Token {key}")
    assert detail.status_code == 200


def test_visibility_is_a_subquery_on_the_ticket_not_a_list_of_ids(agent_user, tickets):
    sql = str(visible_clocks(agent_user).query)

    assert sql.count("SELECT") == 2
    assert f'"{Ticket._meta.db_table}"' in sql.split("SELECT", 2)[2]


def test_those_who_see_every_ticket_get_no_subquery(manager_user, tickets):
    assert str(visible_clocks(manager_user).query).count("SELECT") == 1


def test_without_a_registered_rule_a_person_sees_no_clock(client, agent_user, tickets):
    rule = ticket_visibility()
    register_ticket_visibility(None)
    try:
        client.force_login(agent_user)
        rows = listed(client)
        _, key = make_api_client("portal", ["sla:read"])
        every = client.get(URL, {"page_size": 200}, HTTP_AUTHORIZATION=f"Token {key}")
    finally:
        register_ticket_visibility(rule)

    assert rows == []
    assert len(every.json()["results"]) == Clock.objects.count()


def test_the_registered_rule_is_the_one_applied(agent_user, tickets):
    rule = ticket_visibility()
    register_ticket_visibility(lambda user: Ticket.objects.filter(pk=tickets["other team's"].pk))
    try:
        shown = set(visible_clocks(agent_user).values_list("ticket_id", flat=True))
    finally:
        register_ticket_visibility(rule)

    assert rule is tickets_visible_to
    assert shown == {tickets["other team's"].pk}


def test_list_query_count_for_an_agent_does_not_grow_with_the_list(
    client, agent_user, make_ticket, colleague
):
    client.force_login(agent_user)

    def count(tickets: int) -> int:
        for n in range(tickets):
            kind = "complaint" if n % 2 else "inquiry"
            ticket = make_ticket(kind=kind, assignee=colleague, first_contact_agent=colleague)
            services.clocks_start(ticket, facts_for(ticket), at=T0)
        with CaptureQueriesContext(connection) as queries:
            rows = listed(client)
        assert len(rows) == 3 * ((tickets + 1) // 2)  # the inquiries only
        Ticket.objects.all().delete()
        return len(queries)

    count(0)  # the first request loads what each process keeps (the team table)
    assert count(2) == count(20)


# --- the at-risk list ------------------------------------------------------------------


def _all_at_risk():
    Clock.objects.update(at_risk=True)


def test_the_at_risk_list_shows_only_clocks_of_tickets_the_person_may_see(
    client, agent_user, tickets
):
    """An agent granted the at-risk list (not a default) gets their team's, minus the
    complaints they may not open, and none of another team's."""
    agent_user.user_permissions.add(
        Permission.objects.get(content_type__app_label="sla", codename="view_at_risk")
    )
    _all_at_risk()
    client.force_login(agent_user)

    shown = {clock.ticket_id for clock in attention_list(agent_user)}
    html = client.get("/sla/at-risk/").content.decode()

    assert shown == {tickets["team's"].pk, tickets["their complaint"].pk}
    assert tickets["team's"].number in html
    assert tickets["team's complaint"].number not in html
    assert tickets["other team's"].number not in html


def test_a_lead_s_at_risk_list_is_their_team_s_complaints_included(lead_user, tickets):
    _all_at_risk()

    shown = {clock.ticket_id for clock in attention_list(lead_user)}

    assert shown == {tickets[name].pk for name in ("team's", "team's complaint", "their complaint")}


def test_a_manager_s_at_risk_list_is_every_team_s(manager_user, tickets):
    _all_at_risk()

    shown = {clock.ticket_id for clock in attention_list(manager_user)}

    assert shown == {ticket.pk for ticket in tickets.values()}

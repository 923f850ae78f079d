"""The agent's ticket page: what it costs, who sees what, and its bounded timeline."""

import re

import pytest
from django.test.html import parse_html
from django.urls import reverse

from sla.models import ClockEvent
from staffing.services import agent_create
from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerFactory,
    CustomerServiceFactory,
    TicketFactory,
    UserFactory,
    make_ticket,
)
from worktickets import selectors, services, views
from worktickets.forms import ReassignForm, TransferForm
from worktickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

# Signing in (session, user), the user's permissions (their own, their roles'), the
# ticket, its timeline, its clocks (with their events and escalations), the customer
# with their latest tickets, their services and contacts, and the header's role and
# unread notifications. The action forms' team and agent lists are kept per process.
PAGE_QUERIES = 14


def page_url(ticket, **params) -> str:
    url = reverse("worktickets:ticket_detail", args=[ticket.pk])
    return url + "".join(f"?{name}={value}" for name, value in params.items())


def events_shown(html: str) -> int:
    return len(re.findall(r'<li class="wt-event ', html))


@pytest.fixture
def colleague(hotline_team):
    user = UserFactory(username="colleague", roles=["agent"])
    AgentFactory(user=user, team=hotline_team)
    return user


def long_history(ticket, by, other) -> Ticket:
    """40 events on the ticket: holds and resumes (which also log on its clocks), notes."""
    ticket = services.ticket_accept(ticket, by=by, version=ticket.version)
    for n in range(6):
        ticket = services.ticket_hold(ticket, by=by, version=ticket.version, reason=f"补材料 {n}")
        ticket = services.ticket_resume(ticket, by=by, version=ticket.version)
    while ticket.events.count() < 40:
        services.ticket_add_note(ticket, by=other, body="内部备注")
    return ticket


def test_ticket_page_queries_do_not_grow_with_events_clocks_or_notes(
    client, agent_user, colleague, django_assert_num_queries
):
    customer = CustomerFactory(vip_tier="gold")
    CustomerServiceFactory(customer=customer)
    ContactFactory(customer=customer, agent=colleague)
    short = make_ticket(created_by=agent_user, customer=customer)
    services.ticket_add_note(short, by=colleague, body="备注")
    long = long_history(
        make_ticket(created_by=agent_user, customer=customer), agent_user, colleague
    )
    assert (short.events.count(), long.events.count()) == (2, 40)
    clock_events = {
        ticket: ClockEvent.objects.filter(clock__ticket=ticket).count() for ticket in (short, long)
    }
    assert clock_events[long] > clock_events[short] > 0

    client.force_login(agent_user)
    client.get(page_url(short))  # the first request loads what each process keeps
    for ticket in (short, long):
        with django_assert_num_queries(PAGE_QUERIES):
            response = client.get(page_url(ticket))
        assert response.status_code == 200
        assert events_shown(response.content.decode()) == ticket.events.count()


def test_a_leads_page_with_the_reassign_form_costs_the_same(
    client, lead_user, colleague, django_assert_num_queries
):
    customer = CustomerFactory()
    short = make_ticket(created_by=colleague, customer=customer)
    long = long_history(make_ticket(created_by=colleague, customer=customer), colleague, lead_user)
    client.force_login(lead_user)
    client.get(page_url(short))
    counts = []
    for ticket in (short, long):
        with django_assert_num_queries(PAGE_QUERIES) as captured:  # numbers masked: no record
            response = client.get(page_url(ticket))
        assert 'name="assignee"' in response.content.decode()
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_page_shows_exactly_the_tickets_the_user_may_see(
    client, agent_user, lead_user, outsider_user, manager_user, hotline_team, other_team
):
    customer = CustomerFactory()
    tickets = [
        TicketFactory(team=hotline_team, customer=customer),
        TicketFactory(team=hotline_team, customer=customer, assignee=lead_user),
        TicketFactory(team=other_team, customer=customer),
        TicketFactory(team=other_team, customer=customer, assignee=agent_user),
        TicketFactory(team=other_team, customer=customer, first_contact_agent=agent_user),
        TicketFactory(team=hotline_team, customer=customer, kind="complaint"),
    ]
    for user in (agent_user, lead_user, outsider_user, manager_user):
        visible = set(selectors.tickets_visible_to(user).values_list("pk", flat=True))
        client.force_login(user)
        for ticket in tickets:
            response = client.get(page_url(ticket))
            if ticket.pk not in visible:
                assert response.status_code == 404, (user, ticket.pk)
            elif ticket.kind == "complaint":
                assert response.status_code == 302
            else:
                assert response.status_code == 200, (user, ticket.pk)
                html = response.content.decode()
                # The customer's other tickets link to their page only when it opens.
                for other in tickets:
                    if other.pk != ticket.pk:
                        linked = f'href="{page_url(other)}"' in html
                        assert linked == (other.pk in visible), (user, ticket.pk, other.pk)


def test_accept_is_offered_in_the_users_teams_only(
    client, agent_user, hotline_team, other_team, outsider_user
):
    ours = TicketFactory(team=hotline_team)
    theirs = TicketFactory(team=other_team, first_contact_agent=agent_user)
    client.force_login(agent_user)
    assert "wt-action-accept" in client.get(page_url(ours)).content.decode()
    assert "wt-action-accept" not in client.get(page_url(theirs)).content.decode()
    client.force_login(outsider_user)
    assert "wt-action-accept" in client.get(page_url(theirs)).content.decode()


def test_a_long_timeline_shows_the_latest_events_and_offers_the_whole(client, agent_user):
    ticket = make_ticket(created_by=agent_user)
    TicketEvent.objects.bulk_create(
        TicketEvent(ticket=ticket, kind="note", actor=agent_user, body=f"备注 {n}")
        for n in range(views.TIMELINE_LATEST + 5)
    )
    total = ticket.events.count()
    client.force_login(agent_user)

    latest = client.get(page_url(ticket)).content.decode()
    assert events_shown(latest) == views.TIMELINE_LATEST
    assert f"备注 {views.TIMELINE_LATEST + 4}" in latest  # the newest
    assert "wt-event-created" not in latest  # the oldest left out
    assert f'href="{page_url(ticket, timeline="all")}#ticket-timeline"' in latest

    whole = client.get(page_url(ticket, timeline="all")).content.decode()
    assert events_shown(whole) == total
    assert "wt-event-created" in whole
    assert "wt-earlier" not in whole

    # An action answers with the timeline as the page it was taken from showed it.
    note = reverse("worktickets:ticket_action", args=[ticket.pk, "note"])
    for current, whole in ((page_url(ticket), False), (page_url(ticket, timeline="all"), True)):
        response = client.post(
            note,
            {"body": "又一条", "version": ticket.version},
            HTTP_HX_REQUEST="true",
            HTTP_HX_CURRENT_URL=f"http://testserver{current}",
        )
        assert response.status_code == 200
        shown = ticket.events.count() if whole else views.TIMELINE_LATEST
        assert events_shown(response.content.decode()) == shown


def test_a_short_timeline_shows_everything_without_the_link(client, agent_user):
    ticket = make_ticket(created_by=agent_user)
    client.force_login(agent_user)
    html = client.get(page_url(ticket)).content.decode()
    assert events_shown(html) == 1 and "wt-earlier" not in html


@pytest.mark.parametrize("form_class", [TransferForm, ReassignForm])
@pytest.mark.parametrize("posted", [False, True])
def test_listed_selects_render_as_djangos(form_class, posted, colleague, lead_user, other_team):
    data = {"assignee": str(colleague.pk), "team": str(other_team.pk)} if posted else None
    usual = form_class(data, auto_id="id_x_%s")
    listed = form_class(data, auto_id="id_x_%s")
    views._with_listed_options([listed])
    for name in ("team", "assignee"):
        if name in usual.fields:
            assert parse_html(str(listed[name])) == parse_html(str(usual[name]))
    chosen = f'<option value="{colleague.pk}" selected>'
    assert (chosen in str(listed["assignee"])) == posted


def test_a_new_agent_is_offered_at_once(client, lead_user, hotline_team, colleague):
    ticket = make_ticket(created_by=colleague)
    client.force_login(lead_user)
    assert "新人" not in client.get(page_url(ticket)).content.decode()
    agent_create(username="newcomer", employee_number="E900", team=hotline_team, first_name="新人")
    assert "新人" in client.get(page_url(ticket)).content.decode()

"""The queues' power tools (issue 14, item 12): keyword search, sortable columns, saved
views per person, bulk reassign and close with a result per ticket, and the in-place
refresh with a "new ticket" cue."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AgentFactory, CustomerFactory, TicketFactory, UserFactory
from worktickets import services
from worktickets.models import SavedQueueView, Ticket

pytestmark = pytest.mark.django_db

TEAM = reverse("worktickets:team_queue")
MINE = reverse("worktickets:my_queue")
BULK = reverse("worktickets:queue_bulk")


@pytest.fixture
def colleague(hotline_team):
    user = UserFactory(username="colleague", first_name="小王", roles=["agent"])
    AgentFactory(user=user, team=hotline_team)
    return user


def numbers(response) -> list[str]:
    return re.findall(r'class="wt-number" href="/tickets/\d+/">([^<]+)<', response.content.decode())


def test_keyword_search_finds_number_subject_and_customer_name(client, lead_user, hotline_team):
    TicketFactory(team=hotline_team, number="T20260101-000777", subject="宽带断网")
    TicketFactory(team=hotline_team, subject="套餐变更咨询")
    TicketFactory(team=hotline_team, customer=CustomerFactory(name="欧阳娜娜"), subject="话费")
    client.force_login(lead_user)

    assert numbers(client.get(TEAM, {"q": "000777"})) == ["T20260101-000777"]
    assert len(numbers(client.get(TEAM, {"q": "套餐"}))) == 1
    found = client.get(TEAM, {"q": "欧阳"})
    assert len(numbers(found)) == 1
    assert "话费" in found.content.decode()
    # Every word must match.
    assert numbers(client.get(TEAM, {"q": "宽带 套餐"})) == []


def test_columns_sort_both_ways_and_an_unknown_order_keeps_the_queues(
    client, lead_user, hotline_team
):
    low = TicketFactory(team=hotline_team, priority=1, number="T20260101-000001")
    urgent = TicketFactory(team=hotline_team, priority=4, number="T20260101-000002")
    client.force_login(lead_user)

    assert numbers(client.get(TEAM, {"sort": "priority"})) == [low.number, urgent.number]
    assert numbers(client.get(TEAM, {"sort": "-priority"})) == [urgent.number, low.number]
    page = client.get(TEAM, {"sort": "priority"}).content.decode()
    assert 'aria-sort="ascending"' in page
    assert "sort=-priority" in page  # the header now offers the other way
    assert client.get(TEAM, {"sort": "password"}).status_code == 200


def test_filters_are_plain_selects_that_keep_their_choice(client, lead_user, hotline_team):
    client.force_login(lead_user)
    page = client.get(TEAM, {"priority": "4", "holder": "unassigned"}).content.decode()
    assert '<select name="priority" id="id_priority" data-autosubmit>' in page
    assert '<option value="4" selected>' in page
    assert '<option value="unassigned" selected>' in page
    refused = client.get(TEAM, {"priority": "9"})
    assert refused.status_code == 200
    assert "errorlist" in refused.content.decode()


def test_a_saved_view_is_its_owners_only(client, lead_user, agent_user):
    client.force_login(lead_user)
    answer = client.post(
        reverse("worktickets:saved_view_save"),
        {"queue": "team", "name": " 紧急 未分配 ", "query": "priority=4&holder=unassigned"},
    )
    assert answer.status_code == 302
    assert answer["Location"].endswith("?priority=4&holder=unassigned")
    view = SavedQueueView.objects.get(owner=lead_user)
    assert (view.name, view.queue) == ("紧急 未分配", "team")
    assert "紧急 未分配" in client.get(TEAM).content.decode()

    # Saving under the same name replaces the filters; an empty name is refused.
    client.post(
        reverse("worktickets:saved_view_save"),
        {"queue": "team", "name": "紧急 未分配", "query": "priority=3"},
    )
    assert SavedQueueView.objects.get(owner=lead_user).query == "priority=3"
    client.post(
        reverse("worktickets:saved_view_save"), {"queue": "team", "name": "  ", "query": ""}
    )
    assert SavedQueueView.objects.filter(owner=lead_user).count() == 1

    client.force_login(agent_user)
    assert "紧急 未分配" not in client.get(TEAM).content.decode()
    # Another's view is not theirs to delete: it stays.
    client.post(reverse("worktickets:saved_view_delete", args=[view.pk]))
    assert SavedQueueView.objects.filter(pk=view.pk).exists()

    client.force_login(lead_user)
    client.post(reverse("worktickets:saved_view_delete", args=[view.pk]))
    assert not SavedQueueView.objects.filter(pk=view.pk).exists()


def resolved(ticket_owner, team) -> Ticket:
    ticket = TicketFactory(team=team, assignee=ticket_owner, status="resolved")
    return ticket


def test_bulk_close_gives_one_result_per_ticket_and_a_refusal_stops_no_other(
    client, agent_user, hotline_team, other_team
):
    first = resolved(agent_user, hotline_team)
    second = resolved(agent_user, hotline_team)
    open_one = TicketFactory(team=hotline_team, assignee=agent_user, status="in_progress")
    stale = resolved(agent_user, hotline_team)
    hidden = resolved(None, other_team)
    client.force_login(agent_user)

    answer = client.post(
        BULK,
        {
            "action": "close",
            "note": "批量关闭",
            "tickets": [
                f"{first.pk}:{first.version}",
                f"{open_one.pk}:{open_one.version}",
                f"{stale.pk}:{stale.version + 5}",
                f"{hidden.pk}:{hidden.version}",
                f"{second.pk}:{second.version}",
            ],
        },
        HTTP_HX_REQUEST="true",
    )

    assert answer.status_code == 200
    assert answer["HX-Trigger"] == "queue-changed"
    page = answer.content.decode()
    rows = re.findall(r'class="wt-bulk-(ok|refused)" data-ticket="(\d+)"', page)
    assert rows == [
        ("ok", str(first.pk)),
        ("refused", str(open_one.pk)),
        ("refused", str(stale.pk)),
        ("refused", str(hidden.pk)),
        ("ok", str(second.pk)),
    ]
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == "closed"
    assert statuses[open_one.pk] == "in_progress"
    assert statuses[stale.pk] == statuses[hidden.pk] == "resolved"


def test_bulk_reassign_is_the_leads_and_goes_through_the_reassign_service(
    client, lead_user, agent_user, colleague, hotline_team
):
    mine = TicketFactory(team=hotline_team, assignee=agent_user, status="in_progress")
    held = TicketFactory(team=hotline_team, assignee=colleague, status="in_progress")
    rows = [f"{mine.pk}:{mine.version}", f"{held.pk}:{held.version}"]

    client.force_login(agent_user)
    refused = client.post(BULK, {"action": "reassign", "assignee": colleague.pk, "tickets": rows})
    assert refused.status_code == 403
    assert Ticket.objects.get(pk=mine.pk).assignee == agent_user

    client.force_login(lead_user)
    answer = client.post(BULK, {"action": "reassign", "assignee": colleague.pk, "tickets": rows})
    assert answer.status_code == 200
    page = answer.content.decode()
    # The one already with the colleague is a no-op the service refuses, on its own row.
    assert re.findall(r'class="wt-bulk-(ok|refused)"', page) == ["ok", "refused"]
    assert Ticket.objects.get(pk=mine.pk).assignee == colleague
    assert Ticket.objects.get(pk=mine.pk).version == mine.version + 1


def test_bulk_input_that_makes_no_sense_is_refused_with_a_message(client, lead_user):
    client.force_login(lead_user)
    assert client.post(BULK, {"action": "delete", "tickets": ["1:1"]}).status_code == 400
    assert client.post(BULK, {"action": "close"}).status_code == 400
    too_many = [f"{n}:1" for n in range(1, 60)]
    assert client.post(BULK, {"action": "close", "tickets": too_many}).status_code == 400
    no_agent = client.post(BULK, {"action": "reassign", "assignee": "x", "tickets": ["1:1"]})
    assert no_agent.status_code == 400
    assert "errorlist" in no_agent.content.decode()


def test_the_refresh_answers_the_rows_only_and_cues_new_tickets(client, agent_user, hotline_team):
    TicketFactory(team=hotline_team, assignee=agent_user)
    client.force_login(agent_user)
    page = client.get(MINE).content.decode()
    since = int(re.search(r"since=(\d+)", page).group(1))
    assert 'hx-trigger="every 30s, queue-changed from:body"' in page

    newer = TicketFactory(team=hotline_team, assignee=agent_user)
    rows = client.get(MINE, {"since": since}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-rows")
    text = rows.content.decode()
    assert text.lstrip().startswith('<div id="queue-rows"')
    assert "<h1>" not in text
    assert text.count('class="wt-new"') == 1
    assert newer.number in text
    assert "wt-new-cue" in text


def test_queue_pages_with_the_tools_keep_a_constant_query_count(
    client, lead_user, colleague, hotline_team
):
    client.force_login(lead_user)
    SavedQueueView.objects.create(owner=lead_user, queue="team", name="全部", query="")
    params = {"q": "查询", "sort": "-due"}

    def count(url, **headers) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params, **headers)
        assert response.status_code == 200
        return len(captured)

    count(TEAM)
    for _ in range(3):
        TicketFactory(team=hotline_team, assignee=colleague)
    with_three = count(TEAM), count(TEAM, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-rows")
    for _ in range(12):
        TicketFactory(team=hotline_team, assignee=colleague, customer=CustomerFactory())
    with_fifteen = count(TEAM), count(TEAM, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-rows")
    assert with_three == with_fifteen


def test_bulk_close_costs_a_fixed_number_of_queries_per_ticket(client, agent_user, hotline_team):
    client.force_login(agent_user)

    def cost(count: int) -> int:
        tickets = [resolved(agent_user, hotline_team) for _ in range(count)]
        rows = [f"{ticket.pk}:{ticket.version}" for ticket in tickets]
        with CaptureQueriesContext(connection) as captured:
            answer = client.post(BULK, {"action": "close", "tickets": rows})
        assert answer.status_code == 200
        return len(captured)

    cost(1)
    one, two, three = cost(1), cost(2), cost(3)
    assert three - two == two - one  # the same cost for each more ticket
    assert two - one <= 30


def test_saving_a_view_takes_only_known_queues(lead_user):
    with pytest.raises(services.DomainError):
        services.saved_queue_view_save(lead_user, queue="everything", name="x", query="")


def test_the_bulk_bar_loads_when_opened_with_the_agents_a_lead_may_choose(
    client, lead_user, agent_user, colleague, hotline_team, other_team
):
    TicketFactory(team=hotline_team, assignee=colleague, status="in_progress")
    client.force_login(lead_user)
    page = client.get(TEAM).content.decode()
    assert reverse("worktickets:queue_bulk_form") in page
    assert 'name="assignee"' not in page  # the agents are not read with the queue
    bar = client.get(reverse("worktickets:queue_bulk_form")).content.decode()
    assert 'value="reassign"' in bar
    assert f'<option value="{colleague.pk}">' in bar
    # The team the queue shows names the agents offered (a lead switches to teams they see).
    other = UserFactory(username="outsider2", first_name="外组", roles=["agent"])
    AgentFactory(user=other, team=other_team)
    bar = client.get(reverse("worktickets:queue_bulk_form"), {"team": other_team.pk})
    offered = bar.content.decode()
    assert f'<option value="{colleague.pk}">' not in offered
    assert (f'<option value="{other.pk}">' in offered) == lead_user.has_perm(
        "worktickets.view_all_tickets"
    )

    client.force_login(agent_user)
    bar = client.get(reverse("worktickets:queue_bulk_form")).content.decode()
    assert 'value="reassign"' not in bar
    assert 'value="close"' in bar

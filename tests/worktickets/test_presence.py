"""The collision warning: who else has a ticket open, and whether they are replying,
shown before a second person's save meets a stale-version refusal."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import _persona
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def poll(client, ticket, state="viewing"):
    return client.post(
        reverse("worktickets:ticket_presence", args=[ticket.pk]),
        {"state": state},
        HTTP_HX_REQUEST="true",
    )


@pytest.fixture
def colleague(hotline_team):
    return _persona("agent", hotline_team, "agent2")


@pytest.fixture
def other_team_agent(other_team):
    return _persona("agent", other_team, "agent9")


def test_each_sees_who_else_has_the_ticket_open_and_who_is_replying(client, agent_user, colleague):
    ticket = make_ticket(created_by=agent_user)
    client.force_login(agent_user)
    assert "presence-warning" not in poll(client, ticket).content.decode()

    client.force_login(colleague)
    seen_by_colleague = poll(client, ticket, "replying").content.decode()
    client.force_login(agent_user)
    seen_by_agent = poll(client, ticket).content.decode()

    assert agent_user.display_name in seen_by_colleague
    assert colleague.display_name in seen_by_agent
    assert 'class="presence replying"' in seen_by_agent
    assert 'class="presence replying"' not in seen_by_colleague


def test_someone_who_stopped_polling_has_left(client, agent_user, colleague):
    ticket = make_ticket(created_by=agent_user)
    start = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(colleague)
        poll(client, ticket)
        traveller.shift(datetime.timedelta(seconds=30))
        client.force_login(agent_user)
        assert colleague.display_name in poll(client, ticket).content.decode()
        traveller.shift(datetime.timedelta(seconds=45))
        assert colleague.display_name not in poll(client, ticket).content.decode()


def test_a_ticket_one_may_not_see_tells_nothing(client, agent_user, colleague, other_team_agent):
    ticket = make_ticket(created_by=agent_user)
    client.force_login(agent_user)
    poll(client, ticket)
    client.force_login(other_team_agent)

    assert poll(client, ticket).status_code == 404


def test_a_poll_costs_the_same_queries_however_many_are_present(
    client, agent_user, colleague, hotline_team, django_assert_max_num_queries
):
    ticket = make_ticket(created_by=agent_user)
    client.force_login(colleague)
    poll(client, ticket)
    client.force_login(agent_user)
    poll(client, ticket)
    with django_assert_max_num_queries(10) as one_other:  # sign-in, visibility: no presence row
        poll(client, ticket)
    queries = len(one_other.captured_queries)  # read now: each request resets the log
    for n in range(3):
        client.force_login(_persona("agent", hotline_team, f"agent{n + 3}"))
        poll(client, ticket)
    client.force_login(agent_user)
    poll(client, ticket)

    with django_assert_max_num_queries(queries):
        assert poll(client, ticket).content.decode().count('<span class="presence') == 4


def test_the_ticket_page_polls_presence(client, agent_user):
    ticket = make_ticket(created_by=agent_user)
    client.force_login(agent_user)

    page = client.get(reverse("worktickets:ticket_detail", args=[ticket.pk])).content.decode()

    assert reverse("worktickets:ticket_presence", args=[ticket.pk]) in page
    assert "data-presence-scope" in page


def test_next_ticket_skips_the_one_on_screen_and_says_when_the_queue_is_empty(client, agent_user):
    ticket = make_ticket(created_by=agent_user)
    client.force_login(agent_user)
    url = reverse("worktickets:next_ticket")

    assert client.get(url)["Location"] == reverse("worktickets:ticket_detail", args=[ticket.pk])
    emptied = client.get(url, {"after": ticket.pk}, follow=True)
    assert emptied.redirect_chain[-1][0] == reverse("worktickets:my_queue")
    assert (
        "No other open ticket" in emptied.content.decode() or "没有其他" in emptied.content.decode()
    )

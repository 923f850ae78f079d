"""The team lead's cockpit on the team board and the agent's counts on their desk:
each figure counts what the list it links to shows, at a constant query cost."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sla import services as sla_services
from sla.choices import ClockState
from sla.models import Clock
from staffing.models import Agent
from tests.factories import AgentFactory, TicketFactory, UserFactory
from tests.sla.conftest import facts_for
from worktickets.models import Ticket

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=SHANGHAI)
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/team/"}


@pytest.fixture(autouse=True)
def _frozen_afternoon():
    with time_machine.travel(NOW, tick=False):
        yield


def ticket(team, *, assignee=None, clock: str = "", due=None, status="new", subject="查询"):
    """A ticket with running clocks; `clock` puts one of them at risk or breached, `due`
    sets the ticket's next deadline (else tomorrow)."""
    made = TicketFactory(team=team, assignee=assignee, status=status, subject=subject)
    sla_services.clocks_start(made, facts_for(made), at=NOW - datetime.timedelta(minutes=5))
    first = Clock.objects.filter(ticket=made).order_by("due_at", "pk").first()
    if clock == "at_risk":
        Clock.objects.filter(pk=first.pk).update(at_risk=True)
    elif clock == "breached":
        Clock.objects.filter(pk=first.pk).update(at_risk=True, state=ClockState.BREACHED)
    Ticket.objects.filter(pk=made.pk).update(sla_due_at=due or NOW + datetime.timedelta(days=1))
    return made


def listed(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {row.number for row in response.context["page_obj"].object_list}


# --- the lead's cockpit -----------------------------------------------------------


@pytest.fixture
def team_work(hotline_team, other_team, agent_user, outsider_user):
    return {
        "at_risk": ticket(hotline_team, assignee=agent_user, clock="at_risk"),
        "breached": ticket(hotline_team, clock="breached"),
        "calm": ticket(hotline_team, assignee=agent_user),
        "done": ticket(hotline_team, status="closed"),
        "elsewhere": ticket(other_team, assignee=outsider_user, clock="breached"),
    }


def test_the_board_counts_the_queue_unassigned_at_risk_and_breached(
    client, lead_user, hotline_team, team_work
):
    client.force_login(lead_user)

    response = client.get("/team/", HTTP_ACCEPT_LANGUAGE="en")

    figures = response.context["figures"]
    assert (figures.queue, figures.unassigned, figures.at_risk, figures.breached) == (3, 1, 2, 1)
    html = response.content.decode()
    team = hotline_team.pk
    assert f'href="/tickets/team/?team={team}">3</a>' in html
    assert f'href="/tickets/team/?team={team}&amp;holder=unassigned">1</a>' in html
    assert f'href="/sla/at-risk/?team={team}">2</a>' in html
    assert f'href="/sla/at-risk/?team={team}&amp;breached_only=on">1</a>' in html
    assert "Queue size" in html and "Breached now" in html


def test_each_figure_links_to_the_tickets_it_counts(client, lead_user, hotline_team, team_work):
    client.force_login(lead_user)
    team = hotline_team.pk

    queue = listed(client, f"/tickets/team/?team={team}")
    unassigned = listed(client, f"/tickets/team/?team={team}&holder=unassigned")
    at_risk = client.get(f"/sla/at-risk/?team={team}").context["page"].paginator.count
    breached = client.get(f"/sla/at-risk/?team={team}&breached_only=on").context["page"]

    numbers = {name: made.number for name, made in team_work.items()}
    assert queue == {numbers["at_risk"], numbers["breached"], numbers["calm"]}
    assert unassigned == {numbers["breached"]}
    assert at_risk == 2
    assert [clock.ticket.number for clock in breached] == [numbers["breached"]]


def test_the_team_queue_offers_the_holder_and_deadline_filters(client, lead_user, team_work):
    client.force_login(lead_user)

    html = client.get("/tickets/team/?holder=unassigned", HTTP_ACCEPT_LANGUAGE="en")
    mine = client.get("/tickets/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    page = html.content.decode()
    assert '<option value="unassigned" selected>Unassigned</option>' in page
    assert '<option value="attention">At risk or breached</option>' in page
    assert 'name="holder"' not in mine and 'name="deadline"' in mine


def test_the_board_shows_each_agents_status_and_open_load(client, lead_user, agent_user, team_work):
    Agent.objects.filter(user=agent_user).update(status=Agent.Status.BREAK)
    client.force_login(lead_user)

    response = client.get("/team/")

    rows = {row.agent.user.username: row for row in response.context["board"].rows}
    assert rows["agent1"].open_load == 2 and rows["lead1"].open_load == 0
    assert "小休" in response.content.decode()


def test_the_lead_reassigns_the_most_urgent_tickets_from_the_board(
    client, lead_user, agent_user, team_work
):
    client.force_login(lead_user)
    urgent = team_work["breached"]

    page = client.get("/team/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f'hx-post="/tickets/{urgent.pk}/reassign/"' in page
    assert f'hx-post="/tickets/{team_work["at_risk"].pk}/reassign/"' in page
    assert f'hx-post="/tickets/{team_work["calm"].pk}/reassign/"' not in page
    assert f'hx-post="/tickets/{team_work["elsewhere"].pk}/reassign/"' not in page
    # Each agent with status and open load; the holder cannot be chosen (no no-op).
    assert f"{agent_user.display_name} · Offline · 2 open</option>" in page
    assert f"{agent_user.display_name} · Offline · 2 open (holds it now)</option>" in page

    row = client.post(
        f"/tickets/{urgent.pk}/reassign/",
        {"assignee": agent_user.pk, "version": urgent.version, "next": "/team/"},
        HTTP_ACCEPT_LANGUAGE="en",
        **HX,
    )

    assert row.status_code == 200
    urgent.refresh_from_db()
    assert urgent.assignee == agent_user
    assert f"{urgent.number} is now with" in row.content.decode()
    again = client.get("/team/")
    assert again.context["figures"].unassigned == 0


def test_the_lead_lands_on_the_cockpit(client, lead_user, team_work):
    client.force_login(lead_user)

    home = client.get("/")
    live = client.get("/?live=1", **HX)

    assert home.context["figures"].breached == 1
    assert len(home.context["attention"]) == 2
    assert live.context["figures"].queue == 3
    assert 'id="figure-breached"' in live.content.decode()
    # The live region refreshes the figures only; the reassign rows stay put.
    assert "reassign" not in live.content.decode()


def test_a_list_the_viewer_may_not_open_shows_a_dash_not_a_link(
    client, lead_user, qa_user, other_team, team_work
):
    client.force_login(lead_user)

    response = client.get(f"/team/?team={other_team.pk}")

    # A lead may look at another team's queue, not at its at-risk list.
    figures = response.context["figures"]
    assert (figures.queue, figures.unassigned, figures.at_risk, figures.breached) == (
        1,
        0,
        None,
        None,
    )
    html = response.content.decode()
    assert f'href="/tickets/team/?team={other_team.pk}&amp;holder=unassigned">0</a>' in html
    assert f"/sla/at-risk/?team={other_team.pk}" not in html
    assert response.context["attention"] == []

    client.force_login(qa_user)
    html = client.get(f"/team/?team={other_team.pk}").content.decode()
    assert "/sla/at-risk/" not in html  # QA may not open the at-risk list
    assert html.count('<div class="stat muted">—</div>') == 2


def test_a_manager_sees_every_teams_figures(client, manager_user, other_team, team_work):
    client.force_login(manager_user)

    figures = client.get(f"/team/?team={other_team.pk}").context["figures"]

    assert (figures.queue, figures.unassigned, figures.at_risk, figures.breached) == (1, 0, 1, 1)


def test_the_cockpit_costs_the_same_queries_for_one_or_many_agents_and_tickets(
    client, lead_user, hotline_team, agent_user
):
    client.force_login(lead_user)
    client.get("/team/")  # the session's first read and the translation catalogue

    def queries(path: str) -> int:
        headers = HX if "live=1" in path else {}
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, **headers).status_code == 200
        return len(captured)

    ticket(hotline_team, assignee=agent_user, clock="at_risk")
    ticket(hotline_team, clock="breached")
    few = [queries(path) for path in ("/team/", "/", "/?live=1")]

    for n in range(8):
        agent = AgentFactory(user=UserFactory(username=f"extra{n}"), team=hotline_team).user
        ticket(hotline_team, assignee=agent, clock="at_risk")
        ticket(hotline_team, clock="breached")
        ticket(hotline_team, assignee=agent)
    many = [queries(path) for path in ("/team/", "/", "/?live=1")]

    assert many == few


# --- the agent's desk -------------------------------------------------------------


@pytest.fixture
def my_work(hotline_team, agent_user, outsider_user, other_team):
    tonight = NOW.replace(hour=23, minute=30)
    yesterday = NOW - datetime.timedelta(days=1)
    return {
        "at_risk": ticket(hotline_team, assignee=agent_user, clock="at_risk"),
        "breached": ticket(hotline_team, assignee=agent_user, clock="breached", due=yesterday),
        "tonight": ticket(hotline_team, assignee=agent_user, due=tonight),
        "tomorrow": ticket(hotline_team, assignee=agent_user),
        "closed": ticket(hotline_team, assignee=agent_user, status="closed", due=tonight),
        "theirs": ticket(other_team, assignee=outsider_user, clock="breached", due=tonight),
    }


def test_the_agent_desk_counts_my_queue_at_risk_and_due_today(client, agent_user, my_work):
    client.force_login(agent_user)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    counts = response.context["counts"]
    assert (counts.queue, counts.at_risk, counts.due_today) == (4, 2, 1)
    html = response.content.decode()
    assert 'href="/tickets/">4</a>' in html
    assert 'href="/tickets/?deadline=attention">2</a>' in html
    assert 'href="/tickets/?deadline=today">1</a>' in html
    assert "My queue" in html and "Due today" in html


def test_the_agent_desk_counts_link_to_the_tickets_they_count(client, agent_user, my_work):
    client.force_login(agent_user)
    numbers = {name: made.number for name, made in my_work.items()}

    assert listed(client, "/tickets/?deadline=attention") == {
        numbers["at_risk"],
        numbers["breached"],
    }
    assert listed(client, "/tickets/?deadline=today") == {numbers["tonight"]}
    assert listed(client, "/tickets/") == {
        numbers[name] for name in ("at_risk", "breached", "tonight", "tomorrow")
    }


def test_due_today_is_the_centres_day(client, agent_user, hotline_team):
    # 07:30 in Shanghai is still the previous day in UTC: the day is Shanghai's.
    with time_machine.travel(datetime.datetime(2026, 3, 10, 7, 30, tzinfo=SHANGHAI), tick=False):
        ticket(hotline_team, assignee=agent_user, due=NOW.replace(hour=23))
        ticket(hotline_team, assignee=agent_user, due=NOW.replace(hour=0, minute=1))
        ticket(hotline_team, assignee=agent_user, due=NOW - datetime.timedelta(hours=16))
        client.force_login(agent_user)

        counts = client.get("/").context["counts"]

    assert counts.due_today == 2


def test_the_agent_desk_is_in_chinese_by_default(client, agent_user, my_work):
    client.force_login(agent_user)

    html = client.get("/").content.decode()

    assert "我的队列" in html and "今日到期" in html and "临近超时" in html


def test_the_agent_desk_costs_the_same_queries_for_few_or_many_tickets(
    client, agent_user, hotline_team
):
    client.force_login(agent_user)
    client.get("/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    ticket(hotline_team, assignee=agent_user, clock="at_risk")
    few = queries()
    for _ in range(6):
        ticket(hotline_team, assignee=agent_user, clock="breached")
        ticket(hotline_team, assignee=agent_user, due=NOW.replace(hour=22))
    assert queries() == few


def test_a_refused_filter_value_is_shown_beside_its_field_not_a_500(client, lead_user, team_work):
    client.force_login(lead_user)

    response = client.get(
        "/tickets/team/?holder=nobody&deadline=someday", HTTP_ACCEPT_LANGUAGE="en"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="errorlist"') == 2
    assert "nobody is not one of the available choices" in html

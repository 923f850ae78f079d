"""The at-risk list for team leads, the clock panel and the countdown badge."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from sla import services
from sla.choices import ClockState, Metric
from sla.models import Clock
from sla.selectors import annotate_sla, clocks_for_ticket
from sla.sweeper import sweep
from sla.templatetags.sla import badge_status
from staffing.models import Agent
from tests.factories import AgentFactory, UserFactory
from tests.sla.conftest import facts_for, sh
from worktickets.models import Ticket

URL = "/sla/at-risk/"
AT_RISK_QUERIES = 12
T0 = sh(2026, 3, 2, 10, 0)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def started(make_ticket, **fields):
    ticket = make_ticket(**fields)
    services.clocks_start(ticket, facts_for(ticket), at=T0)
    return ticket


def test_agents_may_not_see_the_list(client, agent_user):
    client.force_login(agent_user)

    assert client.get(URL).status_code == 403


def test_lead_sees_at_risk_and_breached_clocks_of_their_team(
    client, lead_user, make_ticket, other_team, outsider_user
):
    mine = started(make_ticket, subject="停机查询")
    calm = started(make_ticket, subject="还没到点")
    theirs = started(make_ticket, team=other_team, assignee=outsider_user, subject="别的班组")
    Clock.objects.filter(ticket=calm).update(sweep_at=None)
    with time_machine.travel(T0 + datetime.timedelta(minutes=20), tick=False):
        sweep()
        client.force_login(lead_user)
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 200
    assert mine.number in html
    assert calm.number not in html
    assert theirs.number not in html
    # First response, 5 minutes late: the ticket's most urgent clock, shown alone.
    assert 'data-sla-state="breached"' in html
    assert f'hx-post="/tickets/{mine.pk}/reassign/"' in html
    assert 'name="version"' in html
    assert "sla/countdown.js" in html


def test_manager_sees_every_team_and_can_filter(
    client, manager_user, make_ticket, other_team, outsider_user
):
    mine = started(make_ticket)
    theirs = started(make_ticket, team=other_team, assignee=outsider_user)
    with time_machine.travel(T0 + datetime.timedelta(minutes=20), tick=False):
        sweep()
    client.force_login(manager_user)

    every = client.get(URL).content.decode()
    filtered = client.get(URL, {"team": other_team.pk, "breached_only": "on"}).content.decode()

    assert mine.number in every and theirs.number in every
    assert theirs.number in filtered and mine.number not in filtered


def test_list_query_count_does_not_grow_with_rows(client, lead_user, make_ticket):
    client.force_login(lead_user)

    def count(tickets: int) -> int:
        for _ in range(tickets):
            started(make_ticket)
        Clock.objects.update(at_risk=True)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        Ticket.objects.all().delete()
        return len(queries)

    count(0)  # the first request loads what each process keeps (the team table)
    assert count(2) == count(15)


def test_the_list_costs_the_same_queries_whatever_its_rows_teams_and_choices(
    client, manager_user, make_ticket, other_team, outsider_user, django_assert_num_queries
):
    """One row per ticket, its escalations and the reassign choices (status and open
    load) of every team on the page, in a fixed number of queries."""
    client.force_login(manager_user)
    client.get(URL)  # the session's first read and the translation catalogue

    def page_with(tickets: int) -> str:
        for _ in range(tickets):
            started(make_ticket)
            started(make_ticket, team=other_team, assignee=outsider_user)
        Clock.objects.update(at_risk=True)
        with django_assert_num_queries(AT_RISK_QUERIES):
            return client.get(URL).content.decode()

    assert page_with(1).count('id="sla-ticket-') == 2
    assert page_with(7).count('id="sla-ticket-') == 16


def test_a_ticket_is_listed_once_with_its_most_urgent_clock(client, lead_user, make_ticket):
    mine = started(make_ticket, subject="两个时钟")
    with time_machine.travel(T0 + datetime.timedelta(minutes=20), tick=False):
        sweep()
        client.force_login(lead_user)
        html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # First response is breached and initial solution at risk: one row, the breach.
    assert Clock.objects.filter(ticket=mine).needing_attention().count() == 2
    assert html.count(f'id="sla-ticket-{mine.pk}"') == 1
    assert html.count(f">{mine.number}<") == 1
    assert 'data-sla-state="breached"' in html
    assert 'data-sla-state="at_risk"' not in html
    assert "1 ticket needs attention." in html


def test_reassign_choices_start_empty_and_show_each_agents_status_and_open_load(
    client, lead_user, agent_user, hotline_team, make_ticket
):
    resting = UserFactory(username="resting", first_name="休息中", last_name="")
    AgentFactory(user=resting, team=hotline_team, status=Agent.Status.BREAK)
    held = started(make_ticket)  # held by agent_user
    make_ticket(assignee=resting, status="in_progress")
    make_ticket(assignee=resting, status="pending_customer")
    make_ticket(assignee=resting, status="closed")
    Clock.objects.filter(ticket=held).update(at_risk=True)
    client.force_login(lead_user)

    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    select = html[html.index(f'id="assignee-{held.pk}"') :]
    select = select[: select.index("</select>")]
    assert '<option value="">Choose an agent</option>' in select
    assert " selected" not in select  # nothing chosen for the lead
    # The holder is shown but cannot be chosen again.
    assert f'<option value="{agent_user.pk}" disabled>' in select
    assert "(holds it now)" in select
    assert "休息中 · On break · 2 open</option>" in select


def test_clock_panel_explains_a_due_time_across_spring_festival(make_ticket, english, manager_user):
    ticket = make_ticket(kind="complaint")
    facts = facts_for(ticket, complaint_category="billing", complaint_tier="complaint")
    services.clocks_start(ticket, facts, at=sh(2026, 2, 13, 16, 0))
    services.clocks_status_changed(ticket, "open", "waiting_customer", at=sh(2026, 2, 24, 17, 0))
    services.clocks_status_changed(ticket, "waiting_customer", "open", at=sh(2026, 2, 25, 10, 0))
    overall = Clock.objects.get(ticket=ticket, metric=Metric.COMPLAINT_OVERALL)
    services.clock_extend(
        overall, by_working_days=2, reason="carrier report", approved_by=manager_user
    )

    with time_machine.travel(sh(2026, 2, 25, 11, 0), tick=False):
        html = render_to_string("sla/clock_panel.html", {"clocks": clocks_for_ticket(ticket)})

    assert "Complaint result feedback" in html
    assert "Ordinary complaints" in html
    assert "statutory holiday: Spring Festival" in html
    assert "make-up working day (调休): Spring Festival" in html
    assert "2026-02-14 18:00 – 2026-02-24 09:00" in html
    # Paused Tuesday 17:00 to Wednesday 10:00: two working hours added.
    assert "Paused 2026-02-24 17:00 – 2026-02-25 10:00: 2 hours of working time added" in html
    assert "Extended by 2 working days: carrier report" in html
    assert "30 working days or 15 calendar days, whichever is sooner" in html
    assert "2026-02-27 18:00" in html  # feedback: Feb 27 16:00 + 2 working hours


def test_clock_panel_in_chinese(make_ticket):
    ticket = started(make_ticket)
    with translation.override("zh-hans"):
        html = render_to_string("sla/clock_panel.html", {"clocks": clocks_for_ticket(ticket)})

    assert "首次响应" in html
    assert "全天候" in html or "24×7" in html


def test_empty_panel_says_no_policy_applies(english):
    html = render_to_string("sla/clock_panel.html", {"clocks": []})

    assert "No SLA policy applies to this ticket." in html


@pytest.mark.parametrize(
    ("due_in", "state", "at_risk", "code", "css"),
    [
        (30, "running", False, "on_time", "badge-ok"),
        (5, "running", True, "at_risk", "badge-warn"),
        (-5, "running", False, "breached", "badge-bad"),
        (10, "breached", True, "breached", "badge-bad"),
        (10, "paused", False, "paused", ""),
        (10, "met", False, "met", "badge-ok"),
    ],
)
def test_badge_states(due_in, state, at_risk, code, css):
    now = sh(2026, 3, 2, 10, 0)
    status = badge_status(
        now + datetime.timedelta(minutes=due_in), state=state, at_risk=at_risk, now=now
    )

    assert (status["code"], status["css"]) == (code, css)


BADGE = Template("{% load sla %}{% sla_badge due state at_risk %}")


def test_badge_for_a_queue_row_from_the_ticket_alone(make_ticket, english):
    ticket = started(make_ticket)
    Clock.objects.filter(ticket=ticket, metric=Metric.FIRST_RESPONSE).update(at_risk=True)
    row = annotate_sla(Ticket.objects.filter(pk=ticket.pk)).get()

    with time_machine.travel(T0 + datetime.timedelta(minutes=10), tick=False):
        html = BADGE.render(Context({"due": row.sla_due_at, "at_risk": row.sla_at_risk}))

    assert row.sla_at_risk and not row.sla_breached
    assert html == (
        '<span class="badge badge-warn sla-badge" data-sla-state="at_risk" '
        'data-sla-due="2026-03-02T10:15:00+08:00" title="Due 2026-03-02 10:15">'
        '<span class="sla-label">At risk</span> <span class="sla-countdown">5 min left</span>'
        "</span>"
    )


def test_badges_of_stopped_clocks_show_no_countdown_nor_due_time(english):
    with time_machine.travel(T0, tick=False):
        paused = BADGE.render(Context({"due": T0, "state": "paused"}))
        met = BADGE.render(Context({"due": None, "state": "met"}))

    assert paused == (
        '<span class="badge  sla-badge" data-sla-state="paused" '
        'data-sla-due="2026-03-02T10:00:00+08:00" title="Due 2026-03-02 10:00">'
        '<span class="sla-label">Paused</span></span>'
    )
    assert met == (
        '<span class="badge badge-ok sla-badge" data-sla-state="met">'
        '<span class="sla-label">Met</span></span>'
    )


def test_badge_without_a_due_time_renders_nothing():
    assert BADGE.render(Context({"due": None})) == ""


def test_countdown_script_is_a_local_static_file():
    path = finders.find("sla/countdown.js")

    assert path is not None
    source = Path(path).read_text(encoding="utf-8")
    assert "data-sla-due" in source
    assert "http" not in source  # no CDN


def test_breached_state_shown_for_a_breached_clock_in_panel(make_ticket, english):
    ticket = started(make_ticket)
    Clock.objects.filter(ticket=ticket, metric=Metric.FIRST_RESPONSE).update(
        state=ClockState.BREACHED, breached_at=T0 + datetime.timedelta(minutes=15)
    )

    html = render_to_string("sla/clock_panel.html", {"clocks": clocks_for_ticket(ticket)})

    assert 'data-sla-state="breached"' in html
    assert "Breached at" in html


def test_clock_panel_says_when_a_year_had_no_holidays_to_skip(make_ticket, english, workdays):
    # 2099: a year the holiday package cannot know; 2098 had its holidays entered.
    services.calendar_enter_holidays(
        workdays, closed_days={datetime.date(2098, 10, 1): "国庆"}, working_days={}
    )
    ticket = make_ticket(kind="complaint")
    facts = facts_for(ticket, complaint_category="billing", complaint_tier="complaint")
    services.clocks_start(ticket, facts, at=sh(2098, 12, 30, 10, 0))

    html = render_to_string("sla/clock_panel.html", {"clocks": clocks_for_ticket(ticket)})

    assert "The public holidays of 2099 are not known yet" in html
    assert "The public holidays of 2098" not in html


def test_clock_panel_is_silent_on_years_whose_holidays_are_known(make_ticket, english):
    ticket = started(make_ticket, kind="complaint")

    html = render_to_string("sla/clock_panel.html", {"clocks": clocks_for_ticket(ticket)})

    assert "are not known yet" not in html

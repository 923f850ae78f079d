"""The shift dashboard, its wallboards and the metrics API (DOMAIN.md P-8, K-13):
service-level arithmetic per interval, targets read from data, scoping through every
door, and a constant query cost."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from csc import dashboard, selectors
from csc.lib.reference import forget_reference_data
from csc.models import ServiceTarget, Wallboard
from csc.wallboards import wallboard_create, wallboard_revoke
from intake.choices import Channel, Disposition
from sla.models import Clock
from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerFactory,
    TeamFactory,
    UserFactory,
    make_api_client,
    make_ticket,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 10, 10, 40, tzinfo=SHANGHAI)
NINE = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _frozen_morning():
    forget_reference_data()
    with time_machine.travel(NOW, tick=False):
        yield
    forget_reference_data()


def call(queued_at, wait=None, *, abandon_after=None, customer="default", **kw):
    """A hotline call queued at `queued_at`, answered after `wait` seconds, or abandoned
    after `abandon_after` seconds."""
    answered_at = None if wait is None else queued_at + datetime.timedelta(seconds=wait)
    if wait is None:
        ended_at = queued_at + datetime.timedelta(seconds=abandon_after)
    else:
        ended_at = answered_at + datetime.timedelta(minutes=3)
    extra = {} if customer == "default" else {"customer": customer}
    return ContactFactory(
        channel=kw.pop("channel", Channel.HOTLINE),
        queued_at=queued_at,
        answered_at=answered_at,
        ended_at=ended_at,
        disposition=Disposition.ABANDONED if wait is None else Disposition.RESOLVED,
        **extra,
        **kw,
    )


def at(minutes: float) -> datetime.datetime:
    return NINE + datetime.timedelta(minutes=minutes)


def vip_customer():
    return CustomerFactory(vip_tier="gold", payment_type="postpaid")


# ---------------------------------------------------------------- arithmetic


def test_each_half_hour_counts_its_own_calls_by_the_20_second_rule():
    call(at(0), 20)  # exactly 20 s: in target
    call(at(1), 20.5)  # just over: a miss
    call(at(2), None, abandon_after=4.9)  # under 5 s: left out
    call(at(3), None, abandon_after=5)  # 5 s is not "under 5 s": offered, and missed
    call(at(29) + datetime.timedelta(seconds=59), 3)  # 09:29:59 belongs to 09:00
    call(at(30), 3)  # 09:30:00 starts the next interval
    call(at(31), 0, channel=Channel.IVR)  # self-service never enters the human queue
    call(at(32), 40, customer=vip_customer())  # the VIP queue's, not the general one's

    intervals = selectors.service_level_intervals(NINE, NOW)
    nine, half_past = intervals[0], intervals[1]

    assert [i.start for i in intervals][:2] == [NINE, at(30)]
    assert (nine.levels["general"].answered_in_target, nine.levels["general"].offered) == (2, 4)
    assert nine.levels["general"].rate == 0.5
    assert (
        half_past.levels["general"].answered_in_target,
        half_past.levels["general"].offered,
    ) == (
        1,
        1,
    )
    assert (half_past.levels["vip"].answered_in_target, half_past.levels["vip"].offered) == (0, 1)
    assert half_past.levels["vip"].met is False
    # An interval without calls has no rate (the chart draws no bar), never 0 %.
    assert intervals[2].levels["general"].rate is None
    # The day adds the intervals' calls up.
    general, vip = selectors.summed_levels(intervals)
    assert (general.answered_in_target, general.offered) == (3, 5)
    assert (vip.answered_in_target, vip.offered) == (0, 1)


def test_targets_and_thresholds_are_read_from_the_targets_table():
    call(at(0), 18)
    call(at(1), None, abandon_after=8)
    target = ServiceTarget.objects.get(measure="service_level", queue="general")
    target.target_percent = Decimal("90")
    target.answer_seconds = 15
    target.short_abandon_seconds = 10
    target.save()

    level = selectors.service_level_intervals(NINE, NOW)[0].levels["general"]

    # 18 s is now late, and the 8-second abandon is now a short one, left out.
    assert (level.answered_in_target, level.offered, level.target) == (0, 1, 0.9)


def test_the_default_targets_come_from_the_service_standards():
    rows = {(t.measure, t.queue): t for t in ServiceTarget.objects.all()}
    assert rows[("service_level", "general")].target_percent == 70
    assert rows[("service_level", "vip")].target_percent == 85
    assert rows[("service_level", "vip")].answer_seconds == 20
    assert rows[("service_level", "vip")].short_abandon_seconds == 5
    assert all(t.source for t in rows.values())


def test_waiting_calls_per_queue_with_the_longest_wait():
    ContactFactory(queued_at=NOW - datetime.timedelta(seconds=95), answered_at=None, ended_at=None)
    ContactFactory(queued_at=NOW - datetime.timedelta(seconds=30), answered_at=None, ended_at=None)
    ContactFactory(
        customer=vip_customer(),
        queued_at=NOW - datetime.timedelta(seconds=12),
        answered_at=None,
        ended_at=None,
    )
    call(NOW - datetime.timedelta(minutes=2), 10)  # answered: not waiting
    ContactFactory(  # never closed by the CTI: not a caller still on the line
        queued_at=NOW - datetime.timedelta(hours=6), answered_at=None, ended_at=None
    )

    waiting = {(row.channel, row.queue): row for row in dashboard.waiting_now(NOW)}

    assert (
        waiting[("hotline", "general")].count,
        waiting[("hotline", "general")].longest_seconds,
    ) == (
        2,
        95,
    )
    assert (waiting[("hotline", "vip")].count, waiting[("hotline", "vip")].longest_seconds) == (
        1,
        12,
    )
    assert waiting[("online_chat", "")].count == 0


# ---------------------------------------------------------------- doors and scope


@pytest.fixture
def other_team_ticket(agent_user):
    team = TeamFactory(name="Broadband")
    colleague = UserFactory(username="bb-agent", roles=["agent"])
    AgentFactory(user=colleague, team=team)
    return make_ticket(created_by=colleague, subject="另一班组的工单", team=team)


def test_a_lead_sees_only_their_teams_and_may_not_ask_for_another(
    client, lead_user, agent_user, hotline_team, other_team_ticket
):
    make_ticket(created_by=agent_user, subject="本班组工单", team=hotline_team)
    client.force_login(lead_user)

    page = client.get("/dashboard/")
    assert page.status_code == 200
    teams = {row.team.pk for row in page.context["figures"].open_tickets}
    assert teams == {hotline_team.pk}
    assert client.get(f"/dashboard/?team={other_team_ticket.team_id}").status_code == 403

    api = APIClient()
    api.force_authenticate(lead_user)
    body = api.get("/api/v1/metrics/shift/").json()
    assert {row["team_id"] for row in body["open_tickets"]} == {hotline_team.pk}
    assert api.get(f"/api/v1/metrics/shift/?team={other_team_ticket.team_id}").status_code == 403


def test_a_manager_sees_the_centre_and_can_pick_a_team(
    client, manager_user, agent_user, hotline_team, other_team_ticket
):
    make_ticket(created_by=agent_user, subject="本班组工单", team=hotline_team)
    client.force_login(manager_user)

    centre = client.get("/dashboard/").context["figures"]
    one = client.get(f"/dashboard/?team={other_team_ticket.team_id}").context["figures"]

    assert {row.team.pk for row in centre.open_tickets} == {
        hotline_team.pk,
        other_team_ticket.team_id,
    }
    assert {row.team.pk for row in one.open_tickets} == {other_team_ticket.team_id}


def test_agents_have_no_dashboard(client, agent_user):
    client.force_login(agent_user)
    assert client.get("/dashboard/").status_code == 403
    api = APIClient()
    api.force_authenticate(agent_user)
    assert api.get("/api/v1/metrics/shift/").status_code == 403


def test_an_integration_needs_the_metrics_scope():
    _client, key = make_api_client("bi", scopes=["metrics:read"])
    _other, other_key = make_api_client("cti", scopes=["tickets:read"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = api.get("/api/v1/metrics/shift/").json()
    assert body["scope"] == {"centre": True, "team_ids": []}
    assert {row["queue"] for row in body["service_level_today"]} == {"general", "vip"}
    assert api.get("/api/v1/metrics/shift/?team=abc").status_code == 400
    api.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert api.get("/api/v1/metrics/shift/").status_code == 403


def test_the_breach_appears_in_the_live_refresh_with_its_link(
    client, lead_user, agent_user, hotline_team
):
    ticket = make_ticket(created_by=agent_user, subject="快超时的工单", team=hotline_team)
    client.force_login(lead_user)
    live = {"HTTP_HX_REQUEST": "true"}
    before = client.get("/dashboard/?live=1", **live)
    assert before.context["figures"].breached == 0

    Clock.objects.filter(ticket=ticket).update(state="breached")
    after = client.get("/dashboard/?live=1", **live)

    assert after.context["figures"].breached == 1
    html = after.content.decode()
    assert f"/tickets/{ticket.pk}/" in html
    assert "<html" not in html  # the fragment, not the page


def test_the_refresh_costs_the_same_queries_whatever_the_volume(
    client, manager_user, agent_user, hotline_team
):
    client.force_login(manager_user)
    live = {"HTTP_HX_REQUEST": "true"}

    def refresh() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboard/?live=1", **live).status_code == 200
        return len(captured)

    TeamFactory(name="Another")
    refresh()  # the per-process reference data loads once
    few = refresh()
    for minute in range(0, 90, 3):
        call(at(minute), 10 + minute % 30)
    for n in range(6):
        ticket = make_ticket(created_by=agent_user, subject=f"工单{n}", team=hotline_team)
        Clock.objects.filter(ticket=ticket).update(state="breached")
    many = refresh()

    assert few == many
    assert many == 18  # docs/architecture.md gives this figure


# ---------------------------------------------------------------- wallboards


def test_a_wallboard_shows_counts_without_names_until_revoked(
    client, manager_user, agent_user, hotline_team
):
    customer = CustomerFactory(name="王秘密")
    ticket = make_ticket(
        created_by=agent_user, subject="墙板上不该出现", team=hotline_team, customer=customer
    )
    Clock.objects.filter(ticket=ticket).update(state="breached")
    board = wallboard_create(name="东墙", team=hotline_team, by=manager_user)

    page = client.get(f"/wallboard/{board.token}/")  # nobody signed in

    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["figures"].breached == 1
    for personal in (customer.name, ticket.number, agent_user.display_name, ticket.subject):
        assert personal not in html
    assert page["Referrer-Policy"] == "no-referrer"

    wallboard_revoke(board, by=manager_user)
    assert client.get(f"/wallboard/{board.token}/").status_code == 404
    assert client.get("/wallboard/not-a-real-secret/").status_code == 404


def test_managers_create_and_revoke_wallboards_and_leads_may_not(
    client, manager_user, lead_user, hotline_team
):
    client.force_login(lead_user)
    assert client.get("/dashboard/wallboards/").status_code == 403

    client.force_login(manager_user)
    refused = client.post("/dashboard/wallboards/", {"name": "", "team": hotline_team.pk})
    assert refused.status_code == 400
    assert (
        client.post("/dashboard/wallboards/", {"name": "东墙", "team": hotline_team.pk}).status_code
        == 302
    )
    board = Wallboard.objects.get()
    assert (board.team, board.created_by, board.history.count()) == (hotline_team, manager_user, 1)

    client.post(f"/dashboard/wallboards/{board.pk}/revoke/")
    board.refresh_from_db()
    assert board.revoked_at is not None
    assert board.history.first().history_user == manager_user


def test_csat_and_callbacks_due_are_the_scopes(client, lead_user, agent_user, hotline_team):
    from care.models import Survey

    other = TeamFactory(name="Broadband")
    ticket = make_ticket(created_by=agent_user, subject="满意度", team=hotline_team)
    for score, team in ((5, hotline_team), (4, hotline_team), (2, hotline_team), (1, other)):
        Survey.objects.create(
            ticket=ticket,
            customer=ticket.customer or CustomerFactory(),
            token_hash=f"{score}-{team.pk}",
            status="answered",
            send_at=NOW,
            expires_at=NOW + datetime.timedelta(days=3),
            answered_at=NOW - datetime.timedelta(minutes=5),
            answered_via="sms",
            score=score,
            team=team,
            ticket_kind="inquiry",
            channel="hotline",
            tier="none",
        )
    due = make_ticket(created_by=agent_user, subject="回访", team=hotline_team, kind="callback")
    from worktickets.models import Ticket

    Ticket.objects.filter(pk=due.pk).update(sla_due_at=NOW - datetime.timedelta(minutes=1))
    client.force_login(lead_user)

    figures = client.get("/dashboard/").context["figures"]

    assert (figures.csat_today.answers, figures.csat_today.satisfied) == (3, 2)
    assert figures.csat_today.met is False  # 66.7 % against 95 %
    assert (figures.callbacks.open, figures.callbacks.due_today, figures.callbacks.overdue) == (
        1,
        1,
        1,
    )


def test_on_shift_now_against_the_forecast(client, lead_user, agent_user, hotline_team):
    from staffing.models import Roster, RosterEntry, ShiftTemplate

    hotline_team.channels = ["hotline"]
    hotline_team.save()
    day_shift = ShiftTemplate.objects.filter(kind="day").order_by("pk").first()
    roster = Roster.objects.create(
        team=hotline_team,
        month=NOW.date().replace(day=1),
        pattern=day_shift.pattern,
        status=Roster.Status.PUBLISHED,
        published_at=NOW,
    )
    starts, ends = day_shift.window(NOW.date())
    RosterEntry.objects.create(
        roster=roster,
        agent=agent_user.agent,
        day=NOW.date(),
        template=day_shift,
        starts_at=starts,
        ends_at=ends,
    )
    # Four weeks of Tuesdays with calls in the 10:30 half hour: a forecast exists.
    for weeks in range(1, 5):
        for n in range(30):
            call(
                NOW
                - datetime.timedelta(weeks=weeks, minutes=5)
                + datetime.timedelta(seconds=n * 20),
                10,
            )
    client.force_login(lead_user)

    staffing = client.get("/dashboard/").context["figures"].staffing

    assert staffing.on_shift == 1
    assert staffing.required is not None and staffing.required >= 2
    assert staffing.short == staffing.required - 1
    offline = next(row for row in staffing.by_status if row["status"] == "offline")
    assert offline["count"] == 1


def test_the_service_level_of_the_shift_so_far(client, lead_user, hotline_team):
    from staffing.models import Roster, ShiftTemplate

    day_shift = ShiftTemplate.objects.filter(kind="day", starts=datetime.time(8)).first()
    Roster.objects.create(
        team=hotline_team,
        month=NOW.date().replace(day=1),
        pattern=day_shift.pattern,
        status=Roster.Status.PUBLISHED,
        published_at=NOW,
    )
    call(NINE - datetime.timedelta(hours=2), 3)  # 07:00, before the day shift: not counted
    call(NINE, 3)
    call(NINE + datetime.timedelta(minutes=5), 40)
    client.force_login(lead_user)

    shift = client.get("/dashboard/").context["figures"].shift

    assert shift.starts_at == NINE - datetime.timedelta(hours=1)
    general = next(level for level in shift.levels if level.queue == "general")
    assert (general.answered_in_target, general.offered) == (1, 2)

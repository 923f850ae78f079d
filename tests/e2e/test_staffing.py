"""Rosters, swaps and handover in Chromium: a lead builds and publishes a roster; an
agent asks a swap, the colleague accepts, the lead approves and the roster shows it;
the outgoing lead hands over and the incoming lead acknowledges."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from staffing import rosters
from staffing.models import Agent, Handover, Roster, ShiftPattern, ShiftTemplate, SwapRequest
from tests.e2e.test_agent_desk import sign_in
from tests.factories import AgentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _next_month() -> datetime.date:
    return rosters.next_month(timezone.localdate().replace(day=1))


def test_a_lead_builds_and_publishes_a_roster(page, lead_user, agent_user, hotline_team):
    month = _next_month()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, lead_user.username)
    page.goto("/team/rosters/")
    create = page.locator("form", has=page.locator("input[name=month]"))
    create.locator("select[name=team]").select_option(str(hotline_team.pk))
    create.locator("input[name=month]").fill(f"{month:%Y-%m}")
    create.locator("select[name=pattern]").select_option(str(ShiftPattern.objects.get(code="A").pk))
    create.get_by_role("button", name="新建草稿").click()
    expect(page.locator("h1")).to_contain_text("草稿")
    expect(page.locator("td.gap").first).to_be_visible()

    agent = Agent.objects.get(user=agent_user)
    day = ShiftTemplate.objects.get(pattern__code="A", code="day")
    page.select_option("select[name=agent]", str(agent.pk))
    page.fill("input[name=day]", f"{month.replace(day=3):%Y-%m-%d}")
    page.select_option("select[name=template]", str(day.pk))
    page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator(".roster-grid tbody")).to_contain_text("白")

    page.get_by_role("button", name="发布排班表").click()
    expect(page.locator("h1")).to_contain_text("已发布")
    assert Roster.objects.get(team=hotline_team, month=month).is_published
    assert errors == []


def test_a_lead_proposes_edits_and_publishes_a_roster(
    page, lead_user, agent_user, hotline_team, settings
):
    """The solver's proposal (computed by the Celery task, run eagerly here) becomes
    the draft the lead edits and publishes."""
    from csc.celery import app as celery_app

    settings.ROSTER_PROPOSAL_SECONDS = 3
    for n in range(4):
        AgentFactory(team=hotline_team, user=UserFactory(username=f"crew{n}", roles=["agent"]))
    month = _next_month()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        sign_in(page, lead_user.username)
        page.goto("/team/rosters/")
        form = page.locator("form[action$='/team/rosters/propose/']")
        form.locator("select[name=team]").select_option(str(hotline_team.pk))
        form.locator("select[name=pattern]").select_option(
            str(ShiftPattern.objects.get(code="A").pk)
        )
        form.get_by_role("button", name="生成建议").click()
        expect(page.locator("h1")).to_contain_text("草稿")
        expect(page.locator(".proposal-figures")).to_contain_text("低于最低人数的班次：0")
        expect(page.locator(".roster-grid tbody")).to_contain_text("夜")
    finally:
        celery_app.conf.task_always_eager = eager
    roster = Roster.objects.get(team=hotline_team, month=month)
    proposed = roster.entries.count()
    assert proposed > 0

    # The lead edits the proposal: puts themself on a day shift, then publishes.
    me = Agent.objects.get(user=lead_user)
    day = ShiftTemplate.objects.get(pattern__code="A", code="day")
    page.select_option("select[name=agent]", str(me.pk))
    page.fill("input[name=day]", f"{month.replace(day=3):%Y-%m-%d}")
    page.select_option("select[name=template]", str(day.pk))
    page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator(".flash").first).to_be_visible()
    page.get_by_role("button", name="发布排班表").click()
    expect(page.locator("h1")).to_contain_text("已发布")
    roster.refresh_from_db()
    assert roster.is_published and roster.entries.count() == proposed + 1
    assert errors == []


def test_a_swap_is_asked_accepted_approved_and_shown(page, lead_user, agent_user, hotline_team):
    mate = AgentFactory(
        team=hotline_team,
        user=UserFactory(username="mate", first_name="同事", last_name="", roles=["agent"]),
    )
    me = Agent.objects.get(user=agent_user)
    day = ShiftTemplate.objects.get(pattern__code="A", code="day")
    month = _next_month()
    roster = rosters.roster_create(
        team=hotline_team,
        month=month,
        pattern=ShiftPattern.objects.get(code="A"),
        created_by=lead_user,
    )
    give = rosters.roster_assign(
        roster, agent=me, day=month.replace(day=9), template=day, assigned_by=lead_user
    )
    take = rosters.roster_assign(
        roster, agent=mate, day=month.replace(day=14), template=day, assigned_by=lead_user
    )
    rosters.roster_publish(roster, published_by=lead_user)

    sign_in(page, agent_user.username)
    page.goto("/team/requests/")
    page.select_option("select[name=give]", str(give.pk))
    page.select_option("select[name=take]", str(take.pk))
    page.locator("form[action$='/requests/swap/'] textarea[name=reason]").fill("孩子开家长会")
    page.locator("form[action$='/requests/swap/'] button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("待同事同意")
    page.context.clear_cookies()

    sign_in(page, "mate")
    page.goto("/team/requests/")
    page.get_by_role("button", name="同意").click()
    expect(page.locator("body")).to_contain_text("已同意换班")
    page.context.clear_cookies()

    sign_in(page, lead_user.username)
    page.goto("/team/approvals/")
    expect(page.locator("body")).to_contain_text("孩子开家长会")
    page.locator("form[action*='/approvals/swap/'] button[value=approve]").click()
    expect(page.locator("body")).to_contain_text("审批结果已记录")
    assert SwapRequest.objects.get().status == "approved"
    page.goto(f"/team/rosters/{roster.pk}/")
    expect(page.locator(".roster-grid tbody")).to_contain_text("⇄")


def test_the_outgoing_lead_hands_over_and_the_incoming_lead_acknowledges(
    page, lead_user, hotline_team
):
    sign_in(page, lead_user.username)
    page.goto("/team/handover/")
    page.select_option("form[action$='/handover/write/'] select[name=team]", str(hotline_team.pk))
    page.fill("textarea[name=equipment_status]", "2 号席位耳机有杂音")
    page.fill("textarea[name=difficult_issues]", "一位客户多次来电反映掉线")
    page.get_by_role("button", name="交班").click()
    expect(page.locator("body")).to_contain_text("2 号席位耳机有杂音")
    expect(page.locator("body")).to_contain_text("未确认")
    page.context.clear_cookies()

    incoming = UserFactory(username="night-lead", roles=["team_lead"])
    AgentFactory(user=incoming, team=hotline_team)
    hotline_team.lead = incoming
    hotline_team.save()
    sign_in(page, "night-lead")
    page.goto("/team/handover/")
    page.get_by_role("button", name="确认接班").click()
    expect(page.locator("body")).to_contain_text("已确认接班")
    assert Handover.objects.get().acknowledged_by == incoming

"""The team lead's cockpit and the agent's counts in Chromium: each figure opens the
list of the tickets it counts, and the lead reassigns an urgent ticket from the board."""

import pytest
from playwright.sync_api import expect

from sla.choices import ClockState
from sla.models import Clock
from tests.e2e.test_agent_desk import sign_in
from tests.factories import make_ticket
from worktickets.models import Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = "/tmp"


def test_the_lead_works_from_the_cockpit_and_the_agent_sees_their_counts(
    page, lead_user, agent_user, hotline_team
):
    at_risk = make_ticket(created_by=agent_user, subject="宽带掉线")
    breached = make_ticket(created_by=lead_user, subject="话费疑问", team=hotline_team)
    Ticket.objects.filter(pk=breached.pk).update(assignee=None)
    Clock.objects.filter(ticket=at_risk).update(at_risk=True)
    Clock.objects.filter(ticket=breached, metric="first_response").update(
        at_risk=True, state=ClockState.BREACHED
    )
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, lead_user.username)
    expect(page.locator("#figure-queue .stat")).to_have_text("2")
    expect(page.locator("#figure-unassigned .stat")).to_have_text("1")
    expect(page.locator("#figure-at-risk .stat")).to_have_text("2")
    expect(page.locator("#figure-breached .stat")).to_have_text("1")
    page.screenshot(path=f"{SHOTS}/cockpit-lead.png", full_page=True)

    page.locator("#figure-unassigned .stat").click()
    expect(page.locator("main")).to_contain_text(breached.number)
    expect(page.locator("main")).not_to_contain_text(at_risk.number)
    expect(page.locator("select[name=holder]")).to_have_value("unassigned")
    page.screenshot(path=f"{SHOTS}/cockpit-unassigned.png", full_page=True)

    page.goto("/team/")
    row = page.locator(f"#sla-ticket-{breached.pk}")
    row.locator("select[name=assignee]").select_option(str(agent_user.pk))
    row.locator("button[type=submit]").click()
    expect(row.locator(".sla-assignee")).to_have_text(agent_user.display_name)
    page.screenshot(path=f"{SHOTS}/cockpit-reassigned.png", full_page=True)
    assert Ticket.objects.get(pk=breached.pk).assignee == agent_user

    page.context.clear_cookies()
    sign_in(page, agent_user.username)
    expect(page.locator("#figure-my-queue .stat")).to_have_text("2")
    expect(page.locator("#figure-my-at-risk .stat")).to_have_text("2")
    page.screenshot(path=f"{SHOTS}/cockpit-agent.png", full_page=True)
    page.locator("#figure-my-at-risk .stat").click()
    expect(page.locator("select[name=deadline]")).to_have_value("attention")
    expect(page.locator("main")).to_contain_text(breached.number)
    assert errors == []

"""A team lead reassigns from the at-risk list in Chromium: the choice starts empty and
says who is on a break and how busy each agent is; a no-op is refused in the row; a
real reassign swaps the row for its new state, and a second reassign from the same row
works (its version came with the swap)."""

import pytest
from playwright.sync_api import expect

from sla.models import Clock
from staffing.models import Agent
from tests.e2e.test_agent_desk import sign_in
from tests.factories import AgentFactory, UserFactory, make_ticket
from worktickets.models import Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_lead_reassigns_from_the_at_risk_list_and_the_row_follows(
    page, lead_user, agent_user, hotline_team
):
    resting = UserFactory(username="resting", first_name="休息中", last_name="")
    AgentFactory(user=resting, team=hotline_team, status=Agent.Status.BREAK)
    ticket = make_ticket(created_by=lead_user, subject="宽带掉线")
    Clock.objects.filter(ticket=ticket).update(at_risk=True)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, lead_user.username)

    page.goto("/sla/at-risk/")
    row = page.locator(f"#sla-ticket-{ticket.pk}")
    expect(page.locator("tbody tr")).to_have_count(1)
    select = row.locator("select[name=assignee]")
    expect(select).to_have_value("")
    expect(select.locator("option", has_text="休息中")).to_contain_text("休息")
    expect(select.locator(f'option[value="{lead_user.pk}"]')).to_be_disabled()

    select.select_option(str(agent_user.pk))
    row.locator("button[type=submit]").click()

    expect(row.locator(".sla-assignee")).to_have_text(agent_user.display_name)
    expect(row.locator("[role=status]")).to_contain_text(ticket.number)
    expect(row.locator(f'option[value="{agent_user.pk}"]')).to_be_disabled()

    row.locator("select[name=assignee]").select_option(str(resting.pk))
    row.locator("button[type=submit]").click()

    expect(row.locator(".sla-assignee")).to_have_text("休息中")
    expect(page.locator("tbody tr")).to_have_count(1)
    assert Ticket.objects.get(pk=ticket.pk).assignee == resting
    assert errors == []

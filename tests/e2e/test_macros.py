"""An agent answers with a macro: one click puts the text, filled for the ticket, into
the reply, and counts the use; the macro's page shows the count."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_agent_desk import sign_in
from tests.factories import CustomerFactory, TicketFactory
from worktickets import macros
from worktickets.models import Macro

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_agent_inserts_a_macro_into_the_reply_with_one_click(page, agent_user, hotline_team):
    customer = CustomerFactory(name="李小红", phone="13912345670")
    ticket = TicketFactory(
        team=hotline_team, assignee=agent_user, status="in_progress", customer=customer
    )
    macro = macros.macro_create(
        owner=agent_user,
        name="受理确认",
        text="{customer_name}您好，您的工单{ticket_number}已受理。",
        applies_to=Macro.AppliesTo.REPLY,
    )
    sign_in(page, agent_user.username)

    page.goto(f"/tickets/{ticket.pk}/")
    panel = page.locator("details.wt-action-reply")
    panel.locator("summary").click()
    panel.locator("button.wt-macro", has_text="受理确认").click()

    expected = f"李小红您好，您的工单{ticket.number}已受理。"
    expect(page.locator("#id_reply_body")).to_have_value(expected)
    panel.locator("button[type=submit]").click()
    expect(page.locator("#ticket-main .wt-timeline")).to_contain_text(expected)

    page.goto("/tickets/macros/")
    expect(page.locator(".wt-use-count")).to_have_text("1")
    macro.refresh_from_db()
    assert macro.use_count == 1

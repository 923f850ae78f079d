"""Journey (c) of issue 14: an agent answers a call. The caller's number finds the
customer; from there on the agent uses only the keyboard: the customer page's
新建工单, the inquiry prefilled with the customer and the caller's number, a macro
reply (`r`, Esc, `m`, Enter) and the resolution (`e`)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_agent_desk import sign_in
from tests.factories import CustomerFactory
from worktickets import macros
from worktickets.models import Macro, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def tab_to(page, locator, *, limit: int = 80) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def test_an_agent_handles_a_call_from_the_keyboard_with_a_macro(page, agent_user):
    customer = CustomerFactory(name="李小红", phone="13912345670")
    macro = macros.macro_create(
        owner=agent_user,
        name="流量说明",
        text="{customer_name}您好，工单{ticket_number}：本月流量已用 80%，详情已短信发送。",
        applies_to=Macro.AppliesTo.REPLY,
    )
    sign_in(page, agent_user.username)

    # The lookup: the home page's number field has the focus; the number finds one customer.
    page.keyboard.type(customer.phone)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/customers/{customer.pk}/")
    expect(page.locator("h1")).to_contain_text("李小红")

    # Keyboard only from here: to 新建工单 and into the form, which names the customer.
    new_ticket = page.locator(".intake-actions a", has_text="新建工单")
    tab_to(page, new_ticket)
    page.keyboard.press("Enter")
    page.wait_for_url("**/tickets/new/?customer=*")
    chosen = page.locator(f"input[name=customer][value='{customer.pk}']")
    expect(chosen).to_be_checked()
    # The number the caller was looked up by is the call's: the form starts with it.
    expect(page.locator("#id_phone")).to_have_value(customer.phone)
    inquiry = page.locator("input[name=kind][value=inquiry]")
    tab_to(page, inquiry)
    page.keyboard.press("Space")
    expect(inquiry).to_be_checked()
    tab_to(page, page.locator("#id_subject"))
    page.keyboard.type("流量用得太快")
    tab_to(page, page.locator("#ticket-form button[type=submit]"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))
    ticket = Ticket.objects.get(customer=customer)
    assert ticket.assignee == agent_user  # the creator's own queue
    expect(page.locator("h1")).to_contain_text(ticket.number)

    # r opens the reply; Esc leaves the field; m goes to its macros; Enter inserts one.
    page.keyboard.press("r")
    reply = page.locator("details.wt-action-reply")
    expect(reply).to_have_attribute("open", "")
    expect(reply.locator("button.wt-macro", has_text="流量说明")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("m")
    expect(reply.locator("button.wt-macro").first).to_be_focused()
    # The use is counted by a request of its own: wait for it, or the reply's swap
    # below may replace the button while it is still on its way.
    with page.expect_response(lambda response: response.url.endswith("/use/")):
        page.keyboard.press("Enter")
    text = f"李小红您好，工单{ticket.number}：本月流量已用 80%，详情已短信发送。"
    body = reply.locator("textarea").first
    expect(body).to_have_value(text)
    expect(body).to_be_focused()
    tab_to(page, reply.locator("button[type=submit]"))
    page.keyboard.press("Enter")
    main = page.locator("#ticket-main")
    expect(main.locator(".wt-timeline")).to_contain_text(text)

    # e opens the resolution with its field focused.
    page.keyboard.press("e")
    resolve = page.locator("details.wt-action-resolve")
    expect(resolve).to_have_attribute("open", "")
    expect(resolve.locator("textarea").first).to_be_focused()
    page.keyboard.type("已说明流量使用情况并发送明细")
    tab_to(page, resolve.locator("button[type=submit]"))
    page.keyboard.press("Enter")
    expect(main).to_contain_text("已解决")

    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert ticket.events.filter(kind="reply", body=text).exists()
    macro.refresh_from_db()
    assert macro.use_count == 1

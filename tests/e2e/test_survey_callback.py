"""Issue 15's journey: a ticket closes, the SMS outbox holds a survey link, the customer
answers 2/5 on a phone, a callback appears in the agent's queue with its due time, and
the agent records the outcome."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from care.models import Callback
from staffing.models import OutboxMessage
from tests.e2e.test_agent_desk import sign_in
from tests.factories import CustomerFactory, make_ticket
from worktickets import services as ticket_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_dissatisfied_sms_answer_becomes_a_callback_the_agent_works(
    browser, live_server, page, agent_user
):
    customer = CustomerFactory(name="李雷", phone="13912340000", payment_type="postpaid")
    ticket = make_ticket(created_by=agent_user, customer=customer)
    ticket = ticket_services.ticket_resolve(
        ticket, by=agent_user, version=ticket.version, resolution="已解答"
    )
    ticket_services.ticket_close(ticket, by=agent_user, version=ticket.version)  # commits

    sms = OutboxMessage.objects.get(channel="sms", recipient=customer.phone)
    link = re.search(r"https?://\S+/care/s/\S+/", sms.body).group(0)

    phone = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    customer_page = phone.new_page()
    customer_page.goto(urlparse(link).path)
    expect(customer_page.locator("h1")).to_contain_text("您对我们的服务满意吗")
    customer_page.locator("input[name=score][value='2']").check()
    customer_page.fill("#comment", "等了很久")
    customer_page.click("button[type=submit]")
    expect(customer_page.locator("[data-callback-promised]")).to_be_visible()
    phone.close()

    callback = Callback.objects.get(source_ticket=ticket)
    sign_in(page, agent_user.username)
    page.goto("/care/callbacks/")
    row = page.locator(f"tr[data-callback='{callback.ticket.number}']")
    expect(row.locator("[data-due]")).to_be_visible()
    row.locator("select[name=outcome]").select_option("reached_satisfied")
    row.locator("input[name=comment]").fill("已致歉并解释原因")
    row.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("回访结果已记录")

    callback.refresh_from_db()
    assert callback.outcome == "reached_satisfied"
    assert callback.ticket.status == "resolved"

"""An agent takes a call from a known caller and works the inquiry to closure in the browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, CustomerFactory
from worktickets.models import Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def run_action(page, label: str, **fields) -> None:
    panel = page.locator("details.wt-action", has=page.locator("summary", has_text=label))
    panel.locator("summary").click()
    for name, value in fields.items():
        panel.locator(f"[name={name}]").fill(value)
    panel.locator("button[type=submit]").click()


def test_agent_opens_and_closes_an_inquiry_without_reloading(page, agent_user):
    customer = CustomerFactory(name="王小明", phone="13912345678", vip_tier="gold")
    sign_in(page, agent_user.username)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.goto("/tickets/new/")
    page.fill("#id_phone", customer.phone)
    expect(page.locator("#caller-panel")).to_contain_text("王小明")
    expect(page.locator("#caller-panel")).to_contain_text("139****5678")
    page.check(f"#caller-panel input[name=customer][value='{customer.pk}']")
    page.check("input[name=kind][value=inquiry]")
    page.fill("[name=subject]", "流量用得太快")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))

    ticket = Ticket.objects.get(customer=customer)
    expect(page.locator("h1")).to_contain_text(ticket.number)
    main = page.locator("#ticket-main")

    run_action(page, "接单")
    expect(main).to_contain_text("处理中")
    run_action(page, "回复客户", body="已为您查询，本月流量已用 80%。")
    expect(main).to_contain_text("已为您查询")
    run_action(page, "解决", resolution="已说明流量使用情况")
    expect(main).to_contain_text("已解决")
    run_action(page, "关闭")
    expect(main).to_contain_text("已关闭")

    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert ticket.first_contact_agent == agent_user
    assert ticket.events.filter(kind="reply", is_customer_facing=True).count() == 1

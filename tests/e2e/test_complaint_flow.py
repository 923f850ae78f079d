"""A billing complaint from the hotline to its handling group, in the browser: the agent
looks the caller up and records it; the market & legal group finds it on its workbench
and accepts it without a reload (DOMAIN.md P-4, C-16)."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from tests.e2e.test_agent_desk import sign_in
from tests.factories import AgentFactory, CustomerFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_agent_records_a_billing_complaint_and_its_group_accepts_it(
    browser, live_server, page, agent_user
):
    legal_team = TeamFactory(name="市场与法律合规组", kind="market_legal")
    handler = UserFactory(username="legal1", roles=["market_legal"])
    AgentFactory(user=handler, team=legal_team)
    customer = CustomerFactory(name="赵敏", phone="13800001111")

    sign_in(page, agent_user.username)
    page.goto("/complaints/new/")
    page.fill("aside input[name=phone]", "138 0000 1111")
    page.click("aside button[type=submit]")
    page.locator("#customer-lookup").get_by_role("link", name="赵敏").click()
    expect(page.locator("#intake-customer")).to_contain_text("赵敏")
    page.select_option("#id_category", "billing")
    page.fill("#id_content", "套餐费用与宣传不一致，上月多扣 30 元。")
    page.get_by_role("button", name="登记并分派").click()
    page.wait_for_url(re.compile(r"/complaints/\d+/$"))

    complaint = Complaint.objects.select_related("ticket").get(ticket__customer=customer)
    assert complaint.ticket.team == legal_team
    expect(page.locator("h1")).to_contain_text(complaint.ticket.number)

    # The handling group's member, in a browser of their own.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    desk = context.new_page()
    desk.set_default_timeout(15_000)
    sign_in(desk, handler.username)
    desk.goto("/complaints/")
    desk.get_by_role("link", name=complaint.ticket.number).click()
    desk.wait_for_url(re.compile(rf"/complaints/{complaint.pk}/$"))
    main = desk.locator("#complaint-main")
    url_before = desk.url

    accept = desk.locator("details.cp-action-accept")
    accept.locator("summary").click()
    accept.locator("button[type=submit]").click()

    expect(main.locator("details.cp-action-accept")).to_have_count(0)
    expect(main).to_contain_text("已受理")
    assert desk.url == url_before  # swapped in place by htmx
    complaint.ticket.refresh_from_db()
    assert complaint.ticket.status == "accepted"
    assert complaint.ticket.events.filter(to_status="accepted", actor=handler).exists()
    context.close()

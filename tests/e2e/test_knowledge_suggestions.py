"""An agent types a caller's question into a new inquiry, the knowledge base suggests the
answer wording, the agent puts it into the reply and closes the ticket (DOMAIN.md P-14, KB-8)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_agent_desk import run_action, sign_in
from tests.factories import CustomerFactory, make_article
from worktickets.models import Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WORDING = "您好，已为您登记宽带故障报修，装维人员将在 24 小时内上门处理。"


def test_agent_answers_with_the_suggested_wording_and_closes_the_inquiry(page, agent_user):
    article = make_article(
        "如何办理宽带故障报修",
        "核实身份后登记故障单。",
        kind="answer",
        wording=WORDING,
        tags=["宽带", "报修"],
    )
    make_article("国际漫游开通", "出国前开通。")
    customer = CustomerFactory(name="李小红", phone="13912345670")
    sign_in(page, agent_user.username)

    page.goto("/tickets/new/")
    suggestions = page.locator("#kb-suggestions")
    expect(suggestions).to_contain_text("输入客户的问题")
    page.fill("#id_phone", customer.phone)
    page.check(f"#caller-panel input[name=customer][value='{customer.pk}']")
    page.fill("[name=subject]", "家里宽带断网了，想报修")
    expect(suggestions.locator(f'a[href="/knowledge/{article.pk}/"]')).to_be_visible()
    expect(suggestions).to_contain_text(WORDING)
    expect(suggestions).not_to_contain_text("国际漫游")
    page.click("#ticket-form button[type=submit]")
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))

    ticket = Ticket.objects.get(customer=customer)
    beside = page.locator("#kb-suggestions")
    expect(beside).to_contain_text(WORDING)
    beside.locator(".kb-insert").first.click()
    reply = page.locator("#id_reply_body")
    expect(reply).to_be_visible()  # the reply panel opened
    expect(reply).to_have_value(WORDING)
    page.locator("details.wt-action-reply button[type=submit]").click()
    main = page.locator("#ticket-main")
    expect(main.locator(".wt-timeline")).to_contain_text(WORDING)

    run_action(page, "解决", resolution="已登记报修")
    expect(main).to_contain_text("已解决")
    run_action(page, "关闭")
    expect(main).to_contain_text("已关闭")

    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert ticket.events.get(kind="reply", is_customer_facing=True).body == WORDING

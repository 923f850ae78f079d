"""A compensation above the threshold, in the browser: market & legal's only member
proposes it, the page says the CS manager decides, the manager finds the request in
待我审批 and approves it there, and legal gives the customer the result
(DOMAIN.md C-16, C-32, C-33)."""

import pytest
from playwright.sync_api import expect

from complaints import services
from complaints.models import Compensation
from staffing.models import Notification
from tests.e2e.test_agent_desk import sign_in
from tests.factories import AgentFactory, TeamFactory, UserFactory, make_complaint

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _member(username: str, role: str, team, **names):
    user = UserFactory(username=username, roles=[role], **names)
    AgentFactory(user=user, team=team)
    return user


def test_legal_proposes_above_the_threshold_the_manager_approves_and_legal_gives_the_result(
    browser, live_server, page, agent_user
):
    legal = _member(
        "legal1",
        "market_legal",
        TeamFactory(name="市场与法律合规组", kind="market_legal"),
        last_name="陈",
        first_name="静",
    )
    management = TeamFactory(name="客服中心管理组", kind="management")
    manager = _member("manager1", "cs_manager", management, last_name="赵", first_name="敏")
    complaint = make_complaint(recorded_by=agent_user)
    services.complaint_accept(complaint, by=legal, version=complaint.ticket.version)
    url = f"/complaints/{complaint.pk}/"

    sign_in(page, legal.username)
    page.goto(url)
    main = page.locator("#complaint-main")
    propose = main.locator("details.cp-action-propose_compensation")
    propose.locator("summary").click()
    propose.locator("[name=kind]").select_option("fee_credit")
    propose.locator("[name=amount]").fill("800")
    propose.locator("[name=reason]").fill("宣传与实际资费不符，按合同退还三个月差价")
    propose.locator("button[type=submit]").click()

    next_decision = main.locator(".cp-next-decision")
    expect(next_decision).to_contain_text("市场与法律合规组没有其他成员可以审批")
    expect(next_decision).to_contain_text(manager.display_name)
    expect(next_decision).not_to_contain_text(legal.display_name)
    compensation = Compensation.objects.get(complaint=complaint)
    assert compensation.status == "awaiting_manager"

    # The manager, in a browser of their own, finds it in 待我审批 and approves it there.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    desk = context.new_page()
    desk.set_default_timeout(15_000)
    sign_in(desk, manager.username)
    desk.locator("nav a", has_text="待我审批").click()
    row = desk.locator(f"#approval-compensation-{compensation.pk}")
    expect(row).to_contain_text(complaint.ticket.number)
    expect(row).to_contain_text(legal.display_name)
    row.locator("[name=note]").fill("金额符合规定")
    row.locator("button[value=approve]").click()
    expect(desk.locator(".approval-done")).to_contain_text(complaint.ticket.number)

    desk.goto(url)
    expect(desk.locator("#complaint-main .cp-next-decision")).to_have_count(0)
    expect(desk.locator("#complaint-main .cp-compensation")).to_contain_text("金额符合规定")
    compensation.refresh_from_db()
    assert compensation.status == "approved"
    request = Notification.objects.get(recipient=manager, kind="complaint.compensation_proposed")
    assert request.read_at is not None
    context.close()

    # Legal gives the result, the approved compensation included.
    page.reload()
    expect(main.locator(".cp-next-decision")).to_have_count(0)
    feedback = main.locator("details.cp-action-feedback")
    feedback.locator("summary").click()
    feedback.locator("[name=cause]").fill("促销页面未写明套餐限制条件")
    feedback.locator("[name=measures]").fill("已更正宣传页面并退还差价")
    feedback.locator("[name=channel]").select_option("sms")
    feedback.locator("button[type=submit]").click()

    expect(main.locator(".cp-feedback")).to_contain_text("促销页面未写明套餐限制条件")
    complaint.ticket.refresh_from_db()
    assert complaint.ticket.status == "feedback_given"
    assert complaint.feedback.get().compensation_text

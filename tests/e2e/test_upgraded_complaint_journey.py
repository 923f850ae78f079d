"""Journey (a) of issue 14: the complaint-handling group's member receives an upgraded
complaint and coordinates it to closure in the browser: told by a notification, it is
on their workbench; they accept it, investigate with the specialist group beside
them, handle it, give the customer the result, record the customer's confirmation
and close it, each step swapped in place (DOMAIN.md C-9 to C-12, C-20, C-21)."""

import re

import pytest
from playwright.sync_api import expect

from complaints import services
from complaints.models import Complaint
from tests.e2e.test_agent_desk import sign_in
from tests.factories import AgentFactory, TeamFactory, UserFactory, make_complaint

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _member(username: str, role: str, team, **names):
    user = UserFactory(username=username, roles=[role], **names)
    AgentFactory(user=user, team=team)
    return user


def act(main, action: str, **fields) -> None:
    """Open the step's panel, fill its fields and submit it."""
    panel = main.locator(f"details.cp-action-{action}")
    panel.locator("summary").click()
    for name, value in fields.items():
        field = panel.locator(f"[name={name}]")
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    panel.locator("button[type=submit]").click()


def test_a_handler_coordinates_an_upgraded_complaint_to_closure(page, agent_user):
    legal_team = TeamFactory(name="市场与法律合规组", kind="market_legal")
    complaints_team = TeamFactory(name="投诉处理组", kind="complaints")
    legal = _member("legal1", "market_legal", legal_team, last_name="陈", first_name="静")
    handler = _member(
        "handler1", "complaint_handler", complaints_team, last_name="周", first_name="洁"
    )
    first = make_complaint(recorded_by=agent_user)
    upgraded = services.complaint_escalate(
        first,
        by=legal,
        version=first.ticket.version,
        mode="upgrade",
        reason="客户对处理结果不满，要求升级",
    )
    number = upgraded.ticket.number

    sign_in(page, handler.username)
    # Told: the notification names the upgraded complaint and leads to it.
    page.goto("/notifications/")
    expect(page.locator(".notification-list")).to_contain_text(number)
    # On the workbench, opened from there.
    page.goto("/complaints/")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(rf"/complaints/{upgraded.pk}/$"))
    main = page.locator("#complaint-main")
    expect(main).to_contain_text("市场与法律合规组")  # the specialists beside the group
    expect(main).to_contain_text(first.ticket.number)  # the original complaint
    url = page.url
    # The stage badge (the stage list names every stage: it is no sign of a step done).
    stage = main.locator(".cp-header .cp-stage")

    act(main, "accept")
    expect(stage).to_have_text("已受理")
    act(main, "investigate", note="已联系市场与法律合规组核实资费宣传")
    expect(stage).to_have_text("调查中")
    act(main, "handle", findings="宣传页面未写明套餐限制条件，属实")
    expect(stage).to_have_text("处置中")
    act(
        main,
        "feedback",
        cause="促销页面未写明套餐限制条件",
        measures="已更正宣传页面，退还多收费用",
        channel="sms",
    )
    expect(stage).to_have_text("已向客户反馈结果")
    expect(main.locator(".cp-feedback")).to_contain_text("促销页面未写明套餐限制条件")
    act(main, "confirm", note="客户表示满意")
    expect(stage).to_have_text("客户已确认")
    act(main, "close")
    expect(stage).to_have_text("已关闭")
    assert page.url == url  # every step swapped in place

    upgraded = Complaint.objects.select_related("ticket").get(pk=upgraded.pk)
    assert upgraded.ticket.status == "closed"
    statuses = list(
        upgraded.ticket.events.filter(actor=handler, kind="status_changed").values_list(
            "to_status", flat=True
        )
    )
    assert statuses == [
        "accepted",
        "investigating",
        "handling",
        "feedback_given",
        "confirmed",
        "closed",
    ]

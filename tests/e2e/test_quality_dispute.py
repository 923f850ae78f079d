"""Quality in Chromium (issue 17): the QA inspector opens the worklist, scores a sampled
call with its recording, the agent disputes, the team lead revises, and the agent sees
the revision beside the inspector's scoring."""

import pytest
from playwright.sync_api import expect

from quality.models import Evaluation
from tests.e2e.test_agent_desk import sign_in
from tests.quality.conftest import make_sample

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RECORDING = "https://cti.example.com/recordings/0731.mp3"


def _as(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, username)
    return context, page


def test_inspector_scores_agent_disputes_lead_revises_agent_sees_it(
    page, browser, live_server, qa_user, agent_user, lead_user
):
    sample = make_sample(agent_user, inspector=qa_user)
    contact = sample.contact
    contact.recording_url, contact.recording_seconds = RECORDING, 185
    contact.transcript = "坐席：您好，很高兴为您服务\n客户：我想查话费"
    contact.save()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, qa_user.username)
    page.goto("/quality/")
    expect(page.locator("h1")).to_have_text("质检待检清单")
    page.get_by_role("button", name="评分").click()
    expect(page.locator(f'audio[src="{RECORDING}"]')).to_have_count(1)
    expect(page.locator(".qa-transcript")).to_contain_text("很高兴为您服务")
    form = page.locator("#qa-score-form")
    inputs = form.locator("input[type=number]")
    expect(inputs).to_have_count(5)
    for index, points in enumerate([4, 8, 8, 8, 8]):
        inputs.nth(index).fill(str(points))
    form.get_by_role("button", name="提交给业务代表").click()
    expect(page.locator("h1 .qa-score")).to_have_text("72.00")

    agent_context, agent = _as(browser, live_server, agent_user.username)
    agent.goto("/quality/mine/")
    agent.get_by_role("link", name=f"#{sample.evaluation.pk}").click()
    agent.locator("textarea[name=reason]").fill("开场白说了，录音第 3 秒")
    agent.get_by_role("button", name="申诉", exact=True).click()
    expect(agent.locator("h1 .badge").first).to_have_text("申诉中")

    lead_context, lead = _as(browser, live_server, lead_user.username)
    lead.goto(f"/quality/evaluations/{sample.evaluation.pk}/")
    revise = lead.locator("#qa-revise-form")
    revise.locator("input[type=number]").first.fill("10")
    revise.locator("input[name=note]").fill("复听录音，开场白完整")
    revise.get_by_role("button", name="改判").click()
    expect(lead.locator("h1 .qa-score")).to_have_text("84.00")

    agent.reload()
    expect(agent.locator("h1 .badge").first).to_have_text("已改判")
    expect(agent.locator("#qa-scorings")).to_contain_text("改判版本 2")
    expect(agent.locator("#qa-scorings")).to_contain_text("72.00")  # the inspector's stays
    expect(agent.locator("#qa-scorings")).to_contain_text("84.00")
    assert Evaluation.objects.get().scorings.count() == 2
    assert errors == []
    agent_context.close()
    lead_context.close()

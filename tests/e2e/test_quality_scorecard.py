"""The QA lead edits a scorecard in Chromium (issue 17 item 2): a bad weight and a
missing name come back together with what was typed, the fix saves a new version
while the evaluation scored before keeps its own."""

import pytest
from playwright.sync_api import expect

from quality import services
from quality.models import Scorecard
from tests.e2e.test_agent_desk import sign_in
from tests.quality.conftest import full_points, make_sample

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_qa_lead_fixes_the_marked_fields_and_saves_a_new_version(
    page, live_server, manager_user, qa_user, agent_user
):
    card = Scorecard.objects.get(name="服务质量评分表")
    evaluation = services.evaluation_start(make_sample(agent_user, inspector=qa_user), by=qa_user)
    services.evaluation_submit(evaluation, by=qa_user, points=full_points(evaluation))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, manager_user.username)
    page.goto("/quality/scorecards/")
    page.get_by_role("link", name="服务质量评分表").click()
    expect(page.locator("input[name=lines-0-name]")).to_have_value("服务用语")
    expect(page.locator("input[name=effective_from]")).to_have_value("2000-01-01")
    page.locator("input[name=lines-0-weight]").fill("0")
    page.locator("input[name=lines-6-name]").fill("")  # a blank row stays blank
    page.locator("input[name=lines-6-weight]").fill("2")  # …but it was touched: no name
    page.locator("textarea[name=lines-1-description]").fill("语气亲切")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("input[name=lines-0-weight]")).to_have_value("0")
    expect(page.locator("textarea[name=lines-1-description]")).to_have_value("语气亲切")
    expect(page.locator("td.has-errors")).to_have_count(2)  # both problems at once

    page.locator("input[name=lines-0-weight]").fill("2")
    page.locator("input[name=lines-6-weight]").fill("1")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".flash-success, .flash")).to_contain_text("版本 2")
    assert card.versions.count() == 2
    evaluation.refresh_from_db()
    assert evaluation.scorecard_version.number == 1
    assert errors == []

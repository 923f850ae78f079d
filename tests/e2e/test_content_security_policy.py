"""The pages work under the Content-Security-Policy in a real browser: no script,
handler or style is refused (Chromium reports each refusal on the console), and
what used to be inline script (the language switch, Enter in the caller search,
picking the caller) still works from static/js/csc.js."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_agent_desk import sign_in
from tests.factories import (
    CustomerFactory,
    TeamFactory,
    make_complaint,
    make_ticket,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def refusals(page) -> list[str]:
    """Every console message about the policy, and every script error."""
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "EvalError" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(f"{page.url}: {error}"))
    return seen


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, path
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


@pytest.fixture
def centre(agent_user):
    TeamFactory(name="市场与法律合规组", kind="market_legal")
    customer = CustomerFactory(name="王小明", phone="13912345678")
    ticket = make_ticket(created_by=agent_user, customer=customer)
    complaint = make_complaint(recorded_by=agent_user, customer=customer)
    return {"customer": customer, "ticket": ticket, "complaint": complaint}


def test_an_agents_pages_load_with_no_policy_refusal(page, refusals, agent_user, centre):
    sign_in(page, agent_user.username)

    for path in (
        "/",
        "/customers/?q=139",
        f"/customers/{centre['customer'].pk}/",
        f"/tickets/{centre['ticket'].pk}/",
        f"/complaints/{centre['complaint'].pk}/",
        "/complaints/new/",
        "/contacts/",
    ):
        visit(page, path)

    assert refusals == []


def test_a_managers_pages_and_the_api_docs_load_with_no_policy_refusal(
    page, refusals, manager_user, centre
):
    sign_in(page, manager_user.username)

    for path in ("/", "/tickets/", f"/complaints/{centre['complaint'].pk}/", "/sla/at-risk/"):
        visit(page, path)
    visit(page, "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()

    assert refusals == []


def test_the_new_ticket_page_works_without_inline_script(page, refusals, agent_user, centre):
    sign_in(page, agent_user.username)
    visit(page, "/tickets/new/")

    page.fill("#id_phone", "13912345678")
    expect(page.locator("#caller-panel")).to_contain_text("王小明")
    page.press("#id_phone", "Enter")  # looks the caller up; does not submit the form
    page.check(f"#caller-panel input[name=customer][value='{centre['customer'].pk}']")
    page.wait_for_load_state("networkidle")

    assert re.search(r"/tickets/new/$", page.url)
    assert refusals == []


def test_the_language_switch_works_without_inline_script(page, refusals, agent_user):
    sign_in(page, agent_user.username)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.select_option("select[name=language]", "en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert refusals == []


def test_an_injected_inline_script_is_refused(page, refusals, agent_user):
    sign_in(page, agent_user.username)
    visit(page, "/")

    page.evaluate(
        """() => {
            const s = document.createElement("div");
            s.innerHTML = '<img src="data:," onerror="window.injected = 1">';
            document.body.append(s);
        }"""
    )
    page.wait_for_timeout(200)

    assert page.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in refusal for refusal in refusals)

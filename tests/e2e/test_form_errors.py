"""Never lose the page or what was typed, in the browser, in Chinese and in English:
the complaint intake looks the customer up in place, a submit with three errors shows
all three beside their fields and keeps every value, and a refused htmx action under
DEBUG (as `make run` serves it) leaves the page whole."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from tests.e2e.test_agent_desk import sign_in
from tests.factories import make_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Screenshots for a person to look at, when asked for (E2E_SCREENSHOTS=<directory>).
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")

CONTENT = "宽带每天晚上断线三次，已经持续一周。"
ADDRESS = "杭州市西湖区文三路 1 号"


def screenshot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_complaint_with_three_errors_shows_all_three_and_keeps_every_value(
    browser, live_server, agent_user, locale
):
    context = browser.new_context(base_url=live_server.url, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, agent_user.username)
    page.goto("/complaints/new/")

    category = page.locator("label[for=id_category]")
    expect(category.locator(".required-marker")).to_be_visible()
    page.fill("#id_content", CONTENT)
    page.fill("#id_contact_email", "not-an-email")
    page.fill("#id_contact_address", ADDRESS)
    page.select_option("#id_region", "urban")
    url_before = page.url

    # Looking up a caller nobody has leaves the form as typed, in place.
    page.fill("aside input[name=phone]", "139 0000 9999")
    page.click("aside button[type=submit]")
    expect(page.locator("#customer-lookup")).not_to_be_empty()
    assert page.url == url_before
    expect(page.locator("#id_content")).to_have_value(CONTENT)

    # Three errors: no category, no customer name (the service's), an email that is
    # not one (the form's).
    page.locator("#complaint-form button[type=submit]").click()
    page.wait_for_load_state()

    errors = page.locator("#complaint-form .field.has-errors")
    expect(errors).to_have_count(3)
    for field in ("category", "customer_name", "contact_email"):
        expect(page.locator(f"#id_{field}_error")).to_be_visible()
        expect(page.locator(f"#id_{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_content")).to_have_value(CONTENT)
    expect(page.locator("#id_contact_email")).to_have_value("not-an-email")
    expect(page.locator("#id_contact_address")).to_have_value(ADDRESS)
    expect(page.locator("#id_region")).to_have_value("urban")
    screenshot(page, f"complaint-three-errors-{locale}")
    assert not Complaint.objects.exists()
    context.close()


def test_a_refused_action_under_debug_leaves_the_page_whole(page, agent_user, settings):
    settings.DEBUG = True  # as `make run` serves the desk
    ticket = make_ticket(created_by=agent_user, assignee=agent_user)
    sign_in(page, agent_user.username)
    page.goto(f"/tickets/{ticket.pk}/")
    accept = page.locator("details.wt-action-accept")
    if accept.count():
        accept.locator("summary").click()
        accept.locator("button[type=submit]").click()
        expect(page.locator("details.wt-action-accept")).to_have_count(0)

    resolve = page.locator("details.wt-action-resolve")
    resolve.locator("summary").click()
    resolve.locator("textarea[name=resolution]").fill("   ")
    resolve.locator("button[type=submit]").click()

    expect(page.locator("#id_resolve_resolution_error")).to_be_visible()
    expect(page.locator("header.topbar")).to_be_visible()  # the page is still the page
    expect(page.locator("details.wt-action-resolve")).to_have_attribute("open", "")
    screenshot(page, "resolve-spaces-under-debug")

    # The role no longer allows the action (403): a banner says so, the text stays.
    agent_user.groups.clear()
    resolve.locator("textarea[name=resolution]").fill("重启光猫后恢复")
    resolve.locator("button[type=submit]").click()

    expect(page.locator("#htmx-error [role=alert]")).to_be_visible()
    expect(page.locator("header.topbar")).to_be_visible()
    expect(resolve.locator("textarea[name=resolution]")).to_have_value("重启光猫后恢复")
    screenshot(page, "refused-action-banner-under-debug")

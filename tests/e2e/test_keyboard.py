"""The desk by keyboard (issue: keyboard shortcuts): `?` lists the keys, `j` opens the
next ticket of one's queue, `r` opens the reply with its field focused, `/` the search."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_agent_desk import sign_in
from tests.factories import make_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_agent_works_the_queue_from_the_keyboard(page, agent_user):
    first = make_ticket(created_by=agent_user, subject="查询流量余额")
    second = make_ticket(created_by=agent_user, subject="咨询国际漫游资费")
    sign_in(page, agent_user.username)
    # The home page puts the caller lookup in focus (autofocus, applied by the browser
    # after the page is shown: under load, after a key pressed at once).
    expect(page.locator("#desk-phone")).to_be_focused()
    page.keyboard.press("Escape")

    page.keyboard.press("?")
    help_dialog = page.locator("#shortcut-help")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("j")
    page.keyboard.press("Escape")

    numbers = {first.number, second.number}
    page.keyboard.press("j")
    page.wait_for_url("**/tickets/*/")
    opened = page.locator("h1").inner_text()
    assert any(number in opened for number in numbers)
    page.keyboard.press("j")
    (other,) = [number for number in numbers if number not in opened]
    expect(page.locator("h1")).to_contain_text(other)

    page.keyboard.press("r")
    reply = page.locator("details.wt-action-reply")
    expect(reply).to_have_attribute("open", "")
    expect(reply.locator("textarea").first).to_be_focused()
    page.keyboard.type("您好")
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    expect(page.locator("#desk-q")).to_be_focused()

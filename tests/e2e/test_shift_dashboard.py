"""The shift dashboard and the reports in Chromium: a lead watches a ticket breach
appear without reloading; the manager generates the monthly report and exports it
as XLSX."""

import datetime
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from csc.celery import app as celery_app
from sla.choices import ClockState
from sla.models import Clock
from tests.e2e.test_agent_desk import sign_in
from tests.factories import make_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = "/tmp"


def test_the_lead_sees_a_breach_appear_without_reloading(
    page, settings, lead_user, agent_user, hotline_team
):
    settings.DASHBOARD_REFRESH_SECONDS = 1
    ticket = make_ticket(created_by=agent_user, subject="宽带报障", team=hotline_team)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, lead_user.username)
    # The dashboard's link is in the bar's "班组与报表" menu: open it, then follow it.
    page.locator("details[data-navgroup]", has=page.locator("a", has_text="班次看板")).locator(
        "summary"
    ).click()
    page.get_by_role("link", name="班次看板").click()
    breached = page.locator("[data-figure=breached]")
    expect(breached).to_have_text("0")
    page.evaluate("window.notReloaded = true")

    Clock.objects.filter(ticket=ticket, metric="first_response").update(
        state=ClockState.BREACHED, at_risk=True
    )

    expect(breached).to_have_text("1")
    expect(page.locator(f"a[href='/tickets/{ticket.pk}/']")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    page.screenshot(path=f"{SHOTS}/dashboard-breach.png", full_page=True)
    assert errors == []


def test_the_manager_exports_the_monthly_report_as_xlsx(page, manager_user):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        sign_in(page, manager_user.username)
        page.goto("/reports/")
        page.select_option("select[name=kind]", "monthly")
        last_month = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
        page.fill("input[name=day]", last_month.isoformat())
        page.locator("main form button[type=submit]").last.click()
        expect(page.locator("h1")).to_contain_text("月度服务质量分析报告")
        page.screenshot(path=f"{SHOTS}/report-monthly.png", full_page=True)

        with page.expect_download() as download:
            page.get_by_role("link", name="XLSX").click()
        book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    finally:
        celery_app.conf.task_always_eager = eager

    assert "时限达标情况（按班组）" in book.sheetnames
    assert "投诉复发率" in book.sheetnames
    assert book.worksheets[0]["A1"].value == "月度服务质量分析报告"

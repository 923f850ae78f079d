"""The centre's reports (DOMAIN.md S-37 to S-46, Q-4): periods, figures on constructed
data, snapshots that say when regenerated figures differ, the 22nd reminder on the
business calendar, the analysis, scoping through page and export, XLSX."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from csc import reports
from csc.choices import ReportKind, ReportStatus
from csc.lib.errors import IllegalTransition
from csc.models import Report
from sla.models import CalendarOverride, Clock
from sla.services import calendar_changed
from staffing.models import Notification
from tests.factories import ContactFactory, TeamFactory, make_ticket

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
FEB = datetime.date(2026, 2, 1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def built(kind, day, team=None, by=None) -> Report:
    report = reports.report_request(kind, day, team=team, by=by)
    return reports.report_build(report.pk)


def section(report: Report, key: str) -> list:
    return next(s["rows"] for s in report.sections if s["key"] == key)


# ---------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("kind", "day", "expected"),
    [
        ("daily", datetime.date(2026, 2, 28), ("2026-02-28", "2026-03-01")),
        ("weekly", datetime.date(2026, 3, 1), ("2026-02-23", "2026-03-02")),  # a Sunday
        ("monthly", datetime.date(2025, 12, 31), ("2025-12-01", "2026-01-01")),
        ("quarterly", datetime.date(2026, 3, 31), ("2026-01-01", "2026-04-01")),
        ("annual", datetime.date(2025, 7, 1), ("2025-01-01", "2026-01-01")),
    ],
)
def test_each_kind_covers_its_period(kind, day, expected):
    start, end = reports.period_of(kind, day)
    assert (start.isoformat(), end.isoformat()) == expected


def test_a_period_that_has_not_started_is_refused():
    with pytest.raises(reports.IllegalTransition):
        reports.report_request(ReportKind.MONTHLY, datetime.date(2026, 4, 2))


# ---------------------------------------------------------------- figures


def _deadline(ticket, *, due, met_late_by=None, breached=False):
    clock = Clock.objects.filter(ticket=ticket).order_by("pk").first()
    clock.due_at = due
    if breached:
        clock.state = "breached"
    else:
        clock.state, clock.met_at = "met", due
        clock.lateness = met_late_by
    clock.save()
    Clock.objects.filter(ticket=ticket).exclude(pk=clock.pk).update(state="stopped")


def test_deadlines_met_count_the_deadlines_that_fell_in_the_period(agent_user, hotline_team):
    inside = datetime.datetime(2026, 2, 10, 12, 0, tzinfo=SHANGHAI)
    on_time, late, breached, outside = (
        make_ticket(created_by=agent_user, subject=f"工单{n}", team=hotline_team) for n in range(4)
    )
    _deadline(on_time, due=inside, met_late_by=datetime.timedelta(minutes=-5))
    _deadline(late, due=inside, met_late_by=datetime.timedelta(minutes=30))
    _deadline(breached, due=inside, breached=True)
    _deadline(outside, due=datetime.datetime(2026, 3, 2, tzinfo=SHANGHAI))

    report = built(ReportKind.MONTHLY, FEB)

    rows = section(report, "sla_by_team")
    assert rows == [[hotline_team.name, 3, 1, 2, round(1 / 3, 4)]]


def test_first_contact_resolution_is_per_channel(agent_user):
    at = datetime.datetime(2026, 2, 3, 9, 0, tzinfo=SHANGHAI)
    ContactFactory(queued_at=at, disposition="resolved", agent=agent_user)
    ContactFactory(queued_at=at, disposition="ticket_opened", agent=agent_user)
    ContactFactory(
        queued_at=at,
        answered_at=None,
        ended_at=at + datetime.timedelta(seconds=30),
        disposition="abandoned",
    )
    report = built(ReportKind.DAILY, datetime.date(2026, 2, 3))
    assert section(report, "contacts_by_channel") == [["hotline", 3, 2, 1, 1, 0.5]]


# ---------------------------------------------------------------- snapshots


def test_generating_again_gives_the_same_figures_unless_the_data_changed(agent_user, hotline_team):
    first = built(ReportKind.MONTHLY, FEB)
    again = built(ReportKind.MONTHLY, FEB)
    assert again.fingerprint == first.fingerprint
    assert again.figures_changed_at is None

    ContactFactory(queued_at=datetime.datetime(2026, 2, 5, 9, 0, tzinfo=SHANGHAI))
    changed = built(ReportKind.MONTHLY, FEB)

    assert changed.fingerprint != first.fingerprint
    assert changed.figures_changed_at is not None
    # The earlier figures stay readable in the report's history.
    assert changed.history.filter(fingerprint=first.fingerprint).exists()


def test_building_costs_one_query_per_section_whatever_the_volume(agent_user, hotline_team):
    report = reports.report_request(ReportKind.MONTHLY, FEB)
    reports.report_build(report.pk)  # the per-process reference data (targets) loads once
    with CaptureQueriesContext(connection) as few:
        reports.report_build(report.pk)
    for day in range(1, 28):
        ContactFactory(queued_at=datetime.datetime(2026, 2, day, 9, 0, tzinfo=SHANGHAI))
        make_ticket(created_by=agent_user, subject=f"二月{day}", team=hotline_team)
    with CaptureQueriesContext(connection) as many:
        reports.report_build(report.pk)
    assert len(few) == len(many)


# ---------------------------------------------------------------- the 22nd


@pytest.fixture
def led_team(lead_user, hotline_team):
    return hotline_team


def test_the_reminder_goes_two_working_days_before_the_22nd_skipping_holidays(led_team, lead_user):
    calendar = reports.office_calendar()
    # March 2026: the 22nd is a Sunday; make the 20th (Friday) a holiday.
    CalendarOverride.objects.create(
        calendar=calendar, date=datetime.date(2026, 3, 20), is_working_day=False
    )
    calendar_changed(calendar)  # as the admin does after saving its dates
    calendar = reports.office_calendar()
    report = built(ReportKind.MONTHLY, FEB, team=led_team)
    assert reports.submission_due(report) == datetime.date(2026, 3, 22)

    # Working days before Sunday the 22nd: the 19th (Thursday), then the 18th.
    assert reports.reminder_day(datetime.date(2026, 3, 22), calendar) == datetime.date(2026, 3, 18)
    assert reports.report_reminders_send(datetime.date(2026, 3, 17)) == 0
    assert reports.report_reminders_send(datetime.date(2026, 3, 18)) == 1
    assert reports.report_reminders_send(datetime.date(2026, 3, 18)) == 0  # once
    note = Notification.objects.get(recipient=lead_user)
    assert note.link == f"/reports/{report.pk}/"


def test_a_submitted_report_is_not_reminded(led_team, lead_user):
    report = built(ReportKind.MONTHLY, FEB, team=led_team)
    reports.report_submit(
        report, texts={"analysis": "二月投诉集中在计费类，已安排培训。"}, by=lead_user
    )
    day = reports.reminder_day(datetime.date(2026, 3, 22), reports.office_calendar())
    assert reports.report_reminders_send(day) == 0


# ---------------------------------------------------------------- doors


def test_the_lead_writes_and_submits_the_analysis(client, led_team, lead_user):
    report = built(ReportKind.MONTHLY, FEB, team=led_team)
    client.force_login(lead_user)

    empty = client.post(f"/reports/{report.pk}/submit/", {"analysis": "  "})
    assert empty.status_code == 400
    done = client.post(f"/reports/{report.pk}/submit/", {"analysis": "本月服务水平达标。"})
    assert done.status_code == 302
    again = client.post(f"/reports/{report.pk}/submit/", {"analysis": "再次提交"})
    assert again.status_code == 409
    report.refresh_from_db()
    assert (report.analysis, report.submitted_by) == ("本月服务水平达标。", lead_user)


EVALUATION = {
    "background": "一季度宽带投诉上升。",
    "method": "统计工单时限、抽检质检和满意度回访。",
    "results": "时限达标率 96%，满意度 93%。",
    "improvements": "加强装维协同。",
    "next_steps": "二季度每月复盘一次。",
}


def test_the_quarterly_evaluation_is_written_in_its_five_parts(client, manager_user):
    """Q-13: background, method, results, improvement suggestions and next steps, each
    required and each shown in the page and the exports under its own heading."""
    report = built(ReportKind.QUARTERLY, datetime.date(2025, 12, 31))
    client.force_login(manager_user)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    for part in reports.EVALUATION_PARTS:
        assert f'name="{part}"' in page
    assert 'name="analysis"' not in page

    half = client.post(f"/reports/{report.pk}/submit/", {"background": "背景", "results": "结果"})
    assert half.status_code == 400
    assert half.content.decode().count("errorlist") >= 3  # method, improvements, next steps
    assert "背景" in half.content.decode()  # what was typed is kept
    report.refresh_from_db()
    assert report.submitted_at is None

    assert client.post(f"/reports/{report.pk}/submit/", EVALUATION).status_code == 302
    report.refresh_from_db()
    assert report.results == EVALUATION["results"] and report.analysis == ""
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "下一步计划" in page or "next steps" in page.lower()
    assert EVALUATION["next_steps"] in page
    book = load_workbook(io.BytesIO(client.get(f"/reports/{report.pk}/export.xlsx").content))
    written = [row[1] for row in book.worksheets[0].iter_rows(values_only=True) if len(row) > 1]
    assert EVALUATION["improvements"] in written
    assert EVALUATION["method"] in client.get(f"/reports/{report.pk}/export.csv").content.decode()


def test_the_service_names_every_missing_part(manager_user):
    report = built(ReportKind.ANNUAL, datetime.date(2025, 7, 1))
    with pytest.raises(IllegalTransition) as refused:
        reports.report_submit(report, texts={"background": "背景"}, by=manager_user)
    assert set(refused.value.details) == {"method", "results", "improvements", "next_steps"}


def test_the_page_offers_the_form_only_to_whom_the_service_lets_submit(
    client, led_team, lead_user, manager_user
):
    other = built(ReportKind.MONTHLY, FEB, team=TeamFactory(name="Broadband"))
    assert not reports.may_submit(other, lead_user)  # not their team
    assert reports.may_submit(other, manager_user)
    daily = built(ReportKind.DAILY, datetime.date(2026, 2, 28))
    assert not reports.may_submit(daily, manager_user)  # no text to write
    client.force_login(manager_user)
    assert (
        b'action="/reports/%d/submit/"' % daily.pk
        not in client.get(f"/reports/{daily.pk}/").content
    )


def test_asking_again_while_a_build_runs_queues_no_second_build(manager_user):
    first = reports.report_request(ReportKind.MONTHLY, FEB, by=manager_user, in_background=False)
    again = reports.report_request(ReportKind.MONTHLY, FEB, by=manager_user, in_background=False)
    assert again.requested_at == first.requested_at  # left as it was: already being built
    with time_machine.travel(NOW + reports.REBUILD_AFTER, tick=False):
        # A build still running after that long has died: asking again starts afresh.
        later = reports.report_request(ReportKind.MONTHLY, FEB, by=manager_user)
    assert later.requested_at > first.requested_at


def test_a_lead_reads_only_their_teams_reports_through_page_and_export(client, led_team, lead_user):
    own = built(ReportKind.MONTHLY, FEB, team=led_team)
    other = built(ReportKind.MONTHLY, FEB, team=TeamFactory(name="Broadband"))
    centre = built(ReportKind.MONTHLY, FEB)
    client.force_login(lead_user)

    listed = {report.pk for report in client.get("/reports/").context["reports"]}
    assert listed == {own.pk}
    for report in (other, centre):
        for path in ("", "export.csv", "export.xlsx"):
            assert client.get(f"/reports/{report.pk}/{path}").status_code == 404
    assert client.get(f"/reports/{own.pk}/export.csv").status_code == 200
    # A lead may not ask for the centre's report.
    refused = client.post("/reports/", {"kind": "monthly", "day": "2026-02-01", "team": ""})
    assert refused.status_code == 400


def test_the_manager_exports_the_monthly_report_as_xlsx(client, manager_user):
    report = built(ReportKind.MONTHLY, FEB)
    client.force_login(manager_user)

    response = client.get(f"/reports/{report.pk}/export.xlsx")

    book = load_workbook(io.BytesIO(response.content))
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert len(book.sheetnames) == 1 + len(reports.CONTENTS[ReportKind.MONTHLY])
    assert book.worksheets[1]["A1"].value == "渠道"  # Chinese by default


def test_a_report_being_built_shows_its_progress(client, manager_user):
    report = reports.report_request(ReportKind.MONTHLY, FEB, by=manager_user)
    assert report.status == ReportStatus.GENERATING
    client.force_login(manager_user)
    page = client.get(f"/reports/{report.pk}/", HTTP_HX_REQUEST="true")
    assert b"<progress" in page.content
    assert client.get(f"/reports/{report.pk}/export.xlsx").status_code == 403


def test_agents_have_no_reports(client, agent_user):
    client.force_login(agent_user)
    assert client.get("/reports/").status_code == 403


def test_the_schedule_asks_for_the_ended_periods(led_team):
    requested = reports.scheduled_reports(datetime.date(2026, 3, 2))  # a Monday, the 2nd
    kinds = sorted((r.kind, r.period_start.isoformat(), r.team_id) for r in requested)
    assert kinds == [("daily", "2026-03-01", None), ("weekly", "2026-02-23", None)]
    first = reports.scheduled_reports(datetime.date(2026, 3, 1))
    assert {(r.kind, r.team_id) for r in first} >= {("monthly", None), ("monthly", led_team.pk)}


def test_the_monthly_report_carries_csat_callbacks_and_the_handovers_difficult_issues(
    led_team, lead_user, agent_user
):
    from care.models import Survey
    from staffing.models import DutyLogEntry, Handover

    other = TeamFactory(name="Broadband")
    ticket = make_ticket(created_by=agent_user, subject="满意度", team=led_team)
    answered = datetime.datetime(2026, 2, 12, 15, 0, tzinfo=SHANGHAI)
    for n, (score, team) in enumerate(((5, led_team), (2, led_team), (5, other))):
        Survey.objects.create(
            ticket=ticket,
            customer=ticket.customer or ContactFactory().customer,
            token_hash=f"s{n}",
            status="answered",
            send_at=answered,
            expires_at=answered + datetime.timedelta(days=3),
            answered_at=answered,
            answered_via="sms_link",
            score=score,
            team=team,
            ticket_kind="inquiry",
            channel="hotline",
            tier="none",
        )
    ends = datetime.datetime(2026, 2, 12, 17, 0, tzinfo=SHANGHAI)
    Handover.objects.create(
        team=led_team,
        shift_ends_at=ends,
        written_by=lead_user,
        difficult_issues="光猫批量掉线，已报障",
    )
    Handover.objects.create(
        team=other, shift_ends_at=ends, written_by=lead_user, difficult_issues="别组"
    )
    DutyLogEntry.objects.create(
        team=led_team, kind="equipment", text="交换机重启", occurred_at=ends, written_by=lead_user
    )

    report = built(ReportKind.MONTHLY, FEB, team=led_team)

    assert section(report, "csat_by_team") == [[led_team.name, 2, 1, 0.5]]
    assert section(report, "csat_daily") == [["2026-02-12", 2, 0.5]]
    assert section(report, "difficult_issues") == [
        ["2026-02-12 17:00", led_team.name, "光猫批量掉线，已报障"]
    ]
    assert section(report, "duty_log") == [["equipment", 1]]


def test_the_weekly_and_monthly_reports_carry_the_qa_results(
    led_team, lead_user, agent_user, qa_user
):
    from quality import services
    from tests.quality.conftest import full_points, make_sample

    for points in ({}, {"p6": 0}):  # one passes, one fails on the critical line
        evaluation = services.evaluation_start(
            make_sample(agent_user, inspector=qa_user), by=qa_user
        )
        services.evaluation_submit(evaluation, by=qa_user, points=full_points(evaluation, **points))

    weekly = built(ReportKind.WEEKLY, NOW.date())

    [row] = section(weekly, "qa_by_team")
    assert (row[0], row[1], row[3], row[4]) == (led_team.name, 2, 0.5, 1)
    lines = section(weekly, "qa_by_line")
    assert lines[0] == ["服务用语", 1.0]
    assert "qa_by_team" in [
        s["key"] for s in built(ReportKind.MONTHLY, NOW.date(), team=led_team).sections
    ]


def test_the_monthly_report_carries_the_problem_ledger(agent_user, manager_user, hotline_team):
    """W-6: a problem tracked once is reported once, with the tickets it links; one
    verified before the month is left out."""
    from worktickets.models import Problem
    from worktickets.services import problem_link_ticket

    review = datetime.date(2026, 3, 31)
    with time_machine.travel(datetime.datetime(2026, 2, 10, tzinfo=SHANGHAI), tick=False):
        tickets = [make_ticket(created_by=agent_user, team=hotline_team) for _ in range(3)]
        fault = Problem.objects.create(
            title="光猫批量掉线", owner=manager_user, raised_by=agent_user, review_date=review
        )
        for ticket in tickets:
            problem_link_ticket(fault, ticket, by=agent_user)
    Problem.objects.create(
        title="旧问题",
        owner=manager_user,
        raised_by=agent_user,
        review_date=review,
        status="verified",
        verified_at=datetime.datetime(2026, 1, 5, tzinfo=SHANGHAI),
    )
    report = built(ReportKind.MONTHLY, FEB)
    (row,) = section(report, "problems")
    assert row == ["光猫批量掉线", "open", 3, manager_user.display_name, "2026-03-31"]

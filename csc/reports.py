"""The centre's reports (DOMAIN.md S-37 to S-46, Q-4, Q-13): their periods, their
sections, and the services that request, build and submit them.

A report is built in the background (`csc.tasks.build_report`), section by section,
its progress saved as it goes, and stored: the page and the exports read the stored
figures, so a report says what the data was when it was generated. Each section is
`{"key", "columns": [[column, kind]], "rows": [...]}` with codes, numbers and
names, never sentences: `csc.report_views` labels them in the reader's language.

Every section is one aggregate query over indexed columns of the period.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from care.choices import SATISFIED_AT_LEAST
from care.models import Callback
from care.selectors import answered_between, csat, response_rate, satisfaction_index
from complaints.choices import Tier
from complaints.models import Complaint
from complaints.selectors import recurrence_rates
from csc.choices import ReportKind, ReportStatus
from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from csc.lib.phrases import Phrase
from csc.models import Report
from csc.selectors import service_level_intervals
from intake.choices import Disposition
from intake.models import Contact
from quality.models import Evaluation
from quality.selectors import line_averages, scored
from sla.calendars import day_info
from sla.choices import CalendarKind, ClockState, Metric
from sla.models import BusinessCalendar, Clock, EscalationRecord
from staffing.models import DutyLogEntry, Handover, Team, User
from staffing.outbox import notify
from worktickets.choices import TicketKind
from worktickets.models import Problem, Ticket

# A report still generating this long after it was asked for has lost its build
# (a worker that died): asking again builds it again.
REBUILD_AFTER = datetime.timedelta(minutes=10)
SUBMIT_DAY = 22  # the monthly analysis is due before the 22nd (S-41, Q-4)
REMIND_WORKING_DAYS = 2  # the reminder goes this many working days before it is due
COMPLAINT_METRICS = (
    Metric.COMPLAINT_ACCEPTANCE,
    Metric.COMPLAINT_INVESTIGATION,
    Metric.COMPLAINT_FEEDBACK,
    Metric.COMPLAINT_OVERALL,
)


# ---------------------------------------------------------------- periods


def period_of(kind: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period of this kind holding `day`: [start, end)."""
    if kind == ReportKind.DAILY:
        return day, day + datetime.timedelta(days=1)
    if kind == ReportKind.WEEKLY:
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=7)
    if kind == ReportKind.MONTHLY:
        start = day.replace(day=1)
        return start, _add_months(start, 1)
    if kind == ReportKind.QUARTERLY:
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        return start, _add_months(start, 3)
    start = day.replace(month=1, day=1)
    return start, start.replace(year=start.year + 1)


def previous_period(kind: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    start, _end = period_of(kind, today)
    return period_of(kind, start - datetime.timedelta(days=1))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)


def _bounds(report: Report) -> tuple[datetime.datetime, datetime.datetime]:
    def aware(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    return aware(report.period_start), aware(report.period_end)


def submission_due(report: Report) -> datetime.date | None:
    """A monthly analysis is due before the 22nd of the month after its period."""
    if report.kind != ReportKind.MONTHLY:
        return None
    return report.period_end.replace(day=SUBMIT_DAY)


def office_calendar() -> BusinessCalendar | None:
    return BusinessCalendar.objects.filter(kind=CalendarKind.WORKING_TIME).order_by("pk").first()


def reminder_day(due: datetime.date, calendar: BusinessCalendar | None) -> datetime.date:
    """The working day `REMIND_WORKING_DAYS` working days before the due day, on the
    office's business calendar (holidays and make-up working days included)."""
    day, left = due, REMIND_WORKING_DAYS
    while left:
        day -= datetime.timedelta(days=1)
        if calendar is None or day_info(calendar, day).is_working:
            left -= 1
    return day


# ---------------------------------------------------------------- sections


@dataclass(frozen=True)
class Section:
    key: str
    columns: tuple[tuple[str, str], ...]  # (column key, kind of value)
    build: Callable[[Report, datetime.datetime, datetime.datetime], list[list]]


def _tickets(report: Report):
    tickets = Ticket.objects.all()
    if report.team_id:
        tickets = tickets.filter(team_id=report.team_id)
    return tickets


def _contacts(report: Report, start, end):
    contacts = Contact.objects.filter(queued_at__gte=start, queued_at__lt=end)
    if report.team_id:
        contacts = contacts.filter(agent__agent__team_id=report.team_id)
    return contacts


def _clocks(report: Report):
    clocks = Clock.objects.all()
    if report.team_id:
        clocks = clocks.filter(ticket__team_id=report.team_id)
    return clocks


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def contacts_by_channel(report, start, end) -> list[list]:
    rows = (
        _contacts(report, start, end)
        .values_list("channel")
        .annotate(
            total=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            resolved=Count("id", filter=Q(disposition=Disposition.RESOLVED)),
            abandoned=Count("id", filter=Q(disposition=Disposition.ABANDONED)),
        )
        .order_by("channel")
    )
    return [[c, t, a, r, ab, _rate(r, a)] for c, t, a, r, ab in rows]


def tickets_opened(report, start, end) -> list[list]:
    rows = (
        _tickets(report)
        .filter(created_at__gte=start, created_at__lt=end)
        .values_list("kind")
        .annotate(
            opened=Count("id"),
            resolved=Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lt=end)),
        )
        .order_by("kind")
    )
    return [list(row) for row in rows]


def inquiries_by_category(report, start, end) -> list[list]:
    rows = (
        _tickets(report)
        .filter(kind=TicketKind.INQUIRY, created_at__gte=start, created_at__lt=end)
        .values_list("category__name_zh", "category__name_en")
        .annotate(n=Count("id"))
        .order_by("-n", "category__name_zh")
    )
    return [[[zh, en] if zh else None, n] for zh, en, n in rows]


def business_by_type_and_status(report, start, end) -> list[list]:
    rows = (
        _tickets(report)
        .filter(kind=TicketKind.BUSINESS, created_at__gte=start, created_at__lt=end)
        .values_list("business_type__code", "status")
        .annotate(n=Count("id"))
        .order_by("business_type__code", "status")
    )
    return [[code, status, n] for code, status, n in rows]


def complaints_received_closed(report, start, end) -> list[list]:
    complaints = Complaint.objects.all()
    if report.team_id:
        complaints = complaints.filter(ticket__team_id=report.team_id)
    received = dict(
        complaints.filter(ticket__created_at__gte=start, ticket__created_at__lt=end)
        .values_list("tier")
        .annotate(n=Count("pk"))
        .order_by()
    )
    closed = dict(
        complaints.filter(ticket__closed_at__gte=start, ticket__closed_at__lt=end)
        .values_list("tier")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [[tier, received.get(tier, 0), closed.get(tier, 0)] for tier in Tier.values]


def _deadlines(report, start, end):
    """Clocks whose deadline fell in the period and that were met or breached."""
    return _clocks(report).filter(
        due_at__gte=start, due_at__lt=end, state__in=[ClockState.MET, ClockState.BREACHED]
    )


_ON_TIME = Q(state=ClockState.MET) & (
    Q(lateness__isnull=True) | Q(lateness__lte=datetime.timedelta())
)


def _compliance(queryset, group: str) -> list[list]:
    rows = (
        queryset.values_list(group)
        .annotate(total=Count("id"), on_time=Count("id", filter=_ON_TIME))
        .order_by(group)
    )
    return [[key, t, o, t - o, _rate(o, t)] for key, t, o in rows]


def sla_by_metric(report, start, end) -> list[list]:
    return _compliance(_deadlines(report, start, end), "metric")


def sla_by_team(report, start, end) -> list[list]:
    return _compliance(_deadlines(report, start, end), "ticket__team__name")


def sla_by_tier(report, start, end) -> list[list]:
    return _compliance(_deadlines(report, start, end), "ticket__customer__vip_tier")


def sla_by_channel(report, start, end) -> list[list]:
    return _compliance(_deadlines(report, start, end), "ticket__channel")


def complaint_timeliness(report, start, end) -> list[list]:
    return _compliance(
        _deadlines(report, start, end).filter(metric__in=COMPLAINT_METRICS), "metric"
    )


def recurrence(report, start, end) -> list[list]:
    """C-36, Q-14: complaints of the period's months that recurred (centre-wide)."""
    months = (report.period_end.year - report.period_start.year) * 12
    months += report.period_end.month - report.period_start.month
    rows = recurrence_rates(months=max(months, 1), now=end - datetime.timedelta(seconds=1))
    return [
        [
            row.month.isoformat(),
            row.category,
            row.complaints,
            row.recurrences,
            _rate(row.recurrences, row.complaints),
        ]
        for row in sorted(rows, key=lambda row: (row.month, row.category))
        if report.period_start <= row.month < report.period_end
    ]


def delivery_times(report, start, end) -> list[list]:
    """P-5, K-11: the average delivery time per business type, against its maximum (the
    per-ticket deadline), over the orders delivered in the period."""
    took = ExpressionWrapper(F("met_at") - F("started_at"), output_field=DurationField())
    rows = (
        _clocks(report)
        .filter(metric=Metric.BUSINESS_DELIVERY, met_at__gte=start, met_at__lt=end)
        .values_list("ticket__business_type__code")
        .annotate(n=Count("id"), average=Avg(took), limit=Avg("target_minutes"))
        .order_by("ticket__business_type__code")
    )
    return [
        [
            code,
            n,
            round(average.total_seconds() / 3600, 1) if average else None,
            round(limit / 60, 1) if limit else None,
        ]
        for code, n, average, limit in rows
    ]


def escalations(report, start, end) -> list[list]:
    """S-38 supervision: escalation steps taken in the period, per level."""
    records = EscalationRecord.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
    if report.team_id:
        records = records.filter(clock__ticket__team_id=report.team_id)
    rows = records.values_list("level__name").annotate(n=Count("id")).order_by("level__name")
    return [list(row) for row in rows]


def daily_service_level(report, start, end) -> list[list]:
    """The 20-second service level per day of the period, per queue (P-8)."""
    rows = []
    day = report.period_start
    until = min(end, timezone.now()) - datetime.timedelta(seconds=1)
    intervals = service_level_intervals(start, until) if start < until else []
    by_day: dict[datetime.date, dict[str, list[int]]] = {}
    for interval in intervals:
        local_day = timezone.localtime(interval.start).date()
        for queue, level in interval.levels.items():
            figures = by_day.setdefault(local_day, {}).setdefault(queue, [0, 0])
            figures[0] += level.answered_in_target
            figures[1] += level.offered
    while day < report.period_end:
        queues = by_day.get(day, {})
        general = queues.get("general", [0, 0])
        vip = queues.get("vip", [0, 0])
        rows.append([day.isoformat(), general[1], _rate(*general), vip[1], _rate(*vip)])
        day += datetime.timedelta(days=1)
    return rows


def monthly_trend(report, start, end) -> list[list]:
    """Q-13, S-46: the headline figures of each monthly report in the period."""
    monthly = Report.objects.filter(
        kind=ReportKind.MONTHLY,
        team_id=report.team_id,
        period_start__gte=report.period_start,
        period_start__lt=report.period_end,
        status=ReportStatus.READY,
    ).order_by("period_start")
    rows = []
    for month in monthly:
        sections = {section["key"]: section["rows"] for section in month.sections}
        metric_rows = sections.get("sla_by_metric", [])
        total = sum(row[1] for row in metric_rows)
        on_time = sum(row[2] for row in metric_rows)
        contacts = sections.get("contacts_by_channel", [])
        answered = sum(row[2] for row in contacts)
        resolved = sum(row[3] for row in contacts)
        complaints = sections.get("complaints_received_closed", [])
        rows.append(
            [
                month.period_start.isoformat(),
                _rate(on_time, total),
                _rate(resolved, answered),
                sum(row[1] for row in complaints),
                bool(month.submitted_at),
            ]
        )
    return rows


def _surveys(report, start, end):
    surveys = answered_between(start, end)
    if report.team_id:
        surveys = surveys.filter(team_id=report.team_id)
    return surveys


_SATISFIED = Q(score__gte=SATISFIED_AT_LEAST)


def csat_by_team(report, start, end) -> list[list]:
    """CA-31: CSAT of the period per team (4 and 5 of 5 among the answers)."""
    rows = (
        _surveys(report, start, end)
        .values_list("team__name")
        .annotate(answers=Count("id"), satisfied=Count("id", filter=_SATISFIED))
        .order_by("team__name")
    )
    return [[name, n, ok, _rate(ok, n)] for name, n, ok in rows]


def csat_daily(report, start, end) -> list[list]:
    """CA-31: CSAT per day of the period (the trend)."""
    rows = (
        _surveys(report, start, end)
        .annotate(day=TruncDate("answered_at"))
        .values_list("day")
        .annotate(answers=Count("id"), satisfied=Count("id", filter=_SATISFIED))
        .order_by("day")
    )
    return [[day.isoformat(), n, _rate(ok, n)] for day, n, ok in rows]


def satisfaction(report, start, end) -> list[list]:
    """CA-30: CSAT, the survey response rate and the satisfaction index (care's
    documented weighting of CSAT, first-contact resolution and deadlines met)."""
    figures = csat(start, end, team_ids=[report.team_id] if report.team_id else None)
    index = satisfaction_index(start, end)
    return [[figures.answers, figures.rate, response_rate(start, end), _index(index)]]


def _index(value: float | None) -> float | None:
    return None if value is None else round(value / 100, 4)


def callbacks(report, start, end) -> list[list]:
    """S-38, CA-26: callbacks opened in the period, per reason and outcome."""
    found = Callback.objects.filter(created_at__gte=start, created_at__lt=end)
    if report.team_id:
        found = found.filter(ticket__team_id=report.team_id)
    rows = (
        found.values_list("ticket__callback_reason", "outcome")
        .annotate(n=Count("id"))
        .order_by("ticket__callback_reason", "outcome")
    )
    return [[reason, outcome or None, n] for reason, outcome, n in rows]


def duty_log(report, start, end) -> list[list]:
    """Q-4: the duty log's events of the period, per kind."""
    entries = DutyLogEntry.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    if report.team_id:
        entries = entries.filter(team_id=report.team_id)
    rows = entries.values_list("kind").annotate(n=Count("id")).order_by("kind")
    return [list(row) for row in rows]


HIGHLIGHTS = 50


def difficult_issues(report, start, end) -> list[list]:
    """S-37, Q-4: the difficult issues the handovers of the period recorded, as written
    (the leads' own words), newest first."""
    handovers = Handover.objects.filter(shift_ends_at__gte=start, shift_ends_at__lt=end).exclude(
        difficult_issues=""
    )
    if report.team_id:
        handovers = handovers.filter(team_id=report.team_id)
    rows = handovers.values_list("shift_ends_at", "team__name", "difficult_issues").order_by(
        "-shift_ends_at"
    )[:HIGHLIGHTS]
    return [[f"{timezone.localtime(at):%Y-%m-%d %H:%M}", team, text] for at, team, text in rows]


def problems(report, start, end) -> list[list]:
    """W-6: the problem ledger's problems open during the period (raised before its end
    and not verified before its start), each with its status, how many tickets it
    links, its owner and its review date; for a team, those linking its tickets."""
    found = Problem.objects.filter(raised_at__lt=end).exclude(verified_at__lt=start)
    if report.team_id:
        found = found.filter(tickets__team_id=report.team_id)
    shown = (
        found.annotate(linked=Count("tickets", distinct=True))
        .select_related("owner")
        .order_by("-linked", "title")
        .distinct()[:HIGHLIGHTS]
    )
    return [
        [
            problem.title,
            problem.status,
            problem.linked,
            problem.owner.display_name if problem.owner else "",
            problem.review_date.isoformat() if problem.review_date else "",
        ]
        for problem in shown
    ]


def _evaluations(report, start, end):
    """Evaluations scored and submitted in the period (S-39, Q-4)."""
    evaluations = scored(Evaluation.objects.all()).filter(
        submitted_at__gte=start, submitted_at__lt=end
    )
    if report.team_id:
        evaluations = evaluations.filter(agent__agent__team_id=report.team_id)
    return evaluations


def qa_by_team(report, start, end) -> list[list]:
    """QA results per team: evaluations, average score, pass rate, critical failures,
    disputes: one query."""
    rows = (
        _evaluations(report, start, end)
        .values_list("agent__agent__team__name")
        .annotate(
            n=Count("pk"),
            average=Avg("score"),
            passed=Count("pk", filter=Q(passed=True)),
            critical=Count("pk", filter=Q(critical_failed=True)),
            disputed=Count("pk", filter=Q(disputed_at__isnull=False)),
        )
        .order_by("agent__agent__team__name")
    )
    return [
        [
            team,
            n,
            round(float(average), 1) if average is not None else None,
            _rate(ok, n),
            crit,
            dis,
        ]
        for team, n, average, ok, crit, dis in rows
    ]


def qa_by_line(report, start, end) -> list[list]:
    """QA results per scorecard line (share of the line's maximum): one query."""
    return [
        [name, round(float(share) / 100, 4)]
        for name, share in line_averages(_evaluations(report, start, end))
    ]


COMPLIANCE = (("total", "int"), ("on_time", "int"), ("late", "int"), ("rate", "percent"))
SECTIONS: dict[str, Section] = {
    section.key: section
    for section in [
        Section(
            "contacts_by_channel",
            (
                ("channel", "channel"),
                ("contacts", "int"),
                ("answered", "int"),
                ("resolved_first", "int"),
                ("abandoned", "int"),
                ("first_contact_rate", "percent"),
            ),
            contacts_by_channel,
        ),
        Section(
            "tickets_opened",
            (("kind", "ticket_kind"), ("opened", "int"), ("resolved", "int")),
            tickets_opened,
        ),
        Section(
            "inquiries_by_category",
            (("category", "bilingual"), ("count", "int")),
            inquiries_by_category,
        ),
        Section(
            "business_by_type_and_status",
            (("business_type", "business_type"), ("status", "ticket_status"), ("count", "int")),
            business_by_type_and_status,
        ),
        Section(
            "complaints_received_closed",
            (("tier", "complaint_tier"), ("received", "int"), ("closed", "int")),
            complaints_received_closed,
        ),
        Section("sla_by_metric", (("metric", "metric"), *COMPLIANCE), sla_by_metric),
        Section("sla_by_team", (("team", "text"), *COMPLIANCE), sla_by_team),
        Section("sla_by_tier", (("vip_tier", "vip_tier"), *COMPLIANCE), sla_by_tier),
        Section("sla_by_channel", (("channel", "channel"), *COMPLIANCE), sla_by_channel),
        Section("complaint_timeliness", (("metric", "metric"), *COMPLIANCE), complaint_timeliness),
        Section(
            "recurrence",
            (
                ("month", "text"),
                ("category", "complaint_category"),
                ("complaints", "int"),
                ("recurrences", "int"),
                ("rate", "percent"),
            ),
            recurrence,
        ),
        Section(
            "delivery_times",
            (
                ("business_type", "business_type"),
                ("delivered", "int"),
                ("average_hours", "number"),
                ("limit_hours", "number"),
            ),
            delivery_times,
        ),
        Section("escalations", (("level", "text"), ("count", "int")), escalations),
        Section(
            "daily_service_level",
            (
                ("day", "text"),
                ("general_offered", "int"),
                ("general_rate", "percent"),
                ("vip_offered", "int"),
                ("vip_rate", "percent"),
            ),
            daily_service_level,
        ),
        Section(
            "csat_by_team",
            (("team", "text"), ("answers", "int"), ("satisfied", "int"), ("rate", "percent")),
            csat_by_team,
        ),
        Section(
            "csat_daily",
            (("day", "text"), ("answers", "int"), ("rate", "percent")),
            csat_daily,
        ),
        Section(
            "satisfaction",
            (
                ("answers", "int"),
                ("csat", "percent"),
                ("response_rate", "percent"),
                ("satisfaction_index", "percent"),
            ),
            satisfaction,
        ),
        Section(
            "callbacks",
            (("reason", "callback_reason"), ("outcome", "callback_outcome"), ("count", "int")),
            callbacks,
        ),
        Section("duty_log", (("duty_kind", "duty_kind"), ("count", "int")), duty_log),
        Section(
            "difficult_issues",
            (("shift_ends", "text"), ("team", "text"), ("issues", "text")),
            difficult_issues,
        ),
        Section(
            "problems",
            (
                ("problem", "text"),
                ("status", "problem_status"),
                ("tickets", "int"),
                ("owner", "text"),
                ("review_date", "text"),
            ),
            problems,
        ),
        Section(
            "qa_by_team",
            (
                ("team", "text"),
                ("evaluations", "int"),
                ("average_score", "number"),
                ("pass_rate", "percent"),
                ("critical_failures", "int"),
                ("disputed", "int"),
            ),
            qa_by_team,
        ),
        Section("qa_by_line", (("line", "text"), ("line_share", "percent")), qa_by_line),
        Section(
            "monthly_trend",
            (
                ("month", "text"),
                ("sla_rate", "percent"),
                ("first_contact_rate", "percent"),
                ("complaints", "int"),
                ("submitted", "yes_no"),
            ),
            monthly_trend,
        ),
    ]
}

CONTENTS: dict[str, tuple[str, ...]] = {
    # S-37: the day's workload, by channel and kind; business orders by stage; SLA.
    ReportKind.DAILY: (
        "contacts_by_channel",
        "tickets_opened",
        "inquiries_by_category",
        "business_by_type_and_status",
        "complaints_received_closed",
        "sla_by_metric",
        "duty_log",
        "difficult_issues",
    ),
    # S-38: acceptance, supervision, feedback.
    ReportKind.WEEKLY: (
        "tickets_opened",
        "complaints_received_closed",
        "sla_by_metric",
        "escalations",
        "callbacks",
        "csat_by_team",
        "qa_by_team",
        "qa_by_line",
        "daily_service_level",
    ),
    # S-41, Q-4: the monthly service-quality analysis.
    ReportKind.MONTHLY: (
        "contacts_by_channel",
        "daily_service_level",
        "sla_by_metric",
        "sla_by_team",
        "sla_by_tier",
        "sla_by_channel",
        "complaint_timeliness",
        "complaints_received_closed",
        "recurrence",
        "delivery_times",
        "escalations",
        "satisfaction",
        "csat_daily",
        "csat_by_team",
        "callbacks",
        "qa_by_team",
        "qa_by_line",
        "duty_log",
        "difficult_issues",
        "problems",
    ),
    # Q-13, S-46: assembled from the monthly reports.
    ReportKind.QUARTERLY: (
        "monthly_trend",
        "sla_by_team",
        "complaint_timeliness",
        "recurrence",
        "satisfaction",
        "csat_by_team",
        "qa_by_team",
    ),
    ReportKind.ANNUAL: (
        "monthly_trend",
        "sla_by_team",
        "complaint_timeliness",
        "recurrence",
        "satisfaction",
        "csat_by_team",
        "qa_by_team",
    ),
}


# ---------------------------------------------------------------- services


@transaction.atomic
def report_request(
    kind: str,
    day: datetime.date,
    *,
    team: Team | None = None,
    by: User | None = None,
    in_background: bool = True,
) -> Report:
    """Ask for the report of the period holding `day` (again, if it exists): it is
    built in the background once the request commits (or by the caller, who then
    calls `report_build`)."""
    from csc.tasks import build_report

    start, end = period_of(kind, day)
    if start > timezone.localdate():
        raise IllegalTransition(_("This period has not started yet."), code="future_period")
    report, _created = Report.objects.select_for_update().get_or_create(
        kind=kind, period_start=start, team=team, defaults={"period_end": end}
    )
    if (
        not _created
        and report.status == ReportStatus.GENERATING
        and timezone.now() - report.requested_at < REBUILD_AFTER
    ):
        return report  # already being built (a build left longer than that has died)
    report.status, report.progress, report.error = ReportStatus.GENERATING, 0, ""
    report.requested_at, report.requested_by = timezone.now(), by
    report._history_user = by  # type: ignore[attr-defined]
    report.save()
    if in_background:
        transaction.on_commit(lambda: build_report.delay(report.pk))
    return report


def report_build(report_id: int) -> Report:
    """Build every section of the report, saving the progress after each, then store
    the figures in one transaction."""
    report = Report.objects.get(pk=report_id)
    start, end = _bounds(report)
    keys = CONTENTS[report.kind]
    sections = []
    try:
        for done, key in enumerate(keys, start=1):
            section = SECTIONS[key]
            sections.append(
                {
                    "key": key,
                    "columns": [list(c) for c in section.columns],
                    "rows": section.build(report, start, end),
                }
            )
            Report.objects.filter(pk=report.pk).update(progress=round(done * 100 / (len(keys) + 1)))
    except Exception as error:  # stored on the report and shown; the task logs it
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED, error=repr(error)[:2000]
        )
        raise
    return _store(report.pk, sections)


@transaction.atomic
def _store(report_id: int, sections: list[dict]) -> Report:
    report = Report.objects.select_for_update().get(pk=report_id)
    fingerprint = hashlib.sha256(
        json.dumps(sections, sort_keys=True, default=str).encode()
    ).hexdigest()
    if report.fingerprint and report.fingerprint != fingerprint:
        report.figures_changed_at = timezone.now()
    report.sections, report.fingerprint = sections, fingerprint
    report.status, report.progress, report.generated_at = ReportStatus.READY, 100, timezone.now()
    report._history_user = report.requested_by  # type: ignore[attr-defined]
    report.save()
    return report


# The parts of a quarterly or annual evaluation report, as Report fields.
EVALUATION_PARTS = ("background", "method", "results", "improvements", "next_steps")
WRITTEN_KINDS = (ReportKind.MONTHLY, ReportKind.QUARTERLY, ReportKind.ANNUAL)


def written_parts(report: Report) -> tuple[str, ...]:
    """What the lead writes: the monthly analysis, or the evaluation's five parts."""
    if report.kind == ReportKind.MONTHLY:
        return ("analysis",)
    if report.kind in WRITTEN_KINDS:
        return EVALUATION_PARTS
    return ()


def written_texts(report: Report) -> list[tuple[str, str]]:
    """The submitted text, part by part, with each part's label."""
    return [
        (part_label(part), getattr(report, part))
        for part in written_parts(report)
        if getattr(report, part)
    ]


def part_label(part: str) -> str:
    """A written part's label: its Report field's name, in the reader's language."""
    return str(capfirst(getattr(Report._meta.get_field(part), "verbose_name", part)))


def submission_refusal(report: Report, by: User) -> DomainError | None:
    """Why `by` may not submit this report's text now; None when they may."""
    if report.kind not in WRITTEN_KINDS:
        return IllegalTransition(
            _("Only monthly, quarterly and annual reports carry an analysis."), code="no_analysis"
        )
    if report.status != ReportStatus.READY:
        return IllegalTransition(_("The report is not ready yet."), code="not_ready")
    if report.submitted_at is not None:
        return IllegalTransition(_("This report was submitted already."), code="already_submitted")
    if not by.has_perm("csc.submit_report"):
        return NotAllowed(_("You may not submit reports."))
    if report.team_id and not (
        by.has_perm("csc.view_centre_figures")
        or Team.objects.filter(pk=report.team_id, lead=by).exists()
    ):
        return NotAllowed(_("Only the team's lead submits its report."))
    return None


def may_submit(report: Report, by: User) -> bool:
    return submission_refusal(report, by) is None


@transaction.atomic
def report_submit(report: Report, *, texts: Mapping[str, str], by: User) -> Report:
    """The team lead's text, submitted to the CS director: the monthly qualitative
    analysis (S-41, Q-4), or the quarterly or annual evaluation's background, method,
    results, improvement suggestions and next steps (Q-13). Every part is required."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    refusal = submission_refusal(report, by)
    if refusal is not None:
        raise refusal
    parts = written_parts(report)
    missing = [part for part in parts if not (texts.get(part) or "").strip()]
    if missing:
        message = _("Write every part before submitting.")
        raise IllegalTransition(
            message,
            code="analysis_missing",
            details={part: [_("Write this part before submitting.")] for part in missing},
        )
    for part in parts:
        setattr(report, part, texts[part].strip())
    report.submitted_at, report.submitted_by = timezone.now(), by
    report._history_user = by  # type: ignore[attr-defined]
    report.save()
    return report


def scheduled_reports(today: datetime.date | None = None) -> list[Report]:
    """The reports the schedule asks for today: yesterday's daily, last week's on a
    Monday, last month's on the 1st (per team and the centre), last quarter's and last
    year's on their first day."""
    today = today or timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    wanted: list[tuple[str, datetime.date, Team | None]] = [(ReportKind.DAILY, yesterday, None)]
    if today.weekday() == 0:
        wanted.append((ReportKind.WEEKLY, yesterday, None))
    if today.day == 1:
        wanted.append((ReportKind.MONTHLY, yesterday, None))
        wanted += [
            (ReportKind.MONTHLY, yesterday, team)
            for team in Team.objects.filter(is_active=True, lead__isnull=False)
        ]
        if today.month in (1, 4, 7, 10):
            wanted.append((ReportKind.QUARTERLY, yesterday, None))
        if today.month == 1:
            wanted.append((ReportKind.ANNUAL, yesterday, None))
    return [report_request(kind, day, team=team) for kind, day, team in wanted]


def reports_to_remind(today: datetime.date | None = None) -> list[Report]:
    """Monthly team reports not yet submitted whose reminder day is today."""
    today = today or timezone.localdate()
    calendar = office_calendar()
    due_reports = Report.objects.filter(
        kind=ReportKind.MONTHLY,
        submitted_at__isnull=True,
        team__isnull=False,
        team__lead__isnull=False,
    ).select_related("team__lead")
    return [
        report
        for report in due_reports
        if (due := submission_due(report)) is not None and reminder_day(due, calendar) == today
    ]


def report_reminders_send(today: datetime.date | None = None) -> int:
    """Tell each lead whose monthly analysis is still to submit, once per report."""
    sent = 0
    for report in reports_to_remind(today):
        due = submission_due(report)
        lead = report.team.lead  # type: ignore[union-attr]  # the query keeps only led teams
        assert lead is not None and due is not None
        # Kept as a key and its figures: the lead reads it in their own language.
        title = Phrase(
            gettext_noop(
                "The monthly service-quality analysis for %(month)s is due before %(due)s."
            ),
            month=f"{report.period_start:%Y-%m}",
            due=f"{due:%Y-%m-%d}",
        )
        if notify(
            lead,
            kind="report_due",
            title=title,
            link=reverse("report_detail", args=[report.pk]),
            dedupe_key=f"report-due:{report.pk}",
        ):
            sent += 1
    return sent

"""The reports' pages and exports (CSV, XLSX, print): one visibility rule
(`visible_reports`), and the stored sections labelled in the reader's language."""

import functools
import io
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from care.choices import CallbackOutcome
from care.models import CareSettings
from complaints.choices import Category, Tier
from csc import reports, targets
from csc.choices import ReportStatus, TargetMeasure, TargetQueue
from csc.forms import ReportRequestForm, ReportTextForm
from csc.lib.errors import DomainError, http_status
from csc.lib.translations import choice_label
from csc.lib.untrusted import spreadsheet_csv_writer
from csc.models import Report
from csc.targets import service_level_target
from intake.choices import Channel, VipTier
from sla.choices import Metric
from sla.selectors import team_ids_of
from staffing.access import permission
from staffing.models import DutyLogEntry
from staffing.selectors import active_teams
from worktickets.choices import CallbackReason, ProblemStatus, TicketKind, TicketStatus
from worktickets.models import BusinessType

VIEW = "csc.view_reports"
GENERATE = "csc.generate_report"
SUBMIT = "csc.submit_report"
CENTRE_FIGURES = "csc.view_centre_figures"


def visible_reports(user) -> QuerySet[Report]:
    """Everyone's for those who see every team's figures; a lead's own teams' otherwise."""
    if user.has_perm(CENTRE_FIGURES):
        return Report.objects.all()
    return Report.objects.filter(team_id__in=team_ids_of(user))


SECTION_TITLES = {
    "contacts_by_channel": gettext_lazy("Contacts by channel and first-contact resolution"),
    "tickets_opened": gettext_lazy("Tickets accepted and resolved"),
    "inquiries_by_category": gettext_lazy("Inquiries by category"),
    "business_by_type_and_status": gettext_lazy("Business orders by type and stage"),
    "complaints_received_closed": gettext_lazy("Complaints received and closed"),
    "sla_by_metric": gettext_lazy("Deadlines met, by deadline"),
    "sla_by_team": gettext_lazy("Deadlines met, by team"),
    "sla_by_tier": gettext_lazy("Deadlines met, by customer tier"),
    "sla_by_channel": gettext_lazy("Deadlines met, by channel"),
    "complaint_timeliness": gettext_lazy("Complaint timeliness"),
    "recurrence": gettext_lazy("Complaint recurrence rate"),
    "delivery_times": gettext_lazy("Average delivery time against the limit"),
    "escalations": gettext_lazy("Escalations (supervision)"),
    "daily_service_level": gettext_lazy("20-second service level per day"),
    "monthly_trend": gettext_lazy("The months of the period"),
    "csat_by_team": gettext_lazy("Customer satisfaction (CSAT) by team"),
    "csat_daily": gettext_lazy("Customer satisfaction (CSAT) per day"),
    "satisfaction": gettext_lazy("Satisfaction and the satisfaction index"),
    "callbacks": gettext_lazy("Callbacks by reason and outcome"),
    "duty_log": gettext_lazy("Duty log events"),
    "difficult_issues": gettext_lazy("Difficult issues from the handovers"),
    "problems": gettext_lazy("Problem ledger"),
    "qa_by_team": gettext_lazy("Quality inspection by team"),
    "qa_by_line": gettext_lazy("Quality inspection by scorecard line"),
}

COLUMN_LABELS = {
    "channel": gettext_lazy("Channel"),
    "contacts": gettext_lazy("Contacts"),
    "answered": gettext_lazy("Answered"),
    "resolved_first": gettext_lazy("Resolved on first contact"),
    "abandoned": gettext_lazy("Abandoned"),
    "first_contact_rate": gettext_lazy("First-contact resolution"),
    "kind": gettext_lazy("Kind"),
    "opened": gettext_lazy("Accepted"),
    "resolved": gettext_lazy("Resolved"),
    "category": gettext_lazy("Category"),
    "count": gettext_lazy("Count"),
    "business_type": gettext_lazy("Business type"),
    "status": gettext_lazy("Status"),
    "tier": gettext_lazy("Tier"),
    "received": gettext_lazy("Received"),
    "closed": gettext_lazy("Closed"),
    "metric": gettext_lazy("Deadline"),
    "team": gettext_lazy("Team"),
    "vip_tier": gettext_lazy("Customer tier"),
    "total": gettext_lazy("Deadlines"),
    "on_time": gettext_lazy("Met"),
    "late": gettext_lazy("Missed"),
    "rate": gettext_lazy("Rate"),
    "month": gettext_lazy("Month"),
    "complaints": gettext_lazy("Complaints"),
    "recurrences": gettext_lazy("Recurrences"),
    "delivered": gettext_lazy("Delivered"),
    "average_hours": gettext_lazy("Average (hours)"),
    "limit_hours": gettext_lazy("Limit (hours)"),
    "level": gettext_lazy("Level"),
    "day": pgettext_lazy("report column", "Day"),
    "general_offered": gettext_lazy("General queue calls"),
    "general_rate": gettext_lazy("General queue in 20 s"),
    "vip_offered": gettext_lazy("VIP queue calls"),
    "vip_rate": gettext_lazy("VIP queue in 20 s"),
    "sla_rate": gettext_lazy("Deadlines met"),
    "submitted": gettext_lazy("Analysis submitted"),
    "answers": gettext_lazy("Answers"),
    "satisfied": gettext_lazy("Satisfied (4–5)"),
    "csat": gettext_lazy("CSAT"),
    "response_rate": gettext_lazy("Response rate"),
    "satisfaction_index": gettext_lazy("Satisfaction index"),
    "reason": gettext_lazy("Reason"),
    "outcome": gettext_lazy("Outcome"),
    "duty_kind": gettext_lazy("Kind of event"),
    "shift_ends": gettext_lazy("Shift ended"),
    "issues": gettext_lazy("Difficult issues"),
    "problem": gettext_lazy("Problem"),
    "tickets": gettext_lazy("Tickets"),
    "owner": gettext_lazy("Owner"),
    "review_date": gettext_lazy("Review date"),
    "evaluations": gettext_lazy("Evaluations"),
    "average_score": gettext_lazy("Average score"),
    "pass_rate": gettext_lazy("Pass rate"),
    "critical_failures": gettext_lazy("Critical failures"),
    "disputed": gettext_lazy("Disputed"),
    "line": gettext_lazy("Scorecard line"),
    "line_share": gettext_lazy("Average (share of the line's points)"),
}


def _choice_label(choices):
    return functools.partial(choice_label, choices)


class _Labels:
    """Turns stored codes into the reader's words (business types read once)."""

    def __init__(self) -> None:
        self._business: dict[str, BusinessType] | None = None

    def business_type(self, code):
        if self._business is None:
            self._business = BusinessType.objects.in_bulk(field_name="code")
        found = self._business.get(code)
        return found.name if found else code

    def value(self, kind: str, value):
        if value is None:
            return "—"
        if kind == "percent":
            return f"{value * 100:.1f}%"
        if kind == "bilingual":
            zh, en = value
            return zh if (get_language() or "zh-hans").startswith("zh") or not en else en
        if kind == "yes_no":
            return _("Yes") if value else _("No")
        if kind == "business_type":
            return self.business_type(value)
        label = {
            "channel": _choice_label(Channel),
            "ticket_kind": _choice_label(TicketKind),
            "ticket_status": _choice_label(TicketStatus),
            "complaint_tier": _choice_label(Tier),
            "complaint_category": _choice_label(Category),
            "metric": _choice_label(Metric),
            "vip_tier": _choice_label(VipTier),
            "callback_reason": _choice_label(CallbackReason),
            "callback_outcome": _choice_label(CallbackOutcome),
            "duty_kind": _choice_label(DutyLogEntry.Kind),
            "problem_status": _choice_label(ProblemStatus),
        }.get(kind)
        return label(value) if label else value


def labelled_sections(report: Report) -> Iterator[dict]:
    labels = _Labels()
    for section in report.sections:
        kinds = [kind for _key, kind in section["columns"]]
        yield {
            "key": section["key"],
            "title": SECTION_TITLES.get(section["key"], section["key"]),
            "headers": [COLUMN_LABELS.get(key, key) for key, _kind in section["columns"]],
            "numeric": [kind in ("int", "percent", "number") for kind in kinds],
            "rows": [
                [labels.value(kind, value) for kind, value in zip(kinds, row, strict=False)]
                for row in section["rows"]
            ],
            "charts": _charts(section),
        }


def _percent(value) -> float | None:
    return None if value is None else round(value * 100, 1)


def _charts(section: dict) -> list[tuple]:
    """(title, points, target %, label step) for the sections whose point is a trend."""
    rows = section["rows"]
    step = max(1, len(rows) // 10)  # about ten labels on the axis
    if section["key"] == "daily_service_level":
        return [
            (
                TargetQueue(queue).label,
                [(row[0][5:], _percent(row[column])) for row in rows],
                service_level_target(queue).percent,
                step,
            )
            for queue, column in ((TargetQueue.GENERAL, 2), (TargetQueue.VIP, 4))
        ]
    if section["key"] == "csat_daily":
        target = CareSettings.current().csat_target_percent
        return [
            (SECTION_TITLES["csat_daily"], [(r[0][5:], _percent(r[2])) for r in rows], target, step)
        ]
    if section["key"] == "monthly_trend":
        target = targets.target(TargetMeasure.SLA_COMPLIANCE).percent
        points = [(row[0][:7], _percent(row[1])) for row in rows]
        return [(COLUMN_LABELS["sla_rate"], points, target, step)]
    return []


def _report_of(request: HttpRequest, pk: int) -> Report:
    return get_object_or_404(visible_reports(request.user).select_related("team"), pk=pk)


# ---------------------------------------------------------------- pages


@permission(VIEW)
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportRequestForm(request.POST or None, teams=_teams_for(request.user))
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(GENERATE):
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                report = reports.report_request(
                    form.cleaned_data["kind"],
                    form.cleaned_data["day"],
                    team=form.cleaned_data["team"],
                    by=request.user,
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = http_status(error)
            else:
                return redirect("report_detail", pk=report.pk)
    rows = (
        visible_reports(request.user)
        .select_related("team")
        .order_by("-period_start", "kind", "team__name")[:100]
    )
    return render(
        request,
        "csc/reports.html",
        {"reports": rows, "form": form, "may_generate": request.user.has_perm(GENERATE)},
        status=status,
    )


def _teams_for(user) -> list:
    if user.has_perm(CENTRE_FIGURES):
        return list(active_teams())
    own = set(team_ids_of(user))
    return [team for team in active_teams() if team.pk in own]


@permission(VIEW)
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_of(request, pk)
    context = {
        "report": report,
        "sections": list(labelled_sections(report)),
        "written": reports.written_texts(report),
        "due": reports.submission_due(report),
        "may_submit": reports.may_submit(report, request.user),
        "form": ReportTextForm(report=report),
    }
    if request.htmx and report.status == ReportStatus.GENERATING:
        return render(request, "csc/partials/report_progress.html", context)
    if request.htmx:
        # Built meanwhile: the whole page, so the sections appear.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    template = "csc/report_print.html" if request.GET.get("print") == "1" else "csc/report.html"
    return render(request, template, context)


@permission(SUBMIT)
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_of(request, pk)
    form = ReportTextForm(request.POST, report=report)
    status = 400
    if form.is_valid():
        try:
            reports.report_submit(report, texts=form.cleaned_data, by=request.user)
        except DomainError as error:
            form.add_domain_error(error)
            status = http_status(error)
        else:
            messages.success(request, _("The analysis is submitted."))
            return redirect("report_detail", pk=report.pk)
    context = {
        "report": report,
        "sections": list(labelled_sections(report)),
        "written": reports.written_texts(report),
        "due": reports.submission_due(report),
        "may_submit": reports.may_submit(report, request.user),
        "form": form,
    }
    return render(request, "csc/report.html", context, status=status)


# ---------------------------------------------------------------- exports


def _filename(report: Report, extension: str) -> str:
    team = f"-team{report.team_id}" if report.team_id else ""
    return f"csc-{report.kind}-{report.period_start:%Y-%m-%d}{team}.{extension}"


def _ready(request: HttpRequest, pk: int) -> Report:
    report = _report_of(request, pk)
    if report.status != ReportStatus.READY:
        raise PermissionDenied(_("The report is not ready yet."))
    return report


@permission(VIEW)
@require_GET
def report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    report = _ready(request, pk)
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese text only with the BOM
    writer = spreadsheet_csv_writer(out)
    writer.writerow([report.get_kind_display(), str(report.period_start), str(report.period_end)])
    for section in labelled_sections(report):
        writer.writerow([])
        writer.writerow([section["title"]])
        writer.writerow(section["headers"])
        writer.writerows(section["rows"])
    for label, text in reports.written_texts(report):
        writer.writerow([])
        writer.writerow([label])
        writer.writerow([text])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv")}"'
    return response


@permission(VIEW)
@require_GET
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """One sheet per section, figures as numbers (rates as percentages) so they sum."""
    from openpyxl import Workbook

    report = _ready(request, pk)
    book = Workbook()
    summary = book.active
    summary.title = _("Report")[:31]
    summary.append([str(report.get_kind_display())])
    summary.append([_("From"), report.period_start])
    summary.append([_("Until"), report.period_end])
    summary.append(
        [_("Generated at"), timezone.localtime(report.generated_at).replace(tzinfo=None)]
    )
    for label, text in reports.written_texts(report):
        summary.append([str(label), text])
    labels = _Labels()
    for section in report.sections:
        sheet = book.create_sheet(str(SECTION_TITLES.get(section["key"], section["key"]))[:31])
        sheet.append([str(COLUMN_LABELS.get(key, key)) for key, _kind in section["columns"]])
        for row in section["rows"]:
            cells = []
            for (_key, kind), value in zip(section["columns"], row, strict=False):
                if kind in ("int", "number", "percent") or value is None:
                    cells.append(value)
                else:
                    cells.append(str(labels.value(kind, value)))
            sheet.append(cells)
        for index, (_key, kind) in enumerate(section["columns"], start=1):
            if kind == "percent":
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response

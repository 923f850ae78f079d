"""Quality assurance in the browser (issue 17 item 8): the inspector's worklist, the
evaluation page, the agent's own evaluations, the team's scores, the CSV and XLSX
exports, and the QA lead's scorecard pages.

Views parse input, call one selector or service, and render. Every evaluation is read
through quality.selectors' visibility rule; one a person may not see is a 404.
"""

import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from csc.lib.errors import DomainError, http_status
from csc.lib.paging import int_or_none
from csc.lib.untrusted import spreadsheet_csv_writer
from intake.models import Contact
from quality import selectors, services
from quality.choices import EvaluationState
from quality.forms import LineFormSet, ScorecardForm, line_initial
from quality.models import CoachingTask, Evaluation, Sample, Scorecard, ScorecardVersion
from staffing.access import any_permission, permission
from staffing.models import User
from worktickets.models import TicketEvent

VIEW = "quality.view_evaluation"
EVALUATE = "quality.evaluate"
MANAGE = "quality.manage_quality"


def _render(request: HttpRequest, template: str, context: dict, tab: str, status: int = 200):
    """Render a page of the module, with its tabs (team scores only for who may see them)."""
    context.update(tab=tab, show_team=selectors.teams_for(request.user).exists())
    return render(request, template, context, status=status)


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@permission(VIEW)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The QA module's front page for each person: worklist, team scores or own scores."""
    user = request.user
    if user.has_perm(EVALUATE):
        return worklist(request)
    if selectors.teams_for(user).exists():
        return team(request)
    return mine(request)


@permission(EVALUATE)
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "worklist": selectors.worklist(request.user, today),
        "today": today,
        "shortfalls": selectors.shortfalls(today),
    }
    return _render(request, "quality/worklist.html", context, "worklist")


@permission(EVALUATE)
@require_POST
def sample_start(request: HttpRequest, pk: int) -> HttpResponse:
    sample = get_object_or_404(Sample, pk=pk)
    try:
        evaluation = services.evaluation_start(sample, by=request.user)
    except DomainError as error:
        return _render(
            request,
            "quality/refused.html",
            {"message": error.message, "back": reverse("quality:worklist")},
            "worklist",
            http_status(error),
        )
    return redirect("quality:evaluation", evaluation.pk)


def _visible(request: HttpRequest, pk: int) -> Evaluation:
    evaluation = selectors.evaluation_detail(request.user, pk)
    if evaluation is None:
        raise Http404
    return evaluation


def _page(request: HttpRequest, evaluation: Evaluation, *, error=None, status=200):
    user = request.user
    lines = list(evaluation.scorecard_version.lines.all())
    scorings = list(evaluation.scorings.all())
    draft_points = {}
    if scorings:
        draft_points = {ls.line_id: ls for ls in scorings[0].line_scores.all()}
    ticket = evaluation.sample.ticket
    events = (
        list(TicketEvent.objects.filter(ticket=ticket).select_related("actor")[:100])
        if ticket
        else []
    )
    now = timezone.now()
    contact = evaluation.sample.contact
    hits = selectors.contact_hits(contact.pk)
    context = {
        "hits": hits,
        "whole_hits": [hit for hit in hits if hit.line == 0],
        "transcript": selectors.transcript_lines(contact.transcript, hits),
        "evaluation": evaluation,
        "contact": evaluation.sample.contact,
        "ticket": ticket,
        "events": events,
        "lines": [(line, draft_points.get(line.pk)) for line in lines],
        "scorings": scorings,
        "may_score": evaluation.state == EvaluationState.DRAFT
        and evaluation.inspector_id == user.pk,
        "may_respond": evaluation.agent_id == user.pk
        and evaluation.state == EvaluationState.SUBMITTED
        and (evaluation.respond_by is None or now <= evaluation.respond_by),
        "may_decide": evaluation.state == EvaluationState.DISPUTED
        and services.may_decide(user, evaluation),
        "may_coach": evaluation.state != EvaluationState.DRAFT
        and services.may_decide(user, evaluation),
        "coaching": list(evaluation.coaching.all()),
        "error": error,
        "posted": request.POST if error else None,
    }
    return _render(request, "quality/evaluation.html", context, "", status)


@permission(VIEW)
@require_GET
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _visible(request, pk))


@permission(VIEW)
@require_GET
def evaluation_scorings(request: HttpRequest, pk: int) -> HttpResponse:
    """The scored versions (htmx fragment, refreshed after a decision)."""
    evaluation = _visible(request, pk)
    return render(
        request,
        "quality/_scorings.html",
        {"evaluation": evaluation, "scorings": list(evaluation.scorings.all())},
    )


def _points(request: HttpRequest, evaluation: Evaluation) -> tuple[dict, dict]:
    points, comments = {}, {}
    for line in evaluation.scorecard_version.lines.all():
        if line.is_critical:
            # A critical line is a checkbox: ticked means the violation happened.
            violated = request.POST.get(f"line_{line.pk}") == "violated"
            points[line.pk] = 0 if violated else line.max_points
        else:
            points[line.pk] = request.POST.get(f"line_{line.pk}", "")
        comments[line.pk] = request.POST.get(f"comment_{line.pk}", "")
    return points, comments


@permission(VIEW)
@require_POST
def evaluation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    evaluation = _visible(request, pk)
    user, post = request.user, request.POST
    try:
        if action in ("save", "submit"):
            points, comments = _points(request, evaluation)
            act = (
                services.evaluation_submit if action == "submit" else services.evaluation_save_draft
            )
            act(
                evaluation,
                by=user,
                points=points,
                comments=comments,
                overall_comment=post.get("overall_comment", ""),
                coaching_note=post.get("coaching_note", ""),
            )
            done = _("Submitted to the agent.") if action == "submit" else _("Draft saved.")
        elif action == "acknowledge":
            services.evaluation_acknowledge(evaluation, by=user)
            done = _("Acknowledged.")
        elif action == "dispute":
            services.evaluation_dispute(evaluation, by=user, reason=post.get("reason", ""))
            done = _("Dispute sent to your team lead and the QA lead.")
        elif action == "uphold":
            services.evaluation_uphold(evaluation, by=user, note=post.get("note", ""))
            done = _("The evaluation is upheld.")
        elif action == "revise":
            points, comments = _points(request, evaluation)
            services.evaluation_revise(
                evaluation, by=user, points=points, comments=comments, note=post.get("note", "")
            )
            done = _("The evaluation is revised; both versions stay visible.")
        else:
            raise Http404
    except DomainError as error:
        return _page(request, _visible(request, pk), error=error, status=http_status(error))
    messages.success(request, done)
    return redirect("quality:evaluation", pk)


@permission(VIEW)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The agent's own evaluations and their trend (never anyone else's)."""
    own = selectors.evaluations_visible_to(request.user).filter(agent=request.user)
    context = {
        "evaluations": own.select_related("inspector", "scorecard_version__scorecard")[:100],
        "trend": selectors.monthly_trend(own),
    }
    return _render(request, "quality/mine.html", context, "mine")


@permission(VIEW)
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """A team's scores by agent and line for a month, its trend and critical failures."""
    teams = list(selectors.teams_for(request.user))
    if not teams:
        raise PermissionDenied  # leads no team and is not QA
    chosen = int_or_none(request.GET.get("team"))
    current = next((t for t in teams if t.pk == chosen), teams[0])
    month = _month(request)
    visible = selectors.evaluations_visible_to(request.user).filter(agent__agent__team=current)
    rows = selectors.team_scores(request.user, current, month)
    line_names = list(dict.fromkeys(name for row in rows for name in row.lines))
    context = {
        "teams": teams,
        "current": current,
        "month": month,
        "rows": rows,
        "line_names": line_names,
        "table": [(row, [row.lines.get(name) for name in line_names]) for row in rows],
        "trend": selectors.monthly_trend(visible),
        "critical": visible.filter(critical_failed=True, month=month).select_related("agent")[:50],
    }
    return _render(request, "quality/team.html", context, "team")


@permission(selectors.SEE_ALL)
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    """The centre's QA month: by team (pass rate, critical failures, disputes and their
    outcome) and by scorecard line."""
    month = _month(request)
    teams, lines = selectors.centre_summary(month)
    context = {"month": month, "teams": teams, "lines": lines}
    return _render(request, "quality/summary.html", context, "summary")


@permission(selectors.SEE_ALL)
@require_GET
def check_rates(request: HttpRequest) -> HttpResponse:
    """Per-agent hit rates of the automatic checks over every checked contact of a month."""
    month = _month(request)
    context = {"month": month, "rates": selectors.hit_rates(month)}
    return _render(request, "quality/check_rates.html", context, "checks")


def _export_rows(request: HttpRequest) -> tuple[list[str], Iterator[list[Any]]]:
    """The evaluations this person may see (filters: agent, team, month, state), as a
    header and rows of typed values (numbers, local times), for CSV and XLSX alike."""
    month = _month(request) if request.GET.get("month") else None
    rows = selectors.evaluation_list(
        request.user,
        agent=int_or_none(request.GET.get("agent")),
        team=int_or_none(request.GET.get("team")),
        month=month,
        state=request.GET.get("state", "")
        if request.GET.get("state") in EvaluationState.values
        else "",
    )
    header = [
        _("Evaluation"),
        _("Month"),
        _("Agent"),
        _("Team"),
        _("Inspector"),
        _("State"),
        _("Score"),
        _("Passed"),
        _("Critical failure"),
        _("Submitted at"),
    ]
    states = dict(EvaluationState.choices)
    yes, no = _("yes"), _("no")

    def cells() -> Iterator[list[Any]]:
        for ev in rows.iterator(chunk_size=2000):
            agent_profile = getattr(ev.agent, "agent", None)
            yield [
                ev.pk,
                f"{ev.month:%Y-%m}",
                ev.agent.display_name,
                agent_profile.team.name if agent_profile else "",
                ev.inspector.display_name,
                str(states.get(ev.state, ev.state)),
                ev.score,
                {True: yes, False: no, None: ""}[ev.passed],
                yes if ev.critical_failed else no,
                timezone.localtime(ev.submitted_at).replace(tzinfo=None, microsecond=0)
                if ev.submitted_at
                else None,
            ]

    return header, cells()


@permission(VIEW)
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The evaluations this person may see, as CSV (filters: agent, team, month, state)."""
    header, rows = _export_rows(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="evaluations.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Chinese only with the mark
    writer = spreadsheet_csv_writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                ""
                if value is None
                else value.strftime("%Y-%m-%d %H:%M")
                if isinstance(value, datetime)
                else value
                for value in row
            ]
        )
    return response


@permission(VIEW)
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The same evaluations as the CSV, through the same visibility rule, as an Excel
    workbook: scores as numbers and submission times as dates, so they sort and sum."""
    header, rows = _export_rows(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Evaluations")[:31])
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a name that looks like a formula stays text
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="evaluations.xlsx"'
    return response


# ---------------------------------------------------------------- calibration


def _inspector_choices():
    return (
        User.objects.filter(
            Q(
                groups__permissions__codename="evaluate",
                groups__permissions__content_type__app_label="quality",
            )
            | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


@any_permission(MANAGE, EVALUATE)
@require_GET
def calibration_list(request: HttpRequest) -> HttpResponse:
    context = {
        "sessions": selectors.calibration_sessions(request.user)[:100],
        "inspectors": _inspector_choices() if request.user.has_perm(MANAGE) else [],
    }
    return _render(request, "quality/calibration_list.html", context, "calibration")


@permission(MANAGE)
@require_POST
def calibration_new(request: HttpRequest) -> HttpResponse:
    contact = Contact.objects.filter(pk=int_or_none(request.POST.get("contact")) or 0).first()
    chosen = [int(pk) for pk in request.POST.getlist("inspectors") if pk.isdigit()]
    try:
        if contact is None:
            raise DomainError(
                _("No contact has this number."), details={"contact": [_("Unknown contact.")]}
            )
        session = services.calibration_create(
            title=request.POST.get("title", ""),
            contact=contact,
            inspectors=list(User.objects.filter(pk__in=chosen)),
            by=request.user,
        )
    except DomainError as error:
        context = {
            "sessions": selectors.calibration_sessions(request.user)[:100],
            "inspectors": _inspector_choices(),
            "error": error,
            "posted": request.POST,
        }
        return _render(
            request, "quality/calibration_list.html", context, "calibration", http_status(error)
        )
    return redirect("quality:calibration", session.pk)


def _session_page(request: HttpRequest, pk: int, *, error=None, status: int = 200):
    session = selectors.calibration_sessions(request.user).filter(pk=pk).first()
    if session is None:
        raise Http404
    user = request.user
    results = selectors.calibration_results(session)
    scored = any(entry.inspector_id == user.pk for entry in results.entries)
    invited = session.inspectors.filter(pk=user.pk).exists()
    context = {
        "session": session,
        "contact": session.contact,
        "lines": list(session.scorecard_version.lines.order_by("position")),
        "may_score": invited and not scored,
        # Blind: an inspector sees the others' scores only after giving their own.
        "show_results": user.has_perm(MANAGE) or scored,
        "results": results,
        "rows": list(
            zip(results.entries, results.deviations, results.line_deviations, strict=True)
        ),
        "waiting": session.inspectors.exclude(pk__in=[e.inspector_id for e in results.entries]),
        "error": error,
    }
    return _render(request, "quality/calibration.html", context, "calibration", status)


@any_permission(MANAGE, EVALUATE)
@require_GET
def calibration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_page(request, pk)


@permission(EVALUATE)
@require_POST
def calibration_score(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.calibration_sessions(request.user).filter(pk=pk).first()
    if session is None:
        raise Http404
    points = {}
    for line in session.scorecard_version.lines.all():
        if line.is_critical:
            violated = request.POST.get(f"line_{line.pk}") == "violated"
            points[line.pk] = 0 if violated else line.max_points
        else:
            points[line.pk] = request.POST.get(f"line_{line.pk}", "")
    try:
        services.calibration_score(session, by=request.user, points=points)
    except DomainError as error:
        return _session_page(request, pk, error=error, status=http_status(error))
    messages.success(request, _("Your scoring is in; the others' are shown now."))
    return redirect("quality:calibration", pk)


# ---------------------------------------------------------------- coaching and training


def _coaching_page(request: HttpRequest, *, error=None, status: int = 200) -> HttpResponse:
    user = request.user
    month = _month(request)
    manage = user.has_perm(MANAGE)
    # The QA lead plans for any team or the centre; a team lead for the teams they lead.
    plan_teams = [t for t in selectors.teams_for(user) if manage or t.lead_id == user.pk]
    context = {
        "tasks": selectors.coaching_visible_to(user)[:200],
        "plans": selectors.plans_visible_to(user)[:50],
        "month": month,
        "plan_teams": plan_teams,
        "may_plan": manage or bool(plan_teams),
        "may_plan_centre": manage,
        "candidates": selectors.plan_candidates(user, month)[:100],
        "today": timezone.localdate(),
        "error": error,
    }
    return _render(request, "quality/coaching.html", context, "coaching", status)


@permission(VIEW)
@require_GET
def coaching(request: HttpRequest) -> HttpResponse:
    return _coaching_page(request)


@permission(VIEW)
@require_POST
def coaching_new(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _visible(request, pk)
    try:
        services.coaching_create(
            evaluation,
            by=request.user,
            what=request.POST.get("what", ""),
            due_on=_date(request.POST.get("due_on", "")),
        )
    except DomainError as error:
        return _page(request, _visible(request, pk), error=error, status=http_status(error))
    messages.success(request, _("Coaching task set."))
    return redirect("quality:evaluation", pk)


@permission(VIEW)
@require_POST
def coaching_done(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the coached agent may (the service says so to anyone else).
    task = get_object_or_404(CoachingTask, pk=pk)
    try:
        services.coaching_done(task, by=request.user, note=request.POST.get("note", ""))
    except DomainError as error:
        return _coaching_page(request, error=error, status=http_status(error))
    messages.success(request, _("Marked done."))
    return redirect("quality:coaching")


@permission(VIEW)
@require_POST
def plan_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    teams = {team.pk: team for team in selectors.teams_for(user)}
    team_id = int_or_none(request.POST.get("team"))
    chosen = [int(pk) for pk in request.POST.getlist("evaluations") if pk.isdigit()]
    month = _date(request.POST.get("month", "") + "-01") or timezone.localdate()
    try:
        if team_id is not None and team_id not in teams:
            raise DomainError(_("Choose one of your teams."), details={"team": [_("Not yours.")]})
        services.training_plan_create(
            by=user,
            month=month,
            team=teams.get(team_id) if team_id else None,
            title=request.POST.get("title", ""),
            content=request.POST.get("content", ""),
            evaluations=list(selectors.evaluations_visible_to(user).filter(pk__in=chosen)),
        )
    except DomainError as error:
        return _coaching_page(request, error=error, status=http_status(error))
    messages.success(request, _("Training plan saved."))
    return redirect("quality:coaching")


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


# ---------------------------------------------------------------- scorecards


@permission(MANAGE)
@require_GET
def scorecard_list(request: HttpRequest) -> HttpResponse:
    context = {"scorecards": list(selectors.scorecard_overview())}
    return _render(request, "quality/scorecards.html", context, "scorecards")


def _scorecard_page(
    request: HttpRequest,
    scorecard: Scorecard | None,
    form: ScorecardForm,
    lines: Any,
    *,
    latest: ScorecardVersion | None = None,
    status: int = 200,
    problems: Iterable[str] = (),
) -> HttpResponse:
    context = {
        "scorecard": scorecard,
        "latest": latest,
        "in_use": latest is not None and services.version_in_use(latest),
        "form": form,
        "lines": lines,
        "line_problems": list(problems),
        "failed": status >= 400,
    }
    return _render(request, "quality/scorecard_form.html", context, "scorecards", status)


def _save_scorecard(
    request: HttpRequest, scorecard: Scorecard | None, latest: ScorecardVersion | None
) -> HttpResponse:
    """Check the form and its lines and save through the service; every problem, the
    fields' and the service's, goes next to its field in one answer (400)."""
    form = ScorecardForm(request.POST)
    lines = LineFormSet(request.POST, prefix="lines")
    form_ok, lines_ok = form.is_valid(), lines.is_valid()
    # Blank rows left blank and rows ticked for removal are not lines.
    kept = [
        line for line in lines.forms if line.has_changed() and not line.cleaned_data.get("DELETE")
    ]
    valid = [line for line in kept if line.is_valid()]
    specs = [line.spec() for line in valid]
    status = 400
    if form_ok and lines_ok:
        data = form.cleaned_data
        fields = {
            "name": data["name"].strip(),
            "scope": data["scope"],
            "ticket_kind": data["ticket_kind"],
            "lines": specs,
            "effective_from": data["effective_from"],
            "by": request.user,
        }
        try:
            if scorecard is None:
                scorecard = services.scorecard_create(**fields)
                version = scorecard.versions.get()
            else:
                version = services.scorecard_edit(scorecard, **fields)
        except DomainError as refused:
            details, status = refused.details, http_status(refused)
            if not details:
                form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("Saved as version %(n)s of %(name)s.")
                % {"n": version.number, "name": scorecard.name},
            )
            return redirect("quality:scorecard", scorecard.pk)
    else:
        # The lines the fields accepted are checked too, so one answer names it all;
        # "at least one scored line" only when every line could be read.
        details = services.scorecard_line_problems(specs)
        if len(valid) < len(kept):
            details.pop("lines", None)
    for key, problems in details.items():
        if key.startswith("lines-"):
            index, field = key.removeprefix("lines-").split("-", 1)
            for problem in problems:
                valid[int(index)].add_error(field, problem)
        elif key in form.fields:
            for problem in problems:
                form.add_error(key, problem)
    return _scorecard_page(
        request,
        scorecard,
        form,
        lines,
        latest=latest,
        status=status,
        problems=details.get("lines", []),
    )


@permission(MANAGE)
@require_http_methods(["GET", "POST"])
def scorecard_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save_scorecard(request, None, None)
    form = ScorecardForm(initial={"effective_from": timezone.localdate()})
    return _scorecard_page(request, None, form, LineFormSet(prefix="lines"))


@permission(MANAGE)
@require_http_methods(["GET", "POST"])
def scorecard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scorecard = get_object_or_404(Scorecard, pk=pk)
    latest = selectors.scorecard_latest(scorecard)
    if request.method == "POST":
        return _save_scorecard(request, scorecard, latest)
    form = ScorecardForm(
        initial={
            "name": scorecard.name,
            "scope": scorecard.scope,
            "ticket_kind": scorecard.ticket_kind,
            "effective_from": latest.effective_from if latest else timezone.localdate(),
        }
    )
    lines = LineFormSet(prefix="lines", initial=line_initial(latest) if latest else [])
    return _scorecard_page(request, scorecard, form, lines, latest=latest)

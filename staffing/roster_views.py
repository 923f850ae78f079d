"""The team lead's roster pages: the month's rosters, the editor with its coverage
strip, publication. Views parse, call one service or selector, and render."""

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csc.lib.errors import DomainError
from staffing import proposal, rosters
from staffing.access import permission
from staffing.coverage import STEP
from staffing.forms import AssignForm, ProposeForm, RemoveForm, RosterCreateForm
from staffing.models import Agent, Roster, RosterEntry, Team

EDIT = "staffing.publish_roster"

# Why a proposal wrote no roster (RosterProposal.failure), in the lead's words.
PROPOSAL_FAILURES = {
    "roster_published": gettext_lazy(
        "The roster was published meanwhile: a proposal never changes a published roster."
    ),
    "no_agents": gettext_lazy("The team has no agents to roster."),
    "no_solution": gettext_lazy(
        "The solver found no roster in its time limit. Ask again, or roster by hand."
    ),
    "error": gettext_lazy(
        "Computing the proposal failed. Ask again; if it fails again, tell the administrator."
    ),
}


def _teams(request: HttpRequest):
    teams = Team.objects.filter(is_active=True)
    if request.user.has_perm("staffing.decide_leave_as_manager") or request.user.has_perm(
        "staffing.decide_leave_as_director"
    ):
        return teams
    return teams.filter(lead=request.user)


@permission(EDIT)
@require_http_methods(["GET", "POST"])
def roster_list(request: HttpRequest) -> HttpResponse:
    teams = _teams(request)
    form = RosterCreateForm(request.POST or None, teams=teams)
    if request.method == "POST":
        if form.is_valid():
            try:
                roster = rosters.roster_create(
                    team=form.cleaned_data["team"],
                    month=form.cleaned_data["month"],
                    pattern=form.cleaned_data["pattern"],
                    created_by=request.user,
                )
            except DomainError as refused:
                form.add_error(None, refused.message)
            else:
                return redirect("staffing:roster_edit", roster.pk)
        return _render_list(request, teams, form=form, status=400)
    return _render_list(request, teams, form=form)


def _render_list(request, teams, *, form=None, propose=None, status=200) -> HttpResponse:
    listed = Roster.objects.filter(team__in=teams).select_related("team", "pattern")
    return render(
        request,
        "staffing/roster_list.html",
        {
            "rosters": listed.order_by("-month", "team__name")[:60],
            "form": form or RosterCreateForm(teams=teams),
            "propose": propose or ProposeForm(teams=teams),
            "next_month": rosters.next_month(timezone.localdate()),
        },
        status=status,
    )


@permission(EDIT)
@require_POST
def roster_propose_next(request: HttpRequest) -> HttpResponse:
    """Ask the solver for next month's roster of one of the lead's teams."""
    teams = _teams(request)
    form = ProposeForm(request.POST, teams=teams)
    if form.is_valid():
        try:
            asked = proposal.roster_proposal_request(
                team=form.cleaned_data["team"],
                pattern=form.cleaned_data["pattern"],
                requested_by=request.user,
            )
        except DomainError as refused:
            form.add_error(None, refused.message)
        else:
            return redirect("staffing:roster_edit", asked.roster_id)
    return _render_list(request, teams, propose=form, status=400)


@permission(EDIT)
@require_POST
def roster_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the solver to fill this draft (its shifts so far are replaced)."""
    roster = _editable(request, pk)
    try:
        proposal.roster_proposal_request(
            team=roster.team, month=roster.month, requested_by=request.user
        )
    except DomainError as refused:
        messages.error(request, refused.message)
    return redirect("staffing:roster_edit", roster.pk)


@permission(EDIT)
@require_GET
def proposal_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the editor while a proposal is computed: its progress, then a reload
    once it is done (the draft's shifts and the proposal's figures appear)."""
    roster = _editable(request, pk)
    latest = proposal.latest_proposal(roster)
    if latest is not None and latest.is_running:
        return render(
            request,
            "staffing/partials/proposal_progress.html",
            {"roster": roster, "proposal": latest},
        )
    response = HttpResponse()
    response["HX-Refresh"] = "true"
    return response


def _strip(roster: Roster, gaps) -> list[dict]:
    """Per day, 48 half-hour cells: under-staffed or not."""
    short = {}
    for gap in gaps:
        moment = gap.starts_at
        while moment < gap.ends_at:
            short[moment] = gap
            moment += STEP
    start, _end = rosters.month_bounds(roster.month)
    days = []
    for offset, day in enumerate(rosters.month_days(roster.month)):
        cells = []
        for slot in range(48):
            moment = timezone.localtime(start + datetime.timedelta(days=offset) + slot * STEP)
            gap = short.get(moment)
            cells.append({"at": moment, "gap": gap})
        days.append({"day": day, "cells": cells, "short": any(c["gap"] for c in cells)})
    return days


@permission(EDIT)
@require_GET
def roster_edit(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_or_404(
        Roster.objects.select_related("team", "pattern"), pk=pk, team__in=_teams(request)
    )
    return _render_editor(request, roster)


def _render_editor(request, roster, *, assign=None, remove=None, status=200) -> HttpResponse:
    entries = list(
        roster.entries.select_related("agent__user", "template").order_by("day", "starts_at")
    )
    agents = list(Agent.objects.filter(team=roster.team).select_related("user"))
    days = rosters.month_days(roster.month)
    grid = {(e.agent_id, e.day): [] for e in entries}
    for entry in entries:
        grid[(entry.agent_id, entry.day)].append(entry)
    rows = [
        {"agent": agent, "cells": [grid.get((agent.pk, day), []) for day in days]}
        for agent in agents
    ]
    gaps = rosters.roster_coverage(roster)
    latest = proposal.latest_proposal(roster)
    context = {
        "roster": roster,
        "days": days,
        "rows": rows,
        "gaps": gaps,
        "strip": _strip(roster, gaps),
        "assign": assign or AssignForm(roster=roster),
        "remove": remove or RemoveForm(roster=roster),
        "changes": roster.changes.select_related("changed_by")[:50],
        "proposal": latest,
        "failure": PROPOSAL_FAILURES.get(latest.failure) if latest else None,
    }
    return render(request, "staffing/roster_edit.html", context, status=status)


def _editable(request, pk):
    return get_object_or_404(
        Roster.objects.select_related("team", "pattern"), pk=pk, team__in=_teams(request)
    )


@permission(EDIT)
@require_POST
def roster_assign(request: HttpRequest, pk: int) -> HttpResponse:
    roster = _editable(request, pk)
    form = AssignForm(request.POST, roster=roster)
    if form.is_valid():
        try:
            rosters.roster_assign(
                roster,
                agent=form.cleaned_data["agent"],
                day=form.cleaned_data["day"],
                template=form.cleaned_data["template"],
                assigned_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Shift added."))
            return redirect("staffing:roster_edit", roster.pk)
    return _render_editor(request, roster, assign=form, status=400)


@permission(EDIT)
@require_POST
def roster_remove(request: HttpRequest, pk: int) -> HttpResponse:
    roster = _editable(request, pk)
    form = RemoveForm(request.POST, roster=roster)
    if form.is_valid():
        entry: RosterEntry = form.cleaned_data["entry"]
        try:
            rosters.roster_unassign(
                entry, removed_by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Shift removed."))
            return redirect("staffing:roster_edit", roster.pk)
    return _render_editor(request, roster, remove=form, status=400)


@permission(EDIT)
@require_POST
def roster_publish(request: HttpRequest, pk: int) -> HttpResponse:
    roster = _editable(request, pk)
    try:
        rosters.roster_publish(roster, published_by=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("staffing:roster_edit", roster.pk)
    messages.success(request, _("Roster published: the agents see it now."))
    return redirect("staffing:roster_edit", roster.pk)

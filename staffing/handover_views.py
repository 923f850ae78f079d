"""The handover page: write the handover at the end of a shift, acknowledge the one
handed to you, keep the duty log; both searchable (DOMAIN.md ST-21 to ST-26)."""

from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from csc.lib.errors import DomainError, http_status
from staffing import handovers
from staffing.access import permission
from staffing.forms import DutyLogForm, HandoverForm
from staffing.models import Handover, Team

VIEW = "staffing.view_handover"
WRITE = "staffing.add_handover"


def _teams(request: HttpRequest):
    teams = Team.objects.filter(is_active=True)
    led = teams.filter(lead=request.user)
    return led if led.exists() else teams


def _render(request, *, handover_form=None, log_form=None, status=200) -> HttpResponse:
    teams = _teams(request)
    q = request.GET.get("q", "").strip()[:100]
    listed = list(handovers.handovers(q=q).filter(team__in=teams)[:30])
    for item in listed:
        item.sections = [
            {
                "title": handovers.source_title(section["key"]),
                "items": [
                    {
                        **row,
                        "due_at": datetime.fromisoformat(row["due_at"]) if row["due_at"] else None,
                    }
                    for row in section["items"]
                ],
            }
            for section in item.open_work
        ]
    context = {
        "q": q,
        "handovers": listed,
        "duty_log": handovers.duty_log(q=q).filter(team__in=teams)[:50],
        "awaiting": handovers.awaiting_acknowledgement(request.user),
        "may_write": request.user.has_perm(WRITE),
        "handover_form": handover_form or HandoverForm(teams=teams),
        "log_form": log_form or DutyLogForm(teams=teams),
    }
    return render(request, "staffing/handover.html", context, status=status)


@permission(VIEW)
@require_GET
def handover_page(request: HttpRequest) -> HttpResponse:
    return _render(request)


@permission(WRITE)
@require_POST
def handover_write(request: HttpRequest) -> HttpResponse:
    form = HandoverForm(request.POST, teams=_teams(request))
    if form.is_valid():
        try:
            handovers.handover_write(written_by=request.user, **form.cleaned_data)
        except DomainError as refused:
            form.add_error(None, refused.message)
            return _render(request, handover_form=form, status=http_status(refused))
        messages.success(request, _("Handover written: the incoming lead acknowledges it."))
        return redirect("staffing:handover")
    return _render(request, handover_form=form, status=400)


@permission(WRITE)
@require_POST
def handover_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    handover = get_object_or_404(Handover, pk=pk)
    try:
        handovers.handover_acknowledge(handover, acknowledged_by=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("staffing:handover")
    messages.success(request, _("Handover acknowledged."))
    return redirect("staffing:handover")


@permission("staffing.add_dutylogentry")
@require_POST
def duty_log_write(request: HttpRequest) -> HttpResponse:
    form = DutyLogForm(request.POST, teams=_teams(request))
    if form.is_valid():
        try:
            handovers.duty_log_write(written_by=request.user, **form.cleaned_data)
        except DomainError as refused:
            form.add_error(None, refused.message)
            return _render(request, log_form=form, status=http_status(refused))
        messages.success(request, _("Duty event recorded."))
        return redirect("staffing:handover")
    return _render(request, log_form=form, status=400)

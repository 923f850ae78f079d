"""Attendance exceptions for the team lead to confirm or excuse (ST-39, S-51)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from csc.lib.errors import DomainError
from staffing import attendance
from staffing.access import permission
from staffing.forms import DecisionForm
from staffing.models import AttendanceException


@permission(attendance.DECIDE_PERM)
@require_GET
def attendance_list(request: HttpRequest) -> HttpResponse:
    listed = attendance.open_exceptions(request.user)[:100]
    return render(request, "staffing/attendance.html", {"exceptions": listed})


@permission(attendance.DECIDE_PERM)
@require_POST
def attendance_decide(request: HttpRequest, pk: int) -> HttpResponse:
    exception = get_object_or_404(AttendanceException, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirm or excuse."))
        return redirect("staffing:attendance")
    try:
        attendance.attendance_decide(
            exception,
            decided_by=request.user,
            confirm=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("staffing:attendance")
    messages.success(request, _("Decision recorded."))
    return redirect("staffing:attendance")

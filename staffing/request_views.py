"""An agent's leave and swap requests, and the approvals inbox of leads, the CS
manager and the centre director (DOMAIN.md ST-33 to ST-49)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from csc.lib.errors import DomainError, http_status
from staffing import leave, swaps
from staffing.access import any_permission, permission
from staffing.forms import DecisionForm, LeaveForm, SwapForm
from staffing.models import Agent, LeaveRequest, SwapRequest

ASK = "staffing.add_leaverequest"
DECIDERS = (
    "staffing.decide_leave_as_manager",
    "staffing.decide_leave_as_director",
    "staffing.approve_swap",
)


def _me(request: HttpRequest) -> Agent | None:
    return Agent.objects.filter(user=request.user).select_related("team").first()


def _render_requests(request, agent, *, leave_form=None, swap_form=None, status=200):
    context = {"agent": agent}
    if agent is not None:
        context |= {
            "leave_form": leave_form or LeaveForm(),
            "swap_form": swap_form or SwapForm(agent=agent),
            "my_leave": LeaveRequest.objects.filter(agent=agent).order_by("-starts_at")[:30],
            "my_swaps": SwapRequest.objects.filter(requester=agent)
            .select_related(
                "colleague__user", "requester_shift__template", "colleague_shift__template"
            )
            .order_by("-requested_at")[:30],
            "asked_of_me": SwapRequest.objects.filter(colleague=agent, status="awaiting_colleague")
            .select_related(
                "requester__user", "requester_shift__template", "colleague_shift__template"
            )
            .order_by("requested_at"),
        }
    return render(request, "staffing/my_requests.html", context, status=status)


@permission(ASK)
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    return _render_requests(request, _me(request))


@permission(ASK)
@require_POST
def leave_create(request: HttpRequest) -> HttpResponse:
    agent = _me(request)
    if agent is None:
        return _render_requests(request, None, status=400)
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            made = leave.leave_request(
                agent,
                kind=form.cleaned_data["kind"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                reason=form.cleaned_data["reason"],
                requested_by=request.user,
            )
        except DomainError as refused:
            form.add_error(None, refused.message)
            return _render_requests(request, agent, leave_form=form, status=http_status(refused))
        if made.is_late:
            messages.warning(
                request,
                _("Asked late: %(rule)s Only a manager may approve it.") % {"rule": made.late_rule},
            )
        else:
            messages.success(request, _("Leave requested."))
        return redirect("staffing:my_requests")
    return _render_requests(request, agent, leave_form=form, status=400)


@permission(ASK)
@require_POST
def leave_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(LeaveRequest, pk=pk, agent__user=request.user)
    try:
        leave.leave_withdraw(item, withdrawn_by=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("staffing:my_requests")
    messages.success(request, _("Leave request withdrawn."))
    return redirect("staffing:my_requests")


@permission(ASK)
@require_POST
def swap_create(request: HttpRequest) -> HttpResponse:
    agent = _me(request)
    if agent is None:
        return _render_requests(request, None, status=400)
    form = SwapForm(request.POST, agent=agent)
    if form.is_valid():
        try:
            swaps.swap_request(
                give=form.cleaned_data["give"],
                take=form.cleaned_data["take"],
                reason=form.cleaned_data["reason"],
                requested_by=request.user,
            )
        except DomainError as refused:
            form.add_error(None, refused.message)
            return _render_requests(request, agent, swap_form=form, status=http_status(refused))
        messages.success(request, _("Swap asked: your colleague answers next."))
        return redirect("staffing:my_requests")
    return _render_requests(request, agent, swap_form=form, status=400)


@permission(ASK)
@require_POST
def swap_answer(request: HttpRequest, pk: int) -> HttpResponse:
    swap = get_object_or_404(SwapRequest, pk=pk, colleague__user=request.user)
    accept = request.POST.get("answer") == "accept"
    try:
        swaps.swap_answer(swap, answered_by=request.user, accept=accept)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("staffing:my_requests")
    messages.success(
        request, _("Swap accepted: the team leads decide next.") if accept else _("Swap declined.")
    )
    return redirect("staffing:my_requests")


@permission(ASK)
@require_POST
def swap_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    swap = get_object_or_404(SwapRequest, pk=pk, requester__user=request.user)
    try:
        swaps.swap_withdraw(swap, withdrawn_by=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("staffing:my_requests")
    messages.success(request, _("Swap withdrawn."))
    return redirect("staffing:my_requests")


# --- approvals -------------------------------------------------------------------------


@any_permission(*DECIDERS)
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    awaiting_leave = list(leave.leave_awaiting(request.user)[:50])
    context = {
        "leave": [(item, leave.leave_impact(item)) for item in awaiting_leave],
        "swaps": list(swaps.swaps_awaiting_lead(request.user)[:50]),
        "form": DecisionForm(),
    }
    return render(request, "staffing/approvals.html", context)


def _decision(request) -> tuple[bool, str] | None:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return None
    return form.cleaned_data["decision"] == "approve", form.cleaned_data["note"]


@any_permission("staffing.decide_leave_as_manager", "staffing.decide_leave_as_director")
@require_POST
def leave_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(LeaveRequest.objects.select_related("agent"), pk=pk)
    decision = _decision(request)
    if decision is None:
        messages.error(request, _("Choose approve or refuse."))
        return redirect("staffing:approvals")
    try:
        leave.leave_decide(item, decided_by=request.user, approve=decision[0], note=decision[1])
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("staffing:approvals")
    messages.success(request, _("Decision recorded."))
    return redirect("staffing:approvals")


@permission("staffing.approve_swap")
@require_POST
def swap_decide(request: HttpRequest, pk: int) -> HttpResponse:
    swap = get_object_or_404(SwapRequest, pk=pk)
    decision = _decision(request)
    if decision is None:
        messages.error(request, _("Choose approve or refuse."))
        return redirect("staffing:approvals")
    try:
        decided = swaps.swap_decide(
            swap, decided_by=request.user, approve=decision[0], note=decision[1]
        )
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("staffing:approvals")
    if decided.status == SwapRequest.Status.REFUSED and decision[0]:
        messages.error(
            request,
            _("The swap now breaks a rule and is refused: %(rule)s") % {"rule": decided.refusal},
        )
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("staffing:approvals")

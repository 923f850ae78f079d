"""Cross-app pages: the landing page of each role, the team board and the 待我审批 inbox."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from csc import approvals, selectors
from csc.erasure import ERASE_PERM
from csc.erasure import customer_erase as customer_erase_service
from csc.forms import CustomerEraseForm, DecisionForm
from csc.lib.errors import DomainError, http_status
from intake.models import Customer
from knowledge.selectors import latest_notices
from sla.selectors import holiday_data_gaps
from staffing.access import permission
from staffing.forms import auto_assignment_form
from staffing.models import Agent, Team
from staffing.roles import Role, primary_role
from staffing.selectors import (
    active_teams,
    agent_of,
    agent_status_counts,
    team_of,
    teams_with_headcount,
)
from staffing.services import SELF_SET_STATUSES, may_set_auto_assignment


@login_required
def home(request):
    role = primary_role(request.user)
    page = _HOME_PAGES.get(role, _no_role)
    return page(request, role)


def _no_role(request, role):
    return render(request, "csc/home_no_role.html")


def _agent_desk(request, role):
    agent = agent_of(request.user)
    context = {
        "agent": agent,
        "self_statuses": _self_statuses(),
        "my_contacts": selectors.agent_contacts_today(request.user),
        "counts": selectors.agent_counts(request.user),
        # DOMAIN.md KB-9: agents read the latest notices at the start of their shift.
        "notices": latest_notices(request.user),
    }
    return render(request, "csc/home_agent.html", context)


def _live(request) -> bool:
    """The page's live region polling for fresh figures (htmx, ?live=1)."""
    return bool(request.htmx) and request.GET.get("live") == "1"


def _board_context(request, team: Team | None, live_url: str) -> dict:
    """A team's board and the lead's figures (each linking to its list), live part."""
    return {
        "team": team,
        "board": selectors.team_board(team) if team else None,
        "figures": selectors.team_figures(request.user, team) if team else None,
        "live_url": live_url,
        "refreshed_at": timezone.localtime(),
    }


def _team_home(request, role):
    team = team_of(request.user)
    context = _board_context(request, team, f"{reverse('home')}?live=1")
    if _live(request) and team:
        return render(request, "csc/partials/team_board_live.html", context)
    context.update(
        agent=agent_of(request.user),
        self_statuses=_self_statuses(),
        notices=latest_notices(request.user),
        attention=selectors.team_attention(request.user, team) if team else [],
    )
    return render(request, "csc/home_team.html", context)


def _qa_home(request, role):
    context = {"contacts": selectors.recent_answered_contacts()}
    return render(request, "csc/home_qa.html", context)


def _overview(request, role):
    if _live(request):
        return render(request, "csc/partials/overview_figures.html", _overview_figures())
    context = {
        **_overview_figures(),
        "show_admin_links": role == Role.ADMINISTRATOR,
        "holiday_data_gaps": holiday_data_gaps(timezone.localdate()),
    }
    return render(request, "csc/home_overview.html", context)


_HOME_PAGES = {
    Role.AGENT: _agent_desk,
    Role.TEAM_LEAD: _team_home,
    Role.COMPLAINT_HANDLER: _team_home,
    Role.TECH_SUPPORT: _team_home,
    Role.MARKET_LEGAL: _team_home,
    Role.QA_INSPECTOR: _qa_home,
    Role.CS_MANAGER: _overview,
    Role.CENTRE_DIRECTOR: _overview,
    Role.ADMINISTRATOR: _overview,
}


def _overview_figures() -> dict:
    today = selectors.contacts_today()
    return {
        "channels": selectors.contacts_by_channel(today),
        "contacts_today": today.count(),
        "abandoned_today": selectors.abandoned_today_count(),
        "service_levels": selectors.service_level_today(),
        "statuses": agent_status_counts(),
        "teams": teams_with_headcount(),
        "refreshed_at": timezone.localtime(),
    }


def _self_statuses() -> list[tuple[str, str]]:
    return [(value, Agent.Status(value).label) for value in SELF_SET_STATUSES]


@login_required
@permission_required("staffing.view_agent", raise_exception=True)
def team_board(request):
    """One team's board; `?team=` picks another team, else the viewer's own."""
    if request.GET.get("team", "").isdigit():
        team = get_object_or_404(Team, pk=request.GET["team"], is_active=True)
    else:
        team = team_of(request.user)
    live_url = f"{request.path}?{urlencode({'team': team.pk if team else '', 'live': 1})}"
    context = _board_context(request, team, live_url)
    if _live(request) and team:
        return render(request, "csc/partials/team_board_live.html", context)
    context["teams"] = active_teams()
    # Out of the live region, so the 30-second refresh never resets a choice being made.
    context["attention"] = selectors.team_attention(request.user, team) if team else []
    if team is not None and may_set_auto_assignment(request.user, team):
        context["assignment_form"] = auto_assignment_form(team)
    return render(request, "csc/team_board.html", context)


@permission("intake.view_customer", ERASE_PERM)
@require_http_methods(["GET", "POST"])
def customer_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase a cancelled customer's personal data, after a confirmation with a reason."""
    customer = get_object_or_404(Customer, pk=pk)
    form = CustomerEraseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                customer_erase_service(
                    customer, by=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = http_status(error)
            else:
                messages.success(request, _("The customer's personal data has been erased."))
                return redirect("intake:customer_detail", pk=pk)
    return render(
        request, "csc/customer_erase.html", {"customer": customer, "form": form}, status=status
    )


# ---------------------------------------------------------------- 待我审批


def _decider(request: HttpRequest) -> None:
    if not approvals.may_decide(request.user):
        raise PermissionDenied


@login_required
def approvals_inbox(request: HttpRequest) -> HttpResponse:
    """Every request waiting for this person's decision, with the decision in place."""
    _decider(request)
    return _approvals_page(request)


def _approvals_page(request: HttpRequest, failed: dict | None = None, status: int = 200):
    failed = failed or {}
    rows = [(item, failed.get(item.key)) for item in approvals.awaiting_decision(request.user)]
    return render(request, "csc/approvals.html", {"rows": rows}, status=status)


@login_required
@require_POST
def approval_decide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _decider(request)
    form = DecisionForm(request.POST)
    item = approvals.awaiting_one(request.user, kind, pk)
    if item is None and not form.is_valid():
        return _approvals_page(request, status=400)
    if item is None:
        # Decided by someone else meanwhile, withdrawn, or never this person's.
        if not request.htmx:
            raise Http404
        gone = _("This request no longer waits for your decision.")
        return render(request, "csc/partials/approval_done.html", {"message": gone}, status=409)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            approvals.decide(
                item,
                by=request.user,
                decision=data["decision"],
                note=data["note"],
                version=data["version"],
            )
        except DomainError as error:
            form.add_domain_error(error)
            status = http_status(error)
        else:
            done = (
                _("Approved: %(number)s.")
                if data["decision"] == "approve"
                else _("Rejected: %(number)s.")
            ) % {"number": item.number}
            if request.htmx:
                return render(request, "csc/partials/approval_done.html", {"message": done})
            messages.success(request, done)
            return redirect("approvals")
    if request.htmx:
        return render(
            request, "csc/partials/approval_row.html", {"item": item, "form": form}, status=status
        )
    return _approvals_page(request, {item.key: form}, status)

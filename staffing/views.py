import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from csc.lib.errors import DomainError
from staffing.forms import AutoAssignmentForm, auto_assignment_form
from staffing.models import Agent, Team
from staffing.selectors import agent_of
from staffing.services import (
    SELF_SET_STATUSES,
    agent_set_status,
    may_set_auto_assignment,
    team_set_auto_assignment,
)

log = logging.getLogger(__name__)


class SignInView(auth_views.LoginView):
    """Sign-in; django-axes counts the failures and locks out (settings: AXES_*)."""

    template_name = "staffing/login.html"
    redirect_authenticated_user = True


def sign_in_username(request, credentials: dict | None) -> str:
    """The username failures are counted under: case and surrounding spaces do
    not make a new one (AXES_USERNAME_CALLABLE)."""
    source = credentials if credentials is not None else request.POST
    username = source.get("username") or ""
    return str(username).strip().lower().replace("\x00", "")[:150]


def sign_in_locked_out(request, original_response=None, credentials=None) -> HttpResponse:
    """The sign-in page again, with 429, for a username locked out from this
    address (AXES_LOCKOUT_CALLABLE)."""
    messages.error(
        request,
        _("Too many failed sign-ins. Wait %(minutes)d minutes and try again.")
        % {"minutes": max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)},
    )
    context = {"form": AuthenticationForm(request), "next": request.POST.get("next", "")}
    return render(request, "staffing/login.html", context, status=429)


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have signed out."))
        return response


login = SignInView.as_view()
logout = SignOutView.as_view()


@login_required
@require_POST
def agent_status(request):
    """The signed-in agent sets their own status; htmx swaps the control in place."""
    agent = agent_of(request.user)
    if agent is None:
        raise Http404(_("You have no agent profile."))
    error = ""
    try:
        agent_set_status(agent, request.POST.get("status", ""), changed_by=request.user)
    except DomainError as exc:
        error = exc.message
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("home")
    # htmx swaps only 2xx answers, so a refusal comes back as 200 with its reason inside.
    context = {
        "agent": agent,
        "self_statuses": [(value, Agent.Status(value).label) for value in SELF_SET_STATUSES],
        "status_error": error,
    }
    return render(request, "staffing/partials/agent_status.html", context)


@login_required
@require_POST
def team_auto_assignment(request, pk: int):
    """The team's lead switches auto-assignment and sets the cap, on the team board;
    htmx swaps the card in place."""
    team = get_object_or_404(Team, pk=pk, is_active=True)
    if not may_set_auto_assignment(request.user, team):
        raise PermissionDenied
    form = AutoAssignmentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            team = team_set_auto_assignment(
                team,
                auto_assign=form.cleaned_data["auto_assign"],
                assignment_cap=form.cleaned_data["assignment_cap"],
                changed_by=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            status = 200
            if not request.htmx:
                messages.success(request, _("Auto-assignment saved."))
                return redirect(f"{reverse('staffing:team_board')}?team={team.pk}")
            form = auto_assignment_form(team)
    elif not request.htmx:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(f"{reverse('staffing:team_board')}?team={team.pk}")
    context = {"team": team, "assignment_form": form, "assignment_saved": status == 200}
    return render(request, "staffing/partials/auto_assignment.html", context, status=status)

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from redis.exceptions import RedisError

from csc.lib.errors import DomainError
from staffing.models import Agent
from staffing.selectors import agent_of
from staffing.services import SELF_SET_STATUSES, agent_set_status

log = logging.getLogger(__name__)


def _failure_keys(request) -> list[str]:
    username = (request.POST.get("username") or "").strip().lower()
    address = request.META.get("REMOTE_ADDR", "")
    return [f"login-fail:user:{username}", f"login-fail:addr:{address}"]


class ThrottledLoginView(auth_views.LoginView):
    """Sign-in that stops answering after too many failures (DESIGN.md §4)."""

    template_name = "staffing/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if _too_many_failures(_failure_keys(request)):
            messages.error(
                request,
                _("Too many failed sign-ins. Wait %(minutes)d minutes and try again.")
                % {"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
            )
            response = self.get(request, *args, **kwargs)
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        try:
            for key in _failure_keys(self.request):
                cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW_SECONDS)
                cache.incr(key)
        except RedisError:
            log.warning("sign-in failure not counted: the cache is unreachable")
        return super().form_invalid(form)

    def form_valid(self, form):
        try:
            cache.delete_many(_failure_keys(self.request)[:1])
        except RedisError:
            log.warning("sign-in failures not cleared: the cache is unreachable")
        return super().form_valid(form)


def _too_many_failures(keys: list[str]) -> bool:
    # The counters live in Redis; while it is unreachable staff can still sign in
    # (the whole centre would otherwise stop), unthrottled.
    try:
        return any(cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT for key in keys)
    except RedisError:
        log.warning("sign-in throttle not checked: the cache is unreachable")
        return False


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have signed out."))
        return response


login = ThrottledLoginView.as_view()
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

"""The shift dashboard, the wallboards and the metrics API: three doors
to `csc.dashboard.shift_figures`, each scoped by `viewer_scope` (or, for a wallboard,
by the team it was made for).

(`GET /api/v1/metrics/shift/` is in csc/api_metrics.py.)

The page refreshes by htmx polling, not server-sent events: a poll is an ordinary
request (sessions, permissions and the query budget apply unchanged), holds no
worker between refreshes on a synchronous server, and a TV left on overnight
recovers from a restart by itself.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from csc import dashboard, wallboards
from csc.dashboard import CENTRE_FIGURES, viewer_scope
from csc.forms import WallboardForm
from csc.lib.errors import DomainError
from csc.models import Wallboard
from sla.selectors import team_ids_of
from staffing.access import permission
from staffing.selectors import active_teams

DASHBOARD = "csc.view_shift_dashboard"
MANAGE_WALLBOARDS = "csc.manage_wallboards"


def _teams_to_pick(user) -> list:
    if user.has_perm(CENTRE_FIGURES):
        return list(active_teams())
    own = set(team_ids_of(user))
    return [team for team in active_teams() if team.pk in own]


@permission(DASHBOARD)
@require_GET
def shift_dashboard(request: HttpRequest) -> HttpResponse:
    team = request.GET.get("team", "")
    scope = viewer_scope(request.user, team)
    context = {
        "figures": dashboard.shift_figures(scope),
        "refresh_seconds": settings.DASHBOARD_REFRESH_SECONDS,
        "live_query": f"?team={team}&live=1" if team else "?live=1",
    }
    if request.htmx and request.GET.get("live") == "1":
        return render(request, "csc/partials/dashboard_live.html", context)
    context.update(
        teams=_teams_to_pick(request.user),
        selected_team=team,
        may_manage_wallboards=request.user.has_perm(MANAGE_WALLBOARDS),
    )
    return render(request, "csc/dashboard.html", context)


def _live_wallboard(token: str) -> Wallboard:
    board = Wallboard.objects.select_related("team").filter(token=token).first()
    if board is None or board.revoked_at is not None:
        raise Http404
    return board


@require_GET
def wallboard(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the secret in the URL is the key. Counts only, no names (with_rows)."""
    board = _live_wallboard(token)
    scope = dashboard.CENTRE if board.team is None else dashboard.team_scope([board.team_id])
    context = {
        "board": board,
        "figures": dashboard.shift_figures(scope, with_rows=False),
        "refresh_seconds": settings.DASHBOARD_REFRESH_SECONDS,
    }
    template = "csc/partials/wallboard_live.html" if request.htmx else "csc/wallboard.html"
    response = render(request, template, context)
    response["Referrer-Policy"] = "no-referrer"  # the secret stays out of other sites' logs
    response["X-Robots-Tag"] = "noindex"
    return response


@permission(MANAGE_WALLBOARDS)
def wallboard_list(request: HttpRequest) -> HttpResponse:
    form = WallboardForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            board = wallboards.wallboard_create(
                name=form.cleaned_data["name"], team=form.cleaned_data["team"], by=request.user
            )
            messages.success(request, _("Wallboard “%(name)s” created.") % {"name": board.name})
            return redirect("wallboards")
    boards = Wallboard.objects.select_related("team", "created_by").order_by("revoked_at", "name")
    return render(request, "csc/wallboards.html", {"boards": boards, "form": form}, status=status)


@permission(MANAGE_WALLBOARDS)
@require_POST
def wallboard_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    board = get_object_or_404(Wallboard, pk=pk)
    try:
        wallboards.wallboard_revoke(board, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Wallboard “%(name)s” revoked.") % {"name": board.name})
    return redirect("wallboards")

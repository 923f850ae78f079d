from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from sla.forms import AttentionFilterForm
from sla.selectors import attention_list, reassign_candidates, team_ids_of
from staffing.models import Team

PAGE_SIZE = 50


@login_required
@permission_required("sla.view_at_risk", raise_exception=True)
def at_risk(request):
    """Tickets at risk or breached in the lead's teams, each with its most urgent clock
    and one-click reassign."""
    teams = Team.objects.filter(is_active=True)
    if not request.user.has_perm("sla.view_all_clocks"):
        teams = teams.filter(pk__in=team_ids_of(request.user))
    form = AttentionFilterForm(request.GET or None, teams=teams)
    filters = form.cleaned_data if form.is_valid() else {}
    clocks = attention_list(
        request.user,
        team=filters["team"].pk if filters.get("team") else None,
        metric=filters.get("metric", ""),
        breached_only=filters.get("breached_only", False),
    )
    page = Paginator(clocks, PAGE_SIZE).get_page(request.GET.get("page"))
    candidates = reassign_candidates(clock.ticket.team_id for clock in page)
    rows = [(clock, candidates[clock.ticket.team_id]) for clock in page]
    return render(request, "sla/at_risk.html", {"form": form, "page": page, "rows": rows})

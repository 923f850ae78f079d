from collections import defaultdict

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from sla.forms import AttentionFilterForm
from sla.selectors import attention_list, team_ids_of
from staffing.models import Agent, Team

PAGE_SIZE = 50


@login_required
@permission_required("sla.view_at_risk", raise_exception=True)
def at_risk(request):
    """At-risk and breached clocks of the lead's teams, with one-click reassign."""
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
    agents_by_team = defaultdict(list)
    team_ids = {clock.ticket.team_id for clock in page}
    for agent in Agent.objects.filter(team_id__in=team_ids, user__is_active=True).select_related(
        "user"
    ):
        agents_by_team[agent.team_id].append(agent.user)
    rows = [(clock, agents_by_team[clock.ticket.team_id]) for clock in page]
    return render(request, "sla/at_risk.html", {"form": form, "page": page, "rows": rows})

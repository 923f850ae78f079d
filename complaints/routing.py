"""Which handling group gets a complaint (DOMAIN.md P-4, C-16): rules are data.

service fault → tech-support group; billing → market & legal compliance group;
tech support → tech-support group; service quality and business-handling
error → the team lead of the agent concerned. The most specific active rule
wins (a subcategory's before its category's), then the lowest `order`; a rule
that cannot name a team (no such team, no agent concerned) gives way to the next.
"""

from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.translation import gettext as _

from complaints.choices import Category, RoutingTarget
from complaints.models import RoutingRule, Subcategory
from csc.lib.errors import DomainError
from staffing.models import Team, User


@dataclass(frozen=True)
class Route:
    team: Team
    assignee: User | None
    rule: RoutingRule


def _own_team(user: User | None) -> Team | None:
    agent = getattr(user, "agent", None) if user is not None else None
    if agent is None or not agent.team.is_active:
        return None
    return agent.team


def _team_of(rule: RoutingRule, agent_concerned: User | None, recorded_by: User) -> Team | None:
    if rule.target == RoutingTarget.TEAM:
        return rule.team if rule.team is not None and rule.team.is_active else None
    if rule.target == RoutingTarget.TEAM_KIND:
        return Team.objects.filter(kind=rule.team_kind, is_active=True).order_by("name").first()
    # The agent the complaint is about; when none is named, the agent who recorded it.
    return _own_team(agent_concerned) or _own_team(recorded_by)


def route_for(
    category: str,
    subcategory: Subcategory | None,
    *,
    agent_concerned: User | None,
    recorded_by: User,
) -> Route:
    scope = Q(subcategory__isnull=True)
    if subcategory is not None:
        scope |= Q(subcategory=subcategory)
    rules = (
        RoutingRule.objects.filter(scope, is_active=True, category=category)
        .select_related("team__lead")
        .order_by(F("subcategory").asc(nulls_last=True), "order", "pk")
    )
    for rule in rules:
        team = _team_of(rule, agent_concerned, recorded_by)
        if team is None:
            continue
        return Route(team=team, assignee=team.lead if rule.assign_to_lead else None, rule=rule)
    label = Category(category).label
    if category in (Category.SERVICE_QUALITY, Category.BUSINESS_ERROR):
        message = _("Name the agent concerned: %(category)s complaints go to their team lead.") % {
            "category": label
        }
        raise DomainError(message, code="no_handling_group", details={"agent_concerned": [message]})
    message = _(
        "No handling group is configured for %(category)s complaints; ask an administrator "
        "to add a routing rule or the team."
    ) % {"category": label}
    raise DomainError(message, code="no_handling_group", details={"category": [message]})

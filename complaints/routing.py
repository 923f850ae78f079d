"""Which handling group gets a complaint (DOMAIN.md P-4, C-16): rules are data.

service fault → tech-support group; billing → market & legal compliance group;
tech support → tech-support group; service quality and business-handling
error → the team lead of the agent concerned. Upgraded complaints and appeals go
to the complaint-handling group (投诉处理组, C-10), which coordinates them; the
specialist group the category names collaborates (`Complaint.collaborating_team`).

The most specific active rule wins (a tier's before every tier's, a subcategory's
before its category's), then the lowest `order`; a rule that cannot name a team
(no such team, no agent concerned) gives way to the next.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from complaints.choices import Category, RoutingTarget, Tier
from complaints.models import RoutingRule, Subcategory
from complaints.reference import RoutingTable, routing_table
from csc.lib.errors import DomainError
from staffing.models import Team, User


@dataclass(frozen=True)
class Route:
    team: Team
    assignee: User | None
    rule: RoutingRule


def _own_team(user: User | None, table: RoutingTable) -> Team | None:
    agent = getattr(user, "agent", None) if user is not None else None
    # The kept teams are the active ones, each with its lead: no query for either.
    return table.teams.get(agent.team_id) if agent is not None else None


def _team_of(
    rule: RoutingRule, agent_concerned: User | None, recorded_by: User, table: RoutingTable
) -> Team | None:
    if rule.target == RoutingTarget.TEAM:
        return rule.team if rule.team is not None and rule.team.is_active else None
    if rule.target == RoutingTarget.TEAM_KIND:
        return table.first_of_kind.get(rule.team_kind)
    # The agent the complaint is about; when none is named, the agent who recorded it.
    return _own_team(agent_concerned, table) or _own_team(recorded_by, table)


def route_for(
    category: str,
    subcategory: Subcategory | None,
    *,
    agent_concerned: User | None,
    recorded_by: User,
    tier: str = Tier.COMPLAINT,
) -> Route:
    # The rules and teams are kept per process (complaints.reference), already in order.
    table = routing_table.get()
    subcategory_id = subcategory.pk if subcategory is not None else None
    for rule in table.rules.get(category, ()):
        if rule.subcategory_id not in (None, subcategory_id) or rule.tier not in ("", tier):
            continue
        team = _team_of(rule, agent_concerned, recorded_by, table)
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


def collaborator_for(route: Route, specialists: Team | None) -> Team | None:
    """The specialist group working beside the coordinating one: None when it is the
    same group (a complaint of the first tier, or no specialist group found)."""
    if specialists is None or specialists.pk == route.team.pk:
        return None
    return specialists


def specialist_route(
    category: str,
    subcategory: Subcategory | None,
    *,
    agent_concerned: User | None,
    recorded_by: User,
) -> Route | None:
    """The group the category's own rules name (as for a first-tier complaint), or None."""
    try:
        return route_for(
            category, subcategory, agent_concerned=agent_concerned, recorded_by=recorded_by
        )
    except DomainError:
        return None

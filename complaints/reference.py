"""Complaints' reference data kept per process (csc.lib.reference): the routing
rules with the teams they can name, the complaint settings, and the leadership
group (told of every major complaint, appeal and outage). Every complaint
recorded reads them; they change a few times a year.

Each is renewed in every process within a second of a save or delete of what
it reads: the routing by its rules, subcategories (a rule's label names them),
teams and users (a team's lead); the settings by themselves; the leadership
group by users, roles and permission grants. A sign-in or an agent's status
renews none. A change made with `QuerySet.update()` sends no signal: it is seen
once the copy is older than `csc.lib.reference.MAX_AGE_SECONDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db.models import F

from complaints.models import ComplaintSettings, RoutingRule, Subcategory
from complaints.notices import LEADERSHIP_PERM
from csc.lib.reference import ReferenceCache
from staffing.models import Team, User
from staffing.selectors import holders_of


@dataclass(frozen=True)
class RoutingTable:
    # Active rules by category: a tier's first, a subcategory's before the whole
    # category's, then by order.
    rules: dict[str, list[RoutingRule]]
    # Active teams by id, with their lead.
    teams: dict[int, Team]
    # The first active team of each kind by name (a rule's "a team of this kind").
    first_of_kind: dict[str, Team]


def _load_routing() -> RoutingTable:
    rules: dict[str, list[RoutingRule]] = {}
    active_rules = (
        RoutingRule.objects.filter(is_active=True)
        .select_related("subcategory", "team__lead")
        .order_by(F("subcategory").asc(nulls_last=True), "order", "pk")
    )
    for rule in active_rules:
        rules.setdefault(rule.category, []).append(rule)
    # A tier's rules before those for every tier (an upgraded complaint's group wins
    # over a subcategory's); the database order is kept within each (a stable sort).
    for category_rules in rules.values():
        category_rules.sort(key=lambda rule: rule.tier == "")
    # Ordered by the database, so "first by name" follows its collation, as a query would.
    teams = list(Team.objects.filter(is_active=True).select_related("lead").order_by("name"))
    first_of_kind: dict[str, Team] = {}
    for team in teams:
        first_of_kind.setdefault(team.kind, team)
    return RoutingTable(
        rules=rules, teams={team.pk: team for team in teams}, first_of_kind=first_of_kind
    )


routing_table = ReferenceCache(
    "complaint-routing",
    _load_routing,
    sources=[RoutingRule, Subcategory, Team, User],
    unread_fields=["last_login"],
)
complaint_settings = ReferenceCache(
    "complaint-settings", ComplaintSettings.current, sources=[ComplaintSettings]
)
leadership_group: ReferenceCache[list[User]] = ReferenceCache(
    "leadership-group",
    lambda: list(holders_of(LEADERSHIP_PERM)),
    # A role deleted takes its members' permissions without an m2m signal.
    sources=[
        User,
        Group,
        User.groups.through,
        User.user_permissions.through,
        Group.permissions.through,
    ],
    unread_fields=["last_login"],
)

"""Complaints' reference data kept per process (csc.lib.reference): the routing
rules with the teams they can name, the complaint settings, and the leadership
group (told of every major complaint, appeal and outage). Every complaint
recorded reads them; they change a few times a year.

Any save or delete of a rule, a subcategory (a rule's label names it), the
settings or a role renews every process's copy within a second; teams, users
(a team's lead, a leader leaving) and permissions are renewed by staffing's own
signals. A change made with `QuerySet.update()` sends no signal: it is seen once
the copy is older than `csc.lib.reference.MAX_AGE_SECONDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from complaints.models import ComplaintSettings, RoutingRule, Subcategory
from complaints.notices import LEADERSHIP_PERM
from csc.lib.reference import ReferenceCache, reference_data_changed
from staffing.models import Team, User
from staffing.selectors import holders_of


@dataclass(frozen=True)
class RoutingTable:
    # Active rules by category, a subcategory's before the whole category's, then by order.
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
    # Ordered by the database, so "first by name" follows its collation, as a query would.
    teams = list(Team.objects.filter(is_active=True).select_related("lead").order_by("name"))
    first_of_kind: dict[str, Team] = {}
    for team in teams:
        first_of_kind.setdefault(team.kind, team)
    return RoutingTable(
        rules=rules, teams={team.pk: team for team in teams}, first_of_kind=first_of_kind
    )


routing_table = ReferenceCache(_load_routing)
complaint_settings = ReferenceCache(ComplaintSettings.current)
leadership_group: ReferenceCache[list[User]] = ReferenceCache(
    lambda: list(holders_of(LEADERSHIP_PERM))
)


def connect_signals() -> None:
    # A role deleted drops its members' permissions without an m2m signal.
    for model in (RoutingRule, Subcategory, ComplaintSettings, Group):
        for signal in (post_save, post_delete):
            signal.connect(reference_data_changed, sender=model, dispatch_uid=f"ref-{model}")

"""Which targets a ticket gets: per metric, the first active policy by explicit
precedence (`order`) that matches the ticket and sets a target for that metric.

Policies layer: "every complaint: overall limit and evidence" adds its two
metrics to whichever tier policy matched first, and a repair policy adds the
repair limit to service-fault complaints, without copying rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from csc.lib.reference import ReferenceCache
from sla.choices import VipMatch
from sla.models import PolicyVersion, SlaPolicy

NO_VIP = "none"


@dataclass(frozen=True)
class TicketFacts:
    """What the upper apps tell the SLA engine about a ticket.

    `service_type` (mobile / fixed / broadband) refines fault-repair limits
    (DOMAIN.md P-5); `region` is urban / rural. `category_codes` are the codes of
    an inquiry's category and of its parent (DOMAIN.md K-4: per-type timers), so
    a policy naming a top-level category matches its sub-categories too.
    """

    kind: str
    channel: str
    priority: int
    vip_tier: str
    complaint_category: str = ""
    complaint_tier: str = ""
    business_type_code: str = ""
    delivery_limit_minutes: int | None = None
    region: str = ""
    service_type: str = ""
    category_codes: tuple[str, ...] = ()


def vip_matches(rule: str, tier: str) -> bool:
    tier = tier or NO_VIP
    if rule == VipMatch.ANY:
        return True
    if rule == VipMatch.NONE:
        return tier == NO_VIP
    if rule == VipMatch.VIP:
        return tier != NO_VIP
    return tier == rule


def policy_matches(policy: SlaPolicy, facts: TicketFacts) -> bool:
    exact = (
        (policy.kind, facts.kind),
        (policy.complaint_category, facts.complaint_category),
        (policy.complaint_tier, facts.complaint_tier),
        (policy.channel, facts.channel),
        (policy.business_type_code, facts.business_type_code),
        (policy.service_type, facts.service_type),
        (policy.region, facts.region),
    )
    if any(wanted and wanted != actual for wanted, actual in exact):
        return False
    if policy.category_code and policy.category_code not in facts.category_codes:
        return False
    if policy.min_priority is not None and (facts.priority or 0) < policy.min_priority:
        return False
    return vip_matches(policy.vip_match, facts.vip_tier)


def _load_published_policies() -> list[SlaPolicy]:
    policies = list(
        SlaPolicy.objects.filter(is_active=True, current_version__isnull=False)
        .select_related("current_version")
        .order_by("order")
    )
    for policy in policies:
        policy.current_version.policy = policy
    return policies


# Read on every ticket's creation; policies change a few times a year.
published_policies = ReferenceCache(
    "sla-policies", _load_published_policies, sources=[SlaPolicy, PolicyVersion]
)


def policies_for(facts: TicketFacts) -> list[SlaPolicy]:
    """The active, published policies matching the facts, in precedence order."""
    return [p for p in published_policies.get() if policy_matches(p, facts)]


def targets_for(facts: TicketFacts) -> list[tuple[PolicyVersion, dict]]:
    """Per metric, the target of the first matching policy that sets one."""
    chosen: dict[str, tuple[PolicyVersion, dict]] = {}
    for policy in policies_for(facts):
        version = policy.current_version
        for target in version.targets:
            chosen.setdefault(target["metric"], (version, target))
    return list(chosen.values())

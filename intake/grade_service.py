"""Who is entitled to grade service (等级服务): the one rule, in one place.

DOMAIN.md CA-4 and W-26: grade service goes to postpaid VIP customers only. A
prepaid customer may carry a VIP tier (it is recorded data: imported, or kept
from a postpaid past), but the tier grants nothing: no VIP SLA policy, no VIP
complaint priority, no VIP queue, no badge and no privileges. Every door asks
here (SLA facts, complaint priority, the service-level queue, the badges, the
care app's privileges) so the rule cannot drift between them.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from intake.choices import PaymentType, VipTier

# The payment types whose VIP tier is honoured (CA-4's "postpaid VIP" column).
GRADE_SERVICE_PAYMENT_TYPES: tuple[str, ...] = (PaymentType.POSTPAID,)

NO_GRADE_SERVICE_REASON = _(
    "Grade service is for postpaid VIP customers only: this prepaid customer's tier is "
    "recorded but grants no VIP service level, priority or privileges."
)


def entitled_to_grade_service(payment_type: str, vip_tier: str) -> bool:
    return (
        bool(vip_tier) and vip_tier != VipTier.NONE and payment_type in GRADE_SERVICE_PAYMENT_TYPES
    )


def grade_service_tier(payment_type: str, vip_tier: str) -> str:
    """The tier that counts for service: the recorded tier when entitled, else none."""
    return vip_tier if entitled_to_grade_service(payment_type, vip_tier) else VipTier.NONE


def entitled_q(prefix: str = "") -> Q:
    """The same rule as a filter; `prefix` reaches the customer, e.g. "customer__"."""
    return Q(**{f"{prefix}payment_type__in": GRADE_SERVICE_PAYMENT_TYPES}) & ~Q(
        **{f"{prefix}vip_tier": VipTier.NONE}
    )

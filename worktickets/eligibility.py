"""Who may have a business type through which channel (DOMAIN.md W-25, K-16).

The rules are rows of BusinessEligibility (one per business type and payment
segment), seeded from the reconstructed table and editable in the admin.
"""

from django.utils.translation import gettext as _

from csc.lib.errors import DomainError
from intake.choices import Channel, PaymentSegment
from intake.models import Customer
from worktickets.choices import ELIGIBLE_MODES, SegmentMode
from worktickets.models import BusinessEligibility, BusinessType


def _channel_labels(codes: list[str]) -> str:
    labels = dict(Channel.choices)
    return "、".join(str(labels.get(code, code)) for code in codes)


def rule_for(business_type: BusinessType, segment: str) -> BusinessEligibility | None:
    # The catalogue is small and prefetched by callers that loop.
    for rule in business_type.eligibility.all():
        if rule.segment == segment:
            return rule
    return None


def check(business_type: BusinessType, customer: Customer, channel: str) -> None:
    """Raise DomainError with the reason (and the channels that can help) if not eligible."""
    if not business_type.is_active:
        raise DomainError(
            _("%(type)s is no longer offered.") % {"type": business_type.name},
            code="business_type_inactive",
            details={"business_type": [_("This business type is no longer offered.")]},
        )
    segment = customer.payment_segment
    rule = rule_for(business_type, segment)
    segment_label = PaymentSegment(segment).label
    if rule is None or rule.mode not in ELIGIBLE_MODES:
        mode = SegmentMode(rule.mode).label if rule else SegmentMode.NOT_PROVIDED.label
        reason = _("%(type)s is not available to %(segment)s customers (%(mode)s).") % {
            "type": business_type.name,
            "segment": segment_label,
            "mode": mode,
        }
        if rule and rule.note:
            reason = f"{reason} {rule.note}"
        raise DomainError(
            reason,
            code="not_eligible_for_customer",
            details={
                "business_type": [reason],
                "segment": segment,
                "mode": rule.mode if rule else SegmentMode.NOT_PROVIDED,
            },
        )
    if channel not in rule.channels:
        reason = _(
            "%(type)s cannot be handled through %(channel)s for %(segment)s customers. "
            "Channels that can handle it: %(channels)s."
        ) % {
            "type": business_type.name,
            "channel": Channel(channel).label if channel in Channel.values else channel,
            "segment": segment_label,
            "channels": _channel_labels(rule.channels),
        }
        raise DomainError(
            reason,
            code="not_eligible_for_channel",
            details={"channel": [reason], "eligible_channels": rule.channels},
        )


def eligible_types(customer: Customer, channel: str) -> list[BusinessType]:
    """Business types this customer may order through this channel."""
    segment = customer.payment_segment
    types = BusinessType.objects.filter(is_active=True).prefetch_related("eligibility")
    result = []
    for business_type in types:
        rule = rule_for(business_type, segment)
        if rule and rule.mode in ELIGIBLE_MODES and channel in rule.channels:
            result.append(business_type)
    return result

"""What the new-ticket form offers the chosen caller, filled by higher apps.

The care app registers the caller's grade-service privileges (DOMAIN.md P-9,
CA-8): each is shown on the caller's card, and one that is a business (temporary
credit, emergency reactivation, free SIM re-issue) gets a one-click "start this
business" that opens the form with the business type chosen. Registered from
AppConfig.ready(), as the status hooks are, so worktickets imports nothing above it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from worktickets.models import BusinessType

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Offer:
    """A privilege the caller holds; `business_type_code` when it is a business."""

    label: str
    business_type_code: str = ""


@dataclass(frozen=True)
class ShownOffer:
    label: str
    business_type: BusinessType | None


OfferSource = Callable[[object], list[Offer]]

_sources: dict[str, OfferSource] = {}


def register_offer_source(name: str, source: OfferSource) -> None:
    """`source(customer)` returns the customer's offers, in the order to show them."""
    _sources[name] = source


def offers_for(customers: list) -> None:
    """Set `customer.offers` (a list of ShownOffer) on each customer; the business
    types named are read in one query for all of them, and none when none is named.
    A code naming no active business type shows the privilege without the button."""
    found: dict[int, list[Offer]] = {}
    for customer in customers:
        found[customer.pk] = [offer for source in _sources.values() for offer in source(customer)]
    codes = {offer.business_type_code for offers in found.values() for offer in offers}
    codes.discard("")
    types = (
        {t.code: t for t in BusinessType.objects.filter(code__in=codes, is_active=True)}
        if codes
        else {}
    )
    for customer in customers:
        customer.offers = [
            ShownOffer(offer.label, types.get(offer.business_type_code))
            for offer in found[customer.pk]
        ]

"""Worktickets' reference data kept per process (csc.lib.reference): the inquiry
category tree and the business types' delivery limits. Every ticket's creation reads
them (its SLA facts), and every queue row, timeline line and ticket form names a
category; they change a few times a year, in the admin, so each save or delete
renews every process's copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from csc.lib.reference import ReferenceCache
from worktickets.models import DeliveryLimit, InquiryCategory


@dataclass(frozen=True)
class CategoryTree:
    # Every category, top-level ones each followed by their sub-categories.
    in_order: list[InquiryCategory]
    by_id: dict[int, InquiryCategory]
    by_code: dict[str, InquiryCategory]

    def active(self) -> list[InquiryCategory]:
        """What may be chosen: active categories under an active parent."""
        return [category for category in self.in_order if category.in_use]

    def ids_under(self, code: str) -> list[int]:
        """The ids of the category with this code and of its sub-categories."""
        return [category.pk for category in self.in_order if code in category.codes]


def _load_tree() -> CategoryTree:
    rows = list(InquiryCategory.objects.select_related("parent").order_by("sort_order", "code"))
    children: dict[int, list[InquiryCategory]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row)
    in_order = []
    for row in rows:
        if row.parent_id is None:
            in_order += [row, *children.get(row.pk, [])]
    return CategoryTree(
        in_order=in_order,
        by_id={row.pk: row for row in rows},
        by_code={row.code: row for row in rows},
    )


inquiry_categories = ReferenceCache("inquiry-categories", _load_tree, sources=[InquiryCategory])


def category_by_id(pk: int | None) -> InquiryCategory | None:
    """A category from the kept tree; one made a moment ago elsewhere is read."""
    if pk is None:
        return None
    category = inquiry_categories.get().by_id.get(pk)
    if category is None:
        category = InquiryCategory.objects.select_related("parent").filter(pk=pk).first()
    return category


def _load_delivery_limits() -> dict[int, list[DeliveryLimit]]:
    """Each business type's limits, the most specific first."""
    by_type: dict[int, list[DeliveryLimit]] = {}
    for limit in DeliveryLimit.objects.order_by("pk"):
        by_type.setdefault(limit.business_type_id, []).append(limit)
    for limits in by_type.values():
        limits.sort(key=lambda limit: -limit.specificity)
    return by_type


# Read by every business order's creation (its SLA facts) and ticket page.
delivery_limits = ReferenceCache("delivery-limits", _load_delivery_limits, sources=[DeliveryLimit])


def delivery_limit_for(
    business_type_id: int | None, channel: str, service_type: str
) -> DeliveryLimit | None:
    """The limit a business order of this type, channel and service type gets (the
    most specific that matches); None when its type sets none that applies."""
    if business_type_id is None:
        return None
    limits = delivery_limits.get().get(business_type_id, [])
    return next((limit for limit in limits if limit.matches(channel, service_type)), None)

"""Worktickets' reference data kept per process (csc.lib.reference): the inquiry
category tree. Every inquiry's creation reads it (its SLA facts), and every queue
row, timeline line and ticket form names a category from it; it changes a few
times a year, in the admin, so each save or delete renews every process's copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from csc.lib.reference import ReferenceCache
from worktickets.models import InquiryCategory


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

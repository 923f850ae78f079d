"""Naming an inquiry category in lists from the tree kept per process, so a list of
tickets reads no category rows."""

from django import template

from worktickets.reference import category_by_id

register = template.Library()


@register.filter
def category_path(category_id: int | None) -> str:
    """ "Parent / category" for a ticket's category_id; empty without one."""
    category = category_by_id(category_id)
    return category.path if category is not None else ""

"""Search highlights in templates: the query's words marked in titles and excerpts."""

from django import template
from django.utils.safestring import SafeString

from knowledge import search
from staffing.roles import Role

register = template.Library()


@register.simple_tag
def highlighted(text: str, query: search.Query | None) -> SafeString:
    return search.highlight(text, query or search.Query((), False))


@register.simple_tag
def excerpt_of(text: str, query: search.Query | None) -> SafeString:
    return search.excerpt(text, query or search.Query((), False))


@register.filter
def role_label(name: str) -> str:
    return str(Role(name).label) if name in Role.values else name

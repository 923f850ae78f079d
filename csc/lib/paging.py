"""Paging for server-rendered lists."""

from django.core.paginator import Paginator


def page_context(request, queryset, per_page: int) -> dict:
    """The page asked for in ?page=, and the query string to keep in the pager's links."""
    page_obj = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page_obj": page_obj, "query_without_page": f"{encoded}&" if encoded else ""}


def int_or_none(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None

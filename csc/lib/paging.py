"""Paging for server-rendered lists and for the API's lists."""

from django.core.paginator import Paginator
from rest_framework.pagination import CursorPagination


def page_context(request, queryset, per_page: int) -> dict:
    """The page asked for in ?page=, and the query string to keep in the pager's links."""
    page_obj = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page_obj": page_obj, "query_without_page": f"{encoded}&" if encoded else ""}


def int_or_none(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


class ApiCursorPagination(CursorPagination):
    """Keyset pages of the API: constant cost on any page of millions of rows.

    A list names its `ordering` (unique, so no row is skipped or repeated);
    one with `orderings` also lets `?ordering=` choose among them by name.
    """

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    orderings: dict[str, tuple[str, ...]] = {}

    def get_ordering(self, request, queryset, view):
        chosen = self.orderings.get(request.query_params.get("ordering", ""))
        return chosen or super().get_ordering(request, queryset, view)

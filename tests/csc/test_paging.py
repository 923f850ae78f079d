"""The API's keyset pages: page size bounds and orderings chosen by name."""

from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from csc.lib.paging import ApiCursorPagination


class Named(ApiCursorPagination):
    orderings = {"due": ("due_order", "id"), "created_at": ("created_at", "id")}
    ordering = ("-created_at", "-id")


class Plain(ApiCursorPagination):
    ordering = "-id"


def request(query: str = "") -> Request:
    return Request(APIRequestFactory().get(f"/api/v1/things/{query}"))


def test_ordering_is_chosen_by_name_and_falls_back_to_the_default():
    paging = Named()
    assert paging.get_ordering(request("?ordering=due"), None, None) == ("due_order", "id")
    assert paging.get_ordering(request("?ordering=created_at"), None, None) == (
        "created_at",
        "id",
    )
    # An unknown name or none at all: the list's own order, never a field typed by a client.
    assert paging.get_ordering(request("?ordering=password"), None, None) == ("-created_at", "-id")
    assert paging.get_ordering(request(), None, None) == ("-created_at", "-id")


def test_a_single_field_ordering_stays_one_field():
    assert Plain().get_ordering(request(), None, None) == ("-id",)


def test_page_size_is_the_clients_choice_up_to_the_cap():
    paging = Plain()
    assert paging.get_page_size(request()) == 50
    assert paging.get_page_size(request("?page_size=7")) == 7
    assert paging.get_page_size(request("?page_size=100000")) == 200

"""`?status=` on the ticket list, which also narrows by the statuses' category
(so PostgreSQL can use the active-queue indexes) without changing the answer."""

import pytest
from rest_framework.test import APIClient

from tests.factories import TicketFactory, make_api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def cti():
    _client, key = make_api_client("cti-status", ["tickets:read"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def listed(api, query: str) -> set[int]:
    return {t["id"] for t in api.get(f"/api/v1/tickets/?{query}").json()["results"]}


def test_status_filter_keeps_every_status_asked_for_across_categories(cti, hotline_team):
    working = TicketFactory(team=hotline_team, status="in_progress")
    waiting = TicketFactory(team=hotline_team, status="pending_customer")
    closed = TicketFactory(team=hotline_team, status="closed")
    TicketFactory(team=hotline_team, status="new")

    assert listed(cti, "status=in_progress") == {working.pk}
    assert listed(cti, "status=in_progress&status=pending_customer&status=closed") == {
        working.pk,
        waiting.pk,
        closed.pk,
    }
    assert listed(cti, f"status=closed&team={hotline_team.pk}&ordering=due") == {closed.pk}

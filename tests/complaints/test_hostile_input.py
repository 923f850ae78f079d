"""Hostile or malformed input gets a 4xx, never a 500 (DESIGN.md §3, §4)."""

import pytest
from rest_framework.test import APIClient

from tests.factories import make_complaint

BASE = "/api/v1/complaints/"


@pytest.fixture
def api(groups, manager_user):
    client = APIClient(raise_request_exception=False)
    client.force_login(manager_user)
    return client


@pytest.mark.parametrize(
    "query",
    [
        {"support_level": "abc"},
        {"support_level": "9"},
        {"is_major": "maybe"},
        {"created_after": "not-a-date"},
        {"team": "x"},
        {"category": "💥"},
        {"ordering": "'; drop table"},
        {"cursor": "garbage"},
        {"page_size": "-1"},
        {"overdue": "2"},
        {"number": "x" * 500},
    ],
)
def test_odd_list_queries_are_answered_without_a_server_error(api, query):
    response = api.get(BASE, query)

    assert response.status_code < 500


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "text",
        {"version": None},
        {"version": 10**20},
        {"version": 1, "mode": ["raise_level"], "reason": {"a": 1}},
        {"version": 1, "working_days": "1e9", "metric": "complaint_overall", "reason": "x"},
        {"version": 1, "amount": "1e400", "kind": "fee_credit", "reason": "x"},
        {"version": 1, "compensation": "1; drop", "decision": "approve"},
    ],
)
@pytest.mark.parametrize(
    "action", ["accept", "escalate", "extend", "propose_compensation", "approve_compensation"]
)
def test_odd_action_bodies_never_cause_a_server_error(api, agent_user, action, payload):
    complaint = make_complaint(recorded_by=agent_user)

    response = api.post(f"{BASE}{complaint.pk}/{action}/", payload, format="json")

    assert response.status_code < 500


@pytest.mark.parametrize(
    "path", [f"{BASE}999999/", f"{BASE}999999/accept/", f"{BASE}abc/", f"{BASE}1/evidence/verify/"]
)
def test_unknown_complaints_are_404(api, path):
    response = api.get(path) if path.endswith("/") and "accept" not in path else api.post(path, {})

    assert response.status_code == 404


def test_a_create_body_of_the_wrong_shape_is_400(api):
    for payload in ([], "text", {"channel": {"x": 1}}, {"promised_repair_at": 12}):
        assert api.post(BASE, payload, format="json").status_code == 400

"""POST /api/v1/surveys/{token}/ (the IVR's result, surveys:write) and GET /api/v1/surveys/
(surveys:read): a bad token is a 4xx and nothing is written."""

import pytest

from care.models import Callback, Survey
from tests.care.conftest import answer
from tests.factories import make_api_client

pytestmark = pytest.mark.django_db


def client_with(scopes):
    _, key = make_api_client("cti", scopes)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_the_ivr_posts_an_answer(client, sent):
    survey, token = sent

    response = client.post(
        f"/api/v1/surveys/{token}/",
        {"score": 2, "efficiency": 1},
        content_type="application/json",
        **client_with(["surveys:write"]),
    )

    assert response.status_code == 201, response.content
    assert response.json()["answered_via"] == "ivr"
    survey.refresh_from_db()
    assert (survey.score, survey.efficiency) == (2, 1)
    assert Callback.objects.filter(survey=survey).exists()


@pytest.mark.parametrize(("how", "status"), [("forged", 404), ("reused", 409)])
def test_a_bad_token_is_a_4xx(client, sent, how, status):
    _survey, token = sent
    if how == "reused":
        answer(token, 5)
    else:
        token = "forged"

    response = client.post(
        f"/api/v1/surveys/{token}/",
        {"score": 1},
        content_type="application/json",
        **client_with(["surveys:write"]),
    )

    assert response.status_code == status
    assert response.json()["code"] in ("not_found", "used")
    assert not Callback.objects.exists()


@pytest.mark.parametrize("body", [{}, {"score": 9}, {"score": "x"}, {"score": 3, "attitude": 0}])
def test_bad_input_is_a_400(client, sent, body):
    _survey, token = sent

    response = client.post(
        f"/api/v1/surveys/{token}/",
        body,
        content_type="application/json",
        **client_with(["surveys:write"]),
    )

    assert response.status_code == 400
    assert Survey.objects.get().score is None


def test_writing_needs_the_write_scope(client, sent):
    _survey, token = sent

    response = client.post(
        f"/api/v1/surveys/{token}/",
        {"score": 5},
        content_type="application/json",
        **client_with(["surveys:read"]),
    )

    assert response.status_code == 403


def test_answers_are_listed_with_the_read_scope(client, sent):
    _survey, token = sent
    answer(token, 4, comment="好")

    response = client.get("/api/v1/surveys/", **client_with(["surveys:read"]))

    [row] = response.json()["results"]
    assert (row["score"], row["comment"], row["channel"]) == (4, "好", "hotline")


def test_the_list_costs_the_same_for_more_answers(client, sent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.care.test_csat import answered

    headers = client_with(["surveys:read"])
    client.get("/api/v1/surveys/", **headers)  # the client's key is looked up and cached once
    counts = []
    for n in (1, 5):
        for _ in range(n):
            answered(5)
        # The fewer of two: a key lookup or last-use stamp may fall into either request.
        measured = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get("/api/v1/surveys/", **headers)
            measured.append(len(ctx.captured_queries))
            assert response.status_code == 200
        counts.append(min(measured))

    assert counts[0] == counts[1]

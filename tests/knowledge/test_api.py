"""GET /api/v1/knowledge/articles/ (DESIGN.md §3): search for the chat robot and the IVR,
scope knowledge:read, published articles only, bad input a 400, constant queries."""

import pytest

from tests.factories import UserFactory, make_api_client, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def chatbot(db) -> dict:
    _, key = make_api_client("chatbot", ["knowledge:read"])
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_the_robot_searches_in_chinese_and_gets_the_answer_wording(client, chatbot):
    make_article(
        "如何办理宽带故障报修",
        "登记故障单。",
        kind="answer",
        wording="您好，已为您登记宽带故障报修。",
        tags=["宽带", "报修"],
    )
    make_article("国际漫游开通", "出国前开通。")

    body = client.get("/api/v1/knowledge/articles/", {"q": "宽带报修"}, **chatbot).json()

    assert body["every_word"] is True and body["next"] is None
    assert body["more_matches"] is False
    [row] = body["results"]
    assert row["title"] == "如何办理宽带故障报修"
    assert row["wording"] == "您好，已为您登记宽带故障报修。"
    assert row["tags"] == ["宽带", "报修"] and row["version"] == 1
    detail = client.get(row["url"], **chatbot).json()
    assert detail["body_html"] == "<p>登记故障单。</p>"


def test_drafts_are_not_served(client, chatbot):
    draft = make_article("宽带报修草稿", published=False)

    assert client.get("/api/v1/knowledge/articles/", **chatbot).json()["results"] == []
    assert client.get(f"/api/v1/knowledge/articles/{draft.pk}/", **chatbot).status_code == 404


def test_a_client_without_the_scope_is_refused(client):
    _, key = make_api_client("cti", ["tickets:read"])

    response = client.get("/api/v1/knowledge/articles/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 403


@pytest.mark.parametrize(
    "params, field",
    [
        ({"kind": "gossip"}, "kind"),
        ({"category": "no_such_code"}, "category"),
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"q": "宽" * 201}, "q"),
    ],
)
def test_bad_parameters_are_a_400_under_their_name(client, chatbot, params, field):
    response = client.get("/api/v1/knowledge/articles/", params, **chatbot)

    assert response.status_code == 400
    assert field in response.json()


def test_pages_follow_one_another(client, chatbot):
    for n in range(23):
        make_article(f"宽带资费第{n}条")

    first = client.get("/api/v1/knowledge/articles/", {"q": "宽带"}, **chatbot).json()
    second = client.get(first["next"], **chatbot).json()

    assert len(first["results"]) == 20 and len(second["results"]) == 3
    assert second["next"] is None and second["previous"].endswith("page=1")


def test_the_list_costs_the_same_queries_for_more_articles(
    client, chatbot, django_assert_max_num_queries
):
    # Saving a user renews the API clients' cached service users: make them first.
    people = {
        "writer": UserFactory(username="kb-writer", roles=["team_lead"]),
        "reviewer": UserFactory(username="kb-reviewer", roles=["cs_manager"]),
    }
    make_article("宽带报修一", tags=["宽带"], **people)
    client.get("/api/v1/knowledge/articles/?q=宽带", **chatbot)

    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/knowledge/articles/?q=宽带", **chatbot)
    for n in range(10):
        make_article(f"宽带报修{n}", tags=["宽带", f"标签{n}"], **people)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/knowledge/articles/?q=宽带", **chatbot)

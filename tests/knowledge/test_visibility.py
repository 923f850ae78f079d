"""Restricted articles never reach a person without permission (DOMAIN.md IS-9), whichever
door they try: the article page, its versions, search, notices, suggestions on a ticket,
feedback, the API; integrations never see them."""

import pytest
from django.contrib.auth.models import Group

from knowledge import selectors
from tests.factories import make_api_client, make_article, make_ticket

pytestmark = pytest.mark.django_db

SECRET = "折扣底线"


@pytest.fixture
def restricted(other_team):
    """One article for team leads, one for the other team, one notice for team leads."""
    leads = Group.objects.get(name="team_lead")
    restricted = {"audience": "restricted"}
    return {
        "leads": make_article(
            f"大客户{SECRET}审批权限", "班长可审批九折。", audience_roles=[leads], **restricted
        ),
        "team": make_article(
            f"B 组专用{SECRET}口径",
            "只给 B 组。",
            kind="answer",
            wording=f"内部{SECRET}",
            audience_teams=[other_team],
            **restricted,
        ),
        "notice": make_article(
            f"通告：{SECRET}调整", "仅班长。", kind="notice", audience_roles=[leads], **restricted
        ),
        "public": make_article("如何办理宽带故障报修", f"公开文章，不含{SECRET}。"),
    }


def doors(client, user, article) -> dict[str, bool]:
    """Whether the article shows through each door for this person."""
    client.force_login(user)
    ticket = make_ticket(created_by=user, subject=f"客户问{SECRET}", description="")
    page = client.get(f"/knowledge/{article.pk}/")
    version = client.get(f"/knowledge/{article.pk}/versions/1/")
    found = client.get("/knowledge/", {"q": SECRET}).content.decode()
    notices = client.get("/knowledge/notices/").content.decode()
    latest = client.get("/knowledge/notices/latest/").content.decode()
    suggested = client.get("/knowledge/suggestions/", {"ticket": ticket.pk}).content.decode()
    typed = client.get("/knowledge/suggestions/", {"subject": SECRET}).content.decode()
    api_list = client.get("/api/v1/knowledge/articles/", {"q": SECRET}).json()["results"]
    api_detail = client.get(f"/api/v1/knowledge/articles/{article.pk}/")
    feedback = client.post(f"/knowledge/{article.pk}/feedback/helpful/")
    link = f'href="/knowledge/{article.pk}/"'
    return {
        "page": page.status_code == 200,
        "version": version.status_code == 200,
        "search": link in found,
        "notices": link in notices or link in latest,
        "suggestions on a ticket": link in suggested,
        "suggestions as typed": link in typed,
        "api list": article.pk in [row["id"] for row in api_list],
        "api detail": api_detail.status_code == 200,
        "feedback": feedback.status_code in (200, 302),
    }


def test_an_agent_outside_the_audience_reaches_no_restricted_article_by_any_door(
    client, agent_user, restricted
):
    for name in ("leads", "team", "notice"):
        seen = doors(client, agent_user, restricted[name])
        assert not any(seen.values()), (name, seen)


def test_the_public_article_shows_through_every_door_that_lists_it(client, agent_user, restricted):
    seen = doors(client, agent_user, restricted["public"])

    assert {door for door, shown in seen.items() if not shown} == {"notices"}


def test_the_roles_named_read_it(client, lead_user, restricted):
    seen = doors(client, lead_user, restricted["leads"])

    assert seen["page"] and seen["search"] and seen["api detail"] and seen["suggestions as typed"]
    assert doors(client, lead_user, restricted["notice"])["notices"]


def test_the_teams_named_read_it(client, outsider_user, agent_user, restricted):
    article = restricted["team"]

    assert doors(client, outsider_user, article)["page"]
    assert doors(client, outsider_user, article)["suggestions as typed"]
    assert not doors(client, agent_user, article)["page"]


def test_the_wording_of_a_restricted_answer_is_not_in_an_outsiders_suggestions(
    client, agent_user, restricted
):
    client.force_login(agent_user)

    typed = client.get("/knowledge/suggestions/", {"subject": "B 组专用口径"}).content.decode()

    assert f"内部{SECRET}" not in typed


def test_reviewers_read_every_restricted_article(manager_user, restricted):
    visible = selectors.published_visible_to(manager_user)

    assert set(visible.values_list("pk", flat=True)) == {a.pk for a in restricted.values()}


def test_an_integration_sees_only_articles_for_every_agent(client, restricted):
    _, key = make_api_client("chatbot", ["knowledge:read"])
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}

    listed = client.get("/api/v1/knowledge/articles/", **auth).json()["results"]
    detail = {
        name: client.get(f"/api/v1/knowledge/articles/{article.pk}/", **auth).status_code
        for name, article in restricted.items()
    }

    assert [row["id"] for row in listed] == [restricted["public"].pk]
    assert detail == {"leads": 404, "team": 404, "notice": 404, "public": 200}


def test_the_owner_of_a_restricted_article_reads_it(lead_user, other_team):
    from knowledge import services

    article = services.article_create(
        by=lead_user,
        kind="article",
        title="只给 B 组",
        body="正文",
        audience="restricted",
        audience_teams=[other_team],
    )

    assert selectors.may_read(lead_user, article)

"""The knowledge base in the browser: the editing flow through its pages, the version diff,
suggestions beside tickets and on the new-ticket form, feedback, and query counts."""

import pytest
from django.urls import reverse

from knowledge.models import Article, ArticleVersion
from staffing.models import Notification
from tests.factories import UserFactory, make_article, make_ticket
from worktickets.models import InquiryCategory

pytestmark = pytest.mark.django_db


def test_the_nav_links_agents_to_the_knowledge_base(client, agent_user, qa_user):
    client.force_login(agent_user)

    assert 'href="/knowledge/"' in client.get("/").content.decode()


def test_an_article_goes_from_draft_to_published_through_the_pages(client, editor, reviewer):
    client.force_login(editor)
    created = client.post(
        reverse("knowledge:new"),
        {
            "kind": "answer",
            "title": "国际漫游资费",
            "tags": "漫游，出国、资费",
            "body": "出国前开通。",
            "wording": "您好，出国前建议订购流量包。",
            "audience": "all",
        },
    )
    article = Article.objects.get(title="国际漫游资费")
    assert created.status_code == 302 and created["Location"] == f"/knowledge/{article.pk}/"
    assert article.versions.get().tags == ["漫游", "出国", "资费"]

    submitted = client.post(reverse("knowledge:version_action", args=[article.pk, 1, "submit"]))
    assert submitted.status_code == 302

    client.force_login(reviewer)
    waiting = client.get(reverse("knowledge:workspace")).content.decode()
    assert "国际漫游资费" in waiting
    published = client.post(reverse("knowledge:version_action", args=[article.pk, 1, "publish"]))
    assert published.status_code == 302
    article.refresh_from_db()
    assert article.is_published and article.wording == "您好，出国前建议订购流量包。"


def test_an_editor_may_not_publish_from_the_page(client, editor):
    article = make_article(published=False, writer=editor)
    client.force_login(editor)
    client.post(reverse("knowledge:version_action", args=[article.pk, 1, "submit"]))

    response = client.post(reverse("knowledge:version_action", args=[article.pk, 1, "publish"]))

    assert response.status_code == 403
    assert ArticleVersion.objects.get(article=article).status == "review"


def test_a_stale_draft_edit_answers_409_and_keeps_what_was_typed(client, editor):
    article = make_article(published=False, writer=editor)
    client.force_login(editor)
    form = {"title": "新标题", "body": "新正文", "edit_count": 1}
    assert client.post(reverse("knowledge:edit", args=[article.pk]), form).status_code == 302

    stale = client.post(reverse("knowledge:edit", args=[article.pk]), {**form, "body": "另一稿"})

    assert stale.status_code == 409
    assert "另一稿" in stale.content.decode()


def test_a_publish_with_a_past_review_date_is_a_400_beside_its_field(client, editor, reviewer):
    article = make_article(published=False, writer=editor)
    client.force_login(editor)
    client.post(reverse("knowledge:version_action", args=[article.pk, 1, "submit"]))
    client.force_login(reviewer)

    response = client.post(
        reverse("knowledge:version_action", args=[article.pk, 1, "publish"]),
        {"review_due_on": "2020-01-01"},
    )

    assert response.status_code == 400
    assert "复核日期必须晚于今天" in response.content.decode()


def test_the_version_page_shows_what_changed(client, editor, reviewer):
    from knowledge import services

    article = make_article("停机保号", "每月 5 元。\n最长 12 个月。", writer=editor)
    version = services.revision_start(article, by=editor)
    services.draft_update(
        version, by=editor, edit_count=1, title="停机保号", body="每月 5 元。\n最长 6 个月。"
    )
    client.force_login(editor)

    page = client.get(reverse("knowledge:version", args=[article.pk, 2])).content.decode()

    assert '<span class="kb-diff-removed">- 最长 12 个月。</span>' in page
    assert '<span class="kb-diff-added">+ 最长 6 个月。</span>' in page
    # Agents read published text only: the draft's page is not theirs.
    client.force_login(UserFactory(username="agent9", roles=["agent"]))
    assert client.get(reverse("knowledge:version", args=[article.pk, 2])).status_code == 404


def test_the_ticket_page_loads_suggestions_from_the_knowledge_base(client, agent_user):
    ticket = make_ticket(created_by=agent_user, subject="客户要宽带报修")
    client.force_login(agent_user)

    page = client.get(reverse("worktickets:ticket_detail", args=[ticket.pk])).content.decode()

    assert f'hx-get="/knowledge/suggestions/?ticket={ticket.pk}' in page
    assert 'hx-get="/knowledge/suggestions/"' in client.get("/tickets/new/").content.decode()


def test_suggestions_for_a_ticket_offer_its_answer_wording_for_the_reply(client, agent_user):
    answer = make_article(
        "如何办理宽带故障报修",
        kind="answer",
        wording="您好，已为您登记宽带故障报修。",
        tags=["宽带"],
    )
    roaming = make_article("国际漫游开通", "出国前开通。")
    ticket = make_ticket(created_by=agent_user, subject="宽带报修", description="家里断网")
    client.force_login(agent_user)

    fragment = client.get(reverse("knowledge:suggestions"), {"ticket": ticket.pk}).content.decode()

    assert f'href="/knowledge/{answer.pk}/"' in fragment
    assert f'href="/knowledge/{roaming.pk}/"' not in fragment
    assert "您好，已为您登记宽带故障报修。" in fragment
    assert 'data-insert-into="#id_reply_body"' in fragment


def test_suggestions_as_the_inquiry_is_typed_offer_only_a_copy(client, agent_user):
    make_article("如何办理宽带故障报修", kind="answer", wording="您好，已为您登记。")
    client.force_login(agent_user)

    url = reverse("knowledge:suggestions")
    fragment = client.get(url, {"subject": "宽带报修"}).content.decode()

    assert "data-copy-text" in fragment and "data-insert-into" not in fragment


def test_the_tickets_category_comes_first_among_suggestions(client, agent_user):
    broadband = InquiryCategory.objects.get(code="technical_broadband")
    fixed = InquiryCategory.objects.get(code="technical_fixed")
    make_article("故障报修（固话）", category=fixed)
    make_article("故障报修（宽带）", category=broadband)
    client.force_login(agent_user)

    def first(category) -> str:
        found = client.get(
            reverse("knowledge:suggestions"), {"subject": "故障报修", "category": category.pk}
        ).content.decode()
        return "宽带" if found.index("（宽带）") < found.index("（固话）") else "固话"

    assert first(broadband) == "宽带"
    assert first(fixed) == "固话"


def test_a_category_alone_suggests_its_articles_answer_wordings_first(client, agent_user):
    broadband = InquiryCategory.objects.get(code="technical_broadband")
    make_article("宽带说明", category=broadband)
    make_article("宽带口径", kind="answer", wording="您好。", category=broadband)
    make_article("漫游说明")
    client.force_login(agent_user)

    url = reverse("knowledge:suggestions")
    found = client.get(url, {"category": broadband.pk}).content.decode()

    assert found.index("宽带口径") < found.index("宽带说明") and "漫游说明" not in found


def test_suggestions_cost_the_same_queries_for_many_articles(
    client, agent_user, django_assert_max_num_queries
):
    ticket = make_ticket(created_by=agent_user, subject="宽带报修")
    make_article("宽带报修一")
    client.force_login(agent_user)
    url = reverse("knowledge:suggestions")
    client.get(url, {"ticket": ticket.pk})

    # The ranked ids, then the page's rows (knowledge.selectors.page_of).
    with django_assert_max_num_queries(11) as one:
        client.get(url, {"ticket": ticket.pk})
    for n in range(8):
        make_article(f"宽带报修{n}", kind="answer", wording="您好。")
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url, {"ticket": ticket.pk})


def test_marking_an_article_outdated_from_a_ticket_tells_its_owner(client, agent_user, editor):
    article = make_article(writer=editor)
    ticket = make_ticket(created_by=agent_user)
    client.force_login(agent_user)

    response = client.post(
        reverse("knowledge:feedback", args=[article.pk, "outdated"]),
        {"ticket": ticket.pk, "note": "号码已变"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200 and "已通知文章负责人" in response.content.decode()
    assert article.feedback.get().ticket == ticket
    assert Notification.objects.filter(recipient=editor, kind="knowledge.outdated").exists()
    again = client.post(
        reverse("knowledge:feedback", args=[article.pk, "outdated"]), HTTP_HX_REQUEST="true"
    )
    assert again.status_code == 400


def test_agents_see_the_latest_notices_on_their_desk(client, agent_user):
    make_article("通告：系统升级", kind="notice")
    make_article("不是通告")
    client.force_login(agent_user)

    desk = client.get("/").content.decode()

    assert "最新通告" in desk and "通告：系统升级" in desk and "不是通告" not in desk


@pytest.mark.parametrize(
    "path", ["/knowledge/?kind=gossip", "/knowledge/?category=nothing", "/knowledge/?page=x"]
)
def test_bad_filters_are_a_clear_400_or_ignored_never_a_500(client, agent_user, path):
    client.force_login(agent_user)

    assert client.get(path).status_code in (200, 400)


def test_editing_pages_are_for_editors(client, agent_user):
    article = make_article()
    client.force_login(agent_user)

    for name in ("knowledge:edit", "knowledge:settings"):
        assert client.get(reverse(name, args=[article.pk])).status_code == 403
    assert client.get(reverse("knowledge:new")).status_code == 403
    assert client.get(reverse("knowledge:workspace")).status_code == 403

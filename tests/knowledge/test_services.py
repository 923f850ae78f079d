"""The editing flow (DOMAIN.md KB-2, KB-3, KB-6): editors write and submit, reviewers
publish, return and retire; every step is an event row and a history row."""

import pytest
from django.core.exceptions import ValidationError

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed, StaleVersion
from knowledge import selectors, services
from knowledge.choices import ArticleStatus, EventKind, VersionStatus
from knowledge.models import Article, ArticleFeedback
from staffing.models import Notification
from tests.factories import UserFactory, make_article

pytestmark = pytest.mark.django_db


def draft(editor, **fields):
    values = {"kind": "article", "title": "套餐变更规则", "body": "次月生效。", **fields}
    return services.article_create(by=editor, **values)


def test_an_editor_writes_a_draft_that_agents_do_not_see(editor, agent_user):
    article = draft(editor, tags=["套餐", "变更", "套餐"])

    version = article.versions.get()
    assert article.status == ArticleStatus.DRAFT and article.owner == editor
    assert (version.number, version.status, version.tags) == (1, "draft", ["套餐", "变更"])
    assert not selectors.articles_visible_to(agent_user).filter(pk=article.pk).exists()
    assert list(article.events.values_list("kind", flat=True)) == [EventKind.CREATED]


def test_agents_may_not_write_articles(agent_user):
    with pytest.raises(NotAllowed):
        draft(agent_user)


def test_submit_then_publish_makes_the_text_live_with_a_review_date(editor, reviewer, agent_user):
    article = draft(editor, body="# 规则\n\n次月**生效**。")
    version = article.versions.get()

    services.version_submit(version, by=editor)
    article.refresh_from_db()
    assert article.status == ArticleStatus.REVIEW

    services.version_publish(version, by=reviewer)
    article.refresh_from_db()
    version.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert article.published_version == version and version.status == VersionStatus.PUBLISHED
    assert article.body_html == "<h1>规则</h1>\n<p>次月<strong>生效</strong>。</p>"
    assert article.review_due_on is not None
    assert selectors.published_visible_to(agent_user).filter(pk=article.pk).exists()
    kinds = list(article.events.values_list("kind", "from_status", "to_status"))
    assert kinds[-2:] == [
        (EventKind.SUBMITTED, "draft", "review"),
        (EventKind.PUBLISHED, "review", "published"),
    ]
    # simple-history keeps every saved state of the article and its version.
    assert article.history.count() >= 3 and version.history.count() == 3
    assert Notification.objects.filter(recipient=editor, kind="knowledge.published").exists()


def test_the_one_who_submitted_a_version_does_not_publish_it(reviewer):
    article = draft(reviewer)
    version = article.versions.get()
    services.version_submit(version, by=reviewer)

    with pytest.raises(NotAllowed):
        services.version_publish(version, by=reviewer)


def test_only_reviewers_publish(editor):
    article = draft(editor)
    version = services.version_submit(article.versions.get(), by=editor)
    other_editor = UserFactory(username="editor2", roles=["team_lead"])

    with pytest.raises(NotAllowed):
        services.version_publish(version, by=other_editor)


def test_a_draft_cannot_be_published_without_review(editor, reviewer):
    article = draft(editor)

    with pytest.raises(IllegalTransition):
        services.version_publish(article.versions.get(), by=reviewer)


def test_an_answer_wording_needs_its_words_before_review(editor):
    article = draft(editor, kind="answer", wording="")

    with pytest.raises(ValidationError) as refused:
        services.version_submit(article.versions.get(), by=editor)
    assert "wording" in refused.value.message_dict


def test_a_returned_version_goes_back_to_its_author_with_the_reason(editor, reviewer):
    article = draft(editor)
    version = services.version_submit(article.versions.get(), by=editor)

    services.version_return(version, by=reviewer, reason="请补充生效时间的例子")

    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    told = Notification.objects.get(recipient=editor, kind="knowledge.returned")
    assert told.body == "请补充生效时间的例子"
    with pytest.raises(ValidationError):
        services.version_return(services.version_submit(version, by=editor), by=reviewer, reason="")


def test_a_new_version_replaces_the_published_one_which_retires(editor, reviewer, agent_user):
    article = make_article("套餐变更规则", "次月生效。", writer=editor, reviewer=reviewer)
    first = article.published_version

    second = services.revision_start(article, by=editor)
    services.draft_update(
        second, by=editor, edit_count=second.edit_count, title="套餐变更规则", body="当月生效。"
    )
    services.version_submit(second, by=editor)
    # Until the new text is published, agents read the old one.
    assert Article.objects.get(pk=article.pk).body_text == "次月生效。"
    services.version_publish(second, by=reviewer)

    article.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, article.published_version.number) == ("retired", 2)
    assert article.body_text == "当月生效。"


def test_one_new_version_at_a_time(editor):
    article = make_article(writer=editor)
    services.revision_start(article, by=editor)

    with pytest.raises(IllegalTransition):
        services.revision_start(article, by=editor)


def test_an_edit_made_on_a_stale_copy_is_refused(editor):
    article = draft(editor)
    version = article.versions.get()
    services.draft_update(version, by=editor, edit_count=1, title="甲", body="一")

    with pytest.raises(StaleVersion):
        services.draft_update(version, by=editor, edit_count=1, title="乙", body="二")
    version.refresh_from_db()
    assert version.title == "甲"


def test_a_submitted_text_is_not_edited(editor):
    article = draft(editor)
    version = services.version_submit(article.versions.get(), by=editor)

    with pytest.raises(IllegalTransition):
        services.draft_update(version, by=editor, edit_count=1, title="x", body="y")


def test_retiring_takes_the_article_out_of_search(editor, reviewer, agent_user):
    article = make_article("如何办理宽带故障报修", writer=editor, reviewer=reviewer)

    services.article_retire(article, by=reviewer, reason="业务已下线")

    article.refresh_from_db()
    assert article.status == ArticleStatus.RETIRED and article.published_version is None
    assert selectors.article_search(agent_user, {"q": "宽带报修"}).articles == []
    with pytest.raises(NotAllowed):
        services.article_retire(article, by=editor, reason="x")


def test_who_reads_a_submitted_article_is_a_reviewers_decision(editor, reviewer):
    from django.contrib.auth.models import Group

    article = make_article(writer=editor, reviewer=reviewer)
    leads = Group.objects.get(name="team_lead")
    restricted = {"audience": "restricted", "audience_roles": [leads]}

    with pytest.raises(NotAllowed):
        services.article_update_settings(
            article, by=editor, kind="article", category=None, owner=editor, **restricted
        )
    services.article_update_settings(
        article, by=reviewer, kind="article", category=None, owner=editor, **restricted
    )
    article.refresh_from_db()
    assert article.audience == "restricted"
    assert list(article.audience_roles.all()) == [leads]
    event = article.events.get(kind=EventKind.SETTINGS_CHANGED)
    assert event.data["changed"]["audience"] == ["all", "restricted"]


def test_a_restricted_article_names_who_may_read_it(editor):
    with pytest.raises(ValidationError) as refused:
        draft(editor, audience="restricted")
    assert "audience" in refused.value.message_dict


def test_outdated_feedback_tells_the_owner_each_time_and_helpful_once_a_day(editor, agent_user):
    article = make_article(writer=editor)
    colleague = UserFactory(username="agent2", roles=["agent"])

    services.article_feedback(article, by=agent_user, kind="outdated", note="资费已调整")
    services.article_feedback(article, by=colleague, kind="outdated")
    services.article_feedback(article, by=agent_user, kind="helpful")
    services.article_feedback(article, by=colleague, kind="helpful")

    told = Notification.objects.filter(recipient=editor)
    assert told.filter(kind="knowledge.outdated").count() == 2
    assert told.filter(kind="knowledge.helpful").count() == 1
    assert told.filter(kind="knowledge.outdated").last().body == "资费已调整"
    with pytest.raises(DomainError):
        services.article_feedback(article, by=agent_user, kind="outdated")
    assert ArticleFeedback.objects.filter(article=article).count() == 4


def test_feedback_only_on_published_articles_its_giver_may_read(editor, agent_user, qa_user):
    article = draft(editor)

    with pytest.raises(DomainError):
        services.article_feedback(article, by=agent_user, kind="helpful")
    with pytest.raises(NotAllowed):  # QA reads and changes nothing
        services.article_feedback(make_article(writer=editor), by=qa_user, kind="helpful")

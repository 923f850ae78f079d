"""Reads of the knowledge base for pages, fragments, the API and tasks.

Visibility (DOMAIN.md IS-9) is one rule, `articles_visible_to`, used by every
door: the article page, search, suggestions on tickets, latest notices and the
API. A published article is read by everyone holding `knowledge.view_article`
when its audience is every agent; a restricted one only by the roles and teams
it names, its owner and holders of `knowledge.view_restricted_articles`.
Unpublished texts (drafts, reviews, retired articles) are seen by editors
under the same audience rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from knowledge import search
from knowledge.choices import (
    OPEN_STATUSES,
    ArticleKind,
    ArticleStatus,
    Audience,
    FeedbackKind,
    VersionStatus,
)
from knowledge.filters import ArticleFilter
from knowledge.models import Article, ArticleEvent, ArticleVersion, Tag
from staffing.models import User
from staffing.selectors import worked_team_ids
from worktickets.models import InquiryCategory

VIEW = "knowledge.view_article"
ADD = "knowledge.add_article"
EDIT = "knowledge.change_article"
PUBLISH = "knowledge.publish_article"
VIEW_RESTRICTED = "knowledge.view_restricted_articles"
FEEDBACK = "knowledge.add_articlefeedback"

PAGE_SIZE = 20
SUGGESTIONS = 5
LATEST_NOTICES = 5

# What lists and search results read of an article: never the segmented columns.
LIST_FIELDS = (
    "pk",
    "kind",
    "status",
    "title",
    "body_text",
    "wording",
    "published_at",
    "review_due_on",
    "audience",
    "owner_id",
    "published_version",
    "published_version__number",
    "category",
    "category__code",
    "category__name_zh",
    "category__name_en",
    "category__parent",
    "category__parent__name_zh",
    "category__parent__name_en",
)
LIST_RELATED = ("published_version", "category__parent")


def _audience_allows(user: User) -> Q:
    if user.has_perm(VIEW_RESTRICTED):
        return Q()
    through_role = Exists(
        Article.audience_roles.through.objects.filter(
            article_id=OuterRef("pk"), group__user=user.pk
        )
    )
    through_team = Exists(
        Article.audience_teams.through.objects.filter(
            article_id=OuterRef("pk"), team_id__in=worked_team_ids(user)
        )
    )
    return Q(audience=Audience.ALL_AGENTS) | Q(owner=user.pk) | through_role | through_team


def articles_visible_to(user: User) -> QuerySet[Article]:
    """Every article this person may open, in any state (see the module's docstring)."""
    if not (user.is_authenticated and user.has_perm(VIEW)):
        return Article.objects.none()
    visible = Article.objects.filter(_audience_allows(user))
    if not user.has_perm(EDIT):
        visible = visible.filter(status=ArticleStatus.PUBLISHED)
    return visible


def published_visible_to(user: User) -> QuerySet[Article]:
    """The published articles this person may read: what search, suggestions and the API show."""
    return articles_visible_to(user).filter(status=ArticleStatus.PUBLISHED)


def published_for_integrations() -> QuerySet[Article]:
    """What the chat robot and the IVR may use (DESIGN.md §3): published articles for
    every agent. Restricted articles never leave the centre through an integration,
    whatever scopes it holds."""
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, audience=Audience.ALL_AGENTS)


def may_read(user: User, article: Article) -> bool:
    return articles_visible_to(user).filter(pk=article.pk).exists()


def with_tags(articles: QuerySet[Article]) -> QuerySet[Article]:
    return articles.prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))


# ---------------------------------------------------------------- search


def page_of(
    ranked: QuerySet[Article] | list[int], start: int, stop: int, *, tags: bool = False
) -> list[Article]:
    """Rows `start` to `stop` of ranked ids (or of a queryset in order), read with what a
    list shows.

    The order is found on the article table alone, and only the rows of the page
    are then read with their versions and categories: joined first, every match
    (thousands for a common word) was joined before the sort kept 21."""
    if isinstance(ranked, list):
        ids = ranked[start:stop]
    else:
        ids = list(ranked.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    found = Article.objects.filter(pk__in=ids).select_related(*LIST_RELATED).only(*LIST_FIELDS)
    by_pk = {article.pk: article for article in (with_tags(found) if tags else found)}
    return [by_pk[pk] for pk in ids]


@dataclass
class SearchPage:
    articles: list[Article]
    query: search.Query
    any_word: bool  # no article had every word: these have some of them
    has_next: bool
    page: int
    # More articles matched than search ranks (the newest of each tier,
    # settings.KNOWLEDGE_SEARCH_CANDIDATES): a more precise query finds the rest.
    more_matches: bool = False

    @property
    def ranked_limit(self) -> int:
        return search.candidates()


def filtered(articles: QuerySet[Article], params) -> QuerySet[Article]:
    """The articles narrowed by `params` (kind, category, tag); a bad value is a
    ValidationError with the field's message."""
    filters = ArticleFilter(params, queryset=articles)
    if not filters.is_valid():
        raise ValidationError(filters.errors)
    return filters.qs


def article_search(
    user: User, params, *, page: int = 1, size: int = PAGE_SIZE, integration: bool = False
) -> SearchPage:
    """One page of the published articles this person (or integration) may read that
    match `params`, best first (knowledge.search.ranked); with no words, the newest
    first. Counting every match is left out: a page reads size + 1 rows."""
    query = search.Query.parse(params.get("q", ""))
    start = (max(page, 1) - 1) * size
    stop = start + size + 1
    articles = published_for_integrations() if integration else published_visible_to(user)
    articles = filtered(articles, params)
    if not query:
        found = page_of(articles.order_by("-published_at", "-pk"), start, stop, tags=True)
        return SearchPage(found[:size], query, False, len(found) > size, page)

    ranked, any_word = search.ranked(articles, query, stop=stop), False
    if not ranked.ids and page == 1:
        ranked, any_word = search.ranked(articles, query, stop=stop, every_word=False), True
    found = page_of(ranked.ids, start, stop, tags=True)
    return SearchPage(found[:size], query, any_word, len(found) > size, page, ranked.more)


# ---------------------------------------------------------------- suggestions


def _affinity(category: InquiryCategory) -> Case:
    """2 for the ticket's own category, 1 for its parent or its sub-categories."""
    related = Q(category__parent=category.pk)
    if category.parent_id is not None:
        related |= Q(category=category.parent_id) | Q(category__parent=category.parent_id)
    return Case(
        When(category=category.pk, then=Value(2)),
        When(related, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def suggestions_for(
    user: User,
    *,
    text: str,
    category: InquiryCategory | None = None,
    limit: int = SUGGESTIONS,
) -> list[Article]:
    """Articles for what a caller asks (DOMAIN.md P-14, KB-10): those with any of its words,
    ranked as search ranks them (the same bounded tiers), the ticket's category right
    after every word in the title; with no words yet, the category's articles, answer
    wordings first."""
    query = search.Query.parse(text)
    visible = published_visible_to(user)
    if query:
        affinity = _affinity(category) if category is not None else None
        found = search.ranked(visible, query, stop=limit, every_word=False, affinity=affinity)
        return page_of(found.ids, 0, limit)
    if category is None:
        return []
    by_category = (
        visible.annotate(affinity=_affinity(category))
        .filter(affinity__gt=0)
        .annotate(is_answer=Case(When(kind=ArticleKind.ANSWER, then=1), default=0))
        .order_by("-affinity", "-is_answer", "-published_at", "-pk")
    )
    return page_of(by_category, 0, limit)


def latest_notices(user: User, limit: int = LATEST_NOTICES) -> list[Article]:
    """The newest notices this person may read (DOMAIN.md KB-9: read at shift start)."""
    notices = published_visible_to(user).filter(kind=ArticleKind.NOTICE)
    notices = notices.select_related(*LIST_RELATED).only(*LIST_FIELDS)
    return list(notices.order_by("-published_at", "-pk")[:limit])


# ---------------------------------------------------------------- one article


def article_page(user: User, pk: int) -> Article:
    """The article with what its page shows; DoesNotExist when the person may not open it.

    Feedback is counted for the published version: a new version starts afresh."""
    feedback = {
        f"{kind}_count": Count(
            "feedback",
            filter=Q(feedback__kind=kind, feedback__version_id=F("published_version_id")),
        )
        for kind in FeedbackKind.values
    }
    return (
        with_tags(articles_visible_to(user))
        .select_related("owner", "published_version", "category__parent")
        .prefetch_related("audience_roles", "audience_teams")
        .annotate(**feedback)
        .get(pk=pk)
    )


def article_versions(article: Article) -> list[ArticleVersion]:
    return list(
        article.versions.select_related("created_by", "submitted_by", "published_by").order_by(
            "-number"
        )
    )


def open_version(article: Article) -> ArticleVersion | None:
    """The draft or the text in review, if one is being worked on."""
    return article.versions.filter(status__in=OPEN_STATUSES).first()


def article_events(article: Article) -> list[ArticleEvent]:
    return list(article.events.select_related("actor", "version").order_by("-at", "-pk"))


def version_of(user: User, article_pk: int, number: int) -> ArticleVersion:
    """One version of an article the person may open; DoesNotExist otherwise. Readers
    who are not editors see only the published text."""
    article = articles_visible_to(user).get(pk=article_pk)
    versions = article.versions.select_related("article", "created_by", "published_by")
    if not user.has_perm(EDIT):
        versions = versions.filter(status=VersionStatus.PUBLISHED)
    return versions.get(number=number)


# ---------------------------------------------------------------- editors and reviewers


def workspace(user: User) -> dict[str, list]:
    """What an editor works on: their drafts, what waits for review, and (for reviewers)
    every text in review."""
    open_versions = ArticleVersion.objects.filter(
        article__in=articles_visible_to(user), status__in=OPEN_STATUSES
    ).select_related("article", "created_by", "submitted_by")
    mine = open_versions.filter(Q(created_by=user) | Q(article__owner=user))
    lists = {
        "drafts": list(mine.filter(status=VersionStatus.DRAFT).order_by("-updated_at")),
        "submitted": list(mine.filter(status=VersionStatus.REVIEW).order_by("-submitted_at")),
        "to_review": [],
    }
    if user.has_perm(PUBLISH):
        waiting = open_versions.filter(status=VersionStatus.REVIEW).order_by("submitted_at")
        lists["to_review"] = list(waiting)
    return lists


def reviews_due(user: User, *, until: date) -> QuerySet[Article]:
    """Published articles due for review by `until`, the most overdue first: a reviewer's
    are every article, an editor's the ones they own (DOMAIN.md S-47)."""
    due = articles_visible_to(user).filter(status=ArticleStatus.PUBLISHED, review_due_on__lte=until)
    if not user.has_perm(PUBLISH):
        due = due.filter(owner=user)
    due = due.select_related("owner", *LIST_RELATED).only(*LIST_FIELDS, "owner")
    return due.order_by("review_due_on", "pk")


def tag_names() -> list[str]:
    return list(
        Tag.objects.filter(articles__status=ArticleStatus.PUBLISHED)
        .distinct()
        .values_list("name", flat=True)
        .order_by("name")
    )

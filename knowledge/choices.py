"""Article kinds, audiences, the version life cycle and its transition table."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    ARTICLE = "article", _("Article")
    # DOMAIN.md KB-7: typical problems with their solution, successes and failures.
    CASE = "case", _("Case")
    # KB-8: the exact words every agent uses (统一答复口径).
    ANSWER = "answer", _("Answer wording")
    # KB-9: business changes and promotions, read at shift start (最新通告).
    NOTICE = "notice", _("Notice")


class Audience(models.TextChoices):
    """Who may read an article (DOMAIN.md IS-9: permission management against leaks)."""

    ALL_AGENTS = "all", _("Every agent")
    RESTRICTED = "restricted", _("Only the roles and teams named")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


# An article's state is its live state: published while one of its versions is,
# else the state of its newest version (a retired article stays retired until a
# new version is published).
ArticleStatus = VersionStatus


class VersionAction(models.TextChoices):
    SUBMIT = "submit", _("Submit for review")
    RETURN = "return", _("Return to the author")
    PUBLISH = "publish", _("Publish")
    RETIRE = "retire", _("Retire")


# action -> (statuses it may start from, status it leads to) (DOMAIN.md KB-2, KB-3, KB-6).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    VersionAction.SUBMIT: (frozenset({VersionStatus.DRAFT}), VersionStatus.REVIEW),
    VersionAction.RETURN: (frozenset({VersionStatus.REVIEW}), VersionStatus.DRAFT),
    VersionAction.PUBLISH: (frozenset({VersionStatus.REVIEW}), VersionStatus.PUBLISHED),
    VersionAction.RETIRE: (frozenset({VersionStatus.PUBLISHED}), VersionStatus.RETIRED),
}

# Versions still being worked on: an article has at most one.
OPEN_STATUSES = frozenset({VersionStatus.DRAFT, VersionStatus.REVIEW})


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Draft edited")
    REVISION_STARTED = "revision_started", _("New version started")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned to the author")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")
    SETTINGS_CHANGED = "settings_changed", _("Category, owner or audience changed")
    REVIEWED = "reviewed", _("Review confirmed")
    FEEDBACK = "feedback", _("Feedback from an agent")


class FeedbackKind(models.TextChoices):
    HELPFUL = "helpful", _("Helpful")
    OUTDATED = "outdated", _("Outdated")

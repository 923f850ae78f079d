"""Every change to the knowledge base: one function per business action.

Editors (`knowledge.change_article`) write drafts and submit them; reviewers
(`knowledge.publish_article`) return or publish them and retire articles
(DOMAIN.md KB-2, KB-3). Each action locks the article row, checks the
transition table in choices.TRANSITIONS, saves (simple-history records the
rows) and writes an ArticleEvent (who, when, from, to) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed, StaleVersion
from csc.lib.phrases import Phrase
from knowledge import reviews, search, selectors
from knowledge.choices import (
    OPEN_STATUSES,
    TRANSITIONS,
    ArticleKind,
    ArticleStatus,
    Audience,
    EventKind,
    FeedbackKind,
    VersionAction,
    VersionStatus,
)
from knowledge.models import (
    Article,
    ArticleEvent,
    ArticleFeedback,
    ArticleVersion,
    KnowledgeSettings,
    Tag,
)
from knowledge.rendering import plain_text, render_body
from sla.calendars import local
from staffing.models import Team, User
from staffing.outbox import notify
from worktickets.models import InquiryCategory

MAX_TAGS = 10
TAG_LENGTH = 40


# ---------------------------------------------------------------- helpers


def _event(
    article: Article,
    kind: str,
    by: User | None,
    *,
    version: ArticleVersion | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
) -> ArticleEvent:
    return ArticleEvent.objects.create(
        article=article,
        version=version,
        kind=kind,
        actor=by,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _save(instance, by: User | None, **kwargs) -> None:
    instance._history_user = by  # the history row names who did it, from any door
    instance.save(**kwargs)


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _locked_version(version: ArticleVersion) -> ArticleVersion:
    _locked(version.article)
    return ArticleVersion.objects.select_related("article").get(pk=version.pk)


def _link(article: Article) -> str:
    return reverse("knowledge:detail", args=[article.pk])


def _check_may_edit(article: Article, by: User) -> None:
    if not by.has_perm(selectors.EDIT):
        raise NotAllowed(_("Only editors may change articles."))
    if not selectors.may_read(by, article):
        raise NotAllowed(_("This article is restricted to other roles and teams."))


def _check_may_review(by: User) -> None:
    if not by.has_perm(selectors.PUBLISH):
        raise NotAllowed(_("Only reviewers may do this."))


def _move(version: ArticleVersion, action: str) -> tuple[str, str]:
    allowed_from, target = TRANSITIONS[action]
    if version.status not in allowed_from:
        raise IllegalTransition(
            _("Version %(number)s is %(status)s: it cannot be %(action)s.")
            % {
                "number": version.number,
                "status": version.get_status_display(),
                "action": VersionAction(action).label.lower(),
            },
            details={"status": version.status},
        )
    old = version.status
    version.status = target
    return old, target


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as typed (a comma, the Chinese comma or a space between them), each once."""
    cleaned: list[str] = []
    for tag in tags:
        name = " ".join(str(tag).split())
        if not name:
            continue
        if len(name) > TAG_LENGTH:
            raise ValidationError(
                {"tags": _("A tag has at most %(count)s characters.") % {"count": TAG_LENGTH}}
            )
        if name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(count)s tags.") % {"count": MAX_TAGS}})
    return cleaned


def _check_text(kind: str, *, title: str, body: str, wording: str) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the article a title.")
    if not body.strip():
        errors["body"] = _("Write the body.")
    if kind == ArticleKind.ANSWER and not wording.strip():
        errors["wording"] = _("An answer wording needs the exact words for the customer.")
    if errors:
        raise ValidationError(errors)


def _check_audience(audience: str, roles: Iterable[Group], teams: Iterable[Team]) -> None:
    if audience == Audience.RESTRICTED and not list(roles) and not list(teams):
        raise ValidationError(
            {"audience": _("Name at least one role or team that may read a restricted article.")}
        )


# ---------------------------------------------------------------- writing


@transaction.atomic
def article_create(
    *,
    by: User,
    kind: str,
    title: str,
    body: str,
    category: InquiryCategory | None = None,
    wording: str = "",
    tags: Iterable[str] = (),
    audience: str = Audience.ALL_AGENTS,
    audience_roles: Iterable[Group] = (),
    audience_teams: Iterable[Team] = (),
    owner: User | None = None,
    change_note: str = "",
) -> Article:
    """A new article with its first draft; the writer owns it unless another owner is named."""
    if not by.has_perm(selectors.ADD):
        raise NotAllowed(_("Only editors may write articles."))
    roles, teams = list(audience_roles), list(audience_teams)
    _check_audience(audience, roles, teams)
    article = Article(
        kind=kind, category=category, owner=owner or by, audience=audience, title=title.strip()
    )
    _save(article, by)
    article.audience_roles.set(roles)
    article.audience_teams.set(teams)
    version = ArticleVersion(
        article=article,
        number=1,
        title=title.strip(),
        tags=clean_tags(tags),
        body=body,
        wording=wording.strip(),
        change_note=change_note,
        created_by=by,
    )
    _save(version, by)
    _event(article, EventKind.CREATED, by, version=version, to_status=VersionStatus.DRAFT)
    return article


@transaction.atomic
def draft_update(
    version: ArticleVersion,
    *,
    by: User,
    edit_count: int,
    title: str,
    body: str,
    wording: str = "",
    tags: Iterable[str] = (),
    change_note: str = "",
) -> ArticleVersion:
    """Save a draft's text. An edit made on an older copy than the saved one is refused."""
    version = _locked_version(version)
    article = version.article
    _check_may_edit(article, by)
    if version.status != VersionStatus.DRAFT:
        raise IllegalTransition(
            _("Only a draft can be edited; this version is %(status)s.")
            % {"status": version.get_status_display()}
        )
    if version.edit_count != edit_count:
        raise StaleVersion(
            _("Someone saved this draft after you opened it. Reload it and make your change again.")
        )
    before = {"title": version.title, "tags": version.tags, "wording": version.wording}
    version.title = title.strip()
    version.body = body
    version.wording = wording.strip()
    version.tags = clean_tags(tags)
    version.change_note = change_note
    version.edit_count += 1
    _save(version, by)
    if not article.is_published and article.title != version.title:
        article.title = version.title
        _save(article, by, update_fields=["title", "updated_at"])
    changed = [name for name, old in before.items() if getattr(version, name) != old]
    _event(article, EventKind.EDITED, by, version=version, data={"changed": changed})
    return version


@transaction.atomic
def article_update_settings(
    article: Article,
    *,
    by: User,
    kind: str,
    category: InquiryCategory | None,
    owner: User,
    audience: str,
    audience_roles: Iterable[Group] = (),
    audience_teams: Iterable[Team] = (),
) -> Article:
    """Change the kind, category, owner or audience. Who reads a published article is a reviewer's
    decision (DOMAIN.md IS-9): editors change it only before publication."""
    article = _locked(article)
    _check_may_edit(article, by)
    roles, teams = list(audience_roles), list(audience_teams)
    _check_audience(audience, roles, teams)
    old_roles = set(article.audience_roles.values_list("pk", flat=True))
    old_teams = set(article.audience_teams.values_list("pk", flat=True))
    audience_changed = (
        audience != article.audience
        or old_roles != {role.pk for role in roles}
        or old_teams != {team.pk for team in teams}
    )
    if audience_changed and article.status != ArticleStatus.DRAFT:
        _check_may_review(by)
    if kind == ArticleKind.ANSWER and article.is_published and not article.wording:
        raise ValidationError(
            {"kind": _("Publish a version with an answer wording before making it one.")}
        )
    changes: dict[str, list[object]] = {
        name: [str(old), str(new)]
        for name, old, new in (
            ("kind", article.kind, kind),
            ("category", article.category_id, category.pk if category else None),
            ("owner", article.owner_id, owner.pk),
            ("audience", article.audience, audience),
        )
        if old != new
    }
    if audience_changed:
        changes["readers"] = [
            sorted(old_roles | {f"team:{pk}" for pk in old_teams}, key=str),
            sorted({role.pk for role in roles} | {f"team:{t.pk}" for t in teams}, key=str),
        ]
    if not changes:
        return article
    article.kind, article.category, article.owner = kind, category, owner
    article.audience = audience
    _save(article, by)
    article.audience_roles.set(roles)
    article.audience_teams.set(teams)
    _event(article, EventKind.SETTINGS_CHANGED, by, data={"changed": changes})
    if owner.pk != by.pk and "owner" in changes:
        notify(
            owner,
            kind="knowledge.owner",
            title=Phrase(gettext_noop("You now own the article %(title)s"), title=article.title),
            link=_link(article),
        )
    return article


@transaction.atomic
def revision_start(article: Article, *, by: User) -> ArticleVersion:
    """A new draft from the newest text, to change a published or retired article."""
    article = _locked(article)
    _check_may_edit(article, by)
    if article.versions.filter(status__in=OPEN_STATUSES).exists():
        raise IllegalTransition(_("A new version of this article is already being written."))
    newest = article.versions.latest("number")
    version = ArticleVersion(
        article=article,
        number=newest.number + 1,
        title=newest.title,
        tags=newest.tags,
        body=newest.body,
        wording=newest.wording,
        created_by=by,
    )
    try:
        with transaction.atomic():
            _save(version, by)
    except IntegrityError:
        raise IllegalTransition(
            _("A new version of this article is already being written.")
        ) from None
    _event(article, EventKind.REVISION_STARTED, by, version=version, to_status=version.status)
    return version


# ---------------------------------------------------------------- review and publication


@transaction.atomic
def version_submit(version: ArticleVersion, *, by: User) -> ArticleVersion:
    version = _locked_version(version)
    article = version.article
    _check_may_edit(article, by)
    _check_text(article.kind, title=version.title, body=version.body, wording=version.wording)
    old, new = _move(version, VersionAction.SUBMIT)
    version.submitted_by, version.submitted_at = by, timezone.now()
    _save(version, by)
    if article.status == ArticleStatus.DRAFT:
        article.status = ArticleStatus.REVIEW
        _save(article, by, update_fields=["status", "updated_at"])
    _event(article, EventKind.SUBMITTED, by, version=version, from_status=old, to_status=new)
    return version


@transaction.atomic
def version_return(version: ArticleVersion, *, by: User, reason: str) -> ArticleVersion:
    """A reviewer sends the text back to its author with what to change."""
    version = _locked_version(version)
    article = version.article
    _check_may_review(by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the author should change.")})
    old, new = _move(version, VersionAction.RETURN)
    version.edit_count += 1
    _save(version, by)
    if article.status == ArticleStatus.REVIEW:
        article.status = ArticleStatus.DRAFT
        _save(article, by, update_fields=["status", "updated_at"])
    _event(
        article,
        EventKind.RETURNED,
        by,
        version=version,
        from_status=old,
        to_status=new,
        note=reason.strip(),
    )
    author = version.submitted_by or version.created_by
    notify(
        author,
        kind="knowledge.returned",
        title=Phrase(gettext_noop("Your version of %(title)s was returned"), title=version.title),
        body=reason.strip(),
        link=_link(article),
    )
    return version


def _publish_text(article: Article, version: ArticleVersion) -> None:
    """Copy the published text onto the article: what lists, search and the API read."""
    article.title = version.title
    article.body_html = render_body(version.body)
    article.body_text = plain_text(article.body_html)
    article.wording = version.wording
    article.search_title = search.indexed(version.title)
    article.search_tags = search.indexed(" ".join(version.tags))
    article.search_body = search.indexed(f"{article.body_text}\n{version.wording}")


@transaction.atomic
def version_publish(
    version: ArticleVersion, *, by: User, review_due_on: date | None = None
) -> ArticleVersion:
    """Publish a reviewed text: it replaces the article's published one, which retires.
    The one who submitted a text does not publish it (DOMAIN.md KB-4: submissions are
    evaluated by someone else)."""
    version = _locked_version(version)
    article = version.article
    _check_may_review(by)
    if version.submitted_by_id == by.pk:
        raise NotAllowed(_("You submitted this version: another reviewer publishes it."))
    _check_text(article.kind, title=version.title, body=version.body, wording=version.wording)
    now = timezone.now()
    if review_due_on is not None and review_due_on <= timezone.localdate(now):
        raise ValidationError({"review_due_on": _("The review date must be in the future.")})
    old, new = _move(version, VersionAction.PUBLISH)
    previous = article.published_version
    if previous is not None:
        previous.status, previous.retired_at = VersionStatus.RETIRED, now
        _save(previous, by)
    version.published_by, version.published_at = by, now
    _save(version, by)
    settings = KnowledgeSettings.current()
    article_before = article.status
    article.status = ArticleStatus.PUBLISHED
    article.published_version = version
    article.published_at = now
    article.review_due_on = review_due_on or reviews.default_review_date(now, settings)
    _publish_text(article, version)
    _save(article, by)
    article.tags.set([Tag.objects.get_or_create(name=name)[0] for name in version.tags])
    _event(
        article,
        EventKind.PUBLISHED,
        by,
        version=version,
        from_status=old,
        to_status=new,
        data={
            "article_status": [article_before, article.status],
            "review_due_on": article.review_due_on.isoformat(),
            "replaces": previous.number if previous else None,
        },
    )
    told = {article.owner, version.submitted_by or version.created_by} - {by}
    for person in told:
        notify(
            person,
            kind="knowledge.published",
            title=Phrase(
                gettext_noop("%(title)s is published (version %(number)s)"),
                title=version.title,
                number=version.number,
            ),
            link=_link(article),
        )
    return version


@transaction.atomic
def article_retire(article: Article, *, by: User, reason: str) -> Article:
    """Take an outdated article out of use (DOMAIN.md KB-6): agents no longer find it."""
    article = _locked(article)
    _check_may_review(by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the article is retired.")})
    version = article.published_version
    if version is None:
        raise IllegalTransition(_("Only a published article can be retired."))
    old, new = _move(version, VersionAction.RETIRE)
    version.retired_at = timezone.now()
    _save(version, by)
    article.status = ArticleStatus.RETIRED
    article.published_version = None
    article.review_due_on = None
    article.search_title = article.search_tags = article.search_body = ""
    _save(article, by)
    article.tags.clear()
    _event(
        article,
        EventKind.RETIRED,
        by,
        version=version,
        from_status=old,
        to_status=new,
        note=reason.strip(),
    )
    if article.owner_id != by.pk:
        notify(
            article.owner,
            kind="knowledge.retired",
            title=Phrase(gettext_noop("%(title)s was retired"), title=article.title),
            body=reason.strip(),
            link=_link(article),
        )
    return article


@transaction.atomic
def article_review_confirm(
    article: Article, *, by: User, note: str = "", next_review_on: date | None = None
) -> Article:
    """The owner (or a reviewer) checked the article and it still holds: the next review
    is due a period from today (DOMAIN.md S-47)."""
    article = _locked(article)
    if article.owner_id != by.pk and not by.has_perm(selectors.PUBLISH):
        raise NotAllowed(_("Only the owner or a reviewer confirms a review."))
    if not article.is_published:
        raise IllegalTransition(_("Only a published article is reviewed."))
    now = timezone.now()
    if next_review_on is not None and next_review_on <= timezone.localdate(now):
        raise ValidationError({"next_review_on": _("The next review date must be in the future.")})
    before = article.review_due_on.isoformat() if article.review_due_on else ""
    article.review_due_on = next_review_on or reviews.default_review_date(
        now, KnowledgeSettings.current()
    )
    article.last_reviewed_at = now
    _save(article, by, update_fields=["review_due_on", "last_reviewed_at", "updated_at"])
    _event(
        article,
        EventKind.REVIEWED,
        by,
        note=note.strip(),
        data={"review_due_on": [before, article.review_due_on.isoformat()]},
    )
    return article


# ---------------------------------------------------------------- agents' feedback


@transaction.atomic
def article_feedback(
    article: Article, *, by: User, kind: str, note: str = "", ticket=None
) -> ArticleFeedback:
    """An agent marks the published text helpful or outdated; its owner is told (KB-4, KB-6)."""
    if not by.has_perm(selectors.FEEDBACK):
        raise NotAllowed(_("You may not give feedback on articles."))
    if not selectors.published_visible_to(by).filter(pk=article.pk).exists():
        raise DomainError(_("This article is not published."), code="not_published")
    article = Article.objects.select_related("published_version", "owner").get(pk=article.pk)
    assert article.published_version is not None  # a published article has its version
    try:
        with transaction.atomic():
            feedback = ArticleFeedback.objects.create(
                article=article,
                version=article.published_version,
                kind=kind,
                by=by,
                note=note.strip(),
                ticket=ticket,
            )
    except IntegrityError:
        raise DomainError(
            _("You already marked this version as %(kind)s.")
            % {"kind": FeedbackKind(kind).label.lower()},
            code="already_marked",
        ) from None
    _event(
        article,
        EventKind.FEEDBACK,
        by,
        version=article.published_version,
        note=note.strip(),
        data={"kind": kind},
    )
    if kind == FeedbackKind.OUTDATED:
        title = Phrase(gettext_noop("%(title)s was marked outdated"), title=article.title)
        dedupe = ""
    else:
        # Helpful marks tell the owner once a day per article, not per click.
        title = Phrase(gettext_noop("Agents find %(title)s helpful"), title=article.title)
        dedupe = f"knowledge-helpful:{article.pk}:{timezone.localdate().isoformat()}"
    if article.owner_id != by.pk:
        notify(
            article.owner,
            kind=f"knowledge.{kind}",
            title=title,
            body=note.strip(),
            link=_link(article),
            dedupe_key=dedupe,
        )
    return feedback


# ---------------------------------------------------------------- review reminders


def review_reminders_send(now: datetime | None = None) -> int:
    """Remind owners of reviews coming due, and of reviews overdue, once per review date.
    Reminders go out within the review calendar's working hours only (DOMAIN.md S-47)."""
    now = now or timezone.now()
    settings = KnowledgeSettings.current()
    cal = reviews.review_calendar(settings)
    if not reviews.is_working_moment(cal, now):
        return 0
    today = local(now).date()
    due = (
        Article.objects.filter(
            status=ArticleStatus.PUBLISHED,
            review_due_on__lte=reviews.reminder_horizon(settings, now),
        )
        .select_related("owner")
        .only("pk", "title", "review_due_on", "owner")
    )
    sent = 0
    for article in due.iterator(chunk_size=500):
        assert article.review_due_on is not None  # read by its review date
        overdue = article.review_due_on < today
        if overdue:
            title = gettext_noop("The review of %(title)s is overdue (due %(day)s)")
            key = f"knowledge-review-overdue:{article.pk}:{article.review_due_on.isoformat()}"
        else:
            title = gettext_noop("%(title)s is due for review on %(day)s")
            key = f"knowledge-review:{article.pk}:{article.review_due_on.isoformat()}"
        told = notify(
            article.owner,
            kind="knowledge.review_due",
            title=Phrase(title, title=article.title, day=article.review_due_on.isoformat()),
            link=_link(article),
            dedupe_key=key,
        )
        sent += told is not None
    return sent

"""The knowledge base (DOMAIN.md P-14, KB-1 to KB-10, S-47, IS-9).

An Article is the lasting identity: kind, category, owner, audience and the
review date. Its text lives in numbered ArticleVersions that go draft → review
→ published → retired. The article keeps a copy of its published version's
text (title, rendered body, answer wording, tags and the segmented search
columns) so lists, search and suggestions read one row per article.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from knowledge.choices import (
    ArticleKind,
    ArticleStatus,
    Audience,
    EventKind,
    FeedbackKind,
    VersionStatus,
)


class KnowledgeSettings(models.Model):
    """The review rules' numbers, one row, edited in the admin (DOMAIN.md S-47, KB-6)."""

    review_months = models.PositiveSmallIntegerField(
        _("review period (months)"),
        default=3,
        help_text=_("A published article is due for review this long after publication."),
    )
    review_notice_working_days = models.PositiveSmallIntegerField(
        _("remind owners (working days ahead)"),
        default=5,
        help_text=_("Owners are reminded this many working days before the review date."),
    )
    review_calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        verbose_name=_("review calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Review dates fall on its working days and reminders go out on them; "
            "empty: the first working-time calendar."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("knowledge base settings")
        verbose_name_plural = _("knowledge base settings")

    def __str__(self) -> str:
        return str(_("Knowledge base settings"))

    @classmethod
    def current(cls) -> "KnowledgeSettings":
        return cls.objects.select_related("review_calendar").order_by("pk").first() or (
            cls.objects.create()
        )


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ArticleKind.choices)
    # The inquiry category tree of tickets: suggestions on a ticket start from its category.
    category = models.ForeignKey(
        "worktickets.InquiryCategory",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ArticleStatus.choices,
        default=ArticleStatus.DRAFT,
        editable=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_articles",
        help_text=_("Keeps the article right and is told of feedback and due reviews."),
    )
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.ALL_AGENTS
    )
    audience_roles = models.ManyToManyField(
        Group, verbose_name=_("roles that may read it"), blank=True, related_name="+"
    )
    audience_teams = models.ManyToManyField(
        "staffing.Team", verbose_name=_("teams that may read it"), blank=True, related_name="+"
    )
    published_version = models.OneToOneField(
        "ArticleVersion",
        verbose_name=_("published version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    review_due_on = models.DateField(_("review due on"), null=True, blank=True, db_index=True)
    last_reviewed_at = models.DateTimeField(
        _("last reviewed at"), null=True, blank=True, editable=False
    )
    # The published version's text (the newest draft's title until one is published).
    title = models.CharField(_("title"), max_length=200)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    body_html = models.TextField(_("body (rendered)"), blank=True, editable=False)
    body_text = models.TextField(_("body (plain text)"), blank=True, editable=False)
    wording = models.TextField(_("answer wording"), blank=True, editable=False)
    # Segmented words of the published text, space-separated with a space at each end
    # (knowledge.search). PostgreSQL derives a weighted tsvector from them in a
    # generated column with a GIN index (migration 0002), and the title's and tags' alone
    # in a second one (migration 0006); SQLite matches them with LIKE.
    search_title = models.TextField(blank=True, editable=False)
    search_tags = models.TextField(blank=True, editable=False)
    search_body = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(
        excluded_fields=["body_html", "body_text", "search_title", "search_tags", "search_body"],
        m2m_fields=[audience_roles, audience_teams],
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("publish_article", _("Can review and publish articles")),
            ("view_restricted_articles", _("Can read every restricted article")),
        ]
        indexes = [
            models.Index(fields=["status", "kind", "-published_at"], name="article_live_kind"),
            models.Index(fields=["owner", "status"], name="article_owner"),
            # Search ranks the newest matches of a tier (knowledge.search.CANDIDATES).
            models.Index(fields=["-published_at", "-id"], name="article_newest"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleVersion(models.Model):
    """One numbered text of an article. Drafts change; a submitted text does not."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    body = models.TextField(
        _("body"), help_text=_("Markdown: headings, lists, tables, links, bold and italics.")
    )
    wording = models.TextField(
        _("answer wording"),
        blank=True,
        help_text=_("The exact words an agent says or writes to the customer."),
    )
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    # Counts saves of a draft: an edit based on an older count is refused (409).
    edit_count = models.PositiveIntegerField(_("edits"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "-number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_number"),
            # At most one text of an article is being written or reviewed at a time.
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(status__in=["draft", "review"]),
                name="article_one_open_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class ArticleEvent(models.Model):
    """One line of an article's history: who did what, when, from which state to which."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="events"
    )
    version = models.ForeignKey(
        ArticleVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("article event")
        verbose_name_plural = _("article events")
        indexes = [models.Index(fields=["article", "at"], name="article_event_timeline")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ArticleFeedback(models.Model):
    """An agent's word on a published version: helpful, or outdated (DOMAIN.md KB-4, KB-6)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="feedback"
    )
    version = models.ForeignKey(
        ArticleVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FeedbackKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    ticket = models.ForeignKey(
        "worktickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [
            # One word of each kind per person and version: a second click changes nothing.
            models.UniqueConstraint(fields=["version", "by", "kind"], name="feedback_once"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.kind}"

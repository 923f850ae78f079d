"""The admin: the review settings and tags are edited here; articles, their versions,
history and feedback are read-only records (they change through the editing flow)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from csc.lib.admin import ReadOnlyAdmin
from knowledge.models import (
    Article,
    ArticleEvent,
    ArticleFeedback,
    ArticleVersion,
    KnowledgeSettings,
    Tag,
)


@admin.register(KnowledgeSettings)
class KnowledgeSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "review_months", "review_notice_working_days", "review_calendar"]

    def has_add_permission(self, request) -> bool:
        return not KnowledgeSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class VersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = ["number", "status", "title", "created_by", "submitted_at", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "audience", "owner", "published_at", "review_due_on"]
    list_filter = ["kind", "status", "audience"]
    list_select_related = ["owner"]
    search_fields = ["title"]
    exclude = ["search_title", "search_tags", "search_body", "body_html"]
    inlines = [VersionInline]


@admin.register(ArticleEvent)
class ArticleEventAdmin(ReadOnlyAdmin):
    list_display = ["article", "kind", "actor", "at", "from_status", "to_status"]
    list_filter = ["kind"]
    list_select_related = ["article", "actor"]


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["article", "kind", "by", "at", "note"]
    list_filter = ["kind"]
    list_select_related = ["article", "by"]

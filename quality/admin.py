"""The admin: the QA settings are edited here; scorecards, samples and evaluations are
read-only records (they change through the services: a scorecard edit in use makes a
new version, an evaluation moves only through its workflow)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from csc.lib.admin import ReadOnlyAdmin
from quality.models import (
    CheckRule,
    Evaluation,
    QualitySettings,
    Sample,
    SamplingShortfall,
    Scorecard,
    ScorecardLine,
    ScorecardVersion,
    Scoring,
)


@admin.register(QualitySettings)
class QualitySettingsAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "min_per_agent",
        "max_per_agent",
        "pass_mark",
        "dispute_working_days",
        "calendar",
    ]

    def has_add_permission(self, request) -> bool:
        return not QualitySettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LineInline(admin.TabularInline):
    model = ScorecardLine
    fields = ["position", "name", "weight", "max_points", "is_critical", "description"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Scorecard)
class ScorecardAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["name", "scope", "ticket_kind", "is_active"]


@admin.register(ScorecardVersion)
class ScorecardVersionAdmin(ReadOnlyAdmin):
    list_display = ["scorecard", "number", "effective_from", "created_at"]
    list_select_related = ["scorecard"]
    inlines = [LineInline]


@admin.register(Sample)
class SampleAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["month", "agent", "contact", "channel", "ticket_kind", "reason", "inspector"]
    list_filter = ["month", "reason", "channel"]
    list_select_related = ["agent", "inspector", "contact"]


@admin.register(SamplingShortfall)
class SamplingShortfallAdmin(ReadOnlyAdmin):
    list_display = ["month", "agent", "target", "found", "reason"]
    list_select_related = ["agent"]


class ScoringInline(admin.TabularInline):
    model = Scoring
    fields = ["number", "score", "critical_failed", "scored_by", "scored_at", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Evaluation)
class EvaluationAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["pk", "month", "agent", "inspector", "state", "score", "passed"]
    list_filter = ["state", "month", "passed"]
    list_select_related = ["agent", "inspector"]
    inlines = [ScoringInline]


@admin.register(CheckRule)
class CheckRuleAdmin(SimpleHistoryAdmin):
    """Rules are data the QA lead edits; a rule that cannot run is refused by its form."""

    list_display = ["name", "kind", "speaker", "is_critical", "sampling_weight", "is_active"]
    list_filter = ["kind", "is_active", "is_critical"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # switch a rule off instead: its hits stay explained

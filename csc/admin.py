"""Retention policies are edited here; the job's runs and customer erasures are records."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from csc.lib.admin import ReadOnlyAdmin
from csc.models import CustomerErasure, RetentionPolicy, RetentionRun


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["record_type", "keep_days", "minimum", "action", "legal_source"]
    readonly_fields = ["record_type", "action", "minimum"]
    fields = ["record_type", "keep_days", "minimum", "action", "legal_source"]

    @admin.display(description=_("legal minimum (days)"))
    def minimum(self, policy: RetentionPolicy) -> int:
        return policy.minimum_days

    # One row per record type, seeded with the law's periods: edited, never added or removed.
    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "trigger", "dry_run", "status", "summary"]
    list_filter = ["status", "dry_run"]
    readonly_fields = ["started_at", "finished_at", "trigger", "dry_run", "status", "results"]

    @admin.display(description=_("records handled"))
    def summary(self, run: RetentionRun) -> str:
        return ", ".join(
            f"{record_type} {line.get('count', 0)}"
            for record_type, line in run.results.items()
            if line.get("count") or line.get("error")
        )


@admin.register(CustomerErasure)
class CustomerErasureAdmin(ReadOnlyAdmin):
    list_display = ["at", "customer", "by", "reason"]
    readonly_fields = ["customer", "by", "at", "reason", "counts"]

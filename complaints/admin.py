"""The admin: configuration is edited here (subcategories, routing rules, settings);
complaints, evidence, compensation and feedback are read-only records."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from complaints.models import (
    Compensation,
    CompensationDecision,
    Complaint,
    ComplaintEscalation,
    ComplaintSettings,
    DeadlineExtension,
    Evidence,
    Feedback,
    OutageCluster,
    RoutingRule,
    Subcategory,
)
from csc.lib.admin import ReadOnlyAdmin
from csc.lib.log_scrub import scrub
from csc.lib.masking import mask_phone


@admin.register(Subcategory)
class SubcategoryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "category", "name_zh", "name_en", "is_active", "sort_order", "source"]
    list_filter = ["category", "is_active"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "category",
        "subcategory",
        "tier",
        "target",
        "team_kind",
        "team",
        "assign_to_lead",
        "order",
        "is_active",
        "source",
    ]
    list_filter = ["category", "tier", "target", "is_active"]
    list_editable = ["order", "is_active"]
    list_select_related = ["subcategory", "team"]


@admin.register(ComplaintSettings)
class ComplaintSettingsAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "recurrence_window_days",
        "cluster_threshold",
        "cluster_window_minutes",
        "compensation_manager_threshold",
    ]

    def has_add_permission(self, request) -> bool:
        return not ComplaintSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = [
        "seq",
        "kind",
        "title",
        "original_name",
        "size",
        "sha256",
        "chain_hash",
        "uploaded_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CompensationInline(admin.TabularInline):
    model = Compensation
    fields = ["kind", "amount", "remedy", "status", "proposed_by", "proposed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = [
        "ticket",
        "category",
        "severity",
        "tier",
        "support_level",
        "is_major",
        "region",
        "cluster",
    ]
    list_filter = ["category", "severity", "tier", "support_level", "is_major", "region"]
    search_fields = ["ticket__number", "customer_name"]
    list_select_related = ["ticket", "cluster"]
    inlines = [EvidenceInline, CompensationInline]
    # The customer's numbers are shown masked and their email and address not at
    # all (DOMAIN.md R-2): the complaint's page reveals them, with a reason and a record.
    exclude = ["contact_phone", "contact_email", "contact_address", "service_number"]
    readonly_fields = ["masked_contact_phone", "masked_service_number", "contact_details"]

    @admin.display(description=_("contact phone"))
    def masked_contact_phone(self, complaint: Complaint) -> str:
        return mask_phone(complaint.contact_phone)

    @admin.display(description=_("affected number or account"))
    def masked_service_number(self, complaint: Complaint) -> str:
        return mask_phone(complaint.service_number)

    @admin.display(description=_("Email and address"))
    def contact_details(self, complaint: Complaint) -> str:
        if complaint.contact_email or complaint.contact_address:
            return _("recorded")
        return "—"


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "seq", "kind", "title", "sha256", "uploaded_by", "uploaded_at"]
    search_fields = ["complaint__ticket__number", "sha256", "chain_hash"]
    list_select_related = ["complaint__ticket", "uploaded_by"]


@admin.register(Compensation)
class CompensationAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["complaint", "kind", "amount", "status", "needs_manager", "proposed_by"]
    list_filter = ["status", "kind", "needs_manager"]
    list_select_related = ["complaint__ticket", "proposed_by"]


@admin.register(CompensationDecision)
class CompensationDecisionAdmin(ReadOnlyAdmin):
    list_display = ["compensation", "stage", "decision", "by", "at"]
    list_select_related = ["compensation", "by"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "channel", "sent_by", "sent_at", "due_at", "response"]
    list_filter = ["channel", "response"]
    list_select_related = ["complaint__ticket", "sent_by"]
    exclude = ["recipient"]
    readonly_fields = ["masked_recipient"]

    @admin.display(description=_("sent to"))
    def masked_recipient(self, feedback: Feedback) -> str:
        # A phone number, an email or a postal address: numbers in it are masked.
        return scrub(feedback.recipient)


@admin.register(ComplaintEscalation)
class ComplaintEscalationAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "kind", "trigger", "from_level", "to_level", "by", "at"]
    list_filter = ["kind", "trigger"]
    list_select_related = ["complaint__ticket", "by"]


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "metric", "working_days", "status", "requested_by", "decided_by"]
    list_filter = ["metric", "status"]
    list_select_related = ["complaint__ticket", "requested_by", "decided_by"]


@admin.register(OutageCluster)
class OutageClusterAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "service_type", "area", "status", "opened_at", "resolved_at"]
    list_filter = ["status", "service_type"]

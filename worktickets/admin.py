from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from csc.lib.masking import mask_phone
from worktickets.models import (
    BusinessEligibility,
    BusinessType,
    InquiryCategory,
    Ticket,
    TicketEvent,
)


class BusinessEligibilityInline(admin.TabularInline):
    model = BusinessEligibility
    extra = 0


@admin.register(BusinessType)
class BusinessTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "requires_approval",
        "delivery_limit_minutes",
        "needs_confirmation",
        "is_active",
        "sort_order",
    ]
    list_filter = ["requires_approval", "needs_confirmation", "is_active"]
    list_editable = ["requires_approval", "delivery_limit_minutes", "is_active", "sort_order"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [BusinessEligibilityInline]


@admin.register(InquiryCategory)
class InquiryCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "is_active", "sort_order"]
    list_filter = ["is_active", ("parent", admin.RelatedOnlyFieldListFilter)]
    list_editable = ["is_active", "sort_order"]
    list_select_related = ["parent"]
    search_fields = ["code", "name_zh", "name_en"]
    fields = ["parent", "code", "name_zh", "name_en", "source", "is_active", "sort_order"]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "from_status", "to_status", "body", "is_customer_facing"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    """Read-mostly: tickets change through the desk and the API, which keep the rules."""

    list_display = ["number", "kind", "status", "priority", "team", "assignee", "created_at"]
    list_filter = ["kind", "status_category", "status", "priority", "channel", "team"]
    search_fields = ["number", "subject"]
    list_select_related = ["team", "assignee"]
    raw_id_fields = ["customer", "contact", "assignee", "first_contact_agent", "created_by"]
    # The caller's number is shown masked (DOMAIN.md R-2): full numbers are revealed,
    # with a reason and a record, on the ticket's page.
    exclude = ["caller_number"]
    readonly_fields = [
        "masked_caller_number" if f.name == "caller_number" else f.name
        for f in Ticket._meta.fields
        if f.name not in {"id"}
    ]
    inlines = [TicketEventInline]
    date_hierarchy = "created_at"

    @admin.display(description=_("caller number"))
    def masked_caller_number(self, ticket: Ticket) -> str:
        return mask_phone(ticket.caller_number)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

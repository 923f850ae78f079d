from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from csc.lib.durations import DurationTextError, format_minutes, parse_duration_text
from csc.lib.masking import mask_phone
from worktickets.macros import unknown_variables_message
from worktickets.models import (
    BusinessEligibility,
    BusinessType,
    DeliveryLimit,
    InquiryCategory,
    Macro,
    Ticket,
    TicketEvent,
)


class BusinessEligibilityInline(admin.TabularInline):
    model = BusinessEligibility
    extra = 0


class DeliveryLimitForm(forms.ModelForm):
    """The limit typed as people say it ("2 days", "36 hours", "10 minutes", "2天")."""

    limit = forms.CharField(
        label=_("Time limit"),
        max_length=50,
        help_text=_(
            "E.g. “2 days”, “36 hours”, “1 day 12 hours” or “10 minutes”; a day is 24 hours."
        ),
    )

    class Meta:
        model = DeliveryLimit
        fields = ["channel", "service_type", "limit", "is_assumption", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.minutes:
            self.initial.setdefault("limit", format_minutes(self.instance.minutes))

    def clean_limit(self) -> int:
        try:
            return parse_duration_text(self.cleaned_data["limit"])
        except DurationTextError as error:
            raise forms.ValidationError(str(error), code="invalid_limit") from None

    def save(self, commit: bool = True) -> DeliveryLimit:
        self.instance.minutes = self.cleaned_data["limit"]
        return super().save(commit)


class DeliveryLimitFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not any(not row.get("channel") and not row.get("service_type") for row in kept):
            raise forms.ValidationError(
                _(
                    "Keep a default limit (no channel, no service type), so every order of "
                    "this type has a deadline."
                ),
                code="no_default_limit",
            )


class DeliveryLimitInline(admin.TabularInline):
    model = DeliveryLimit
    form = DeliveryLimitForm
    formset = DeliveryLimitFormSet
    extra = 0
    min_num = 1


@admin.register(BusinessType)
class BusinessTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "requires_approval",
        "limits",
        "needs_confirmation",
        "is_active",
        "sort_order",
    ]
    list_filter = ["requires_approval", "needs_confirmation", "is_active"]
    list_editable = ["requires_approval", "is_active", "sort_order"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [DeliveryLimitInline, BusinessEligibilityInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("delivery_limits")

    @admin.display(description=_("Delivery time limits"))
    def limits(self, business_type: BusinessType) -> str:
        rows = sorted(business_type.delivery_limits.all(), key=lambda limit: limit.specificity)
        return "; ".join(
            f"{limit.conditions_text}: {format_minutes(limit.minutes)}"
            + (f" ({_('assumption, confirm')})" if limit.is_assumption else "")
            for limit in rows
        ) or str(_("none"))


@admin.register(InquiryCategory)
class InquiryCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "is_active", "sort_order"]
    list_filter = ["is_active", ("parent", admin.RelatedOnlyFieldListFilter)]
    list_editable = ["is_active", "sort_order"]
    list_select_related = ["parent"]
    search_fields = ["code", "name_zh", "name_en"]
    fields = [
        "parent",
        "code",
        "name_zh",
        "name_en",
        "source",
        "is_active",
        "sort_order",
        "required_skill",
    ]


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


class MacroAdminForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = [
            "name",
            "applies_to",
            "text",
            "category",
            "team",
            "owner",
            "is_shared",
            "is_active",
        ]

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        refused = unknown_variables_message(text)
        if refused:
            raise forms.ValidationError(refused, code="unknown_variable")
        return text


@admin.register(Macro)
class MacroAdmin(SimpleHistoryAdmin):
    form = MacroAdminForm
    list_display = ["name", "applies_to", "owner", "is_shared", "team", "use_count", "is_active"]
    list_filter = ["applies_to", "is_shared", "is_active", "team"]
    search_fields = ["name", "text"]
    raw_id_fields = ["owner"]
    readonly_fields = ["use_count"]

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sla import services
from sla.escalation import action_choices
from sla.models import (
    BusinessCalendar,
    CalendarOverride,
    Clock,
    ClockEvent,
    EscalationLevel,
    EscalationRecord,
    PolicyTarget,
    PolicyVersion,
    RecomputeJob,
    SlaPolicy,
)


class CalendarOverrideInline(admin.TabularInline):
    model = CalendarOverride
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "opens_at",
        "closes_at",
        "working_weekdays",
        "follows_statutory_holidays",
        "revision",
    ]
    inlines = [CalendarOverrideInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            with transaction.atomic():
                services.calendar_changed(form.instance)
            messages.info(
                request,
                gettext("Due times of open tickets on this calendar are being recomputed."),
            )


class PolicyTargetInline(admin.StackedInline):
    model = PolicyTarget
    extra = 0
    fields = [
        ("metric", "amount", "unit", "calendar"),
        ("cap_amount", "cap_unit"),
        ("pauses_while_waiting_customer", "pauses_while_waiting_internal", "on_reopen"),
        ("starts_after", "warn_fractions"),
        "note",
    ]


class SlaPolicyForm(forms.ModelForm):
    apply_to_open_tickets = forms.BooleanField(
        label=_("Apply to open tickets"),
        required=False,
        help_text=_(
            "Off: open tickets keep the version they started with; the change applies to new "
            "tickets. On: open tickets of this policy move to the new version and their due "
            "times are recomputed in the background."
        ),
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "order",
            "is_active",
            "description",
            "source",
            "kind",
            "complaint_category",
            "complaint_tier",
            "vip_match",
            "channel",
            "min_priority",
            "business_type_code",
            "service_type",
            "region",
        ]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = [
        "order",
        "name",
        "is_active",
        "kind",
        "complaint_tier",
        "vip_match",
        "channel",
        "business_type_code",
        "current_version",
    ]
    list_display_links = ["name"]
    list_filter = ["is_active", "kind", "vip_match"]
    search_fields = ["name", "description", "source"]
    inlines = [PolicyTargetInline]
    readonly_fields = ["current_version"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        with transaction.atomic():
            version = services.policy_publish(form.instance, by=request.user)
            if version is not None and change and form.cleaned_data.get("apply_to_open_tickets"):
                services.policy_apply_to_open_clocks(version)
        if version is not None:
            messages.info(
                request,
                gettext("Published version %(number)d of the policy.") % {"number": version.number},
            )


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["policy", "number", "created_at", "created_by", "note"]
    list_filter = ["policy"]
    readonly_fields = [
        "policy",
        "number",
        "criteria",
        "targets",
        "created_at",
        "created_by",
        "note",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EscalationLevelForm(forms.ModelForm):
    actions = forms.MultipleChoiceField(
        label=_("Actions"), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = EscalationLevel
        fields = ["name", "metric", "trigger", "delay_fraction", "actions", "order", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = action_choices()
        known = {name for name, _label in choices}
        # Keep names stored earlier whose app is not loaded, so saving does not drop them.
        stored = [(n, n) for n in (self.instance.actions or []) if n not in known]
        self.fields["actions"].choices = choices + stored


@admin.register(EscalationLevel)
class EscalationLevelAdmin(admin.ModelAdmin):
    form = EscalationLevelForm
    list_display = ["order", "name", "metric", "trigger", "delay_fraction", "actions", "is_active"]
    list_display_links = ["name"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClockEventInline(ReadOnlyInline):
    model = ClockEvent
    fields = ["kind", "at", "due_at", "data", "actor", "recorded_at"]
    readonly_fields = fields


class EscalationRecordInline(ReadOnlyInline):
    model = EscalationRecord
    fields = ["level", "due_at", "recorded_at", "outcome", "results"]
    readonly_fields = fields


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ["ticket", "metric", "state", "at_risk", "due_at", "policy_version"]
    list_filter = ["state", "metric", "at_risk"]
    list_select_related = ["ticket", "policy_version__policy"]
    show_full_result_count = False
    raw_id_fields = ["ticket"]
    inlines = [ClockEventInline, EscalationRecordInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecomputeJob)
class RecomputeJobAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "scope",
        "calendar",
        "policy_version",
        "created_at",
        "clocks_done",
        "finished_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

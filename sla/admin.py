from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from csc.lib.errors import DomainError
from sla import services
from sla.choices import CalendarKind
from sla.escalation import action_choices
from sla.forms import HolidayEntryForm
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
    change_form_template = "admin/sla/businesscalendar/change_form.html"

    def get_urls(self):
        enter_holidays = self.admin_site.admin_view(self.enter_holidays_view)
        return [
            path(
                "<int:calendar_id>/holidays/", enter_holidays, name="sla_businesscalendar_holidays"
            ),
            *super().get_urls(),
        ]

    def enter_holidays_view(self, request, calendar_id: int):
        """A year's holidays and make-up days in one go, before the holiday package has them."""
        calendar = get_object_or_404(BusinessCalendar, pk=calendar_id)
        if not self.has_change_permission(request, calendar):
            raise PermissionDenied
        form = HolidayEntryForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            closed, working = form.cleaned_data["closed_days"], form.cleaned_data["working_days"]
            try:
                services.calendar_enter_holidays(calendar, closed_days=closed, working_days=working)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                entered = gettext(
                    "Entered %(closed)s holidays and %(working)s make-up working days."
                ) % {"closed": len(closed), "working": len(working)}
                self.log_change(request, calendar, entered)
                messages.success(
                    request,
                    entered
                    + " "
                    + gettext("Due times of open tickets on this calendar are being recomputed."),
                )
                return redirect("admin:sla_businesscalendar_change", calendar.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": calendar,
            "title": gettext("Enter holidays: %(calendar)s") % {"calendar": calendar},
            "form": form,
            "working_time": calendar.kind == CalendarKind.WORKING_TIME,
            "recent_overrides": calendar.overrides.order_by("-date")[:40],
        }
        return TemplateResponse(request, "admin/sla/businesscalendar/holidays.html", context)

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
            "category_code",
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
        "category_code",
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

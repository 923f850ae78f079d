from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from care.models import (
    Appointment,
    Callback,
    CallbackPolicy,
    Campaign,
    CareSettings,
    CsatTarget,
    Privilege,
    Survey,
    SurveyOptOut,
    SurveyPolicy,
    TierPrivilege,
)


@admin.register(CareSettings)
class CareSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "csat_target_percent", "link_valid_days"]


@admin.register(CsatTarget)
class CsatTargetAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "channel", "tier", "target_percent"]
    list_filter = ["channel", "tier"]


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    list_display = ["ticket", "customer", "place", "hall", "slot_start", "slot_end", "booked_by"]
    list_filter = ["place"]
    raw_id_fields = ["ticket", "customer", "booked_by"]
    date_hierarchy = "slot_start"


@admin.register(SurveyPolicy)
class SurveyPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["ticket_kind", "channel", "is_active", "delay_minutes", "min_days_between"]
    list_filter = ["ticket_kind", "is_active"]


@admin.register(SurveyOptOut)
class SurveyOptOutAdmin(SimpleHistoryAdmin):
    list_display = ["customer", "reason", "created_at"]
    raw_id_fields = ["customer"]


@admin.register(Survey)
class SurveyAdmin(SimpleHistoryAdmin):
    list_display = ["ticket", "status", "score", "channel", "tier", "sent_at", "answered_at"]
    list_filter = ["status", "channel", "ticket_kind", "score"]
    raw_id_fields = ["ticket", "customer", "agent", "team"]
    readonly_fields = ["token_hash"]


@admin.register(Callback)
class CallbackAdmin(SimpleHistoryAdmin):
    list_display = ["ticket", "outcome", "attempts", "created_at"]
    list_filter = ["outcome"]
    raw_id_fields = ["ticket", "source_ticket", "survey", "outcome_by"]


class TierPrivilegeInline(admin.TabularInline):
    model = TierPrivilege
    extra = 0


@admin.register(Privilege)
class PrivilegeAdmin(SimpleHistoryAdmin):
    list_display = ["number", "name", "code", "business_type_code"]
    inlines = [TierPrivilegeInline]


@admin.register(TierPrivilege)
class TierPrivilegeAdmin(SimpleHistoryAdmin):
    list_display = ["privilege", "tier", "source"]
    list_filter = ["tier"]


@admin.register(CallbackPolicy)
class CallbackPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "is_active", "rate_percent"]


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "scheduled_at", "status", "sent_count"]
    list_filter = ["status"]
    readonly_fields = ["status", "sent_at", "sent_count"]
    raw_id_fields = ["outage_cluster"]

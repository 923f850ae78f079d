from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from staffing.api_auth import ALL_SCOPES
from staffing.models import (
    SUBSCRIBABLE_EVENT_CHOICES,
    Agent,
    ApiClient,
    AttendanceException,
    DutyLogEntry,
    Handover,
    LeaveRequest,
    Roster,
    RosterChange,
    ShiftPattern,
    ShiftTemplate,
    Skill,
    SwapRequest,
    Team,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from staffing.services import validate_rate
from staffing.webhooks import (
    webhook_subscription_delete,
    webhook_subscription_update,
    webhook_url_clean,
)


class AgentInline(admin.StackedInline):
    model = Agent
    fk_name = "user"
    can_delete = False
    filter_horizontal = ["skills"]
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Roles are the user's groups (staffing.roles.Role); the list shows them."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Roles"), {"fields": ("groups",)}),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    list_display = ["username", "display_name", "role_names", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser"]
    inlines = [AgentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_names(self, user: User) -> str:
        return ", ".join(group.name for group in user.groups.all())

    @admin.display(description=_("name"))
    def display_name(self, user: User) -> str:
        return user.get_full_name()


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "lead", "is_active", "auto_assign", "assignment_cap"]
    list_filter = ["kind", "is_active", "auto_assign"]
    fields = [
        "name",
        "kind",
        "lead",
        "is_active",
        "channels",
        "service_calendar",
        "auto_assign",
        "assignment_cap",
    ]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Agent)
class AgentAdmin(SimpleHistoryAdmin):
    list_display = ["employee_number", "user", "team", "status", "job_type", "skill_level"]
    list_filter = ["team", "status", "job_type", "skills"]
    search_fields = ["employee_number", "user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "team"]
    autocomplete_fields = ["user", "team"]
    filter_horizontal = ["skills"]


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=[(scope, scope) for scope in ALL_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "scopes", "rate", "is_active", "expires_at", "default_team"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "default_team" in self.fields:
            self.fields["default_team"].queryset = Team.objects.filter(is_active=True)

    def clean_rate(self) -> str:
        return validate_rate(self.cleaned_data["rate"])


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Keys are made by `manage.py create_api_client` and never shown again."""

    list_display = [
        "name",
        "key_prefix",
        "scope_list",
        "rate",
        "is_active",
        "expires_at",
        "last_used_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "key_prefix"]
    form = ApiClientForm
    fields = [
        "name",
        "service_user",
        "scopes",
        "rate",
        "is_active",
        "expires_at",
        "default_team",
        "key_prefix",
        "created_at",
        "last_used_at",
    ]
    readonly_fields = ["service_user", "key_prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        # A key must be shown once to whoever creates it; the command does that.
        return False

    @admin.display(description=_("scopes"))
    def scope_list(self, client: ApiClient) -> str:
        return ", ".join(client.scopes)


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=SUBSCRIBABLE_EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookSubscription
        fields = ["url", "events", "is_active"]

    def clean_url(self) -> str:
        # The API's rules: http(s) only, never to a loopback or private address.
        try:
            return webhook_url_clean(self.cleaned_data["url"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["url"]) from None


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """Clients create subscriptions through the API, which shows the secret once;
    here an administrator can correct the URL, the events or switch one off."""

    list_display = ["api_client", "url", "event_list", "is_active", "created_at"]
    list_filter = ["is_active", "api_client"]
    search_fields = ["url", "api_client__name"]
    list_select_related = ["api_client"]
    form = WebhookSubscriptionForm
    fields = ["api_client", "url", "events", "is_active", "created_at"]
    readonly_fields = ["api_client", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        webhook_subscription_update(obj, url=obj.url, events=obj.events, is_active=obj.is_active)

    def delete_model(self, request, obj) -> None:
        webhook_subscription_delete(obj)

    def delete_queryset(self, request, queryset) -> None:
        for subscription in queryset:
            webhook_subscription_delete(subscription)

    @admin.display(description=_("events"))
    def event_list(self, subscription: WebhookSubscription) -> str:
        return ", ".join(subscription.events)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "at", "url", "response_code", "duration_ms", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read only: the outbox retries, nobody edits."""

    list_display = [
        "uuid",
        "event",
        "subscription",
        "status",
        "attempts",
        "response_code",
        "created_at",
        "last_attempt_at",
    ]
    list_filter = ["event", "message__status", "subscription__api_client"]
    search_fields = ["uuid", "event_id", "subscription__url"]
    list_select_related = ["message", "subscription__api_client"]
    fields = [
        "uuid",
        "event",
        "event_id",
        "subscription",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "response_code",
        "response_excerpt",
        "duration_ms",
        "last_attempt_at",
        "body",
    ]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("status"), ordering="message__status")
    def status(self, delivery: WebhookDelivery) -> str:
        return delivery.message.get_status_display()

    @admin.display(description=_("attempts"))
    def attempts(self, delivery: WebhookDelivery) -> int:
        return delivery.message.attempts

    @admin.display(description=_("created at"), ordering="message__created_at")
    def created_at(self, delivery: WebhookDelivery):
        return delivery.message.created_at

    @admin.display(description=_("next attempt at"))
    def next_attempt_at(self, delivery: WebhookDelivery):
        return delivery.message.next_attempt_at

    @admin.display(description=_("sent at"))
    def sent_at(self, delivery: WebhookDelivery):
        return delivery.message.sent_at

    @admin.display(description=_("last error"))
    def last_error(self, delivery: WebhookDelivery) -> str:
        return delivery.message.last_error

    @admin.display(description=_("body"))
    def body(self, delivery: WebhookDelivery) -> str:
        return delivery.message.body


# --- shifts, rosters, leave, swaps, handover ------------------------------------------------


class ShiftTemplateInline(admin.TabularInline):
    model = ShiftTemplate
    extra = 0
    fields = [
        "code",
        "name",
        "kind",
        "starts",
        "ends",
        "weekdays",
        "break_minutes",
        "channel",
        "team",
        "min_headcount",
        "source",
    ]


@admin.register(ShiftPattern)
class ShiftPatternAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "source"]
    inlines = [ShiftTemplateInline]


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "pattern", "starts", "ends", "weekdays", "min_headcount", "source"]
    list_filter = ["pattern", "kind"]
    list_select_related = ["pattern"]


@admin.register(Roster)
class RosterAdmin(SimpleHistoryAdmin):
    list_display = ["team", "month", "pattern", "status", "published_at"]
    list_filter = ["status", "team"]
    list_select_related = ["team", "pattern"]
    readonly_fields = ["status", "published_at", "published_by"]


@admin.register(RosterChange)
class RosterChangeAdmin(admin.ModelAdmin):
    list_display = ["roster", "action", "description", "changed_by", "changed_at"]
    list_select_related = ["roster__team", "changed_by"]
    readonly_fields = ["roster", "action", "description", "reason", "changed_by", "changed_at"]


@admin.register(LeaveRequest)
class LeaveRequestAdmin(SimpleHistoryAdmin):
    list_display = ["agent", "kind", "starts_at", "ends_at", "status", "is_late"]
    list_filter = ["status", "kind", "is_late"]
    list_select_related = ["agent__user"]
    search_fields = ["agent__employee_number", "agent__user__username", "reason"]
    readonly_fields = [
        "status",
        "is_late",
        "late_rule",
        "needs_director",
        "manager_decided_by",
        "manager_decided_at",
        "director_decided_by",
        "director_decided_at",
    ]


@admin.register(SwapRequest)
class SwapRequestAdmin(SimpleHistoryAdmin):
    list_display = ["requester", "colleague", "status", "requested_at", "refusal"]
    list_filter = ["status"]
    list_select_related = ["requester__user", "colleague__user"]
    readonly_fields = ["status", "refusal", "requester_lead", "colleague_lead", "decided_at"]


@admin.register(Handover)
class HandoverAdmin(SimpleHistoryAdmin):
    list_display = ["team", "shift_ends_at", "written_by", "acknowledged_by", "acknowledged_at"]
    list_filter = ["team"]
    search_fields = ["equipment_status", "difficult_issues", "staff_changes", "notices"]
    list_select_related = ["team", "written_by", "acknowledged_by"]


@admin.register(DutyLogEntry)
class DutyLogEntryAdmin(admin.ModelAdmin):
    list_display = ["team", "kind", "occurred_at", "written_by"]
    list_filter = ["team", "kind"]
    search_fields = ["text"]
    list_select_related = ["team", "written_by"]


@admin.register(AttendanceException)
class AttendanceExceptionAdmin(SimpleHistoryAdmin):
    list_display = ["agent", "kind", "since", "minutes", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["agent__user"]
    readonly_fields = ["shift", "agent", "kind", "since", "minutes", "decided_by", "decided_at"]

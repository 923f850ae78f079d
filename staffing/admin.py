from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from staffing.api_auth import ALL_SCOPES
from staffing.models import Agent, ApiClient, Skill, Team, User
from staffing.services import validate_rate


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
    list_display = ["name", "kind", "lead", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Agent)
class AgentAdmin(SimpleHistoryAdmin):
    list_display = ["employee_number", "user", "team", "status"]
    list_filter = ["team", "status", "skills"]
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
        fields = ["name", "scopes", "rate", "is_active"]

    def clean_rate(self) -> str:
        return validate_rate(self.cleaned_data["rate"])


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Keys are made by `manage.py create_api_client` and never shown again."""

    list_display = ["name", "key_prefix", "scope_list", "rate", "is_active", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "key_prefix"]
    form = ApiClientForm
    fields = [
        "name",
        "service_user",
        "scopes",
        "rate",
        "is_active",
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

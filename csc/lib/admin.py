"""Admin classes shared by every app's admin.py."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records kept by the services: visible for audit, never edited or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

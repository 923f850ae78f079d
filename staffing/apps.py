from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("Staffing")

    def ready(self) -> None:
        # Imported here so every process (web, worker, commands) renews the kept
        # reference data on a change: each cache connects its own signals.
        from staffing import on_shift, webhooks  # noqa: F401
        from staffing.reference import connect_signals

        connect_signals()

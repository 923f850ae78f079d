from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CscConfig(AppConfig):
    name = "csc"
    verbose_name = _("Customer-service centre")

    def ready(self) -> None:
        from csc import (
            checks,  # noqa: F401 (registers the system checks)
            handover_sources,
            staffing_calendars,
            targets,  # noqa: F401 (its reference cache renews on a change in any process)
            workforce,
        )
        from csc.lib.history import keep_history_managers

        staffing_calendars.connect()
        handover_sources.connect()
        workforce.connect()
        if settings.KEEP_HISTORY_MANAGERS:
            keep_history_managers()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        # sla.services holds the kept calendars and, through sla.matching, the
        # policies: imported so every process renews them on a change.
        from sla import services  # noqa: F401
        from sla.escalation import register_builtin_actions

        register_builtin_actions()

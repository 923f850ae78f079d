from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints import escalation
        from complaints.reference import connect_signals

        escalation.register()
        # Routing rules and settings are kept per process: a change renews every copy.
        connect_signals()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        # reference's caches connect their signals when imported: in every process.
        from complaints import escalation, reference  # noqa: F401

        escalation.register()

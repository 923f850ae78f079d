from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from csc.lib.reference import reference_data_changed
        from sla.escalation import register_builtin_actions
        from sla.models import BusinessCalendar, CalendarOverride, PolicyVersion, SlaPolicy

        register_builtin_actions()
        for model in (SlaPolicy, PolicyVersion, BusinessCalendar, CalendarOverride):
            for signal in (post_save, post_delete):
                signal.connect(reference_data_changed, sender=model, dispatch_uid=f"ref-{model}")

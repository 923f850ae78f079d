from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("Staffing")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from csc.lib.reference import reference_data_changed
        from staffing.models import WebhookSubscription
        from staffing.reference import connect_signals

        # Clients, teams and users; webhook receivers depend on their client too.
        connect_signals()
        for signal in (post_save, post_delete):
            signal.connect(
                reference_data_changed, sender=WebhookSubscription, dispatch_uid="ref-webhooks"
            )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("Staffing")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from csc.lib.reference import reference_data_changed
        from staffing.models import ApiClient, WebhookSubscription

        # Who receives webhooks depends on both (an inactive client receives nothing).
        for model in (WebhookSubscription, ApiClient):
            for signal in (post_save, post_delete):
                signal.connect(reference_data_changed, sender=model, dispatch_uid=f"ref-{model}")

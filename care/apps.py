from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("Customer care")

    def ready(self) -> None:
        from care import hooks
        from worktickets.lifecycle import register_status_hook

        # A closed ticket or complaint is offered a survey (DOMAIN.md P-13); after commit.
        register_status_hook("care", hooks.ticket_status_changed)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("Customer care")

    def ready(self) -> None:
        from care import hooks, panels
        from intake.extensions import register_contact_hook, register_customer_panel
        from worktickets.lifecycle import register_status_hook
        from worktickets.offers import register_offer_source

        # A closed ticket or complaint is offered a survey (DOMAIN.md P-13); a delivered
        # business order may be sampled for a callback; after commit.
        register_status_hook("care", hooks.ticket_status_changed)
        # A contact whose disposition is "callback requested" gets a callback.
        register_contact_hook("care", hooks.contact_recorded)
        # Privileges, survey answers and callbacks on the customer page and the desk.
        register_customer_panel("care", panels.customer_panel)
        # The caller's privileges on the new-ticket form; a business one starts in a click.
        register_offer_source("care", panels.business_offers)

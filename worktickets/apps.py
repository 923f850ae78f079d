from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkticketsConfig(AppConfig):
    name = "worktickets"
    verbose_name = _("Work tickets")

    def ready(self) -> None:
        from sla.escalation import register_action
        from sla.selectors import register_ticket_visibility

        # views holds the desk's kept options: imported so every process renews them.
        from worktickets import escalation, reference, selectors, views  # noqa: F401

        # A clock is seen by those who may see its ticket (pages and API alike).
        register_ticket_visibility(selectors.tickets_visible_to)

        register_action(
            "raise_priority", escalation.raise_priority, _("Raise the priority"), many=True
        )
        register_action(
            "move_to_escalation_queue",
            escalation.move_to_escalation_queue,
            _("Move to the escalation queue"),
            many=True,
        )

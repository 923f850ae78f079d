"""The escalation registry: the ladder is data, its actions are registered code.

Upper apps register their actions from `AppConfig.ready()` (worktickets:
"raise_priority", "move_to_escalation_queue"; complaints: "upgrade_complaint"),
the way models register with the admin (DESIGN.md §2). The sweeper calls
them by the names the ladder stores.

An action is `func(clock, level)`; one registered with `many=True` is
`func([(clock, level), ...])` and gets every firing of a sweep batch at once
(the notify actions below do, to keep a batch's query count constant).
Actions run inside the sweep's transaction: whatever they write commits or
rolls back with the escalation record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from csc.lib.phrases import Phrase
from sla.calendars import SHANGHAI
from sla.choices import ClockState, Metric
from staffing.models import OutboxMessage
from staffing.outbox import notification_for, notify_all, outbox_enqueue_many
from staffing.roles import Role

if TYPE_CHECKING:
    from sla.models import Clock, EscalationLevel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EscalationAction:
    name: str
    func: Callable[..., Any]
    label: Any
    many: bool = False


_REGISTRY: dict[str, EscalationAction] = {}


def register_action(
    name: str, func: Callable[..., Any], label: Any = "", *, many: bool = False
) -> None:
    """Make `name` available to the ladder; registering a name again replaces it."""
    _REGISTRY[name] = EscalationAction(name, func, label or name, many)


def unregister_action(name: str) -> None:
    _REGISTRY.pop(name, None)


def get_action(name: str) -> EscalationAction | None:
    return _REGISTRY.get(name)


def action_choices() -> list[tuple[str, str]]:
    return sorted(((a.name, str(a.label)) for a in _REGISTRY.values()), key=lambda c: c[0])


# --- the generic notify actions ----------------------------------------------


def ticket_link(ticket_id: int) -> str:
    return f"/tickets/{ticket_id}/"


def _messages(firings: list[tuple[Clock, EscalationLevel]]) -> list[tuple[Phrase, Phrase]]:
    """Title and body per firing, as message keys and parameters: each recipient
    reads them in their own language."""
    messages = []
    for clock, level in firings:
        ticket = clock.ticket
        values = {
            "number": ticket.number,
            "metric": Metric(clock.metric).label if clock.metric in Metric.values else clock.metric,
            "due": clock.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        }
        if clock.state == ClockState.BREACHED:
            title = Phrase(
                gettext_noop("SLA breached: %(number)s %(metric)s was due %(due)s"), **values
            )
        else:
            title = Phrase(
                gettext_noop("SLA at risk: %(number)s %(metric)s is due %(due)s"), **values
            )
        # Default step names are in the catalogue; a name an administrator typed reads as typed.
        body = Phrase(
            gettext_noop("%(subject)s\nEscalation step: %(level)s"),
            subject=ticket.subject,
            level=Phrase(level.name),
        )
        messages.append((title, body))
    return messages


def _notify(firings: list[tuple[Clock, EscalationLevel]], recipients_of, kind: str) -> None:
    notifications, emails = [], []
    messages = _messages(firings)
    # The texts kept beside the keys, and the emails, are in the centre's language.
    with translation.override(settings.LANGUAGE_CODE):
        for (clock, _level), (title, body) in zip(firings, messages, strict=True):
            key = f"sla:{clock.pk}:{_level.pk}:{kind}"
            link = ticket_link(clock.ticket_id)
            for user in recipients_of(clock):
                if user is None or not user.is_active:
                    continue
                notifications.append(
                    notification_for(
                        user, kind=f"sla_{kind}", title=title, body=body, link=link, dedupe_key=key
                    )
                )
                if user.email:
                    subject = str(title)[:200]
                    emails.append(
                        OutboxMessage(
                            channel=OutboxMessage.Channel.EMAIL,
                            recipient=user.email,
                            subject=subject,
                            body=f"{body}\n\n{link}",
                            dedupe_key=f"{key}:{user.pk}",
                        )
                    )
    notify_all(notifications)
    outbox_enqueue_many(emails)


def notify_assignee(firings: list[tuple[Clock, EscalationLevel]]) -> None:
    _notify(firings, lambda clock: [clock.ticket.assignee], "assignee")


def notify_team_lead(firings: list[tuple[Clock, EscalationLevel]]) -> None:
    _notify(firings, lambda clock: [clock.ticket.team.lead], "team_lead")


def notify_cs_manager(firings: list[tuple[Clock, EscalationLevel]]) -> None:
    managers = list(
        get_user_model().objects.filter(groups__name=Role.CS_MANAGER, is_active=True).distinct()
    )
    _notify(firings, lambda clock: managers, "cs_manager")


def register_builtin_actions() -> None:
    register_action("notify_assignee", notify_assignee, _("Notify the assignee"), many=True)
    register_action("notify_team_lead", notify_team_lead, _("Notify the team lead"), many=True)
    register_action("notify_cs_manager", notify_cs_manager, _("Notify the CS managers"), many=True)

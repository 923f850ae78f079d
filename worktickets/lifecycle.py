"""Higher apps react to a ticket's life without worktickets importing them.

The care app offers a satisfaction survey when a ticket closes and samples
delivered business orders for callbacks. It registers a hook from its
AppConfig.ready() (as sla's escalation registry is filled); the hook runs after
the transaction commits, with the ticket's id and new status, so a rolled-back
close offers nothing and a failing hook cannot undo the close.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

log = logging.getLogger(__name__)

StatusHook = Callable[[int, str], None]

_hooks: dict[str, StatusHook] = {}


def register_status_hook(name: str, hook: StatusHook) -> None:
    """Call `hook(ticket_id, to_status)` after commit whenever a ticket's status changes."""
    _hooks[name] = hook


def _run(hook: StatusHook, ticket_id: int, to_status: str) -> None:
    try:
        hook(ticket_id, to_status)
    except Exception:
        # The status change has committed; a reacting app's failure is its own.
        log.exception("ticket status hook failed for ticket %s", ticket_id)


def status_changed(ticket, to_status: str) -> None:
    for hook in _hooks.values():
        transaction.on_commit(partial(_run, hook, ticket.pk, to_status))

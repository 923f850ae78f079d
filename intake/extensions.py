"""Where apps above intake plug in without intake importing them (DESIGN.md §2: the
sanctioned upward call is a registry filled from AppConfig.ready()).

- Contact hooks: called after a recorded contact commits, with its id (care opens
  a callback for a contact whose disposition is "callback requested").
- Customer panels: extra sections of the customer page and the desk's customer
  panel (care shows privileges, surveys and callbacks). A panel function returns
  the template to include and its context, or None to show nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

log = logging.getLogger(__name__)

ContactHook = Callable[[int], None]
CustomerPanel = Callable[..., "dict | None"]

_contact_hooks: dict[str, ContactHook] = {}
_customer_panels: dict[str, CustomerPanel] = {}


def register_contact_hook(name: str, hook: ContactHook) -> None:
    _contact_hooks[name] = hook


def register_customer_panel(name: str, panel: CustomerPanel) -> None:
    _customer_panels[name] = panel


def _run(hook: ContactHook, contact_id: int) -> None:
    try:
        hook(contact_id)
    except Exception:
        # The contact is recorded; a reacting app's failure is its own.
        log.exception("contact hook failed for contact %s", contact_id)


def contact_recorded(contact) -> None:
    for hook in _contact_hooks.values():
        transaction.on_commit(partial(_run, hook, contact.pk))


def customer_panels(customer, user, *, full: bool = True) -> list[dict]:
    """The registered panels' templates and context for this customer and viewer;
    `full=False` asks for the brief form a busy page (the desk) can afford."""
    panels = []
    for panel in _customer_panels.values():
        shown = panel(customer, user, full=full)
        if shown is not None:
            panels.append(shown)
    return panels

"""Who else has a ticket open: the collision warning before a stale-version refusal.

Every open ticket page tells the cache, every POLL_SECONDS, that its person is
viewing the ticket or replying to it (typing in one of its forms). An entry not
renewed within STALE_SECONDS has left. One cache entry per ticket holds a small
dict; two polls landing together may drop one of them, and that person's next
poll puts them back. Nothing here is a record: presence is not history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staffing.models import User

POLL_SECONDS = 15
STALE_SECONDS = 40


class PresenceState(models.TextChoices):
    VIEWING = "viewing", _("viewing")
    REPLYING = "replying", _("replying")


@dataclass(frozen=True)
class Present:
    user_id: int
    name: str
    state: str

    @property
    def state_label(self) -> str:
        return str(PresenceState(self.state).label)

    @property
    def replying(self) -> bool:
        return self.state == PresenceState.REPLYING


def _key(ticket_id: int) -> str:
    return f"presence:ticket:{ticket_id}"


def presence_mark(ticket_id: int, user: User, state: str) -> list[Present]:
    """Record that this person has the ticket open; returns the others who have it open,
    those replying first."""
    if state not in PresenceState.values:
        state = PresenceState.VIEWING
    now = timezone.now().timestamp()
    entries: dict[int, tuple[str, str, float]] = cache.get(_key(ticket_id)) or {}
    entries = {pk: entry for pk, entry in entries.items() if now - entry[2] < STALE_SECONDS}
    entries[user.pk] = (user.display_name, state, now)
    cache.set(_key(ticket_id), entries, timeout=STALE_SECONDS)
    others = [
        Present(user_id=pk, name=name, state=seen_state)
        for pk, (name, seen_state, _seen_at) in entries.items()
        if pk != user.pk
    ]
    return sorted(others, key=lambda present: (not present.replying, present.name))

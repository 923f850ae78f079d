"""Reference data kept in each process: small tables read on every creation and
changed a few times a year (SLA policies, business calendars, webhook
subscriptions).

Each process keeps what it loaded under a generation token held in the shared
cache (Redis). Any change to those tables sets a new token, at once and again
when its transaction commits, so every process reads them afresh on its next
use; a request pays one cache GET instead of a query and its rows. What a
process keeps is also dropped after `MAX_AGE_SECONDS`, which bounds how long
anything can stay stale while Redis is unreachable or after a change that was
rolled back.

Without a shared cache (the embedded setup, where each process has its own
memory) nothing is kept: every use reads the database.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

GENERATION_KEY = "reference-data:generation"
MAX_AGE_SECONDS = 60
# The token read from the cache is trusted this long in a process: a creation
# reads three kinds of reference data, and a change reaches every process
# within this time (at once in the process that made it).
GENERATION_TRUST_SECONDS = 1.0
_LOCAL_BACKENDS = ("LocMemCache", "DummyCache")

T = TypeVar("T")


def _shared_cache() -> bool:
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(_LOCAL_BACKENDS)


class _Known(threading.local):
    token: str | None = None
    until: float = 0.0


_known = _Known()


def _generation() -> str | None:
    """The current token; None when there is no shared cache to hold one."""
    if not _shared_cache():
        return None
    now = time.monotonic()
    if _known.token is not None and now < _known.until:
        return _known.token
    token = _read_generation()
    _known.token, _known.until = token, now + GENERATION_TRUST_SECONDS
    return token


def _read_generation() -> str | None:
    try:
        token = cache.get(GENERATION_KEY)
        if token is None:
            token = secrets.token_hex(8)
            # add, not set: two processes starting at once agree on one token.
            if not cache.add(GENERATION_KEY, token, timeout=None):
                token = cache.get(GENERATION_KEY)
        return token
    except Exception:
        log.warning("reference data read from the database: the cache is unreachable")
        return None


def _new_generation() -> None:
    _known.token = None
    if not _shared_cache():
        return
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:
        log.warning("reference data changed while the cache is unreachable")


def reference_data_changed(**_signal_kwargs) -> None:
    """Drop every process's copies (connect to post_save/post_delete of the tables)."""
    _new_generation()
    transaction.on_commit(_new_generation)


_every_cache: list[ReferenceCache] = []


def forget_reference_data() -> None:
    """Drop what this process keeps, so the next use reads the database (tests)."""
    _known.token = None
    for kept in _every_cache:
        kept.clear()


class ReferenceCache(Generic[T]):
    """`load()`'s result, kept in this process while the generation stands."""

    def __init__(self, load: Callable[[], T]):
        self.load = load
        self._lock = threading.Lock()
        self._entry: tuple[str, float, T] | None = None
        _every_cache.append(self)

    def get(self) -> T:
        generation = _generation()
        if generation is None:
            return self.load()
        entry = self._entry
        if entry is not None and entry[0] == generation and entry[1] > time.monotonic():
            return entry[2]
        value = self.load()
        with self._lock:
            self._entry = (generation, time.monotonic() + MAX_AGE_SECONDS, value)
        return value

    def clear(self) -> None:
        self._entry = None

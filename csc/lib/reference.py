"""Reference data kept in each process: small tables read on every creation and
changed a few times a year (SLA policies, business calendars, routing rules).

Each `ReferenceCache` names the models its `load()` reads. A save or delete of
one of them, or a change of a many-to-many table among them, gives that cache
alone a new generation token in the shared cache (Redis), at once and again on
commit. A process compares its copy's token with the shared one at most once
every `GENERATION_TRUST_SECONDS`, so a change reaches every process within that
time (at once in the process that made it). A copy older than `MAX_AGE_SECONDS`
is read again whatever happens: that bounds how stale it can be after a change
made while Redis was unreachable, or made with `QuerySet.update()`, which sends
no signal (call the cache's `changed()` after one).

A save whose `update_fields` are all in the cache's `unread_fields` (an agent's
status, set on every call by the telephony system; a sign-in's `last_login`)
leaves the copy alone.

`REFERENCE_CACHE_ENABLED = False` (the default without Redis, where each
process has its own memory) reads the database on every use.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 60
GENERATION_TRUST_SECONDS = 1.0

T = TypeVar("T")

_every_cache: list[ReferenceCache | ReferenceCachePerKey] = []


def forget_reference_data() -> None:
    """Drop what this process keeps, so the next use reads the database (tests)."""
    for kept in _every_cache:
        kept.forget()


class _Generation:
    """A token in the shared cache naming the current generation of some data; this
    process trusts what it read for `GENERATION_TRUST_SECONDS`."""

    __slots__ = ("_token", "key")

    def __init__(self, key: str):
        self.key = key
        self._token: tuple[str | None, float] = (None, 0.0)  # token, trusted until

    def current(self) -> str | None:
        """The shared token; None while the cache is unreachable."""
        token, trusted_until = self._token
        now = time.monotonic()
        if token is not None and now < trusted_until:
            return token
        try:
            # get_or_set adds, never overwrites: processes starting together agree.
            token = cache.get_or_set(self.key, lambda: secrets.token_hex(8), timeout=None)
        except Exception:
            log.warning("%s read from the database: the cache is unreachable", self.key)
            token = None
        self._token = (token, now + GENERATION_TRUST_SECONDS)
        return token

    def renew(self) -> None:
        self._token = (None, 0.0)
        if not settings.REFERENCE_CACHE_ENABLED:
            return
        try:
            cache.set(self.key, secrets.token_hex(8), timeout=None)
        except Exception:
            log.warning("%s changed while the cache is unreachable", self.key)

    def forget(self) -> None:
        self._token = (None, 0.0)


class ReferenceCache(Generic[T]):
    """`load()`'s result, kept in this process while its generation stands."""

    def __init__(
        self,
        name: str,
        load: Callable[[], T],
        *,
        sources: Iterable[type[models.Model]],
        unread_fields: Iterable[str] = (),
    ):
        self.key = f"reference-data:{name}"
        self.load = load
        self.unread_fields = frozenset(unread_fields)
        self._entry: tuple[str, float, T] | None = None  # token, read again after, value
        self._generation = _Generation(self.key)
        _every_cache.append(self)
        for model in sources:
            uid = f"{self.key}:{model._meta.label}"
            if model._meta.auto_created:  # a many-to-many table: no save signals
                m2m_changed.connect(self._m2m_changed, sender=model, dispatch_uid=uid)
            else:
                post_save.connect(self._saved, sender=model, dispatch_uid=uid)
                post_delete.connect(self.changed, sender=model, dispatch_uid=uid)

    def get(self) -> T:
        token = self._generation.current() if settings.REFERENCE_CACHE_ENABLED else None
        if token is None:
            return self.load()
        entry = self._entry
        if entry is not None and entry[0] == token and entry[1] > time.monotonic():
            return entry[2]
        value = self.load()
        self._entry = (token, time.monotonic() + MAX_AGE_SECONDS, value)
        return value

    def changed(self, **_signal_kwargs) -> None:
        """Make every process read the data afresh (at once here, and on commit)."""
        self._generation.renew()
        transaction.on_commit(self._generation.renew)

    def forget(self) -> None:
        self._entry = None
        self._generation.forget()

    def _saved(self, update_fields: frozenset[str] | None = None, **kwargs) -> None:
        if update_fields and update_fields <= self.unread_fields:
            return
        self.changed()

    def _m2m_changed(self, action: str, **kwargs) -> None:
        if action in ("post_add", "post_remove", "post_clear"):
            self.changed()


# Which keys of a ReferenceCachePerKey a saved or deleted row (with the fields saved,
# None for all) changes: their keys, or None for every key.
KeysChanged = Callable[[models.Model, frozenset[str] | None], Iterable[Hashable] | None]


class ReferenceCachePerKey(Generic[T]):
    """Like ReferenceCache, a value per key (a team's agents on shift, say), each with
    a generation of its own beside the whole cache's: a change that concerns one key
    (an agent's presence: their team) leaves the other keys' copies alone.

    `sources` maps each model read to the keys a change of one of its rows concerns
    (None: every key). A many-to-many table is given with its forward model's rule,
    applied to the instance whose relation changed (a change from the other side
    concerns every key). `get` takes the loader and, optionally, whether a kept value
    still serves this use (a value bounded in time, say)."""

    def __init__(self, name: str, *, sources: Mapping[type[models.Model], KeysChanged]):
        self.key = f"reference-data:{name}"
        self._every_key = _Generation(self.key)
        self._generations: dict[Hashable, _Generation] = {}
        self._entries: dict[Hashable, tuple[tuple[str, str], float, T]] = {}
        _every_cache.append(self)
        for model, keys_of in sources.items():
            uid = f"{self.key}:{model._meta.label}"
            forward = model._meta.auto_created  # a many-to-many table: its declaring model
            if isinstance(forward, type):
                m2m_changed.connect(
                    self._m2m_receiver(forward, keys_of), sender=model, dispatch_uid=uid, weak=False
                )
            else:
                post_save.connect(
                    self._save_receiver(keys_of), sender=model, dispatch_uid=uid, weak=False
                )
                post_delete.connect(
                    self._delete_receiver(keys_of), sender=model, dispatch_uid=uid, weak=False
                )

    def get(
        self, key: Hashable, load: Callable[[], T], serves: Callable[[T], bool] | None = None
    ) -> T:
        if not settings.REFERENCE_CACHE_ENABLED:
            return load()
        every, own = self._every_key.current(), self._generation(key).current()
        if every is None or own is None:
            return load()
        token = (every, own)
        entry = self._entries.get(key)
        if (
            entry is not None
            and entry[0] == token
            and entry[1] > time.monotonic()
            and (serves is None or serves(entry[2]))
        ):
            return entry[2]
        value = load()
        self._entries[key] = (token, time.monotonic() + MAX_AGE_SECONDS, value)
        return value

    def changed(self, keys: Iterable[Hashable] | None = None) -> None:
        """Make every process read these keys' values afresh (every key's when None),
        at once here and on commit."""
        generations = [self._every_key] if keys is None else [self._generation(key) for key in keys]
        for generation in generations:
            generation.renew()
            transaction.on_commit(generation.renew)

    def forget(self) -> None:
        self._entries.clear()
        self._every_key.forget()
        for generation in self._generations.values():
            generation.forget()

    def _generation(self, key: Hashable) -> _Generation:
        generation = self._generations.get(key)
        if generation is None:
            generation = self._generations[key] = _Generation(f"{self.key}:{key}")
        return generation

    def _save_receiver(self, keys_of: KeysChanged) -> Callable[..., None]:
        def saved(instance: models.Model, update_fields=None, **kwargs) -> None:
            self.changed(keys_of(instance, update_fields))

        return saved

    def _delete_receiver(self, keys_of: KeysChanged) -> Callable[..., None]:
        def deleted(instance: models.Model, **kwargs) -> None:
            self.changed(keys_of(instance, None))

        return deleted

    def _m2m_receiver(
        self, forward: type[models.Model], keys_of: KeysChanged
    ) -> Callable[..., None]:
        def m2m_changed(instance: models.Model, action: str, **kwargs) -> None:
            if action in ("post_add", "post_remove", "post_clear"):
                self.changed(keys_of(instance, None) if isinstance(instance, forward) else None)

        return m2m_changed

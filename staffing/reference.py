"""Staffing's reference data: the teams by id, read by every ticket's creation and
kept per process (csc.lib.reference), and each API client's service user with the
permissions it holds, read by every API request and kept in Django's cache (Redis).

Whether a key may still be used is never taken from a cache: every request reads
its client's row, which must be active, hold that key and belong to an active
service user, so deactivation, rotation, scopes, rate and expiry apply on the next
request in every process. Only the service user and its permissions come from the
cache entry (`api-client-user:<user id>`), which is deleted, at once and again on
commit, when the user is saved (but for a sign-in) or deleted, when its roles or
direct permissions change, and, for every client, when a role's permissions change
or a role is deleted. Should a delete be missed (Redis unreachable at that moment,
a change made with `QuerySet.update()` or a bulk insert, or a request that read the
user just before the change committed storing it just after), the entry is read
again `API_CLIENT_CACHE_SECONDS` after it was stored, at the latest: that bounds how
long a permission change can take to reach the API. `API_CLIENT_CACHE_SECONDS = 0`
reads the user and its permissions on every request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from redis.exceptions import RedisError

from csc.lib.reference import ReferenceCache
from staffing.models import ApiClient, Team, User

log = logging.getLogger(__name__)

teams_by_id = ReferenceCache("teams", lambda: Team.objects.in_bulk(), sources=[Team])

_usable_clients = ApiClient.objects.filter(is_active=True, service_user__is_active=True)


def _entry_key(user_id: int) -> str:
    return f"api-client-user:{user_id}"


def api_client_for_key(key_hash: str) -> ApiClient | None:
    """The active client whose key has this hash, as its row stands now, with its
    active service user; or None."""
    client = _usable_clients.filter(key_hash=key_hash).first()
    if client is not None:
        client.service_user = _service_user(client.service_user_id)
    return client


def _service_user(pk: int) -> User:
    seconds = settings.API_CLIENT_CACHE_SECONDS
    user = None
    if seconds:
        try:
            user = cache.get(_entry_key(pk))
        except RedisError:
            seconds = 0
    if user is None:
        user = User.objects.get(pk=pk)
        # The auth backend keeps them on the instance, so they are stored with it.
        user.get_all_permissions()
        if seconds:
            try:
                cache.set(_entry_key(pk), user, seconds)
            except RedisError:
                log.warning("API client's user not kept: the cache is unreachable")
    return user


def forget_service_users(user_ids: Iterable[int] | None = None) -> None:
    """Delete these users' entries (every client's when None), at once and on commit."""
    if user_ids is None:
        user_ids = ApiClient.objects.values_list("service_user_id", flat=True)
    keys = [_entry_key(pk) for pk in user_ids]

    def delete() -> None:
        try:
            cache.delete_many(keys)
        except RedisError:
            log.warning("API clients' users not forgotten: the cache is unreachable")

    if keys:
        delete()
        transaction.on_commit(delete)


def _user_changed(sender, instance: User, update_fields=None, **kwargs) -> None:
    if update_fields and update_fields <= {"last_login"}:
        return
    forget_service_users([instance.pk])


def _grants_changed(sender, instance, action: str, pk_set=None, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, User):
        forget_service_users([instance.pk])  # a person's roles or own permissions
    elif sender is User.groups.through or sender is User.user_permissions.through:
        forget_service_users(pk_set)  # the people added to or removed from a role or grant
    else:
        forget_service_users()  # a role's permissions: whoever holds it


def _role_deleted(sender, **kwargs) -> None:
    # It takes its members' permissions without an m2m signal.
    forget_service_users()


def connect_signals() -> None:
    post_save.connect(_user_changed, sender=User, dispatch_uid="api-client-user-saved")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="api-client-user-deleted")
    post_delete.connect(_role_deleted, sender=Group, dispatch_uid="api-client-role-deleted")
    for through in (User.user_permissions.through, User.groups.through, Group.permissions.through):
        m2m_changed.connect(_grants_changed, sender=through, dispatch_uid=f"api-client-{through}")

"""Staffing's reference data kept per process (csc.lib.reference): the active
API clients by key hash, read by every API request, and the teams by id, read
by every ticket's creation. Both change rarely; any save of a client, a team
or a user (but a sign-in), and any change of a user's or a role's permissions,
renews every process's copy within a second.

Whether a key may still be used is never taken from a kept copy: a change made
while Redis was unreachable does not renew the copies, so `api_client_for_key`
confirms every request's client against its row (one read by primary key).
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save

from csc.lib.reference import ReferenceCache, reference_data_changed
from staffing.models import Agent, ApiClient, Team, User


def _load_api_clients() -> dict[str, ApiClient]:
    clients = ApiClient.objects.select_related("service_user").filter(
        is_active=True, service_user__is_active=True
    )
    return {client.key_hash: client for client in clients}


active_api_clients = ReferenceCache(_load_api_clients)
# The client's row as it is now, if it and its service user are active.
_usable_clients = ApiClient.objects.filter(is_active=True, service_user__is_active=True)


def api_client_for_key(key_hash: str) -> ApiClient | None:
    """The active client whose key has this hash, as its row stands now, or None.

    The kept copy only says which client and service user (with its cached
    permissions) the hash belongs to; the row read here decides whether the key
    is still active, its scopes, rate and expiry. A key the copy does not know
    (a client created moments ago) is looked up in the database.
    """
    kept = active_api_clients.get().get(key_hash)
    if kept is None:
        return _usable_clients.select_related("service_user").filter(key_hash=key_hash).first()
    current = _usable_clients.filter(pk=kept.pk).first()
    if current is None or current.key_hash != key_hash:
        return None  # deactivated, its service user deactivated, or its key rotated
    current.service_user = kept.service_user
    return current


teams_by_id = ReferenceCache(lambda: Team.objects.in_bulk())


def _user_saved(sender, instance: User, update_fields=None, **kwargs) -> None:
    # A sign-in saves last_login only: no reason to drop anything.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    reference_data_changed()


def _permissions_changed(sender, action: str, **kwargs) -> None:
    # A service user's permissions are cached with the user kept here.
    if action in ("post_add", "post_remove", "post_clear"):
        reference_data_changed()


def connect_signals() -> None:
    for through in (User.user_permissions.through, User.groups.through, Group.permissions.through):
        m2m_changed.connect(_permissions_changed, sender=through, dispatch_uid=f"ref-{through}")
    # A role deleted drops its members' permissions without an m2m signal; an
    # agent moved to another team changes who the desk offers for transfers.
    for model in (Team, ApiClient, Group, Agent):
        post_save.connect(reference_data_changed, sender=model, dispatch_uid=f"ref-{model}")
        post_delete.connect(reference_data_changed, sender=model, dispatch_uid=f"ref-{model}")
    post_save.connect(_user_saved, sender=User, dispatch_uid="ref-user")
    post_delete.connect(reference_data_changed, sender=User, dispatch_uid="ref-user")

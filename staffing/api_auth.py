"""How the API knows who calls and what they may do (DESIGN.md §3).

Integrations send `Authorization: Token <key>`; the key's SHA-256 finds their
ApiClient and its service user. Each viewset names the resource it serves
(`scope_resource = "customers"`); a client needs `<resource>:read` for safe
methods and `<resource>:write` for the rest. Browser sessions are checked
against the user's Django permissions instead (`required_perms`).
"""

import datetime
import logging

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_redis import get_redis_connection
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from redis.exceptions import RedisError
from rest_framework import authentication, exceptions, permissions, throttling

from staffing.models import ApiClient, hash_api_key
from staffing.reference import api_client_for_key

# Every resource a scope may name; `create_api_client` refuses others.
SCOPE_RESOURCES: tuple[str, ...] = (
    "customers",
    "contacts",
    "tickets",
    "problems",
    "complaints",
    "knowledge",
    "quality",
    "sla",
    "surveys",
    "staffing",
    "metrics",
    "webhooks",
)
SCOPE_ACCESS = ("read", "write")
ALL_SCOPES: tuple[str, ...] = tuple(f"{r}:{a}" for r in SCOPE_RESOURCES for a in SCOPE_ACCESS)

log = logging.getLogger(__name__)

# last_used_at is written at most this often per client, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(seconds=60)


class ApiClientTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from None
        # Confirmed against the database on every request: a revoked key, a
        # deactivated client or an expired key stops working at once everywhere,
        # whatever any process keeps (staffing.reference).
        client = api_client_for_key(hash_api_key(key))
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or inactive API key."))
        now = timezone.now()
        if client.has_expired(now):
            raise exceptions.AuthenticationFailed(
                _("This API key expired at %(moment)s; ask for a new one.")
                % {"moment": client.expiry_moment}
            )
        _note_use(client, now)
        return client.service_user, client

    def authenticate_header(self, request) -> str:
        return self.keyword


def _note_use(client: ApiClient, now: datetime.datetime) -> None:
    """Record when the key was last used, at most once a minute whichever process
    serves it (the condition is in the UPDATE), not on every request."""
    if client.last_used_at is not None and client.last_used_at > now - LAST_USED_RESOLUTION:
        return
    ApiClient.objects.filter(pk=client.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    client.last_used_at = now


def api_client_of(request) -> ApiClient | None:
    return request.auth if isinstance(request.auth, ApiClient) else None


def required_scope(view, request) -> str | None:
    resource = getattr(view, "scope_resource", None)
    if resource is None:
        return None
    access = "read" if request.method in permissions.SAFE_METHODS else "write"
    return f"{resource}:{access}"


class HasResourceScope(permissions.BasePermission):
    """API clients need the view's scope; signed-in users need its permissions.

    A view declares `scope_resource` and, for session users,
    `required_perms = {"read": [...], "write": [...]}`.
    """

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        client = api_client_of(request)
        if client is not None:
            scope = required_scope(view, request)
            if scope is None or not client.has_scope(scope):
                self.message = _("This API client lacks the scope %(scope)s.") % {
                    "scope": scope or "?"
                }
                return False
            return True
        access = "read" if request.method in permissions.SAFE_METHODS else "write"
        perms = getattr(view, "required_perms", {}).get(access)
        if perms is None:
            return False
        return request.user.has_perms(perms)


def count_in_window(counter: str, seconds: int) -> int:
    """Add one to a fixed window's counter in the default cache and return it (the API
    rate limit, the customer-search limit). Redis errors reach the caller."""
    try:
        redis = get_redis_connection()
    except NotImplementedError:  # the embedded setup: the process's own cache
        for _attempt in (1, 2):
            cache.add(counter, 0, timeout=seconds + 1)
            try:
                return cache.incr(counter)
            except ValueError:
                continue  # the window's counter expired between the two calls
        return 1
    # One command per call; the window's first call gives its counter an end. (A
    # counter left without one by a worker dying in between only holds a little
    # memory: the next window has its own.)
    key = cache.make_and_validate_key(counter)
    count = redis.incr(key)
    if count == 1:
        redis.expire(key, seconds + 1)
    return count


class ApiClientRateThrottle(throttling.SimpleRateThrottle):
    """One bucket per API client (rate from the client, else the default);
    browser sessions are throttled per user at the same default rate."""

    scope = "api_client"

    def allow_request(self, request, view):
        client = api_client_of(request)
        rate = client.rate if client is not None and client.rate else self.rate
        if rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(rate)
        # Fixed windows: one counter per caller and window, raised atomically in
        # Redis. (DRF's own throttle keeps every request's time in one list and
        # rewrites it on each request: at 600/min, 600 timestamps per request.)
        window = int(self.timer() // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        counter = f"{self.get_cache_key(request, view)}:{window}"
        try:
            return self._count(counter) <= self.num_requests
        except RedisError:
            # The counters live in Redis; while it is unreachable the API keeps
            # serving (unthrottled) rather than failing every request.
            log.warning("rate limit not checked: the cache is unreachable")
            return True

    def _count(self, counter: str) -> int:
        """This request's number in the window."""
        return count_in_window(counter, self.duration)

    def wait(self) -> float:
        return max(0.0, self.window_ends_at - self.timer())

    def get_cache_key(self, request, view):
        client = api_client_of(request)
        if client is not None:
            ident = f"client-{client.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiClientTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token in the OpenAPI schema; defined here so it is
    registered whenever the authentication class is loaded."""

    target_class = ApiClientTokenAuthentication
    name = "ApiClientToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` as printed by `manage.py create_api_client`.",
        }

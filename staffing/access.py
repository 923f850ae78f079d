"""Permission checks for browser views, shared by every app's views.py."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def _guard(allowed: Callable) -> Callable:
    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(checked)

    return decorator


def permission(*perms: str):
    """Signed-out users go to the login page; signed-in users lacking any of `perms` get 403."""
    return _guard(lambda user: user.has_perms(perms))


def any_permission(*perms: str):
    """Like `permission`, but one of `perms` is enough."""
    return _guard(lambda user: any(user.has_perm(perm) for perm in perms))

"""Middleware of the project shell."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect


def htmx_sign_in_redirect(get_response: Callable[[HttpRequest], HttpResponse]):
    """Send the whole page, not an htmx fragment, to the sign-in page.

    When a session ends under a polling board or a half-filled action, the
    fragment's request is redirected to sign in; htmx would follow it and
    swap the sign-in form into the page. The browser navigates there instead,
    and comes back to the page it was on.
    """
    login_path = None

    def middleware(request: HttpRequest) -> HttpResponse:
        nonlocal login_path
        response = get_response(request)
        if response.status_code != 302 or not getattr(request, "htmx", False):
            return response
        login_path = login_path or resolve_url(settings.LOGIN_URL)
        if response["Location"].split("?", 1)[0] != login_path:
            return response
        back_to = request.htmx.current_url_abs_path or "/"
        return HttpResponseClientRedirect(
            f"{login_path}?{urlencode({REDIRECT_FIELD_NAME: back_to})}"
        )

    return middleware

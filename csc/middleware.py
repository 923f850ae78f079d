"""Middleware of the project shell."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render, resolve_url
from django.template.loader import render_to_string
from django.urls import get_resolver
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from csc.lib.untrusted import first_unstorable_field, unstorable_message


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


# Where an htmx refusal that is not the product's own fragment is shown: a banner
# above the page's content (templates/base.html), leaving the form and its text alone.
HTMX_ERROR_TARGET = "#htmx-error"


def _htmx_error_message(status: int) -> str:
    if status == 400:
        return _(
            "The request could not be read. What you typed is still here: check it and try again."
        )
    if status == 403:
        return _(
            "This action was not allowed: your role may not include it, or the page is out of "
            "date (after signing in again, for example). Copy what you typed, reload the page "
            "and try again; if it is still refused, ask your team lead."
        )
    if status == 404:
        return _(
            "What you acted on is no longer there, or no longer visible to you. "
            "Reload the page to see its current state."
        )
    return _("Something went wrong on our side. What you typed is still here: try again.")


def _is_whole_document(response: HttpResponse) -> bool:
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return False
    start = response.content[:200].lstrip().lower()
    return start.startswith((b"<!doctype", b"<html"))


def htmx_errors_as_banner(get_response: Callable[[HttpRequest], HttpResponse]):
    """An htmx action that fails never swaps a whole page into the desk.

    Views answer their refusals with the fragment they belong in (the form with its
    errors). Anything else that ends an htmx request in an error arrives as a whole
    document: the product's 403/404/500 pages, and with DEBUG on Django's technical
    pages for Http404, BadRequest, a CSRF failure or a crash. Those are replaced by a
    short message put in the page's error banner, so the page and the form being
    filled in stay as they were.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (
            response.status_code < 400
            or not getattr(request, "htmx", False)
            or request.path.startswith("/api/")
            or not _is_whole_document(response)
        ):
            return response
        # Rendered without the request's context processors: after a crash they
        # could fail again.
        banner = HttpResponse(
            render_to_string(
                "partials/htmx_error.html", {"message": _htmx_error_message(response.status_code)}
            ),
            status=response.status_code,
        )
        for header in ("Retry-After", "Allow"):
            if header in response:
                banner[header] = response[header]
        return reswap(retarget(banner, HTMX_ERROR_TARGET), "innerHTML")

    return middleware


def refuse_unstorable_text(get_response: Callable[[HttpRequest], HttpResponse]):
    """Answer 400 to a query string, form body or header holding NUL or a lone surrogate.

    PostgreSQL cannot store NUL (a search for `?q=%00` ended in a 500), and a
    lone surrogate cannot be encoded at all. Every page and API operation gets
    the same check here instead of each field and filter on its own. JSON
    bodies are checked by the API's parser; multipart bodies are left to
    their forms (reading them here would parse uploads before the view can
    limit them, and Django's text fields refuse NUL themselves).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        pairs = [(name, value) for name, values in request.GET.lists() for value in values]
        if request.content_type == "application/x-www-form-urlencoded":
            pairs += [(name, value) for name, values in request.POST.lists() for value in values]
        # Headers are input too (an Idempotency-Key is stored).
        field_name = first_unstorable_field([*pairs, *request.headers.items()])
        if field_name is None:
            return get_response(request)
        message = unstorable_message(field_name)
        if request.path.startswith("/api/"):
            body = {"detail": message, "code": "unstorable_character"}
            if field_name:
                body[field_name] = [message]
            return JsonResponse(body, status=400)
        if getattr(request, "htmx", False):
            # Shown above the form, which keeps what was typed.
            banner = render(request, "partials/htmx_error.html", {"message": message}, status=400)
            return reswap(retarget(banner, HTMX_ERROR_TARGET), "innerHTML")
        return render(request, "400.html", {"message": message}, status=400)

    return middleware


def no_store_when_signed_in(get_response: Callable[[HttpRequest], HttpResponse]):
    """Nothing shown to a signed-in person or an API client is kept by a browser or
    proxy (Cache-Control: no-store): pages and answers may hold full numbers,
    names and addresses, and a shared workstation's back button or disk cache
    must not show them to the next person. (DRF puts an API client's user on
    the request, so token requests are covered too.)"""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response

    return middleware


class ProductNotFoundPage:
    """A view's "not found" answers with the product's 404 page in every mode.

    With DEBUG on, Django answers an Http404 raised by a view with its technical page
    (the URL patterns, the settings module): a record a person may not open (another
    group's complaint) showed a developer's page instead of the product's. The
    project's own handler answers here as it does with DEBUG off (JSON under /api/).
    A path no route takes is left to Django, so developers still see the patterns.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not settings.DEBUG or not isinstance(exception, Http404):
            return None
        handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(404)
        return handler(request, exception=exception)

"""API-wide behaviour: error mapping (DESIGN.md §3: 400 / 409, never 500).

The bodies written here are the ones the schema documents (staffing/api_schema.py):
`Error` ({"detail", "code", details...}) and `FieldErrors` ({field: [messages]}).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from csc.lib.errors import DomainError, TooManyRequests, http_status


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        # 400, 403, 409 or 429 by the kind of refusal, as the pages answer it.
        body = {"detail": exc.message, "code": exc.code, **exc.details}
        headers = None
        if isinstance(exc, TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after)}
        return Response(body, status=http_status(exc), headers=headers)
    if isinstance(exc, DjangoValidationError):
        return Response(as_serializer_error(exc), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def _api_not_found() -> JsonResponse:
    body = {"detail": str(exceptions.NotFound.default_detail), "code": "not_found"}
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)


def not_found(request, exception):
    """URLs under /api/ that match no route (`/api/v1/customers/abc/`) answer JSON
    like every other API error; pages keep the HTML 404."""
    if request.path.startswith("/api/"):
        return _api_not_found()
    return defaults.page_not_found(request, exception)


@csrf_exempt  # it changes nothing; a POST to a mistyped path gets the 404, not a CSRF page
def unknown_api_path(request, *args, **kwargs):
    """The last route under /api/: a path no endpoint takes answers JSON 404 with DEBUG
    on too, where Django would otherwise serve its technical HTML page."""
    return _api_not_found()


def bad_request(request, exception):
    """A request Django refuses before any view reads it (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields) answers JSON under /api/."""
    if request.path.startswith("/api/"):
        body = {"detail": _("The request is too large or malformed."), "code": "bad_request"}
        return JsonResponse(body, status=status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception)

"""API-wide behaviour: error mapping (DESIGN.md §3: 400 / 409, never 500)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from csc.lib.errors import DomainError, TooManyRequests, http_status
from staffing.api_idempotency import IdempotentCreateMixin


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


# --- the error responses every operation documents ---------------------------------------

FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": True,
    "description": 'Each field with its messages, e.g. {"phone": ["Enter a mainland mobile '
    'number …"]}; or "detail" and "code" for a refused business rule.',
}
DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}


class AutoSchema(openapi.AutoSchema):
    """The schema of every operation lists the errors it can answer (DESIGN.md §3):
    400 bad input (any operation), 401/403 auth, 404, 409 conflicts, 422 a reused Idempotency-Key,
    429 throttled. Responses a view documents itself are kept as they are."""

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        errors = {
            "401": OpenApiResponse(DETAIL, "Not signed in, or a bad API key."),
            "403": OpenApiResponse(DETAIL, "A missing scope or permission."),
            # Detail paths name an object; lists answer 404 to a stale page or cursor.
            "404": OpenApiResponse(DETAIL, "No such object, or not yours to see."),
            "429": OpenApiResponse(DETAIL, "Too many requests for this client."),
        }
        # Any operation's query string is input too: one holding NUL or a lone
        # surrogate is refused (csc.middleware.refuse_unstorable_text).
        errors["400"] = OpenApiResponse(FIELD_ERRORS, "Bad input.")
        if writes:
            errors["415"] = OpenApiResponse(
                DETAIL, "A body in a media type this operation does not read."
            )
            errors["409"] = OpenApiResponse(
                DETAIL, "A stale version or a move the object's state does not allow."
            )
        if self._is_create_operation() and isinstance(self.view, IdempotentCreateMixin):
            errors["422"] = OpenApiResponse(
                DETAIL, "This Idempotency-Key was already used with a different body."
            )
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, error in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return dict(sorted(responses.items()))


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

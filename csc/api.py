"""API-wide behaviour: error mapping (DESIGN.md §3: 400 / 409, never 500)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed, StaleVersion


def exception_handler(exc, context):
    if isinstance(exc, (IllegalTransition, StaleVersion)):
        body = {"detail": exc.message, "code": exc.code, **exc.details}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotAllowed):
        body = {"detail": exc.message, "code": exc.code, **exc.details}
        return Response(body, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code, **exc.details}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        return Response(as_serializer_error(exc), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)

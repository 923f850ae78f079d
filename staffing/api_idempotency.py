"""Idempotent creates for the API (DESIGN.md §3).

A POST that creates accepts an `Idempotency-Key` header. The first request
with a key stores its response in the same transaction as the object it
creates; a replay with the same key and the same body gets that response back
(with `Idempotent-Replayed: true`) and creates nothing; the same key with a
different body is refused with 422. A concurrent duplicate waits on the key's
unique index and then replays the first one's response.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from staffing.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def _request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


class _NotStored(Exception):
    def __init__(self, response: Response):
        self.response = response


class IdempotentCreateMixin:
    def create(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return super().create(request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError(
                {HEADER: [_("At most %(n)d characters.") % {"n": MAX_KEY_LENGTH}]}
            )
        digest = _request_hash(request)
        lookup = {"owner": request.user, "endpoint": request.path, "key": key}
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(**lookup, request_hash=digest)
                response = super().create(request, *args, **kwargs)
                if not 200 <= response.status_code < 300:
                    # Failures are not remembered: the client may fix the body and retry.
                    raise _NotStored(response)
                record.response_status = response.status_code
                record.response_body = json.loads(JSONRenderer().render(response.data))
                record.save(update_fields=["response_status", "response_body"])
                return response
        except _NotStored as not_stored:
            return not_stored.response
        except IntegrityError:
            record = IdempotentRequest.objects.filter(**lookup).first()
            if record is None:
                raise
        if record.request_hash != digest:
            return Response(
                {
                    "detail": _(
                        "This Idempotency-Key was already used with a different request body."
                    ),
                    "code": "idempotency_key_reused",
                },
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(
            record.response_body,
            status=record.response_status,
            headers={"Idempotent-Replayed": "true"},
        )

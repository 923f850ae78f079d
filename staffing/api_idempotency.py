"""Idempotent creates for the API (DESIGN.md §3).

A POST that creates accepts an `Idempotency-Key` header. The first request
with a key records, in the same transaction as the object it creates, a keyed
hash of its body and the created object's id and status; a replay with the
same key and the same body gets the create's answer for that object (with
`Idempotent-Replayed: true`) and creates nothing; the same key with a
different body is refused with 422. A concurrent duplicate waits on the key's
unique index and then replays the first one.

No response body is stored: a replay renders the object afresh for the caller
as they are now, so numbers come masked to a caller who has lost the right to
see them in full, and a full view is recorded like any other. The body's hash
is keyed (HMAC with the SECRET_KEY): a bare hash of a body whose other fields
are known would give a masked phone or ID number away by brute force.
"""

import hashlib
import json

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from staffing.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def _request_text(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    return f"{request.method} {request.path}\n{body}"


def _request_hash(request) -> str:
    return salted_hmac(
        "staffing.api_idempotency", _request_text(request), algorithm="sha256"
    ).hexdigest()


def _same_request(record: IdempotentRequest, request, digest: str) -> bool:
    if constant_time_compare(record.request_hash, digest):
        return True
    # Rows stored before hashes were keyed hold a bare SHA-256; they are purged
    # with the other old rows, after which this never matches.
    legacy = hashlib.sha256(_request_text(request).encode()).hexdigest()
    return constant_time_compare(record.request_hash, legacy)


class _NotStored(Exception):
    def __init__(self, response: Response):
        self.response = response


class IdempotentCreateMixin:
    """For a viewset whose create answers with the created object's "id" and which
    defines `replay_created(object_id) -> Response`: the create's answer for that
    object, rendered for the caller as they are now (ObjectDoesNotExist gives a 404)."""

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
                record.object_id = response.data["id"]
                record.save(update_fields=["response_status", "object_id"])
                return response
        except _NotStored as not_stored:
            return not_stored.response
        except IntegrityError:
            record = IdempotentRequest.objects.filter(**lookup).first()
            if record is None:
                raise
        if not _same_request(record, request, digest):
            return Response(
                {
                    "detail": _(
                        "This Idempotency-Key was already used with a different request body."
                    ),
                    "code": "idempotency_key_reused",
                },
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return self._replay(record)

    def _replay(self, record: IdempotentRequest) -> Response:
        try:
            if record.object_id is None:
                raise ObjectDoesNotExist  # an old row whose stored answer named no id
            response = self.replay_created(record.object_id)
        except ObjectDoesNotExist:
            raise NotFound(
                _("The object this Idempotency-Key created can no longer be shown.")
            ) from None
        response.status_code = record.response_status
        response["Idempotent-Replayed"] = "true"
        return response

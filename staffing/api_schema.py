"""How the OpenAPI schema documents every operation of the API (DESIGN.md §3).

Each app keeps the words for its operations beside its code, in `<app>/api_docs.py`:
a summary, a description, the errors particular to the operation and when they
happen, and request and response examples, put together by `operation()`.

`AutoSchema` adds to every operation what follows from the code, so it cannot drift
from it: the scope an API key needs (`scope_resource` of the view, read or write by
the method), and the errors every operation of its kind answers: 400 for a query
string or header the API cannot store, 401, 403 and 429 everywhere, 404 on a path
naming an object or on a paged list, 415 on a body, 404 and 422 on creates that take
an `Idempotency-Key`. It then lists every error of the operation, and the scope, in
its description.

The error bodies are the shapes `csc.api.exception_handler` writes: `Error` (a
refusal, with `detail`, usually a `code`, and the details of a business rule) and
`FieldErrors` (each refused field with its messages). A 400 is either.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import permissions, serializers
from rest_framework.pagination import CursorPagination

from staffing.api_idempotency import HEADER as IDEMPOTENCY_HEADER
from staffing.api_idempotency import IdempotentCreateMixin

Text = str | Promise

# ---------------------------------------------------------------- error bodies


class ErrorSerializer(serializers.Serializer):
    """A refusal. Refused business rules add a `code` and their details: `current_version`
    (stale_version), `status` and `allowed` (illegal_transition), or the refused field
    with its messages."""

    detail = serializers.CharField(
        help_text=_("What went wrong, in the language of Accept-Language (Chinese by default).")
    )
    code = serializers.CharField(
        required=False,
        help_text=_(
            "A stable code for programs: stale_version, illegal_transition, not_allowed, "
            "too_many_searches, idempotency_key_reused, unstorable_character, not_found, or "
            "the business rule refused. Absent on refusals of authentication, permission, "
            "media type and rate."
        ),
    )


class FieldErrorsSerializer(serializers.Serializer):
    """Bad input: each refused field with its messages (schema in FieldErrorsSchema)."""


class FieldErrorsSchema(OpenApiSerializerExtension):
    """An object whose keys are the request's field names: the shape DRF gives a
    serializer's errors, which no serializer field can describe."""

    target_class = FieldErrorsSerializer

    def map_serializer(self, auto_schema, direction) -> dict:
        messages = {"type": "array", "items": {"type": "string"}}
        return {
            "type": "object",
            "description": _(
                "Each refused field with its messages. A list or object field has its "
                "messages by position or key; errors of no one field are under "
                "non_field_errors."
            ),
            "properties": {"non_field_errors": messages},
            "additionalProperties": {
                "oneOf": [messages, {"type": "object", "additionalProperties": messages}]
            },
        }


BAD_REQUEST = PolymorphicProxySerializer(
    component_name="BadRequest",
    serializers=[FieldErrorsSerializer, ErrorSerializer],
    resource_type_field_name=None,
)


# ---------------------------------------------------------------- building operations


@dataclass(frozen=True)
class Refusal:
    """When an operation answers an error status, with examples of its body."""

    when: Text
    examples: tuple[OpenApiExample, ...] = ()


def refusal(when: Text, *examples: OpenApiExample) -> Refusal:
    return Refusal(when, examples)


def joined(own: dict[int, Refusal], shared: dict[int, Refusal]) -> dict[int, Refusal]:
    """An operation's own refusals and those it shares with its kind (the actions of a
    viewset): its own reasons first."""
    refusals = dict(own)
    for code, common in shared.items():
        mine = own.get(code)
        refusals[code] = common
        if mine is not None:
            when = format_lazy("{} {}", mine.when, common.when)
            refusals[code] = Refusal(when, mine.examples + common.examples)
    return refusals


def error_body(name: str, summary: Text, value: dict) -> OpenApiExample:
    """An example error body; it belongs to the status of the refusal it is given to."""
    return OpenApiExample(name, value=value, summary=summary)


def request_body(name: str, summary: Text, value: Any, media_type: str | None = None):
    return OpenApiExample(
        name, value=value, summary=summary, request_only=True, media_type=media_type
    )


def response_body(name: str, summary: Text, value: Any, status: int = 200) -> OpenApiExample:
    """A success body. A list operation's example is one row: the schema puts it in a page."""
    return OpenApiExample(
        name, value=value, summary=summary, response_only=True, status_codes=[status]
    )


def error_response(code: int, refused: Refusal) -> OpenApiResponse:
    body = BAD_REQUEST if code == 400 else ErrorSerializer
    return OpenApiResponse(body, description=refused.when, examples=list(refused.examples))


def operation(
    *,
    summary: Text,
    description: Text,
    responses: dict[int, Any],
    errors: dict[int, Refusal] | None = None,
    examples: Sequence[OpenApiExample] = (),
    **more: Any,
) -> Callable:
    """One operation's extend_schema: its success responses, the errors particular to it
    (the general ones come from AutoSchema) and its examples."""
    documented = dict(responses)
    for code, refused in (errors or {}).items():
        documented[code] = error_response(code, refused)
    return extend_schema(
        summary=summary,
        description=description,
        responses=documented,
        examples=list(examples),
        **more,
    )


def viewset_actions(
    actions: dict[str, dict],
    *,
    prefix: str,
    shared: dict[int, Refusal],
    after: Callable[..., dict],
    result_summary: Text,
) -> Callable:
    """The documentation of a viewset's actions made in a loop (tickets', complaints'): a
    function of the action's name, input serializer and output serializer.

    Each action has a summary, a description, its own errors and an example
    (payload, object before, timeline line, changed fields); `after` turns the last
    three into the example answer. `shared` are the errors every action answers."""

    def action_operation(name: str, *, request, response) -> Callable:
        action = actions[name]
        payload, before, line, changes = action["example"]
        return operation(
            operation_id=f"{prefix}_{name}",
            summary=action["summary"],
            description=action["description"],
            request=request,
            responses={200: response},
            errors=joined(action.get("errors", {}), shared),
            examples=[
                request_body(name, action["summary"], payload),
                response_body(name, result_summary, after(before, line, **changes)),
            ],
        )

    return action_operation


NO_VERSION = refusal(
    _("No `version`, or a field refused."),
    OpenApiExample(
        "NoVersion", value={"version": ["该字段是必填项。"]}, summary=_("No version sent")
    ),
)


# ---------------------------------------------------------------- what every operation answers

UNSTORABLE = error_body(
    "UnstorableCharacter",
    _("A NUL in the query string"),
    {
        "detail": "“q”中含有空字符（NUL）或不成对的代理字符，请删除后重新提交。",
        "code": "unstorable_character",
        "q": ["“q”中含有空字符（NUL）或不成对的代理字符，请删除后重新提交。"],
    },
)
BAD_JSON = error_body(
    "MalformedJson",
    _("A body that is not JSON"),
    {"detail": "JSON parse error - Expecting value: line 1 column 10 (char 9)"},
)
NO_CREDENTIALS = error_body(
    "NoCredentials", _("No Authorization header"), {"detail": "身份认证信息未提供。"}
)
BAD_KEY = error_body(
    "BadApiKey", _("An unknown or deactivated key"), {"detail": "API 密钥无效或已停用。"}
)
NOT_FOUND = error_body("NotFound", _("No such object"), {"detail": "未找到。"})
BAD_CURSOR = error_body("InvalidCursor", _("A cursor that was not issued"), {"detail": "无效游标"})
GONE_AFTER_REPLAY = error_body(
    "ReplayedObjectGone",
    _("The key's object was deleted"),
    {"detail": "该 Idempotency-Key 创建的对象已无法显示。"},
)
UNSUPPORTED_MEDIA = error_body(
    "UnsupportedMediaType",
    _("A text/plain body"),
    {"detail": "不支持请求中的媒体类型 “text/plain”。"},
)
KEY_REUSED = error_body(
    "IdempotencyKeyReused",
    _("The same key with another body"),
    {"detail": "此 Idempotency-Key 已用于另一个不同的请求体。", "code": "idempotency_key_reused"},
)
THROTTLED = error_body(
    "Throttled", _("Over the client's rate"), {"detail": "请求已被限流。 预计 42 秒后可用。"}
)

RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    location=OpenApiParameter.HEADER,
    response=[429],
    description=_("Seconds to wait before trying again."),
)
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Up to 200 characters you choose, e.g. a UUID. A retry with the same key and the "
        "same body answers with the object the first request created, creating nothing; "
        "the same key with another body is refused with 422. Keys are kept 72 hours (the "
        "default retention)."
    ),
)
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    str,
    location=OpenApiParameter.HEADER,
    response=[201],
    description=_("`true` when this answer replays an earlier request with the same key."),
)


class AutoSchema(openapi.AutoSchema):
    """Adds the scope and the general errors to every operation (module docstring)."""

    def get_override_parameters(self) -> list:
        parameters = [*super().get_override_parameters(), RETRY_AFTER]
        if self._takes_idempotency_key():
            parameters += [IDEMPOTENCY_KEY, REPLAYED]
        return parameters

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            operation["description"] = self._with_scope_and_errors(operation)
        return operation

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, general in self._general_errors().items():
            shown = self._get_response_for_code(general, code, direction=direction)
            declared = responses.get(code)
            if declared is None:
                responses[code] = shown
                continue
            # The operation's own reasons first, then those of every operation.
            declared["description"] = f"{declared['description']} {shown['description']}"
            for media_type, content in shown.get("content", {}).items():
                into = declared.setdefault("content", {}).setdefault(media_type, content)
                into["examples"] = {**into.get("examples", {}), **content.get("examples", {})}
        self._link_example_pages(responses)
        return dict(sorted(responses.items()))

    def _link_example_pages(self, responses: dict) -> None:
        """A list's example is put in a page whose links DRF takes from its own docs
        (api.example.org/accounts/); link it to this operation's path instead."""
        paginator = self._get_paginator()
        if paginator is None:
            return
        query = "cursor=cD0xMDI0" if isinstance(paginator, CursorPagination) else "page=2"
        link = f"https://csc.example.com{self.path.replace('{id}', '12')}?{query}"
        for code, response in responses.items():
            for content in response.get("content", {}).values() if code < "300" else ():
                for example in content.get("examples", {}).values():
                    page = example.get("value")
                    if isinstance(page, dict) and {"next", "previous", "results"} <= set(page):
                        example["value"] = {**page, "next": link, "previous": None}

    # ------------------------------------------------------------ from the code

    def _scope(self) -> str | None:
        resource = getattr(self.view, "scope_resource", None)
        if resource is None:
            return None
        access = "read" if self.method in permissions.SAFE_METHODS else "write"
        return f"{resource}:{access}"

    def _takes_idempotency_key(self) -> bool:
        return self._is_create_operation() and isinstance(self.view, IdempotentCreateMixin)

    def _has_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None

    def _general_errors(self) -> dict[str, OpenApiResponse]:
        scope = self._scope() or "?"
        errors = {
            "400": OpenApiResponse(
                BAD_REQUEST,
                _("A query parameter or header holding NUL or a lone surrogate."),
                [UNSTORABLE],
            ),
            "401": OpenApiResponse(
                ErrorSerializer,
                _("No credentials, or an API key that is unknown, deactivated or expired."),
                [NO_CREDENTIALS, BAD_KEY],
            ),
            "403": OpenApiResponse(
                ErrorSerializer,
                _(
                    "The API key lacks the scope `%(scope)s` (a signed-in user: the "
                    "permission for this operation)."
                )
                % {"scope": scope},
                [
                    error_body(
                        "MissingScope",
                        _("A key without the scope"),
                        {"detail": f"此 API 客户端缺少权限范围 {scope}。"},
                    )
                ],
            ),
            "429": OpenApiResponse(
                ErrorSerializer,
                _(
                    "More requests in this minute than the client's rate (600 a minute "
                    "unless set for the client); Retry-After says when to try again."
                ),
                [THROTTLED],
            ),
        }
        if self._has_body():
            errors["400"] = OpenApiResponse(
                BAD_REQUEST,
                _(
                    "A body that is not valid JSON, nests deeper than 32 levels or holds NUL "
                    "or a lone surrogate; or such a query parameter or header."
                ),
                [BAD_JSON, UNSTORABLE],
            )
            errors["415"] = OpenApiResponse(
                ErrorSerializer,
                _("A body in a media type this operation does not read."),
                [UNSUPPORTED_MEDIA],
            )
        if "{" in self.path:
            errors["404"] = OpenApiResponse(
                ErrorSerializer,
                _("No such object, or not one you may see."),
                [NOT_FOUND],
            )
        elif self.method == "GET" and self._is_list_view() and self._get_paginator():
            errors["404"] = OpenApiResponse(
                ErrorSerializer, _("A cursor or page that does not exist."), [BAD_CURSOR]
            )
        if self._takes_idempotency_key():
            errors["404"] = OpenApiResponse(
                ErrorSerializer,
                _("A replayed Idempotency-Key whose object can no longer be shown."),
                [GONE_AFTER_REPLAY],
            )
            errors["422"] = OpenApiResponse(
                ErrorSerializer,
                _("The Idempotency-Key was used before with a different body."),
                [KEY_REUSED],
            )
        return errors

    def _with_scope_and_errors(self, operation: dict) -> str:
        parts = [str(operation.get("description", ""))]
        scope = self._scope()
        if scope:
            parts.append(str(_("**Scope:** `%(scope)s`.")) % {"scope": scope})
        lines = [
            f"- `{code}` {response['description']}"
            for code, response in operation["responses"].items()
            if code >= "400"
        ]
        parts.append("\n".join([str(_("**Errors**")), *lines]))
        return "\n\n".join(part for part in parts if part)

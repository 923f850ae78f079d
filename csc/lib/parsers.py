"""The API's parsers: bad JSON, and text no database can store, are a 400, never a 500."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.utils import json

from csc.lib.untrusted import (
    MAX_JSON_DEPTH,
    first_unstorable_field,
    json_too_deep,
    unstorable_message,
    unstorable_path,
)


class JSONParser(parsers.JSONParser):
    """DRF's parser, refusing with a 400 what it would crash on or pass on:
    nesting deeper than MAX_JSON_DEPTH (json.loads recurses until Python's
    stack runs out: a 2 KB body was a 500) and strings holding NUL or a lone
    surrogate. (DRF reads the body through request.body, so Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE bounds its size.)"""

    def parse(self, stream, media_type=None, parser_context=None):
        # DRF's get_encoding is missing from djangorestframework-stubs 3.18.1.
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]
        raw = stream.read() if stream else b""
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise exceptions.ParseError(
                _("The request body is not valid %(encoding)s text.") % {"encoding": encoding}
            ) from None
        if json_too_deep(text):
            raise exceptions.ParseError(
                _("JSON nested more than %(depth)d levels deep is not accepted.")
                % {"depth": MAX_JSON_DEPTH}
            )
        try:
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        field_path = unstorable_path(data)
        if field_path:
            # Keyed by the field, like the serializer's own 400s, so clients show it there.
            raise exceptions.ValidationError({field_path: [unstorable_message(field_path)]})
        if field_path is not None:
            raise exceptions.ParseError(unstorable_message(field_path))
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's parser, refusing text fields holding NUL or a lone surrogate (a lookup
    such as a category code would send them to the database). Uploaded files are
    bytes and are the upload checks' business."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        pairs = [(name, value) for name, values in parsed.data.lists() for value in values]
        field_name = first_unstorable_field([*pairs, *((name, "") for name in parsed.files)])
        if field_name:
            raise exceptions.ValidationError({field_name: [unstorable_message(field_name)]})
        if field_name is not None:
            raise exceptions.ParseError(unstorable_message(field_name))
        return parsed

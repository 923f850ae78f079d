"""Text no request may carry: NUL and unpaired UTF-16 surrogates, and JSON nested
deeper than any request of ours needs.

PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded as
UTF-8, so it can be neither stored nor echoed back in an error message: both
would end in a 500. Requests are checked once, where they come in (the JSON
parser and `csc.middleware.refuse_unstorable_text`), so no field or filter
has to remember.
"""

import csv
import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

# NUL and any surrogate code point (json.loads joins valid pairs, so only lone ones remain).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Our deepest request body is a list of objects; 32 levels leave room and stop
# json.loads's recursion (about 1,000 levels) long before it is reached.
MAX_JSON_DEPTH = 32

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def is_unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays/objects more than `limit` deep, found
    without parsing it (brackets inside strings do not count)."""
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def unstorable_path(value, path: str = "") -> str | None:
    """The path ("items[0].name") of the first string in parsed JSON holding an
    unstorable character ("" when it is a key or the whole body), or None."""
    if isinstance(value, str):
        return path if is_unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if is_unstorable(key):
                return path
            found = unstorable_path(item, f"{path}.{key}" if path else key)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def first_unstorable_field(pairs: Iterable[tuple[str, str]]) -> str | None:
    """The name of the first (name, value) pair with an unstorable character in
    either ("" when the name itself is the bad part), or None."""
    for name, value in pairs:
        if is_unstorable(name):
            return ""
        if is_unstorable(value):
            return name
    return None


def unstorable_message(field_name: str) -> str:
    """Names the field when it can, never the character (it could not be rendered)."""
    if field_name:
        return _(
            "“%(field)s” contains a NUL character or an unpaired surrogate; "
            "remove it and send again."
        ) % {"field": field_name}
    return _(
        "The request contains a NUL character or an unpaired surrogate; remove it and send again."
    )


# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: object) -> object:
    """A CSV cell that a spreadsheet shows as typed: text that would start a formula
    gets a leading apostrophe; everything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class spreadsheet_csv_writer:
    """`csv.writer` whose text cells cannot start a spreadsheet formula."""

    def __init__(self, out) -> None:
        self.writer = csv.writer(out)

    def writerow(self, row: Iterable[object]) -> None:
        self.writer.writerow([spreadsheet_text(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)

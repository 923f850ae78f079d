"""Texts kept as a message key and parameters, rendered in the reader's language.

A notification or a timeline line is written while one person works and read
later by others, each in their own language. A `Phrase` keeps the English
msgid (the key: `gettext_noop` or `gettext_lazy` marks it for makemessages)
and its parameters; `phrase_text` renders what was stored with the catalogue
of the language active when it is read. A parameter may be a plain value, a
lazy translation (a choice's label) or a phrase: those render in the reader's
language too. Rows written before keys existed have none and read their
stored text, as does a key whose parameters no longer fit it.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext, pgettext_lazy

# A parameter that is itself a phrase is stored as {NESTED: {...}}.
NESTED = "$phrase"


class Phrase:
    """`Phrase(gettext_noop("Ticket %(number)s is closed"), number="T-1")`.

    `str()` renders it in the active language (what the row's text column keeps
    for readers of old versions and for search); `stored()` is what is kept."""

    __slots__ = ("context", "key", "params")

    def __init__(self, key: str | Promise, /, **params: Any) -> None:
        context = ""
        if isinstance(key, Promise):
            args: tuple[Any, ...] = tuple(getattr(key, "_args", ()))
            if len(args) == 2 and all(isinstance(arg, str) for arg in args):
                context, key = args  # pgettext_lazy(context, msgid)
            elif len(args) == 1 and isinstance(args[0], str):
                key = args[0]
            else:
                key = str(key)
        self.key = str(key)
        self.context = context
        self.params = {name: _stored(value) for name, value in params.items()}

    def stored(self) -> dict[str, Any]:
        stored: dict[str, Any] = {"key": self.key, "params": self.params}
        if self.context:
            stored["context"] = self.context
        return stored

    def __str__(self) -> str:
        return phrase_text(self.stored(), self.key)

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, **{self.params!r})"


def _stored(value: Any) -> Any:
    if isinstance(value, Phrase):
        return {NESTED: value.stored()}
    if isinstance(value, Promise):
        return {NESTED: Phrase(value).stored()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _shown(value: Any) -> Any:
    if isinstance(value, Mapping) and NESTED in value:
        return phrase_text(value[NESTED], "")
    return value


def phrase_text(stored: Mapping[str, Any] | None, fallback: str = "") -> str:
    """The stored phrase in the active language; `fallback` (the text stored beside
    it) when there is none or its parameters no longer fit its key."""
    if not stored or not isinstance(stored, Mapping) or not stored.get("key"):
        return fallback
    key = str(stored["key"])
    context = stored.get("context") or ""
    template = pgettext(context, key) if context else gettext(key)
    params = stored.get("params") or {}
    if not params:
        return template
    try:
        return template % {name: _shown(value) for name, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return fallback or key


def stored_phrase(value: Any) -> dict[str, Any] | None:
    """What to keep for a text given as a phrase or a lazy translation; None for
    plain text (typed, or already rendered)."""
    if isinstance(value, Promise):
        value = Phrase(value)
    return value.stored() if isinstance(value, Phrase) else None


def joined(*parts: Any, separator: Any = " — ") -> Phrase | str:
    """Several texts, some of them phrases, shown as one line in the reader's
    language; the separator may itself be translatable (LIST_SEPARATOR)."""
    parts = tuple(part for part in parts if part not in (None, ""))
    if not parts:
        return ""
    plain = (str, int, float, Decimal)
    if isinstance(separator, str) and all(isinstance(part, plain) for part in parts):
        return separator.join(str(part) for part in parts)
    names = [f"p{index}" for index in range(len(parts))]
    params: dict[str, Any] = dict(zip(names, parts, strict=True))
    if isinstance(separator, str):
        # In the key as is; a literal % would be read as a format, so it is doubled.
        between = separator.replace("%", "%%")
    else:
        between, params["sep"] = "%(sep)s", separator
    return Phrase(between.join(f"%({name})s" for name in names), **params)


# Between the items of a list in a sentence: "、" in Chinese, ", " in English.
LIST_SEPARATOR = pgettext_lazy("list separator", ", ")

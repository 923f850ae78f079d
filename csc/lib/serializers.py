"""A ModelSerializer for output that does DRF's per-request set-up once per class.

DRF builds a serializer's fields anew for every serializer made: it
introspects the model (field kinds, choices, validators, relations) and deep
copies every declared field, nested serializers included. For a ticket with
its clocks and timeline that is several milliseconds per request, spent on
an answer that depends on nothing but the class.

Here each class keeps one long-lived *template* instance whose fields are
built once; a serializer renders by handing each instance to its class's
template. The template's context is a view of the context of the serializer
being rendered now (a context variable), so method fields and nested
serializers that read `self.context` see the caller's context exactly as
before. Rendering does not change a field's state, so one template serves
every thread. Input (validation, save) is untouched, apart from the model
introspection, which is also done once per class.

Because one instance serves every caller, three things are refused:
- a subclass that defines `__init__`, `get_fields` or `to_representation`,
  at class creation. DRF's idiom of dropping fields in `__init__` for an
  unprivileged caller would change the shared template, and the next caller
  would get (or miss) fields of someone else. Per-caller output goes in a
  method field that reads `self.context`, or in a plain DRF serializer.
- writing to a template's context: it is the caller's, read-only here.
- sharing a mutable `default` or `initial` between serializers: fields are
  rebuilt from their arguments, and those two are deep-copied.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from rest_framework import serializers

_rendering: ContextVar[Mapping | None] = ContextVar("serializer_rendering", default=None)


class _RenderContext(Mapping):
    """A template's context: the context of the serializer rendering through it now."""

    def _current(self) -> Mapping:
        return _rendering.get() or {}

    def __getitem__(self, key: str) -> Any:
        return self._current()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(
            "An output serializer's context is the caller's and read-only while it renders; "
            "pass what the fields need in the context the serializer is made with."
        )

    __setitem__ = __delitem__ = update = setdefault = pop = popitem = clear = _read_only


# Kept apart per copy: the arguments a field may change or hand out for changing.
_COPIED_ARGUMENTS = ("default", "initial")


def _fresh_copy(field: serializers.Field) -> serializers.Field:
    """A new field made with the same arguments (what DRF's deepcopy of a field does,
    without deep copying its querysets and choices: a third of the time)."""
    # DRF's Field.__new__ keeps them on the instance (not in the type stubs).
    kept = vars(field)
    args, kwargs = kept["_args"], kept["_kwargs"]
    if any(isinstance(argument, serializers.Field) for argument in (*args, *kwargs.values())):
        # A field holding a field (many=True, child=...): the held one must not be shared.
        return copy.deepcopy(field)
    kwargs = dict(kwargs)
    for name in _COPIED_ARGUMENTS:
        if name in kwargs and not callable(kwargs[name]):
            kwargs[name] = copy.deepcopy(kwargs[name])
    return field.__class__(*args, **kwargs)


class Serializer(serializers.Serializer):
    """Input serializers: fields copied cheaply from the declared ones."""

    def get_fields(self):
        return {name: _fresh_copy(field) for name, field in self._declared_fields.items()}


_TEMPLATE_DEFINED = ("__init__", "get_fields", "to_representation")


class ModelSerializer(serializers.ModelSerializer):
    # Set on each class by _template and get_fields, never inherited.
    _render_template: ClassVar[ModelSerializer]
    _built_fields: ClassVar[dict[str, serializers.Field]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = [name for name in _TEMPLATE_DEFINED if name in cls.__dict__]
        if overridden:
            raise TypeError(
                f"{cls.__module__}.{cls.__qualname__} defines {', '.join(overridden)}: an output "
                "serializer renders through one instance per class, shared by every caller. "
                "Use a method field reading self.context, or rest_framework's ModelSerializer."
            )

    @classmethod
    def _template(cls) -> ModelSerializer:
        # Kept on the class itself, never inherited: a subclass has fields of its own.
        template = cls.__dict__.get("_render_template")
        if template is None:
            template = cls(context=_RenderContext())
            cls._render_template = template
        return template

    def get_fields(self):
        if not settings.SERIALIZER_TEMPLATES:
            return super().get_fields()
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built
        return {name: _fresh_copy(field) for name, field in built.items()}

    def to_representation(self, instance):
        context = self.context
        if isinstance(context, _RenderContext) or not settings.SERIALIZER_TEMPLATES:
            # This is a template (or a field of one): render with its own fields.
            return super().to_representation(instance)
        token = _rendering.set(context)
        try:
            return type(self)._template().to_representation(instance)
        finally:
            _rendering.reset(token)


def render_rows(serializer_class: type[serializers.BaseSerializer], rows) -> list:
    """What `serializer_class(rows, many=True).data` gives, for the nested lists
    a method field renders: each row through the class's template, without a
    list serializer and a child made for every call. The rows see an empty
    context, as they would through a serializer made without one."""
    if not issubclass(serializer_class, ModelSerializer) or not settings.SERIALIZER_TEMPLATES:
        return serializer_class(rows, many=True).data
    template = serializer_class._template()
    token = _rendering.set({})
    try:
        return [template.to_representation(row) for row in rows]
    finally:
        _rendering.reset(token)


def written_or_read(serializer: serializers.BaseSerializer, name: str, read, instance):
    """The rows named `name` that a creation just wrote, passed in the serializer's
    context so its answer needs no read back; otherwise `read(instance)`."""
    rows = serializer.context.get(name)
    return read(instance) if rows is None else rows

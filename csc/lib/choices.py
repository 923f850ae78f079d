"""`get_FOO_display()` with each field's choices read once, not on every call.

Django's `Model._get_FIELD_display` turns the field's whole list of choices
into a dict (through `make_hashable`) every time a label is shown: a team
queue of 50 tickets showing four labels a row built 200 such dicts, a tenth
of the page's CPU. The dict is kept per field and rebuilt if the field's
choices are replaced; choices given as a callable are read afresh as before.
Labels stay lazy, so each is still shown in the language of the request.
"""

from functools import partialmethod

from django.apps import apps
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_labels: dict[models.Field, tuple[object, dict]] = {}


def _choice_labels(field: models.Field) -> dict:
    choices = field.choices
    if not isinstance(choices, list | tuple):
        return dict(make_hashable(field.flatchoices))
    kept = _labels.get(field)
    if kept is None or kept[0] is not choices:
        kept = _labels[field] = (choices, dict(make_hashable(field.flatchoices)))
    return kept[1]


def kept_display(self, field: models.Field):
    """What `Model._get_FIELD_display` returns, from the kept dict."""
    value = getattr(self, field.attname)
    return force_str(_choice_labels(field).get(make_hashable(value), value), strings_only=True)


def keep_choice_labels() -> None:
    """Point every model's `get_FOO_display` that Django made at `kept_display`.

    Django binds them when each model class is built, so patching the base
    method would not reach them; a model's own `get_FOO_display` is left alone.
    """
    django_display = models.Model._get_FIELD_display
    for model in apps.get_models():
        for field in model._meta.fields:
            name = f"get_{field.name}_display"
            made = model.__dict__.get(name)
            if isinstance(made, partialmethod) and made.func is django_display:
                setattr(model, name, partialmethod(kept_display, field=field))

"""Overwriting personal data in place (DOMAIN.md R-3, PIPL Art. 19 and 47).

A record past its retention period, or of a customer who cancelled, keeps its
dates, categories and outcomes for statistics; its personal fields are blanked
and its free text replaced by a fixed marker. simple-history keeps copies of
every version, so the same values are written over the history rows too.
"""

from collections.abc import Iterable

from django.db.models import Case, Model, Value, When
from django.db.models.expressions import Combinable

# What replaces free text (descriptions, summaries, notes): the same in every
# language, so a reader and a query both see the text is gone, not empty.
MARKER = "[anonymised]"
# The pseudonym of an erased customer and their numbers, followed by the row's id.
ERASED = "[erased]"


def marked(field: str) -> Combinable:
    """The marker in place of the field's text; an empty text stays empty."""
    return Case(When(**{field: ""}, then=Value("")), default=Value(MARKER))


def anonymise_rows(model: type[Model], ids: Iterable[int], values: dict) -> int:
    """Write `values` over these rows and over their history copies; returns the rows."""
    ids = list(ids)
    if not ids:
        return 0
    count = model._default_manager.filter(pk__in=ids).update(**values)
    history = history_model(model)
    if history is not None:
        own = {f.name for f in history._meta.get_fields()}
        kept = {name: value for name, value in values.items() if _field_name(name) in own}
        history._default_manager.filter(**{f"{model._meta.pk.attname}__in": ids}).update(**kept)
    return count


def history_model(model: type[Model]) -> type[Model] | None:
    """The simple-history model of `model`, if it keeps one."""
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, name).model if name else None


def _field_name(name: str) -> str:
    return name[:-3] if name.endswith("_id") else name


def delete_rows(model: type[Model], ids: Iterable[int]) -> int:
    """Delete these rows (and what cascades from them); returns the rows of `model`."""
    _total, by_model = model._default_manager.filter(pk__in=list(ids)).delete()
    return by_model.get(model._meta.label, 0)

"""One multi-row INSERT for a few named append-only models.

`Model.save()` and `bulk_create()` walk every field through `pre_save` and
`get_db_prep_save` and compile the SQL on every call. For the rows the busiest
paths write many of (timeline lines, clock events, notifications), `insert()`
keeps per model the column list and the SQL text per row count, and passes
plain values (text, numbers, booleans, keys, dates and times not stamped by
the field) to the driver as they are on PostgreSQL; every other value takes
Django's own `pre_save` and `get_db_prep_save`.

It is narrow on purpose:

- only the models in `INSERTED_MODELS` are written this way. Each is
  append-only and no `pre_save`/`post_save` receiver listens to it
  (tests/csc/test_inserts.py checks that), since `insert()` sends no model
  signals;
- a model whose fields the statement cannot write as `save()` would (a
  `db_default`, a generated field, a parent model) is refused when its
  statement is built, and by the system check at start-up (`check_models`);
- `settings.DIRECT_INSERTS = False` writes the same rows with `bulk_create`,
  to re-measure the gain after an upgrade (docs/architecture.md).

The statement runs through Django's cursor, so query counting, execute
wrappers and the transaction are the ORM's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router
from django.db.models import NOT_PROVIDED

# The models `insert()` writes, by label, with the path that writes them.
INSERTED_MODELS: dict[str, str] = {
    "worktickets.TicketEvent": "timeline lines (worktickets.services.record_events)",
    "sla.ClockEvent": "clock events (sla.services, sla.sweeper)",
    "staffing.Notification": "in-app notifications (staffing.outbox.notify_all)",
}

# Field classes whose values the driver takes as they are on PostgreSQL, when
# the value has the type named (exact classes and types: a subclass may
# prepare its values differently, and any other value goes through Django).
_PLAIN_ON_POSTGRESQL: dict[type[models.Field], type] = {
    models.BigIntegerField: int,
    models.BooleanField: bool,
    models.CharField: str,
    models.DateField: date,
    models.DateTimeField: datetime,
    models.IntegerField: int,
    models.PositiveBigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SmallIntegerField: int,
    models.TextField: str,
}


def unsupported(model: type[models.Model]) -> list[str]:
    """Why `insert()` may not write rows of `model` (nothing: it may)."""
    meta = model._meta
    label = meta.label
    if label not in INSERTED_MODELS:
        return [f"{label} is not in csc.lib.inserts.INSERTED_MODELS"]
    reasons = []
    if meta.parents:
        reasons.append(f"{label} inherits from another concrete model")
    for field in meta.concrete_fields:
        if field.generated:
            reasons.append(f"{label}.{field.name} is a generated field")
        if field.db_default is not NOT_PROVIDED:
            reasons.append(f"{label}.{field.name} has a db_default")
    return reasons


def check_models() -> list[checks.CheckMessage]:
    """System check: every model in the allow-list can be written by `insert()`."""
    errors: list[checks.CheckMessage] = []
    for label in INSERTED_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            errors.append(checks.Error(f"{label} is not installed", id="csc.E101"))
            continue
        errors.extend(
            checks.Error(
                f"insert() cannot write {label}: {reason}",
                hint="Create these rows with save() or bulk_create(), or remove the field.",
                obj=model,
                id="csc.E102",
            )
            for reason in unsupported(model)
        )
    return errors


class _Statement:
    """One model's INSERT on one database: columns, SQL per row count, value preparation."""

    def __init__(self, model: type[models.Model], alias: str):
        reasons = unsupported(model)
        if reasons:
            raise ImproperlyConfigured(
                "insert() cannot write these rows: " + "; ".join(reasons) + ". "
                "Create them with save() or bulk_create()."
            )
        connection = connections[alias]
        if not connection.features.can_return_rows_from_bulk_insert:
            raise ImproperlyConfigured(f"{connection.vendor} cannot return the inserted keys")
        meta = model._meta
        self.alias = alias
        self.fields = list(meta.concrete_fields)
        self.fields_without_pk = [f for f in self.fields if f is not meta.pk]
        quote = connection.ops.quote_name
        self._head = {
            with_pk: f"INSERT INTO {quote(meta.db_table)} ("
            + ", ".join(
                quote(_column(f)) for f in (self.fields if with_pk else self.fields_without_pk)
            )
            + ") VALUES "
            for with_pk in (True, False)
        }
        self.returning = f" RETURNING {quote(meta.db_table)}.{quote(_column(meta.pk))}"
        self.foreign_keys = [f for f in self.fields if isinstance(f, models.ForeignKey)]
        plain = connection.vendor == "postgresql"
        # Per field: the type of value passed as it is (None: none is) and
        # Django's preparation for every other value.
        self.preparers: dict[models.Field, tuple[type | None, Callable[[models.Model], Any]]] = {
            field: (_plain_type(field) if plain else None, _orm_preparer(field, connection))
            for field in self.fields
        }

    @cache  # noqa: B019 - statements live as long as the process, like the models
    def sql(self, rows: int, with_pk: bool) -> str:
        """The INSERT, without its RETURNING clause."""
        columns = len(self.fields if with_pk else self.fields_without_pk)
        row = "(" + ", ".join(["%s"] * columns) + ")"
        return self._head[with_pk] + ", ".join([row] * rows)

    def take_related_keys(self, obj: models.Model) -> None:
        """As save() does: a related object saved after it was assigned gives
        its key now (the key may be the row's own); one never saved is refused."""
        for field in self.foreign_keys:
            if getattr(obj, field.attname) is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(
                            f"insert(): the {field.name} of a {type(obj).__name__} is not saved"
                        )
                    setattr(obj, field.name, related)  # sets the key, keeps the object

    def params(self, obj: models.Model, fields: list[models.Field]) -> list[Any]:
        values = []
        for field in fields:
            plain_type, prepare = self.preparers[field]
            value = getattr(obj, field.attname)
            if type(value) is plain_type:
                if isinstance(value, datetime) and value.tzinfo is None:
                    value = prepare(obj)  # Django reads a naive time in the default zone
            elif value is None and plain_type is not None:
                pass  # NULL, as Django would send it
            else:
                if hasattr(value, "resolve_expression"):
                    raise TypeError(f"insert() writes values, not expressions ({field.name})")
                value = prepare(obj)
            values.append(value)
        return values


def _column(field: models.Field | None) -> str:
    """A concrete field's column (Field.column is None only for fields without one)."""
    if field is None or field.column is None:
        raise ImproperlyConfigured(f"insert(): {field} has no column")
    return field.column


def _plain_type(field: models.Field) -> type | None:
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        return int if isinstance(target, models.AutoField) else _plain_type(target)
    if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
        return None  # pre_save stamps these
    return _PLAIN_ON_POSTGRESQL.get(type(field))


def _orm_preparer(field: models.Field, connection) -> Callable[[models.Model], Any]:
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


_statements: dict[tuple[type[models.Model], str], _Statement] = {}


class _Insert:
    """An INSERT of some rows, ready to run."""

    def __init__(self, objs: Sequence[models.Model]):
        model = type(objs[0])
        if any(type(obj) is not model for obj in objs):
            raise ValueError("insert() takes rows of one model, all with or all without keys")
        self.objs = objs
        self.alias = router.db_for_write(model)
        statement = _statements.get((model, self.alias))
        if statement is None:
            statement = _statements[model, self.alias] = _Statement(model, self.alias)
        for obj in objs:
            statement.take_related_keys(obj)
        with_pk = objs[0].pk is not None
        if any((obj.pk is not None) != with_pk for obj in objs):
            raise ValueError("insert() takes rows of one model, all with or all without keys")
        fields = statement.fields if with_pk else statement.fields_without_pk
        self.params = [value for obj in objs for value in statement.params(obj, fields)]
        self.sql = statement.sql(len(objs), with_pk)  # without RETURNING
        self.returning = statement.returning  # " RETURNING <table>.<key>"

    def saved(self, keys: Sequence[Any]) -> None:
        """Mark the rows saved, with the keys the database gave them."""
        pk_attname = self.objs[0]._meta.pk.attname
        for obj, key in zip(self.objs, keys, strict=True):
            setattr(obj, pk_attname, key)
            obj._state.adding = False
            obj._state.db = self.alias


def direct_inserts() -> bool:
    """Whether `insert()` writes its own statement (the off-switch: DIRECT_INSERTS)."""
    return settings.DIRECT_INSERTS


def insert(objs: Sequence[models.Model]) -> None:
    """Write new rows of one allowed model in one statement and set their primary keys.

    The objects are left as `save()` leaves them: keys set, stamped fields
    (auto_now_add) filled in, and marked as saved. No signals are sent.
    """
    if not objs:
        return
    if not direct_inserts():
        type(objs[0])._default_manager.bulk_create(objs)
        return
    statement = _Insert(objs)
    with connections[statement.alias].cursor() as cursor:
        cursor.execute(statement.sql + statement.returning, statement.params)
        keys = [key for (key,) in cursor.fetchall()]
    statement.saved(keys)


def insert_skipping_conflicts(objs: Sequence[models.Model]) -> int:
    """Write the rows no unique constraint refuses (ON CONFLICT DO NOTHING), in one
    statement; returns how many were written. Which ones is not known, so the
    objects are not marked saved. (The caller decides what DIRECT_INSERTS off means:
    `bulk_create(ignore_conflicts=True)` cannot say how many rows it wrote.)"""
    if not objs:
        return 0
    statement = _Insert(objs)
    with connections[statement.alias].cursor() as cursor:
        cursor.execute(
            statement.sql + " ON CONFLICT DO NOTHING" + statement.returning, statement.params
        )
        return len(cursor.fetchall())

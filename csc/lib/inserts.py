"""INSERTs for the hot write paths, prepared once per model instead of per call.

`Model.save()` and `bulk_create()` build a query, walk every field through
`pre_save` and `get_db_prep_save`, and compile the SQL anew on every call:
about 0.4 ms of CPU per statement for our wide rows. Opening a ticket writes
five tables, tens of times a second at the centre's peak, so the creation
paths and the timeline write through `insert()`, which keeps per model the
column list, the SQL per row count, and for each field the cheapest correct
way to put its value to the database:

- on PostgreSQL, plain values (text, numbers, booleans, foreign keys, dates
  and times not stamped by the field) go to psycopg as they are, which is
  what Django's preparation comes to for them;
- every other field (JSON, auto_now stamps, anything unlisted, and every
  field on other databases) takes Django's own `pre_save` and
  `get_db_prep_save`, so its semantics stay the ORM's.

Like `bulk_create`, it sends no model signals; the callers write what a
receiver would (history through `csc.lib.history.record_created`). The
statement runs through Django's cursor, so query counting, execute wrappers
and the transaction are the ORM's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router

# Field classes whose values psycopg takes as they are on PostgreSQL, when the
# value has the type named (exact classes and types: a subclass may prepare
# its values differently, and any other value goes through Django).
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


class _Statement:
    """One model's INSERT on one database: columns, SQL per row count, value preparation."""

    def __init__(self, model: type[models.Model], alias: str):
        connection = connections[alias]
        if not connection.features.can_return_rows_from_bulk_insert:
            raise ImproperlyConfigured(f"{connection.vendor} cannot return the inserted keys")
        meta = model._meta
        self.alias = alias
        self.pk = meta.pk
        self.fields = [f for f in meta.concrete_fields if not f.generated]
        self.fields_without_pk = [f for f in self.fields if f is not meta.pk]
        quote = connection.ops.quote_name
        self._head = {
            with_pk: f"INSERT INTO {quote(meta.db_table)} ("
            + ", ".join(
                quote(f.column) for f in (self.fields if with_pk else self.fields_without_pk)
            )
            + ") VALUES "
            for with_pk in (True, False)
        }
        self.returning = f" RETURNING {quote(meta.db_table)}.{quote(meta.pk.column)}"
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
                if plain_type is datetime and value.tzinfo is None:
                    value = prepare(obj)  # Django reads a naive time in the default zone
            elif value is None and plain_type is not None:
                pass  # NULL, as Django would send it
            else:
                if hasattr(value, "resolve_expression"):
                    raise TypeError(f"insert() writes values, not expressions ({field.name})")
                value = prepare(obj)
            values.append(value)
        return values


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


@dataclass
class PreparedInsert:
    """An INSERT of some rows, ready to run (alone, or inside a larger statement)."""

    objs: Sequence[models.Model]
    alias: str
    sql: str  # without RETURNING
    params: list[Any]
    returning: str  # " RETURNING <table>.<key>"

    def saved(self, keys: Sequence[Any]) -> None:
        """Mark the rows saved, with the keys the database gave them."""
        pk_attname = self.objs[0]._meta.pk.attname
        for obj, key in zip(self.objs, keys, strict=True):
            setattr(obj, pk_attname, key)
            obj._state.adding = False
            obj._state.db = self.alias


def insert(objs: Sequence[models.Model]) -> None:
    """Write new rows of one model in one statement and set their primary keys.

    The objects are left as `save()` leaves them: keys set, stamped fields
    (auto_now_add) filled in, and marked as saved. No signals are sent.
    """
    if not objs:
        return
    prepared = prepare_insert(objs)
    with connections[prepared.alias].cursor() as cursor:
        cursor.execute(prepared.sql + prepared.returning, prepared.params)
        keys = [key for (key,) in cursor.fetchall()]
    prepared.saved(keys)


def insert_skipping_conflicts(objs: Sequence[models.Model]) -> int:
    """Write the rows no unique constraint refuses (ON CONFLICT DO NOTHING), in one
    statement; returns how many were written. Which ones is not known, so the
    objects are not marked saved."""
    if not objs:
        return 0
    prepared = prepare_insert(objs)
    with connections[prepared.alias].cursor() as cursor:
        cursor.execute(
            prepared.sql + " ON CONFLICT DO NOTHING" + prepared.returning, prepared.params
        )
        return len(cursor.fetchall())


def prepare_insert(objs: Sequence[models.Model]) -> PreparedInsert:
    """The INSERT `insert(objs)` runs, with its values prepared."""
    model = type(objs[0])
    alias = router.db_for_write(model)
    statement = _statements.get((model, alias))
    if statement is None:
        statement = _statements[model, alias] = _Statement(model, alias)
    if any(type(obj) is not model for obj in objs):
        raise ValueError("insert() takes rows of one model, all with or all without keys")
    for obj in objs:
        statement.take_related_keys(obj)
    with_pk = objs[0].pk is not None
    if any((obj.pk is not None) != with_pk for obj in objs):
        raise ValueError("insert() takes rows of one model, all with or all without keys")
    fields = statement.fields if with_pk else statement.fields_without_pk
    params = []
    for obj in objs:
        params.extend(statement.params(obj, fields))
    return PreparedInsert(
        objs, alias, statement.sql(len(objs), with_pk), params, statement.returning
    )

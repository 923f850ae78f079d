"""simple-history's `Model.history` made once per model, not per access; and
the creation's history row of a row written by `csc.lib.inserts`
(`record_created`, or `insert_created` for the row and its history at once).

Its descriptor builds a new manager class (`from_queryset`, copying every
queryset method) each time `instance.history` or `Model.history` is read, and
every save writing a history row reads it: about 0.2 ms per row written.
"""

from django.apps import apps
from django.conf import settings
from django.db import connections, router
from django.db.models import Model
from django.utils import timezone
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record
from simple_history.utils import get_change_reason_from_object

from csc.lib.inserts import Insert, direct_inserts, insert


class KeptHistoryDescriptor(HistoryDescriptor):
    def __get__(self, instance, owner):
        manager_class = self.__dict__.get("_manager_with_queryset")
        if manager_class is None:
            manager_class = self.manager_class.from_queryset(self.queryset_class)
            self._manager_with_queryset = manager_class
        return manager_class(self.model, instance)


def keep_history_managers() -> None:
    """Swap each tracked model's history descriptor for one that keeps its class."""
    for model in apps.get_models():
        for name, value in list(vars(model).items()):
            if type(value) is HistoryDescriptor:
                kept = KeptHistoryDescriptor(
                    value.model, manager=value.manager_class, queryset=value.queryset_class
                )
                setattr(model, name, kept)


def record_created(instance: Model) -> None:
    """Write the creation's history row ("+") of an instance inserted by
    `csc.lib.inserts.insert`, as simple-history's post_save receiver would.

    The row carries the same fields, date, user (the instance's
    `_history_user`, else the signed-in user of the request) and change
    reason, and the same pre/post signals are sent; only the statement is
    `insert()`'s. (Models with history on many-to-many fields are not
    written this way.)
    """
    history_model = _history_model(instance)
    if history_model is None:
        return
    if history_model._history_m2m_fields:
        raise ValueError(f"{history_model.__name__} records many-to-many fields")
    history_date = getattr(instance, "_history_date", timezone.now())
    history_user = _history_user(instance)
    change_reason = get_change_reason_from_object(instance)
    record = history_model(
        history_date=history_date,
        history_type="+",
        history_user=history_user,
        history_change_reason=change_reason,
        **{
            field.attname: getattr(instance, field.attname)
            for field in history_model.tracked_fields
        },
    )
    signal_arguments = {
        "sender": history_model,
        "instance": instance,
        "history_instance": record,
        "history_date": history_date,
        "history_user": history_user,
        "history_change_reason": change_reason,
        "using": None,
    }
    pre_create_historical_record.send(**signal_arguments)
    insert([record])
    post_create_historical_record.send(**signal_arguments)


def _history_model(instance: Model):
    """The model of the instance's history rows; None while history is off for it."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or hasattr(
        instance, "skip_history_when_saving"
    ):
        return None
    return getattr(instance, instance._meta.simple_history_manager_attribute).model


def _history_user(instance: Model):
    # simple-history's default: the instance's own, else the request's signed-in user.
    try:
        return instance._history_user
    except AttributeError:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


# The columns simple-history adds to the tracked ones.
_HISTORY_OWN = (
    "history_id",
    "history_date",
    "history_type",
    "history_user",
    "history_change_reason",
)


def insert_created(instance: Model) -> None:
    """Insert a new row and its creation history row, in one statement on
    PostgreSQL: the history row is copied from the row as inserted.

    Where that cannot be done (another database, history signals listened
    to, history switched off, a history model with more columns), it is
    `insert([instance])` then `record_created(instance)`: the same rows. With
    DIRECT_INSERTS off it is `instance.save()`, simple-history's own writer.
    """
    if not direct_inserts():
        instance.save()
        return
    history_model = _copyable_history(instance)
    if history_model is None:
        insert([instance])
        record_created(instance)
        return
    statement = Insert([instance])
    connection = connections[statement.alias]
    quote = connection.ops.quote_name
    tracked = ", ".join(quote(field.column) for field in history_model.tracked_fields)
    own = history_model._meta
    user = _history_user(instance)
    sql = (
        f"WITH created AS ({statement.sql} RETURNING {tracked}) "
        f"INSERT INTO {quote(own.db_table)} ({tracked}, "
        f"{quote(own.get_field('history_date').column)}, "
        f"{quote(own.get_field('history_type').column)}, "
        f"{quote(own.get_field('history_user').column)}, "
        f"{quote(own.get_field('history_change_reason').column)}) "
        f"SELECT {tracked}, %s, '+', %s, %s FROM created "
        f"RETURNING {quote(instance._meta.pk.column)}"
    )
    params = [
        *statement.params,
        getattr(instance, "_history_date", timezone.now()),
        user.pk if user is not None else None,
        get_change_reason_from_object(instance),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (key,) = cursor.fetchone()
    statement.saved([key])


def _copyable_history(instance: Model):
    """The history model, when the creation's row can be copied by the database."""
    history_model = _history_model(instance)
    if history_model is None:
        return None
    if connections[router.db_for_write(type(instance))].vendor != "postgresql":
        return None
    if pre_create_historical_record.has_listeners(
        history_model
    ) or post_create_historical_record.has_listeners(history_model):
        return None
    tracked = {field.column for field in history_model.tracked_fields}
    own = {
        field.name for field in history_model._meta.concrete_fields if field.column not in tracked
    }
    if own != set(_HISTORY_OWN) or history_model._history_m2m_fields:
        return None
    return history_model

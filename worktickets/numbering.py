"""Ticket numbers: T<yyyymmdd>-<nnnnnn>, counted per local day.

Every number comes from the day's row in TicketDaySequence, raised by one
upsert, so two creations can never be given the same number.

On PostgreSQL the upsert runs on a connection of its own, in autocommit, so
the day's row is locked only for that statement. Taken inside the creating
transaction, the lock would be held until that transaction's commit had been
flushed to disk, and every creation in the centre would queue behind the one
before it: creation would run at the disk's flush rate, not the CPUs'.

That statement commits with `synchronous_commit = off`: PostgreSQL answers
before the counter's change is on disk. It is still safe after a crash,
because the WAL is written in order: the ticket's own commit, which is
flushed before the API answers, comes after the counter's change, so a
ticket that exists can never have its number issued again. A creation that
fails after its checks leaves its number unused: numbers may skip, they never
repeat. (SQLite has one writer at a time anyway: there the upsert runs in the
creating transaction.)
"""

from __future__ import annotations

import contextlib
import os
import threading
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from worktickets.models import TicketDaySequence

_UPSERT = (
    "INSERT INTO {table} (day, last) VALUES (%s, 1) "
    "ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
)


def _upsert_sql() -> str:
    table = connection.ops.quote_name(TicketDaySequence._meta.db_table)
    return _UPSERT.format(table=table)


# Every thread's numbering connection, so that all of them can be closed at once.
_open: set = set()
_open_lock = threading.Lock()


class _CounterConnection(threading.local):
    """The numbering connection of this thread, to the database Django uses now."""

    raw = None
    params: dict | None = None

    def connect(self, params: dict):
        self.close()
        # Named, so that it is told apart from the request connections in pg_stat_activity.
        raw = connection.Database.connect(**{"application_name": "csc ticket numbers", **params})
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        self.raw, self.params = raw, params
        with _open_lock:
            _open.add(raw)
        return raw

    def live(self, params: dict):
        """This thread's connection, (re)opened when missing, closed or aimed elsewhere."""
        if self.raw is None or self.raw.closed or self.params != params:
            return self.connect(params)
        return self.raw

    def close(self) -> None:
        if self.raw is not None:
            _close(self.raw)
        self.raw = self.params = None

    def fetch_one(self, sql: str, params: list):
        """Run one statement; a restarted server or a terminated backend gets one reconnect."""
        from psycopg2 import InterfaceError, OperationalError

        connection_params = connection.get_connection_params()
        for attempt in (1, 2):
            raw = self.live(connection_params)
            try:
                with raw.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchone() if cursor.description else None
            except (OperationalError, InterfaceError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


_counter = _CounterConnection()


def _close(raw) -> None:
    with _open_lock:
        _open.discard(raw)
    # A dead connection may fail to close: it is dropped all the same.
    with contextlib.suppress(Exception):
        raw.close()


def _forget_after_fork() -> None:
    # A forked child (a Celery or gunicorn worker forked after a number was taken)
    # must neither use the parent's socket nor close it under the parent: it drops
    # the parent's connections and opens its own on first use.
    with _open_lock:
        _open.clear()
    _counter.raw = _counter.params = None


os.register_at_fork(after_in_child=_forget_after_fork)


def close_counter_connections() -> None:
    """Close every thread's numbering connection (a test database must be droppable)."""
    with _open_lock:
        connections = list(_open)
    for raw in connections:
        _close(raw)


def numbers_outside_transaction() -> bool:
    return connection.vendor == "postgresql" and getattr(
        settings, "TICKET_NUMBERS_OUTSIDE_TRANSACTION", True
    )


def next_ticket_number(now: datetime) -> str:
    """The next number of the local day `now` falls on."""
    day = timezone.localdate(now)
    if numbers_outside_transaction():
        last = _counter.fetch_one(_upsert_sql(), [day])[0]
    else:
        with connection.cursor() as cursor:
            cursor.execute(_upsert_sql(), [day])
            last = cursor.fetchone()[0]
    return f"T{day:%Y%m%d}-{last:06d}"


def counters_in_use() -> bool:
    """Whether any numbering connection is open (so counters may have moved outside
    the transaction that a test rolls back)."""
    return bool(_open)


def reset_counters() -> None:
    """Forget every day's count, through a numbering connection (tests)."""
    table = connection.ops.quote_name(TicketDaySequence._meta.db_table)
    _counter.fetch_one(f"DELETE FROM {table}", [])

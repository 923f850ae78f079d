"""Ticket numbers: T<yyyymmdd>-<nnnnnn>, counted per local day.

Every number comes from the day's row in TicketDaySequence, raised by one
upsert, so two creations can never be given the same number.

On PostgreSQL the upsert runs on the `numbers` database alias
(csc/settings.py): a second Django connection to the same database, in
autocommit, so the day's row is locked only for that statement. Taken inside
the creating transaction, the lock would be held until that transaction's
commit had been flushed to disk, and every creation in the centre would queue
behind the one before it: creation would run at the disk's flush rate, not
the CPUs'.

That connection commits with `synchronous_commit = off` (set in the alias's
OPTIONS, when the connection opens): PostgreSQL answers before the counter's
change is on disk. It is still safe after a crash, because the WAL is written
in order: the ticket's own commit, which is flushed before the API answers,
comes after the counter's change, so a ticket that exists can never have its
number issued again. A creation that fails after its checks leaves its number
unused: numbers may skip, they never repeat.

Without the alias (SQLite, where there is one writer at a time anyway, or
TICKET_NUMBERS_OUTSIDE_TRANSACTION=0) the upsert runs in the creating
transaction.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from worktickets.models import Ticket, TicketDaySequence

NUMBERS_ALIAS = "numbers"

_UPSERT = (
    "INSERT INTO {table} (day, last) VALUES (%s, 1) "
    "ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
)


def counter_connection() -> BaseDatabaseWrapper:
    """The connection numbers are counted on: the `numbers` alias when configured."""
    if NUMBERS_ALIAS in settings.DATABASES and settings.TICKET_NUMBERS_OUTSIDE_TRANSACTION:
        return connections[NUMBERS_ALIAS]
    return connections[DEFAULT_DB_ALIAS]


def next_ticket_number(now: datetime) -> str:
    """The next number of the local day `now` falls on."""
    return _take(now, with_id=False)[0]


def next_ticket_number_and_id(now: datetime) -> tuple[str, int | None]:
    """The next number of the local day `now` falls on and, on PostgreSQL, the ticket's
    id taken from its sequence in the same statement (None elsewhere), for a ticket
    whose id is needed before its row is written (worktickets.assignment) at no
    statement more. A sequence gives each value once, whatever the transaction."""
    return _take(now, with_id=True)


def _take(now: datetime, *, with_id: bool) -> tuple[str, int | None]:
    day = timezone.localdate(now)
    connection = counter_connection()
    table = connection.ops.quote_name(TicketDaySequence._meta.db_table)
    sql = _UPSERT.format(table=table)
    params: list = [day]
    with_id = with_id and connection.vendor == "postgresql"
    if with_id:
        sql += ", nextval(pg_get_serial_sequence(%s, %s))"
        params += [Ticket._meta.db_table, Ticket._meta.pk.column]
    try:
        row = _fetch_row(connection, sql, params)
    except (OperationalError, InterfaceError):
        # A restarted server or a terminated backend: the alias's connection,
        # in autocommit, is opened afresh once (the default's is the request's).
        if connection.alias == DEFAULT_DB_ALIAS or connection.in_atomic_block:
            raise
        connection.close()
        row = _fetch_row(connection, sql, params)
    return f"T{day:%Y%m%d}-{row[0]:06d}", row[1] if with_id else None


def _fetch_row(connection: BaseDatabaseWrapper, sql: str, params: list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()

"""Ticket numbers: per local day, never repeated, and taken without making
every creation in the centre wait for the one before it to commit."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from csc.lib.errors import DomainError
from tests.factories import make_ticket
from worktickets import numbering
from worktickets.models import Ticket, TicketDaySequence

pytestmark = pytest.mark.django_db


def test_a_new_ticket_and_its_history_row_carry_the_day_number(agent_user):
    first = make_ticket(created_by=agent_user)
    second = make_ticket(created_by=agent_user)

    assert first.number.endswith("-000001") and second.number.endswith("-000002")
    assert Ticket.objects.get(pk=second.pk).number == second.number
    assert list(second.history.values_list("number", flat=True)) == [second.number]


def test_a_refused_creation_takes_no_number(agent_user):
    make_ticket(created_by=agent_user)
    with pytest.raises(DomainError):
        make_ticket(created_by=agent_user, kind="business", business_type=None)

    assert make_ticket(created_by=agent_user).number.endswith("-000002")


def test_a_creation_rolled_back_after_its_checks_leaves_a_gap_never_a_repeat(agent_user):
    first = make_ticket(created_by=agent_user)
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = make_ticket(created_by=agent_user)
        raise RuntimeError("the database refused the rest of the creation")
    third = make_ticket(created_by=agent_user)

    assert not Ticket.objects.filter(number=lost.number).exists()
    numbers = [first.number, lost.number, third.number]
    assert [int(n[-6:]) for n in numbers] == [1, 2, 3]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_creation_does_not_wait_for_another_still_uncommitted(agent_user):
    # The day's counter row is locked for one statement, not until the creating
    # transaction commits: otherwise creations would run one disk flush at a time.
    holding = threading.Event()
    release = threading.Event()

    def slow_creation():
        try:
            with transaction.atomic():
                make_ticket(created_by=agent_user)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    slow = threading.Thread(target=slow_creation)
    slow.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        second = make_ticket(created_by=agent_user)
    finally:
        release.set()
        slow.join()
    assert second.number.endswith("-000002")
    assert Ticket.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creations_never_share_a_number(agent_user):
    # Eight desks opening tickets at once, each on its own connections.
    start = threading.Barrier(8)

    def desk(_n: int) -> list[str]:
        try:
            start.wait(10)
            return [make_ticket(created_by=agent_user).number for _ in range(5)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as desks:
        numbers = [number for taken in desks.map(desk, range(8)) for number in taken]

    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 41))
    assert set(Ticket.objects.values_list("number", flat=True)) == set(numbers)


def _backend(alias: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_numbers_are_counted_on_their_own_connection_without_waiting_for_the_disk(agent_user):
    make_ticket(created_by=agent_user)
    with connections[numbering.NUMBERS_ALIAS].cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "off"
    assert connections[numbering.NUMBERS_ALIAS].get_autocommit()
    assert _backend(numbering.NUMBERS_ALIAS) != _backend("default")
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_numbering_reconnects_when_its_connection_was_cut(agent_user):
    make_ticket(created_by=agent_user)
    backend = _backend(numbering.NUMBERS_ALIAS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])

    assert make_ticket(created_by=agent_user).number.endswith("-000002")
    assert _backend(numbering.NUMBERS_ALIAS) != backend


def test_inside_the_transaction_when_configured_so(agent_user, settings):
    settings.TICKET_NUMBERS_OUTSIDE_TRANSACTION = False
    first = make_ticket(created_by=agent_user)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_ticket(created_by=agent_user)
        raise RuntimeError("rolled back with its number")

    assert first.number.endswith("-000001")
    assert make_ticket(created_by=agent_user).number.endswith("-000002")
    # Counted by the creating transaction itself, on its own connection.
    assert TicketDaySequence.objects.get().last == 2

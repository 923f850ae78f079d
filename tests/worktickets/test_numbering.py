"""Ticket numbers: per local day, never repeated, and taken without making
every creation in the centre wait for the one before it to commit."""

import threading

import pytest
from django.db import connection, transaction

from csc.lib.errors import DomainError
from tests.factories import make_ticket
from worktickets import numbering
from worktickets.models import Ticket

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
def test_numbering_reconnects_when_its_connection_was_cut(agent_user):
    make_ticket(created_by=agent_user)
    backend = numbering._counter.raw.get_backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])

    assert make_ticket(created_by=agent_user).number.endswith("-000002")
    assert numbering._counter.raw.get_backend_pid() != backend


def test_inside_the_transaction_when_configured_so(agent_user, settings):
    settings.TICKET_NUMBERS_OUTSIDE_TRANSACTION = False
    first = make_ticket(created_by=agent_user)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_ticket(created_by=agent_user)
        raise RuntimeError("rolled back with its number")

    assert first.number.endswith("-000001")
    assert make_ticket(created_by=agent_user).number.endswith("-000002")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_forked_worker_takes_numbers_on_its_own_connection(agent_user):
    first = make_ticket(created_by=agent_user)
    parents = numbering._counter.raw

    numbering._forget_after_fork()  # what the fork hook runs in the child
    second = make_ticket(created_by=agent_user)

    assert numbering._counter.raw is not parents
    assert not parents.closed  # left to the parent, not closed under it
    assert [first.number[-6:], second.number[-6:]] == ["000001", "000002"]
    parents.close()

"""The suite-wide guard (tests/audit.py): application code that changes a
history-tracked field with `QuerySet.update()` fails the test that runs it."""

from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from tests.audit import ROOT
from tests.factories import TicketFactory
from worktickets.models import Ticket

pytestmark = pytest.mark.django_db


def run_as_application_code(source: str, **names) -> None:
    # Compiled under a path of the application, as a service's line would be.
    exec(compile(source, str(Path(ROOT) / "worktickets" / "example.py"), "exec"), names)


def test_an_update_of_a_tracked_field_from_application_code_fails():
    ticket = TicketFactory(priority=2)

    with pytest.raises(AssertionError, match=r"worktickets/example\.py:1: Ticket update\(priority"):
        run_as_application_code(
            "Ticket.objects.filter(pk=pk).update(priority=3)", Ticket=Ticket, pk=ticket.pk
        )

    ticket.priority = 3
    # bulk_update runs in a transaction of its own: a savepoint keeps the test's usable.
    with pytest.raises(AssertionError, match=r"Ticket update\(priority\)"), transaction.atomic():
        run_as_application_code(
            "Ticket.objects.bulk_update([ticket], ['priority'])", Ticket=Ticket, ticket=ticket
        )

    assert Ticket.objects.get(pk=ticket.pk).priority == 2


def test_fields_left_out_of_the_history_and_tests_own_updates_pass():
    ticket = TicketFactory(priority=2)

    run_as_application_code(
        "Ticket.objects.filter(pk=pk).update(sla_due_at=now)",
        Ticket=Ticket,
        pk=ticket.pk,
        now=timezone.now(),
    )
    Ticket.objects.filter(pk=ticket.pk).update(priority=3)  # a test arranging its data

    assert Ticket.objects.filter(pk=ticket.pk, priority=3, sla_due_at__isnull=False).exists()

"""A new ticket is numbered last thing in its creation (the day's counter row
stays locked only briefly), yet every row written for it shows its number."""

import pytest

from csc.lib.errors import DomainError
from tests.factories import make_ticket
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

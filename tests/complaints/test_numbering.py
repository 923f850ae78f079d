"""A complaint's ticket is numbered before anything written for it names it."""

import pytest

from tests.factories import CustomerFactory, make_complaint
from worktickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def test_the_earlier_complaint_hears_of_the_recurrence_by_its_real_number(groups, agent_user):
    customer = CustomerFactory()
    earlier = make_complaint(recorded_by=agent_user, customer=customer)
    later = make_complaint(recorded_by=agent_user, customer=customer)

    assert later.ticket.number.startswith("T")
    assert later.ticket.history.get().number == later.ticket.number
    notes = TicketEvent.objects.filter(ticket=earlier.ticket).values_list("body", flat=True)
    assert any(later.ticket.number in note for note in notes)

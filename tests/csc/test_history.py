"""Every tracked model's history manager class is made once, and still works."""

import pytest

from csc.lib.history import KeptHistoryDescriptor
from tests.factories import make_ticket
from worktickets.models import Ticket


def test_every_tracked_model_keeps_its_history_manager_class():
    assert isinstance(Ticket.__dict__["history"], KeptHistoryDescriptor)
    assert type(Ticket.history) is type(Ticket.history)


@pytest.mark.django_db
def test_history_rows_are_still_written_and_read_per_instance(agent_user):
    first = make_ticket(created_by=agent_user)
    second = make_ticket(created_by=agent_user, subject="另一张")

    assert [h.subject for h in second.history.all()] == ["另一张"]
    assert first.history.count() == 1
    assert Ticket.history.filter(id__in=[first.pk, second.pk]).count() == 2

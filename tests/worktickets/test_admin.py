"""The ticket admin shows the caller's number masked (DOMAIN.md R-2): full numbers
are revealed, with a reason and a record, on the ticket's page only."""

import pytest
from django.urls import reverse

from intake.models import PersonalDataAccess
from tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_ticket_admin_masks_the_caller_number_and_records_nothing(admin_client):
    ticket = TicketFactory(caller_number="13812341234")
    ticket.caller_number = "13912345678"
    ticket.save()  # an earlier number stays in the history

    change = admin_client.get(reverse("admin:worktickets_ticket_change", args=[ticket.pk]))
    history_id = ticket.history.order_by("history_id").first().history_id
    version = admin_client.get(
        reverse("admin:worktickets_ticket_simple_history", args=[ticket.pk, history_id])
    )

    assert change.status_code == version.status_code == 200
    assert "139****5678" in change.content.decode()
    for page in (change, version):
        assert "13912345678" not in page.content.decode()
        assert "13812341234" not in page.content.decode()
    assert not PersonalDataAccess.objects.exists()

"""An action on the ticket page says everything wrong in one answer, in its own form."""

import html

import pytest
from django.urls import reverse

from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_a_transfer_without_reason_or_destination_names_both(english, agent_user):
    english.force_login(agent_user)
    ticket = make_ticket(created_by=agent_user, assignee=agent_user)
    url = reverse("worktickets:ticket_action", args=[ticket.pk, "transfer"])

    response = english.post(url, {"version": ticket.version, "reason": " "}, **HX)

    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert page.lstrip().startswith('<div id="ticket-main"')
    assert 'id="id_transfer_reason_error"' in page
    assert 'id="id_transfer_team_error"' in page
    assert "Choose the team or the agent to transfer to." in page

"""Care fixtures: a closed ticket surveyed by SMS, and the link's token from the outbox."""

import re

import pytest

from care import services
from staffing.models import OutboxMessage
from tests.factories import CustomerFactory, make_ticket
from worktickets import services as ticket_services

LINK = re.compile(r"/care/s/([A-Za-z0-9_-]+)/")


def close(ticket, by):
    ticket = ticket_services.ticket_resolve(
        ticket, by=by, version=ticket.version, resolution="已解答"
    )
    return ticket_services.ticket_close(ticket, by=by, version=ticket.version)


def token_of(survey) -> str:
    message = OutboxMessage.objects.get(dedupe_key=f"survey:{survey.pk}")
    return LINK.search(message.body).group(1)


@pytest.fixture
def customer(db):
    return CustomerFactory(phone="13912345678", payment_type="postpaid", vip_tier="gold")


@pytest.fixture
def closed_ticket(agent_user, customer, django_capture_on_commit_callbacks):
    """An inquiry closed through the desk's services; its survey is offered after commit."""
    ticket = make_ticket(created_by=agent_user, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        close(ticket, agent_user)
    return ticket


@pytest.fixture
def sent(closed_ticket):
    """(survey, token) of the closed ticket's survey, sent at once by the default policy."""
    survey = closed_ticket.surveys.get()
    return survey, token_of(survey)


def answer(token, score, **fields):
    return services.survey_answer(token, services.SurveyAnswer(score=score, **fields))


# Complaint fixtures (handling groups) for the complaint callbacks.
from tests.complaints.conftest import (  # noqa: E402, F401
    complaints_team,
    groups,
    legal_team,
    tech_team,
)

"""A quiet console under `make run`: a refusal is one line, not a traceback; a ticket
no SLA policy matches is not announced at INFO; browsers find an icon instead of a
404 on every page."""

import logging

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from sla import services as sla_services
from sla.matching import TicketFacts
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_a_403_is_logged_as_one_line_without_a_traceback(client, agent_user, caplog):
    client.force_login(agent_user)

    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client.get(reverse("sla:at_risk"))

    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /sla/at-risk/"
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_an_error_on_the_same_logger_keeps_its_traceback(caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        try:
            raise ValueError("a real fault")
        except ValueError:
            logging.getLogger("django.request").exception("Internal Server Error: /x/")

    assert "Traceback" in caplog.text
    assert "ValueError: a real fault" in caplog.text


def test_a_ticket_no_policy_matches_is_only_mentioned_at_debug(agent_user, caplog):
    ticket = TicketFactory(team=agent_user.agent.team)
    facts = TicketFacts(kind="no_such_kind", channel="fax", priority=1, vip_tier="none")

    with caplog.at_level(logging.INFO, logger="sla"):
        clocks = sla_services.clocks_start(ticket, facts)
    quiet = caplog.text
    with caplog.at_level(logging.DEBUG, logger="sla"):
        sla_services.clocks_start(ticket, facts)

    assert clocks == []
    assert "no SLA policy matches" not in quiet
    assert f"no SLA policy matches ticket {ticket.pk}" in caplog.text


def test_pages_link_an_icon_and_the_browsers_default_path_finds_it(client):
    page = client.get(reverse("login")).content.decode()
    answer = client.get("/favicon.ico")

    assert 'rel="icon" href="/static/favicon.ico"' in page
    assert 'rel="icon" href="/static/favicon.svg" type="image/svg+xml"' in page
    assert (answer.status_code, answer["Location"]) == (302, "/static/favicon.ico")
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
    with open(finders.find("favicon.svg"), encoding="utf-8") as icon:
        assert icon.read().startswith("<svg")

"""An htmx action that fails never replaces the page, with DEBUG on as under `make run`.

Views answer refusals with their own fragment (the form, with every error and
everything typed); whatever else ends in an error (404, 403, a request Django
refuses, a CSRF failure) becomes a short message for the page's error banner.
"""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


def assert_banner(response, status: int, words: str) -> None:
    body = response.content.decode()
    assert response.status_code == status
    assert not body.lstrip().lower().startswith(("<!doctype", "<html")), body[:200]
    assert response["HX-Retarget"] == "#htmx-error"
    assert response["HX-Reswap"] == "innerHTML"
    assert 'role="alert"' in body and words in body


@override_settings(DEBUG=True)
def test_pages_under_debug_leave_out_the_script_that_puts_error_answers_in_place_of_the_page(
    client, agent_user
):
    client.force_login(agent_user)
    page = client.get(reverse("worktickets:my_queue")).content.decode()
    assert "django_htmx/htmx-2.min.js" in page
    assert "django-htmx.js" not in page
    assert 'id="htmx-error"' in page


@override_settings(DEBUG=True)
def test_a_resolution_of_only_spaces_answers_the_ticket_fragment_with_the_error(client, agent_user):
    client.force_login(agent_user)
    ticket = make_ticket(created_by=agent_user, assignee=agent_user)
    url = reverse("worktickets:ticket_action", args=[ticket.pk, "resolve"])
    response = client.post(url, {"version": ticket.version, "resolution": "   "}, **HX)
    body = response.content.decode()
    assert response.status_code == 400
    assert body.lstrip().startswith('<div id="ticket-main"')
    assert "HX-Retarget" not in response
    assert 'aria-invalid="true"' in body and "This field is required." in body


@override_settings(DEBUG=True)
def test_an_action_on_a_ticket_no_longer_visible_is_a_banner_not_the_technical_404(
    client, agent_user, outsider_user
):
    ticket = make_ticket(created_by=agent_user)
    client.force_login(outsider_user)
    url = reverse("worktickets:ticket_action", args=[ticket.pk, "resolve"])
    response = client.post(url, {"version": ticket.version, "resolution": "好了"}, **HX)
    assert_banner(response, 404, "no longer visible to you")


@override_settings(DEBUG=True)
def test_an_action_the_role_does_not_include_is_a_banner_not_the_403_page(
    client, agent_user, qa_user
):
    ticket = make_ticket(created_by=agent_user)
    client.force_login(qa_user)
    url = reverse("worktickets:ticket_action", args=[ticket.pk, "resolve"])
    response = client.post(url, {"version": ticket.version, "resolution": "好了"}, **HX)
    assert_banner(response, 403, "This action was not allowed")


@override_settings(DEBUG=True)
def test_a_request_django_refuses_is_a_banner_not_the_technical_400(client, agent_user):
    client.force_login(agent_user)
    ticket = make_ticket(created_by=agent_user, assignee=agent_user)
    url = reverse("worktickets:ticket_action", args=[ticket.pk, "resolve"])
    too_many = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(url, too_many, **HX)
    assert_banner(response, 400, "The request could not be read")


@override_settings(DEBUG=True)
def test_a_csrf_failure_is_a_banner_not_the_technical_403(agent_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_user)
    ticket = make_ticket(created_by=agent_user, assignee=agent_user)
    url = reverse("worktickets:ticket_action", args=[ticket.pk, "resolve"])
    response = client.post(url, {"version": ticket.version, "resolution": "好了"}, **HX)
    assert_banner(response, 403, "This action was not allowed")


@override_settings(DEBUG=True)
def test_text_that_cannot_be_stored_is_a_banner_above_the_form(client, agent_user):
    client.force_login(agent_user)
    ticket = make_ticket(created_by=agent_user, assignee=agent_user)
    url = reverse("worktickets:ticket_action", args=[ticket.pk, "resolve"])
    body = urlencode({"version": ticket.version, "resolution": "a\x00b"})
    response = client.post(url, body, content_type="application/x-www-form-urlencoded", **HX)
    assert_banner(response, 400, "resolution")


def test_a_page_asked_for_without_htmx_keeps_the_product_404_page(client, agent_user):
    client.force_login(agent_user)
    response = client.get(reverse("worktickets:ticket_detail", args=[999999]))
    assert response.status_code == 404
    assert "HX-Retarget" not in response

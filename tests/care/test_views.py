"""The public survey page (no login, rate-limited per address) and the care pages."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from care.models import Callback, Survey
from tests.care.conftest import answer

pytestmark = pytest.mark.django_db


def page(token):
    return reverse("care:survey", args=[token])


def test_the_customer_answers_on_the_page_without_signing_in(client, sent):
    survey, token = sent

    shown = client.get(page(token))
    done = client.post(page(token), {"score": "5", "attitude": "4", "comment": "谢谢"})

    assert shown.status_code == 200 and survey.ticket.number in shown.content.decode()
    assert done.status_code == 200
    survey.refresh_from_db()
    assert (survey.score, survey.attitude, survey.answered_via) == (5, 4, "sms_link")


def test_a_dissatisfied_answer_on_the_page_promises_a_callback(client, sent):
    survey, token = sent

    done = client.post(page(token), {"score": "2"})

    assert "data-callback-promised" in done.content.decode()
    assert Callback.objects.filter(survey=survey).exists()


def test_a_missing_score_is_a_400_with_the_form_again(client, sent):
    survey, token = sent

    response = client.post(page(token), {"score": "abc"})

    assert response.status_code == 400
    assert 'name="score"' in response.content.decode()
    assert Survey.objects.get(pk=survey.pk).score is None


def test_a_refused_answer_keeps_the_optional_answers_and_the_comment(client, sent):
    _survey, token = sent

    response = client.post(page(token), {"attitude": "2", "stability": "5", "comment": "等太久"})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'name="attitude" value="2" checked' in html
    assert 'name="stability" value="5" checked' in html
    assert ">等太久</textarea>" in html
    assert "checked" not in client.get(page(token)).content.decode()  # a fresh page: nothing


@pytest.mark.parametrize(("how", "status"), [("forged", 404), ("reused", 409), ("expired", 410)])
def test_a_bad_link_gets_a_clear_page_and_writes_nothing(client, sent, how, status):
    survey, token = sent
    if how == "reused":
        answer(token, 4)
    if how == "forged":
        token = "x" * 32
    travel = survey.expires_at + datetime.timedelta(minutes=1) if how == "expired" else None

    with time_machine.travel(travel or survey.created_at + datetime.timedelta(minutes=1)):
        response = client.post(page(token), {"score": "1"})

    assert response.status_code == status
    assert "data-survey-refused" in response.content.decode()
    assert not Callback.objects.exists()


def test_the_page_is_rate_limited_per_address(client, sent, settings):
    settings.SURVEY_PAGE_RATE_PER_MINUTE = 3
    _survey, token = sent

    statuses = [client.get(page(token)).status_code for _ in range(4)]
    other = client.get(page(token), REMOTE_ADDR="10.0.0.9").status_code

    assert statuses == [200, 200, 200, 429]
    assert other == 200


def test_the_page_is_mobile_first(client, sent):
    _survey, token = sent

    html = client.get(page(token)).content.decode()

    assert 'name="viewport"' in html and "care/survey.css" in html


def test_care_home_shows_csat_and_open_callbacks(
    client, sent, manager_user, django_assert_max_num_queries
):
    _survey, token = sent
    answer(token, 1)
    client.force_login(manager_user)

    with django_assert_max_num_queries(25):
        response = client.get(reverse("care:home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "data-csat-today" in html and "0.0 %" in html
    assert Callback.objects.get().ticket.number in html


def test_the_care_home_costs_the_same_with_more_callbacks(
    client, agent_user, manager_user, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from care import services
    from tests.factories import CustomerFactory

    client.force_login(manager_user)
    counts = []
    for n in (1, 4):
        for _ in range(n):
            services.callback_create(reason="manual", customer=CustomerFactory(), by=agent_user)
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("care:home"))
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]


def test_an_agent_records_an_outcome_from_the_callbacks_list(client, sent, agent_user):
    _survey, token = sent
    answer(token, 2)
    callback = Callback.objects.get()
    client.force_login(agent_user)

    listed = client.get(reverse("care:callbacks")).content.decode()
    done = client.post(
        reverse("care:callback_outcome", args=[callback.pk]),
        {"outcome": "reached_satisfied", "comment": "已解释"},
    )

    assert callback.ticket.number in listed and "data-due" in listed
    assert done.status_code == 302
    callback.refresh_from_db()
    assert callback.outcome == "reached_satisfied" and callback.outcome_comment == "已解释"


def test_the_callbacks_list_costs_the_same_with_more_rows(client, agent_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from care import services
    from tests.factories import CustomerFactory

    client.force_login(agent_user)
    client.get(reverse("care:callbacks"))  # the first request loads what each process keeps
    counts = []
    for n in (1, 4):
        for _ in range(n):
            services.callback_create(reason="manual", customer=CustomerFactory(), by=agent_user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("care:callbacks"))
        counts.append(len(ctx.captured_queries))
        assert response.status_code == 200

    assert counts[0] == counts[1]


def test_the_care_home_is_refused_to_an_outsider(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))

    assert client.get(reverse("care:home")).status_code == 403


def test_a_callback_ticket_works_like_any_ticket_on_the_desk(client, agent_user, customer):
    from care import services
    from worktickets.models import Ticket

    callback = services.callback_create(reason="requested", customer=customer, by=agent_user)
    client.force_login(agent_user)

    queue = client.get(reverse("worktickets:team_queue"))
    detail = client.get(reverse("worktickets:ticket_detail", args=[callback.ticket_id]))
    api = client.get("/api/v1/tickets/", {"kind": "callback"})

    assert queue.status_code == 200 and callback.ticket.number in queue.content.decode()
    assert detail.status_code == 200
    assert "回访" in detail.content.decode() or "Callback" in detail.content.decode()
    assert api.status_code == 200
    assert [row["number"] for row in api.json()["results"]] == [
        Ticket.objects.get(pk=callback.ticket_id).number
    ]


def test_the_public_page_runs_one_query(client, sent, django_assert_num_queries):
    _survey, token = sent
    client.get(page(token))  # the optional questions' markup is rendered once

    with django_assert_num_queries(1):
        response = client.get(page(token))

    assert response.status_code == 200 and 'name="after_sales"' in response.content.decode()


def test_the_optional_questions_are_in_the_readers_language(client, sent):
    _survey, token = sent

    english = client.get(page(token), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(page(token), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "Service attitude" in english and "Service attitude" not in chinese


def test_the_care_home_compares_each_channel_and_tier_with_its_own_target(
    client, sent, manager_user
):
    from care.models import CsatTarget

    survey, token = sent
    answer(token, 3)  # CSAT 0 %
    CsatTarget.objects.create(channel=survey.channel, target_percent=0)
    CsatTarget.objects.create(tier=survey.tier, target_percent=50)
    client.force_login(manager_user)

    html = client.get(reverse("care:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    channel_row = html.split(f'data-csat-row="{survey.channel}"', 1)[1].split("</tr>", 1)[0]
    tier_row = html.split(f'data-csat-row="{survey.tier}"', 1)[1].split("</tr>", 1)[0]
    assert "data-target>0 %" in channel_row and "below target" not in channel_row
    assert "data-target>50 %" in tier_row and "below target" in tier_row
    assert "<title>Customer care" in html and "data-campaign" not in html.split("</title>")[0]

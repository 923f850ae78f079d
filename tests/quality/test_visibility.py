"""An agent never sees another agent's evaluation, through page, fragment, export or API
(issue 17 item 11); team leads see their teams'; QA and the QA lead see all; drafts
stay with their inspector. The API answers `quality:read` integrations."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from quality import services
from tests.factories import make_api_client
from tests.quality.conftest import full_points, make_sample

pytestmark = pytest.mark.django_db


def _evaluated(agent, inspector):
    evaluation = services.evaluation_start(make_sample(agent, inspector=inspector), by=inspector)
    return services.evaluation_submit(evaluation, by=inspector, points=full_points(evaluation))


@pytest.fixture
def two(agent_user, outsider_user, qa_user):
    return _evaluated(agent_user, qa_user), _evaluated(outsider_user, qa_user)


def test_an_agent_never_sees_another_agents_evaluation(client, two, agent_user, outsider_user):
    mine, theirs = two
    client.force_login(agent_user)
    assert client.get(reverse("quality:evaluation", args=[mine.pk])).status_code == 200
    assert client.get(reverse("quality:evaluation", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("quality:scorings", args=[theirs.pk])).status_code == 404
    assert (
        client.get(reverse("quality:scorings", args=[mine.pk]), HTTP_HX_REQUEST="true").status_code
        == 200
    )
    posted = client.post(reverse("quality:action", args=[theirs.pk, "dispute"]), {"reason": "x"})
    assert posted.status_code == 404
    listing = client.get(reverse("quality:mine")).content.decode()
    assert f"#{mine.pk}<" in listing and f"#{theirs.pk}<" not in listing
    export = client.get(reverse("quality:export"), {"agent": outsider_user.pk}).content.decode(
        "utf-8-sig"
    )
    assert outsider_user.display_name not in export
    export = client.get(reverse("quality:export")).content.decode("utf-8-sig")
    assert agent_user.display_name in export and outsider_user.display_name not in export
    api = client.get("/api/v1/quality/evaluations/").json()
    assert [row["id"] for row in api["results"]] == [mine.pk]
    assert client.get(f"/api/v1/quality/evaluations/{theirs.pk}/").status_code == 404
    assert client.get(reverse("quality:team")).status_code == 403  # leads no team


def test_a_team_lead_sees_their_teams_evaluations_only(client, two, lead_user):
    mine, theirs = two
    client.force_login(lead_user)
    assert client.get(reverse("quality:evaluation", args=[mine.pk])).status_code == 200
    assert client.get(reverse("quality:evaluation", args=[theirs.pk])).status_code == 404
    ids = [row["id"] for row in client.get("/api/v1/quality/evaluations/").json()["results"]]
    assert ids == [mine.pk]


def test_a_draft_is_its_inspectors_alone(client, agent_user, qa_user, lead_user, manager_user):
    draft = services.evaluation_start(make_sample(agent_user, inspector=qa_user), by=qa_user)
    for user in (agent_user, lead_user, manager_user):
        client.force_login(user)
        assert client.get(reverse("quality:evaluation", args=[draft.pk])).status_code == 404
    client.force_login(qa_user)
    assert client.get(reverse("quality:evaluation", args=[draft.pk])).status_code == 200


def test_the_qa_lead_sees_every_team(client, two, manager_user):
    client.force_login(manager_user)
    ids = {row["id"] for row in client.get("/api/v1/quality/evaluations/").json()["results"]}
    assert ids == {e.pk for e in two}


def test_integrations_read_scorecards_and_evaluations_with_quality_read(two, agent_user):
    _, key = make_api_client("wfm", ["quality:read"])
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    cards = api.get("/api/v1/quality/scorecards/").json()
    assert cards[0]["versions"][0]["lines"][0]["name"] == "服务用语"
    body = api.get("/api/v1/quality/evaluations/", {"agent": agent_user.pk}).json()
    assert [row["id"] for row in body["results"]] == [two[0].pk]
    row = body["results"][0]
    assert row["score"] == "100.00" and row["scorings"][0]["lines"][0]["points"] == 10
    month = row["month"]
    assert len(api.get("/api/v1/quality/evaluations/", {"month": month}).json()["results"]) == 2
    assert api.get("/api/v1/quality/evaluations/", {"state": "closed"}).json()["results"] == []
    _, other = make_api_client("crm", ["contacts:read"])
    assert (
        APIClient(HTTP_AUTHORIZATION=f"Token {other}")
        .get("/api/v1/quality/evaluations/")
        .status_code
        == 403
    )


@pytest.mark.parametrize(
    "params", [{"month": "2026-13"}, {"agent": "x"}, {"state": "nope"}, {"team": "-1"}]
)
def test_bad_filters_are_a_400_naming_the_field(client, manager_user, params):
    client.force_login(manager_user)
    response = client.get("/api/v1/quality/evaluations/", params)
    assert response.status_code == 400
    assert next(iter(params)) in response.json()


def test_the_evaluation_list_api_runs_constant_queries(client, manager_user, agent_user, qa_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager_user)
    _evaluated(agent_user, qa_user)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/quality/evaluations/")
    for _ in range(4):
        _evaluated(agent_user, qa_user)
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/quality/evaluations/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_api_refuses_a_month_of_year_zero_with_a_400(client, manager_user):
    client.force_login(manager_user)
    answer = client.get("/api/v1/quality/evaluations/", {"month": "0000-01"})
    assert answer.status_code == 400
    assert "month" in answer.json()


def _xlsx(client, **params):
    response = client.get(reverse("quality:export_xlsx"), params)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="evaluations.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_export_shows_what_the_page_shows(
    client, two, agent_user, outsider_user, lead_user, manager_user
):
    """The same rule as the page, through the export door: an agent only their own
    (even asking for another agent), a team lead only their team, the QA lead all."""
    mine, theirs = two
    client.force_login(agent_user)
    header, *rows = _xlsx(client)
    assert header[:3] == ["质检评估", "月份", "业务代表"]  # Chinese by default
    assert [row[0] for row in rows] == [mine.pk]
    assert _xlsx(client, agent=outsider_user.pk)[1:] == []
    client.force_login(lead_user)
    assert [row[0] for row in _xlsx(client)[1:]] == [mine.pk]
    assert _xlsx(client, team=outsider_user.agent.team_id)[1:] == []
    client.force_login(manager_user)
    assert {row[0] for row in _xlsx(client)[1:]} == {mine.pk, theirs.pk}


def test_the_xlsx_export_keeps_numbers_as_numbers_and_formulas_as_text(client, two, agent_user):
    _mine, _theirs = two
    agent_user.first_name, agent_user.last_name = '=HYPERLINK("http://x")', ""
    agent_user.save()
    client.force_login(agent_user)
    (row,) = _xlsx(client)[1:]
    assert row[2] == '=HYPERLINK("http://x")'  # text, never run as a formula
    assert row[6] == 100 and isinstance(row[6], int | float)
    assert isinstance(row[9], datetime.datetime)
    response = client.get(reverse("quality:export_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["C2"].data_type == "s"


def test_the_csv_export_never_hands_a_spreadsheet_a_formula(client, two, agent_user):
    agent_user.first_name, agent_user.last_name = '=HYPERLINK("http://x")', ""
    agent_user.save()
    client.force_login(agent_user)
    text = client.get(reverse("quality:export")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_the_xlsx_export_runs_a_constant_number_of_queries(
    client, manager_user, agent_user, qa_user
):
    client.force_login(manager_user)
    _evaluated(agent_user, qa_user)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("quality:export_xlsx"))
    for _ in range(3):
        _evaluated(agent_user, qa_user)
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("quality:export_xlsx"))
    assert len(four.captured_queries) == len(one.captured_queries)

"""The centre's QA summary (issue 17 item 8): per team the pass rate, critical failures,
disputes and their outcome (a revision counts even after the evaluation closed), and
each line's average, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quality import selectors, services
from tests.factories import AgentFactory, UserFactory
from tests.quality.conftest import full_points, make_sample

pytestmark = pytest.mark.django_db


def _evaluated(agent, inspector, **points):
    evaluation = services.evaluation_start(make_sample(agent, inspector=inspector), by=inspector)
    return services.evaluation_submit(
        evaluation, by=inspector, points=full_points(evaluation, **points)
    )


def test_the_summary_counts_passes_failures_and_dispute_outcomes(
    client, agent_user, lead_user, manager_user, qa_user, hotline_team
):
    good = _evaluated(agent_user, qa_user)
    _evaluated(agent_user, qa_user, p6=0)  # a critical failure
    revised = _evaluated(agent_user, qa_user, p1=0, p2=0)
    upheld = _evaluated(agent_user, qa_user, p1=0, p2=0)
    for evaluation in (revised, upheld):
        services.evaluation_dispute(evaluation, by=agent_user, reason="不同意")
    services.evaluation_revise(revised, by=lead_user, points=full_points(revised), note="改判")
    services.evaluation_uphold(upheld, by=manager_user)
    services.evaluation_close(revised)  # closed, still a revision

    teams, lines = selectors.centre_summary(good.month)

    row = teams[0]
    assert (row.team, row.count, row.critical) == (hotline_team.name, 4, 1)
    assert (row.disputed, row.upheld, row.revised) == (2, 1, 1)
    assert row.pass_rate == 50  # good and revised pass; critical and upheld (60) do not
    assert [name for name, _share in lines][:2] == ["服务用语", "服务态度"]

    client.force_login(manager_user)
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("quality:summary"), {"month": f"{good.month:%Y-%m}"})
    assert page.status_code == 200 and "<svg" in page.content.decode()
    for n in range(3):
        other = UserFactory(username=f"s{n}", roles=["agent"])
        AgentFactory(user=other)
        _evaluated(other, qa_user, p1=3)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("quality:summary"), {"month": f"{good.month:%Y-%m}"})
    assert len(many.captured_queries) == len(few.captured_queries)
    client.force_login(lead_user)
    assert client.get(reverse("quality:summary")).status_code == 403

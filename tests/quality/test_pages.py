"""The QA pages (issue 17 item 8): worklist, evaluation page, own evaluations, team scores;
constant query counts on every list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quality import selectors, services
from quality.models import Evaluation
from tests.factories import AgentFactory, UserFactory
from tests.quality.conftest import full_points, make_sample

pytestmark = pytest.mark.django_db

URL = "https://cti.example.com/rec/1.mp3"


def _evaluated(agent, inspector, **points):
    sample = make_sample(agent, inspector=inspector)
    evaluation = services.evaluation_start(sample, by=inspector)
    return services.evaluation_submit(
        evaluation, by=inspector, points=full_points(evaluation, **points)
    )


def _queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_inspector_scores_a_sampled_call_from_the_worklist(client, qa_user, agent_user):
    sample = make_sample(agent_user, inspector=qa_user)
    sample.contact.recording_url = URL
    sample.contact.recording_seconds = 95
    sample.contact.transcript = "坐席：您好，很高兴为您服务\n客户：查话费"
    sample.contact.save()
    client.force_login(qa_user)

    page = client.get(reverse("quality:worklist")).content.decode()
    assert "Due this week" in page or "本周到期" in page
    started = client.post(reverse("quality:sample_start", args=[sample.pk]))
    evaluation = Evaluation.objects.get()
    assert started["Location"] == reverse("quality:evaluation", args=[evaluation.pk])
    page = client.get(started["Location"]).content.decode()
    assert f'<audio controls preload="none" src="{URL}"' in page
    assert "很高兴为您服务" in page
    lines = list(evaluation.scorecard_version.lines.order_by("position"))
    form = {f"line_{line.pk}": 8 for line in lines if not line.is_critical}
    form["comment_" + str(lines[0].pk)] = "开场白完整"
    response = client.post(reverse("quality:action", args=[evaluation.pk, "submit"]), form)

    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.state, str(evaluation.score)) == ("submitted", "80.00")


def test_a_ticked_critical_line_fails_the_evaluation_from_the_page(client, qa_user, agent_user):
    evaluation = services.evaluation_start(make_sample(agent_user, inspector=qa_user), by=qa_user)
    lines = list(evaluation.scorecard_version.lines.order_by("position"))
    form = {f"line_{line.pk}": 10 for line in lines if not line.is_critical}
    form[f"line_{lines[-1].pk}"] = "violated"
    client.force_login(qa_user)
    client.post(reverse("quality:action", args=[evaluation.pk, "submit"]), form)
    evaluation.refresh_from_db()
    assert evaluation.score == 0 and evaluation.critical_failed


def test_points_out_of_range_on_the_page_answer_400_with_the_message(client, qa_user, agent_user):
    evaluation = services.evaluation_start(make_sample(agent_user, inspector=qa_user), by=qa_user)
    lines = list(evaluation.scorecard_version.lines.order_by("position"))
    form = {f"line_{line.pk}": 10 for line in lines if not line.is_critical}
    form[f"line_{lines[0].pk}"] = 12
    client.force_login(qa_user)
    response = client.post(
        reverse("quality:action", args=[evaluation.pk, "submit"]), form, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "服务用语 takes whole points from 0 to 10" in response.content.decode()


def test_evaluating_a_sample_twice_answers_409(client, qa_user, agent_user):
    sample = make_sample(agent_user, inspector=qa_user)
    client.force_login(qa_user)
    client.post(reverse("quality:sample_start", args=[sample.pk]))
    again = client.post(reverse("quality:sample_start", args=[sample.pk]))
    assert again.status_code == 409


def test_the_agent_disputes_and_the_team_lead_revises_on_the_page(
    client, qa_user, agent_user, lead_user
):
    evaluation = _evaluated(agent_user, qa_user, p1=2)
    client.force_login(agent_user)
    assert client.get(reverse("quality:mine")).status_code == 200
    client.post(
        reverse("quality:action", args=[evaluation.pk, "dispute"]), {"reason": "开场白说了"}
    )
    client.force_login(lead_user)
    page = client.get(reverse("quality:evaluation", args=[evaluation.pk])).content.decode()
    assert "qa-revise-form" in page
    lines = list(evaluation.scorecard_version.lines.order_by("position"))
    form = {f"line_{line.pk}": 10 for line in lines if not line.is_critical}
    form["note"] = "复听后改分"
    client.post(reverse("quality:action", args=[evaluation.pk, "revise"]), form)
    client.force_login(agent_user)
    page = client.get(reverse("quality:evaluation", args=[evaluation.pk])).content.decode()
    assert "100.00" in page and "84.00" in page  # the revision and the inspector's both show


def test_the_worklist_runs_a_constant_number_of_queries(client, qa_user):
    client.force_login(qa_user)
    agents = []
    for n in range(2):
        user = UserFactory(username=f"w{n}", roles=["agent"])
        AgentFactory(user=user)
        agents.append(user)
    for agent in agents:
        make_sample(agent, inspector=qa_user)
    _evaluated(agents[0], qa_user)
    few = _queries(client, reverse("quality:worklist"))
    for agent in agents:
        for _ in range(4):
            make_sample(agent, inspector=qa_user)
        _evaluated(agent, qa_user)
    assert _queries(client, reverse("quality:worklist")) == few


def test_the_worklist_reads_three_queries_and_shows_the_first_rows_of_each_part(
    qa_user, django_assert_num_queries, monkeypatch
):
    """Counts cover every open sample; rows only the first of each part (by due date);
    a draft stays open, a submitted evaluation is done, latest first; another
    inspector's samples never show."""
    monkeypatch.setattr(selectors, "SHOWN", {"overdue": 2, "due": 2, "later": 1})
    today = datetime.date(2026, 11, 11)  # a Wednesday: the week ends on the 15th
    agent = UserFactory(username="wl", roles=["agent"])
    AgentFactory(user=agent)
    other_qa = UserFactory(username="qa2", roles=["qa_inspector"])

    def due(day, inspector=qa_user):
        sample = make_sample(agent, inspector=inspector)
        sample.due_on = datetime.date(2026, 11, day)
        sample.save()
        return sample

    overdue = [due(3), due(1), due(9)]
    this_week = [due(12), due(15)]
    later = [due(20), due(16)]
    due(2, inspector=other_qa)
    draft = services.evaluation_start(overdue[0], by=qa_user)  # begun: still open
    done = []
    for day in (5, 6):
        evaluation = services.evaluation_start(due(day), by=qa_user)
        done.append(
            services.evaluation_submit(evaluation, by=qa_user, points=full_points(evaluation))
        )

    with django_assert_num_queries(3):
        worklist = selectors.worklist(qa_user, today)

    assert worklist.counts == {"overdue": 3, "due": 2, "later": 2}
    assert worklist.overdue == [overdue[1], overdue[0]]  # the longest overdue first
    assert worklist.overdue[1].evaluation == draft
    assert worklist.due == this_week
    assert worklist.later == [later[1]]
    assert [s.evaluation.pk for s in worklist.done] == [done[1].pk, done[0].pk]
    assert worklist.done[0].labels["state"] == "已提交"


def test_team_scores_by_agent_and_line_in_constant_queries(
    client, lead_user, qa_user, hotline_team
):
    client.force_login(lead_user)
    agent = UserFactory(username="t0", roles=["agent"])
    AgentFactory(user=agent, team=hotline_team)
    _evaluated(agent, qa_user, p1=5)
    few = _queries(client, reverse("quality:team"))
    for n in range(1, 4):
        more = UserFactory(username=f"t{n}", roles=["agent"])
        AgentFactory(user=more, team=hotline_team)
        _evaluated(more, qa_user, p2=4)
        _evaluated(more, qa_user, p6=0)
    assert _queries(client, reverse("quality:team")) == few
    page = client.get(reverse("quality:team")).content.decode()
    assert "服务用语" in page and "<svg" in page


def test_own_evaluations_run_a_constant_number_of_queries(client, agent_user, qa_user):
    client.force_login(agent_user)
    _evaluated(agent_user, qa_user)
    few = _queries(client, reverse("quality:mine"))
    for _ in range(5):
        _evaluated(agent_user, qa_user)
    assert _queries(client, reverse("quality:mine")) == few


def test_the_export_is_csv_of_visible_evaluations(client, manager_user, agent_user, qa_user):
    _evaluated(agent_user, qa_user)
    client.force_login(manager_user)
    response = client.get(
        reverse("quality:export"), {"month": datetime.date.today().strftime("%Y-%m")}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert agent_user.display_name in response.content.decode("utf-8-sig")


def test_each_person_lands_on_their_part_of_the_module(client, qa_user, lead_user, agent_user):
    for user, template in [
        (qa_user, "quality/worklist.html"),
        (lead_user, "quality/team.html"),
        (agent_user, "quality/mine.html"),
    ]:
        client.force_login(user)
        response = client.get(reverse("quality:home"))
        assert template in [t.name for t in response.templates]

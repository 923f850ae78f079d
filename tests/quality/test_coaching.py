"""Coaching tasks and training plans (issue 17 item 7; DOMAIN.md Q-1.5): from evaluations,
a team lead or the QA lead sets an agent's coaching task (what, due date, done with a
note) and a month's training plan for a team or the centre, citing the evaluations."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from quality import services
from quality.models import CoachingTask, TrainingPlan
from tests.quality.conftest import full_points, make_sample

pytestmark = pytest.mark.django_db


def _evaluated(agent, inspector, **points):
    evaluation = services.evaluation_start(make_sample(agent, inspector=inspector), by=inspector)
    return services.evaluation_submit(
        evaluation, by=inspector, points=full_points(evaluation, **points)
    )


def test_the_team_lead_coaches_from_an_evaluation_and_the_agent_marks_it_done(
    client, agent_user, lead_user, qa_user
):
    evaluation = _evaluated(agent_user, qa_user, p1=2)
    due = timezone.localdate() + datetime.timedelta(days=7)
    client.force_login(lead_user)
    response = client.post(
        reverse("quality:coaching_new", args=[evaluation.pk]),
        {"what": "复习服务用语规范", "due_on": due.isoformat()},
    )
    assert response.status_code == 302
    task = CoachingTask.objects.get()
    assert (task.agent, task.evaluation, task.created_by) == (agent_user, evaluation, lead_user)

    client.force_login(agent_user)
    page = client.get(reverse("quality:coaching")).content.decode()
    assert "复习服务用语规范" in page
    client.post(reverse("quality:coaching_done", args=[task.pk]), {"note": "已背诵并通过抽考"})
    task.refresh_from_db()
    assert task.done_at is not None and task.done_note == "已背诵并通过抽考"
    with pytest.raises(IllegalTransition):
        services.coaching_done(task, by=agent_user, note="again")


def test_coaching_is_refused_to_others_and_without_what_or_a_future_date(
    agent_user, outsider_user, lead_user, qa_user
):
    evaluation = _evaluated(agent_user, qa_user)
    with pytest.raises(NotAllowed):
        services.coaching_create(
            evaluation, by=outsider_user, what="x", due_on=timezone.localdate()
        )
    with pytest.raises(NotAllowed):
        services.coaching_create(evaluation, by=qa_user, what="x", due_on=timezone.localdate())
    with pytest.raises(DomainError):
        services.coaching_create(evaluation, by=lead_user, what=" ", due_on=timezone.localdate())
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(DomainError):
        services.coaching_create(evaluation, by=lead_user, what="x", due_on=yesterday)
    task = services.coaching_create(evaluation, by=lead_user, what="x", due_on=timezone.localdate())
    with pytest.raises(NotAllowed):
        services.coaching_done(task, by=lead_user, note="done")


def test_an_agent_never_sees_another_agents_coaching(
    client, agent_user, outsider_user, manager_user, qa_user
):
    theirs = _evaluated(outsider_user, qa_user)
    task = services.coaching_create(
        theirs, by=manager_user, what="别人的辅导", due_on=timezone.localdate()
    )
    client.force_login(agent_user)
    assert "别人的辅导" not in client.get(reverse("quality:coaching")).content.decode()
    refused = client.post(reverse("quality:coaching_done", args=[task.pk]), {"note": "x"})
    assert refused.status_code == 403
    task.refresh_from_db()
    assert task.done_at is None


def test_training_plans_for_a_team_or_the_centre_cite_their_evaluations(
    client, agent_user, outsider_user, lead_user, manager_user, qa_user, hotline_team
):
    failed = _evaluated(agent_user, qa_user, p1=0, p2=0)
    other = _evaluated(outsider_user, qa_user, p1=0, p2=0)
    month = failed.month
    plan = services.training_plan_create(
        by=lead_user,
        month=month,
        team=hotline_team,
        title="服务用语培训",
        content="每周二",
        evaluations=[failed],
    )
    assert list(plan.evaluations.all()) == [failed]
    with pytest.raises(DomainError):  # another team's evaluation
        services.training_plan_create(
            by=lead_user,
            month=month,
            team=hotline_team,
            title="t",
            content="c",
            evaluations=[other],
        )
    with pytest.raises(NotAllowed):  # only the QA lead plans the whole centre
        services.training_plan_create(
            by=lead_user, month=month, team=None, title="t", content="c", evaluations=[]
        )
    services.training_plan_create(
        by=manager_user, month=month, team=None, title="全中心", content="c", evaluations=[other]
    )
    client.force_login(outsider_user)
    page = client.get(reverse("quality:coaching")).content.decode()
    assert "全中心" in page and "服务用语培训" not in page  # not their team's plan
    client.force_login(lead_user)
    response = client.post(
        reverse("quality:plan_new"),
        {
            "month": f"{month:%Y-%m}",
            "team": hotline_team.pk,
            "title": "二次培训",
            "content": "复盘",
            "evaluations": [failed.pk],
        },
    )
    assert response.status_code == 302
    assert TrainingPlan.objects.count() == 3
    bad = client.post(
        reverse("quality:plan_new"),
        {"month": f"{month:%Y-%m}", "team": 999999, "title": "x", "content": "y"},
    )
    assert bad.status_code == 400


def test_the_coaching_page_runs_a_constant_number_of_queries(
    client, manager_user, agent_user, qa_user
):
    client.force_login(manager_user)
    evaluation = _evaluated(agent_user, qa_user, p1=0)
    services.coaching_create(evaluation, by=manager_user, what="a", due_on=timezone.localdate())
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("quality:coaching"))
    for n in range(4):
        more = _evaluated(agent_user, qa_user, p1=0)
        services.coaching_create(more, by=manager_user, what=f"b{n}", due_on=timezone.localdate())
        services.training_plan_create(
            by=manager_user,
            month=more.month,
            team=None,
            title=f"p{n}",
            content="c",
            evaluations=[more],
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("quality:coaching"))
    assert len(many.captured_queries) == len(few.captured_queries)

"""Acknowledgement and dispute within the window, on the business calendar (issue 17
item 5): 3 working days by default; National Day 2026 (1–7 October, made up on
Saturday 10 October) is skipped."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from quality import services
from quality.models import Evaluation
from tests.factories import AgentFactory, TeamFactory, UserFactory
from tests.quality.conftest import full_points, make_sample

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
SUBMITTED = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)  # the eve of National Day
# Working days 8, 9 and 10 October (the make-up Saturday): the window ends 10 Oct 10:00.
WINDOW_ENDS = datetime.datetime(2026, 10, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def submitted(agent_user, qa_user):
    with time_machine.travel(SUBMITTED, tick=False):
        sample = make_sample(agent_user, inspector=qa_user)
        evaluation = services.evaluation_start(sample, by=qa_user)
        return services.evaluation_submit(
            evaluation, by=qa_user, points=full_points(evaluation, p1=4)
        )


def test_the_window_is_three_working_days_skipping_the_public_holiday(submitted):
    assert submitted.respond_by == WINDOW_ENDS


def test_the_agent_disputes_within_the_window_after_the_holiday(submitted, agent_user):
    with time_machine.travel(WINDOW_ENDS - datetime.timedelta(minutes=1), tick=False):
        evaluation = services.evaluation_dispute(
            submitted, by=agent_user, reason="录音里我已核实身份"
        )
    assert evaluation.state == "disputed"


def test_a_dispute_after_the_window_is_refused_with_the_deadline(submitted, agent_user):
    with time_machine.travel(WINDOW_ENDS + datetime.timedelta(minutes=1), tick=False):
        with pytest.raises(DomainError) as refused:
            services.evaluation_dispute(submitted, by=agent_user, reason="太晚了")
        with pytest.raises(DomainError):
            services.evaluation_acknowledge(submitted, by=agent_user)
    assert refused.value.code == "window_closed"
    assert "2026-10-10 10:00" in refused.value.message
    assert Evaluation.objects.get(pk=submitted.pk).state == "submitted"


def test_a_dispute_needs_a_reason_and_only_the_agent_disputes(submitted, agent_user, outsider_user):
    with time_machine.travel(SUBMITTED + datetime.timedelta(hours=1), tick=False):
        with pytest.raises(DomainError):
            services.evaluation_dispute(submitted, by=agent_user, reason="  ")
        with pytest.raises(NotAllowed):
            services.evaluation_dispute(submitted, by=outsider_user, reason="不是我的")


def test_an_unanswered_evaluation_closes_itself_when_the_window_ends(submitted):
    assert services.evaluations_close_due(WINDOW_ENDS - datetime.timedelta(minutes=1)) == 0
    assert services.evaluations_close_due(WINDOW_ENDS) == 1
    closed = Evaluation.objects.get(pk=submitted.pk)
    assert closed.state == "closed" and closed.closed_at == WINDOW_ENDS
    assert closed.history.first().history_user is None  # the system closed it


def test_an_acknowledged_evaluation_closes_at_the_end_of_the_window(submitted, agent_user):
    with time_machine.travel(SUBMITTED + datetime.timedelta(hours=1), tick=False):
        services.evaluation_acknowledge(submitted, by=agent_user)
    assert services.evaluations_close_due(WINDOW_ENDS) == 1


def test_the_team_lead_revises_as_a_new_version_and_both_stay(submitted, agent_user, lead_user):
    with time_machine.travel(SUBMITTED + datetime.timedelta(hours=1), tick=False):
        services.evaluation_dispute(submitted, by=agent_user, reason="开场白说了")
        assert services.evaluations_close_due() == 0  # a dispute waits for its decision
        evaluation = services.evaluation_revise(
            submitted,
            by=lead_user,
            points=full_points(submitted),
            note="复听录音，开场白完整",
        )
    assert evaluation.state == "revised"
    assert evaluation.score == Decimal("100.00")
    scorings = list(evaluation.scorings.order_by("number"))
    assert [s.number for s in scorings] == [1, 2]
    assert scorings[0].score == Decimal("88.00")  # the inspector's stays visible
    assert scorings[1].scored_by == lead_user
    assert scorings[1].line_scores.count() == 6


def test_the_qa_lead_upholds_and_other_teams_leads_and_the_agent_do_not_decide(
    submitted, agent_user, manager_user
):
    other_lead = UserFactory(username="lead_b", roles=["team_lead"])
    AgentFactory(user=other_lead, team=TeamFactory(name="二组", lead=other_lead))
    with time_machine.travel(SUBMITTED + datetime.timedelta(hours=1), tick=False):
        services.evaluation_dispute(submitted, by=agent_user, reason="不同意")
        with pytest.raises(NotAllowed):
            services.evaluation_uphold(submitted, by=other_lead)
        with pytest.raises(NotAllowed):
            services.evaluation_uphold(submitted, by=agent_user)
        with pytest.raises(DomainError):  # a revision says why
            services.evaluation_revise(
                submitted, by=manager_user, points=full_points(submitted), note=""
            )
        evaluation = services.evaluation_uphold(submitted, by=manager_user, note="维持原评分")
        with pytest.raises(IllegalTransition):
            services.evaluation_uphold(evaluation, by=manager_user)
    assert evaluation.state == "upheld" and evaluation.decided_by == manager_user
    assert evaluation.score == Decimal("88.00")

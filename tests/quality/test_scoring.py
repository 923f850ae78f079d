"""Scorecards and the evaluation workflow (issue 17 items 2 and 4; DOMAIN.md P-10, Q-1.3)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from quality import services
from quality.models import Evaluation, Scorecard, ScorecardVersion
from tests.quality.conftest import full_points, make_sample

pytestmark = pytest.mark.django_db


def test_the_default_scorecard_has_the_five_criteria_at_equal_weight_and_a_critical_line(
    default_card,
):
    version = default_card.versions.get()
    lines = list(version.lines.order_by("position"))
    assert [line.name for line in lines[:5]] == [
        "服务用语",
        "服务态度",
        "语气语调",
        "客户需求的归纳能力",
        "接待客户应变能力",
    ]
    assert {line.weight for line in lines[:5]} == {Decimal("1")}
    assert [line.is_critical for line in lines] == [False] * 5 + [True]


def test_submitting_computes_the_weighted_score(sample, qa_user, default_card):
    evaluation = services.evaluation_start(sample, by=qa_user)
    points = full_points(evaluation, p1=5, p2=8)  # (5 + 8 + 10 + 10 + 10) / 50

    evaluation = services.evaluation_submit(evaluation, by=qa_user, points=points)

    assert evaluation.state == "submitted"
    assert evaluation.score == Decimal("86.00")
    assert evaluation.passed is True
    assert evaluation.critical_failed is False


def test_weights_count_in_the_score(qa_user, agent_user):
    card = services.scorecard_create(
        name="加权",
        lines=[
            services.LineSpec("A", weight=Decimal("3"), max_points=10),
            services.LineSpec("B", weight=Decimal("1"), max_points=5),
        ],
        effective_from=datetime.date(2000, 1, 1),
        by=None,
        scope="hotline",
    )
    evaluation = services.evaluation_start(make_sample(agent_user), by=qa_user)
    assert evaluation.scorecard_version.scorecard == card  # the channel's card wins
    a, b = evaluation.scorecard_version.lines.order_by("position")

    evaluation = services.evaluation_submit(evaluation, by=qa_user, points={a.pk: 10, b.pk: 0})

    assert evaluation.score == Decimal("75.00")  # (3 × 1 + 1 × 0) / 4
    assert evaluation.passed is False  # below the 80 pass mark


def test_a_failed_critical_line_scores_zero_and_fails(sample, qa_user, default_card):
    evaluation = services.evaluation_start(sample, by=qa_user)

    evaluation = services.evaluation_submit(
        evaluation, by=qa_user, points=full_points(evaluation, p6=0)
    )

    assert evaluation.score == Decimal("0.00")
    assert evaluation.critical_failed is True
    assert evaluation.passed is False


@pytest.mark.parametrize("bad", [11, -1, "7.5", "x"])
def test_points_outside_a_lines_range_are_refused_naming_the_line(sample, qa_user, bad):
    evaluation = services.evaluation_start(sample, by=qa_user)
    points = full_points(evaluation)
    first = evaluation.scorecard_version.lines.get(position=1)
    points[first.pk] = bad

    with pytest.raises(DomainError) as refused:
        services.evaluation_submit(evaluation, by=qa_user, points=points)

    assert type(refused.value) is DomainError  # a 400, not a conflict
    assert f"line_{first.pk}" in refused.value.details
    assert "服务用语" in refused.value.message or "0" in refused.value.message
    assert Evaluation.objects.get(pk=evaluation.pk).state == "draft"


def test_every_line_must_be_scored_before_submitting(sample, qa_user):
    evaluation = services.evaluation_start(sample, by=qa_user)
    points = full_points(evaluation)
    points.popitem()

    with pytest.raises(DomainError):
        services.evaluation_submit(evaluation, by=qa_user, points=points)


def test_a_sample_is_evaluated_once(sample, qa_user, manager_user):
    services.evaluation_start(sample, by=qa_user)

    with pytest.raises(IllegalTransition):
        services.evaluation_start(sample, by=qa_user)


def test_nobody_evaluates_their_own_contacts_and_agents_do_not_evaluate(qa_user, agent_user):
    own = make_sample(qa_user)
    with pytest.raises(NotAllowed):
        services.evaluation_start(own, by=qa_user)
    with pytest.raises(NotAllowed):
        services.evaluation_start(make_sample(qa_user), by=agent_user)


def test_a_draft_keeps_points_and_comments_and_writes_history(sample, qa_user):
    evaluation = services.evaluation_start(sample, by=qa_user)
    first = evaluation.scorecard_version.lines.get(position=1)

    services.evaluation_save_draft(
        evaluation,
        by=qa_user,
        points={first.pk: 6},
        comments={first.pk: "开场白不完整"},
        overall_comment="整体尚可",
    )

    scoring = evaluation.scorings.get()
    assert scoring.line_scores.get().comment == "开场白不完整"
    assert evaluation.history.count() == 2
    assert evaluation.history.first().history_user == qa_user


def test_illegal_moves_are_refused(sample, qa_user, agent_user):
    evaluation = services.evaluation_start(sample, by=qa_user)
    with pytest.raises(IllegalTransition):
        services.evaluation_acknowledge(evaluation, by=agent_user)  # still a draft
    services.evaluation_submit(evaluation, by=qa_user, points=full_points(evaluation))
    with pytest.raises(IllegalTransition):
        services.evaluation_submit(evaluation, by=qa_user, points=full_points(evaluation))


def test_editing_a_scorecard_in_use_makes_a_new_version_and_old_evaluations_keep_theirs(
    sample, qa_user, agent_user, default_card
):
    evaluation = services.evaluation_start(sample, by=qa_user)
    services.evaluation_submit(evaluation, by=qa_user, points=full_points(evaluation))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    version = services.scorecard_revise(
        default_card,
        lines=[services.LineSpec("服务用语", weight=Decimal("2")), services.LineSpec("服务态度")],
        effective_from=tomorrow,
        by=None,
    )

    assert version.number == 2
    evaluation.refresh_from_db()
    assert evaluation.scorecard_version.number == 1
    assert evaluation.scorecard_version.lines.count() == 6
    # Contacts before the new version's date are still scored on the old one.
    later = services.evaluation_start(make_sample(agent_user), by=qa_user)
    assert later.scorecard_version.number == 1


def test_editing_a_scorecard_nobody_used_changes_its_version(default_card):
    version = services.scorecard_revise(
        default_card,
        lines=[services.LineSpec("服务用语")],
        effective_from=datetime.date(2000, 1, 1),
        by=None,
    )
    assert version.number == 1
    assert ScorecardVersion.objects.filter(scorecard=default_card).count() == 1
    assert Scorecard.objects.count() == 1


def test_a_scorecard_needs_a_scored_line(default_card):
    with pytest.raises(DomainError):
        services.scorecard_revise(
            default_card,
            lines=[services.LineSpec("泄露", is_critical=True, max_points=1)],
            effective_from=datetime.date(2000, 1, 1),
            by=None,
        )

"""Calibration (issue 17 item 6): the QA lead picks a contact, several inspectors score
it blind, and the session shows each line's spread and each inspector's deviation from
the consensus."""

from decimal import Decimal

import pytest
from django.urls import reverse

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from quality import selectors, services
from tests.factories import AgentFactory, ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspectors(db):
    team = TeamFactory(name="质检组", kind="qa")
    people = []
    for n in range(3):
        person = UserFactory(username=f"cal{n}", roles=["qa_inspector"])
        AgentFactory(user=person, team=team)
        people.append(person)
    return people


@pytest.fixture
def session(manager_user, inspectors, agent_user):
    contact = ContactFactory(agent=agent_user, transcript="坐席：您好\n客户：查话费")
    return services.calibration_create(
        title="十一月校准", contact=contact, inspectors=inspectors, by=manager_user
    )


def _points(session, first):
    lines = list(session.scorecard_version.lines.order_by("position"))
    return {
        line.pk: (line.max_points if line.is_critical else (first if line.position == 1 else 8))
        for line in lines
    }


def test_each_lines_spread_and_each_inspectors_deviation(session, inspectors):
    for person, first in zip(inspectors, (4, 7, 10), strict=True):
        services.calibration_score(session, by=person, points=_points(session, first))

    results = selectors.calibration_results(session)

    first_line = results.lines[0]
    assert first_line.points == [4, 7, 10]
    assert (first_line.mean, first_line.spread) == (Decimal("7.00"), 6)
    assert results.lines[1].spread == 0
    # Scores 72, 78, 84: consensus 78; deviations −6, 0, +6.
    assert results.consensus == Decimal("78.00")
    assert results.deviations == [Decimal("-6.00"), Decimal("0.00"), Decimal("6.00")]
    assert results.line_deviations[1] == Decimal("0.00")


def test_inspectors_score_blind_and_once(client, session, inspectors):
    first, second = inspectors[0], inspectors[1]
    services.calibration_score(session, by=first, points=_points(session, 5))
    client.force_login(second)
    page = client.get(reverse("quality:calibration", args=[session.pk])).content.decode()
    assert "qa-cal-lines" not in page  # not before scoring
    lines = list(session.scorecard_version.lines.order_by("position"))
    form = {f"line_{line.pk}": 9 for line in lines if not line.is_critical}
    client.post(reverse("quality:calibration_score", args=[session.pk]), form)
    page = client.get(reverse("quality:calibration", args=[session.pk])).content.decode()
    assert "qa-cal-lines" in page and first.display_name in page
    again = client.post(reverse("quality:calibration_score", args=[session.pk]), form)
    assert again.status_code == 409
    with pytest.raises(IllegalTransition):
        services.calibration_score(session, by=first, points=_points(session, 5))


def test_only_invited_inspectors_score_and_only_the_qa_lead_starts_sessions(
    session, qa_user, inspectors, agent_user
):
    with pytest.raises(NotAllowed):
        services.calibration_score(session, by=qa_user, points=_points(session, 5))
    with pytest.raises(NotAllowed):
        services.calibration_create(
            title="x", contact=session.contact, inspectors=inspectors, by=qa_user
        )


def test_a_session_needs_two_inspectors_and_points_in_range(
    session, manager_user, inspectors, agent_user
):
    with pytest.raises(DomainError):
        services.calibration_create(
            title="一人", contact=session.contact, inspectors=inspectors[:1], by=manager_user
        )
    with pytest.raises(DomainError):
        services.calibration_create(
            title="非质检",
            contact=session.contact,
            inspectors=[inspectors[0], agent_user],
            by=manager_user,
        )
    points = _points(session, 5)
    points[next(iter(points))] = 11
    with pytest.raises(DomainError):
        services.calibration_score(session, by=inspectors[0], points=points)


def test_the_qa_lead_starts_a_session_from_the_page(client, manager_user, inspectors, agent_user):
    contact = ContactFactory(agent=agent_user)
    client.force_login(manager_user)
    assert client.get(reverse("quality:calibrations")).status_code == 200
    response = client.post(
        reverse("quality:calibration_new"),
        {"title": "校准", "contact": contact.pk, "inspectors": [p.pk for p in inspectors[:2]]},
    )
    assert response.status_code == 302
    bad = client.post(reverse("quality:calibration_new"), {"title": "校准", "contact": 999999})
    assert bad.status_code == 400

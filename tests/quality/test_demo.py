"""The demo's QA module (`seed_demo`): a month of samples with evaluations in every state,
a dispute waiting for the demo team lead, recordings on sampled calls."""

import datetime

import pytest
import time_machine

from quality.demo import seed_quality
from quality.models import (
    CalibrationSession,
    CoachingTask,
    ContactCheck,
    Evaluation,
    Sample,
    TrainingPlan,
)
from tests.factories import AgentFactory, ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 4, 15, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_the_demo_has_evaluations_in_every_state_and_a_dispute_once():
    with time_machine.travel(NOW, tick=False):
        hotline = TeamFactory(name="热线一班")
        lead = UserFactory(username="lead", roles=["team_lead"])
        AgentFactory(user=lead, team=hotline)
        hotline.lead = lead
        hotline.save()
        users = {"lead": lead}
        users["agent"] = UserFactory(username="agent", roles=["agent"])
        AgentFactory(user=users["agent"], team=hotline)
        others = []
        for n in range(5):
            other = UserFactory(username=f"agent0{n}", roles=["agent"])
            AgentFactory(user=other, team=hotline)
            others.append(other)
        users["manager"] = UserFactory(username="manager", roles=["cs_manager"])
        qa = users["qa"] = UserFactory(username="qa", roles=["qa_inspector"])
        AgentFactory(user=qa, team=TeamFactory(name="质检组", kind="qa"))
        for person in [users["agent"], *others]:
            for day in (28, 29, 30):
                ContactFactory(agent=person, queued_at=NOW.replace(month=11, day=day))
            for day in (1, 2, 3):
                ContactFactory(
                    agent=person, queued_at=NOW.replace(day=day) - datetime.timedelta(hours=2)
                )

        created = seed_quality(users)
        again = seed_quality(users)

    assert created > 0 and again == 0
    states = set(Evaluation.objects.values_list("state", flat=True))
    assert states == {
        "draft",
        "submitted",
        "acknowledged",
        "disputed",
        "upheld",
        "revised",
        "closed",
    }
    disputed = Evaluation.objects.get(state="disputed")
    assert disputed.agent == users["agent"]
    assert Sample.objects.filter(contact__recording_url__startswith="https://").exists()
    assert Evaluation.objects.filter(critical_failed=True).exists()
    assert Evaluation.objects.filter(month=datetime.date(2026, 11, 1), state="closed").exists()
    session = CalibrationSession.objects.get()
    assert set(session.inspectors.values_list("username", flat=True)) == {"qa", "qa02"}
    assert session.entries.count() == 1
    assert CoachingTask.objects.filter(agent=users["agent"]).exists()
    assert TrainingPlan.objects.filter(team__name="热线一班").exists()
    assert ContactCheck.objects.exists()

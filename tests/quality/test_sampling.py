"""The monthly sample (issue 17 item 3; DOMAIN.md P-10, K-8): reproducible, within the
centre's minimum and maximum, stratified, oversampling complaints and low scorers,
spread over the inspectors by load and never to the agent themselves."""

import dataclasses
import datetime
import random
from collections import Counter

import pytest
from django_celery_beat.models import PeriodicTask

from quality import sampling, services
from quality.models import Sample, SamplingShortfall
from tests.factories import AgentFactory, ContactFactory, TeamFactory, TicketFactory, UserFactory
from tests.quality.conftest import make_sample
from worktickets import services as ticket_services
from worktickets.models import Ticket

MONTH = datetime.date(2026, 11, 1)
CHANNELS = ["hotline"] * 6 + ["online_chat"] * 3 + ["walk_in"]  # 60 / 30 / 10 %


def generated_month(agents=50, contacts=2000, complaint_share=0.1, seed=7):
    """A month of candidates: `agents` × `contacts`, channels 60/30/10 %, 10 % complaints."""
    rng = random.Random(seed)
    month = {}
    next_id = 1
    for agent in range(1, agents + 1):
        rows = []
        for _ in range(contacts):
            kind = "complaint" if rng.random() < complaint_share else rng.choice(["inquiry", ""])
            weight = 3.0 if kind == "complaint" else 1.0
            rows.append(sampling.Candidate(next_id, rng.choice(CHANNELS), kind, None, weight))
            next_id += 1
        month[agent] = rows
    return month


def draw_month(month, target):
    return {
        agent: sampling.draw(rows, target, sampling.seed_for(MONTH, agent))
        for agent, rows in month.items()
    }


def test_the_same_month_and_seed_give_the_same_sample():
    month = generated_month()
    first = draw_month(month, 5)
    shuffled = {agent: list(reversed(rows)) for agent, rows in month.items()}  # order-free
    assert draw_month(shuffled, 5) == first
    other_month = {
        agent: sampling.draw(rows, 5, sampling.seed_for(datetime.date(2026, 12, 1), agent))
        for agent, rows in month.items()
    }
    assert other_month != first


def test_strata_and_complaint_oversampling_hold_their_proportions_over_a_month():
    """50 agents × 2,000 contacts, 10 agents' worth of draws: channels keep their share,
    complaints (10 % of contacts, factor 3) make up 3 × 10 / (3 × 10 + 90) = 25 %."""
    month = generated_month()
    drawn = [c for rows in draw_month(month, 10).values() for c in rows]
    assert len(drawn) == 500
    channels = Counter(c.channel for c in drawn)
    assert channels["hotline"] / 500 == pytest.approx(0.6, abs=0.05)
    assert channels["online_chat"] / 500 == pytest.approx(0.3, abs=0.05)
    assert channels["walk_in"] / 500 == pytest.approx(0.1, abs=0.04)
    complaints = sum(c.ticket_kind == "complaint" for c in drawn) / 500
    assert complaints == pytest.approx(0.25, abs=0.05)
    # Without oversampling complaints would come in at their own share.
    flat = {
        a: [sampling.Candidate(c.contact_id, c.channel, c.ticket_kind) for c in rows]
        for a, rows in month.items()
    }
    flat_share = (
        sum(c.ticket_kind == "complaint" for rows in draw_month(flat, 10).values() for c in rows)
        / 500
    )
    assert flat_share == pytest.approx(0.10, abs=0.04)


def with_dissatisfied(month, share=0.05, seed=11):
    """The month with `share` of the contacts' customers answering the survey
    dissatisfied, at random."""
    rng = random.Random(seed)
    return {
        agent: [dataclasses.replace(c, dissatisfied=rng.random() < share) for c in rows]
        for agent, rows in month.items()
    }


def test_the_dissatisfied_share_holds_its_proportion_over_a_month():
    """50 agents × 2,000 contacts, 5 % with a dissatisfied survey answer: with a 30 %
    share of 8 (2.4 a head, the fraction rounded at random) they make up 30 % of the
    draw, plus their own 5 % of the other 70 % (0.30 + 0.70 × 0.05 = 33.5 %); without the
    share only their own 5 %. Re-running gives the same sample."""
    month = with_dissatisfied(generated_month())

    def unhappy_share(share):
        drawn = {
            agent: sampling.draw(rows, 8, sampling.seed_for(MONTH, agent), share)
            for agent, rows in month.items()
        }
        flat = [c for rows in drawn.values() for c in rows]
        assert len(flat) == 400
        return sum(c.dissatisfied for c in flat) / len(flat), drawn

    share, drawn = unhappy_share(0.3)
    assert share == pytest.approx(0.335, abs=0.03)
    assert unhappy_share(0.3)[1] == drawn  # reproducible
    assert unhappy_share(0.0)[0] == pytest.approx(0.05, abs=0.03)
    # The rest of the draw keeps its strata: complaints still come in oversampled.
    rest = [c for rows in drawn.values() for c in rows if not c.dissatisfied]
    assert sum(c.ticket_kind == "complaint" for c in rest) / len(rest) == pytest.approx(
        0.25, abs=0.06
    )


def test_an_agent_with_fewer_dissatisfied_contacts_than_the_share_gets_all_of_them():
    rows = generated_month(agents=1, contacts=100)[1]
    rows = [dataclasses.replace(c, dissatisfied=c.contact_id in (7, 42)) for c in rows]
    drawn = sampling.draw(rows, 10, "s", dissatisfied_share=0.5)
    assert len(drawn) == 10
    assert {7, 42} <= {c.contact_id for c in drawn}


def test_an_agent_with_fewer_contacts_than_the_target_gets_all_of_them():
    rows = generated_month(agents=1, contacts=3)[1]
    assert sampling.draw(rows, 5, "s") == sorted(rows, key=lambda c: c.contact_id)


def test_a_top_up_keeps_what_was_drawn_and_a_rebuild_gives_the_same():
    rows = generated_month(agents=1, contacts=200)[1]
    seed = sampling.seed_for(MONTH, 1)
    full = {c.contact_id for c in sampling.draw(rows, 8, seed)}
    kept = set(list(full)[:3])
    added = {c.contact_id for c in sampling.top_up(rows, 8, seed, kept)}
    assert kept | added == full


# ---------------------------------------------------------------- in the database


@pytest.fixture
def centre(db):
    """Two hotline teams of three agents, and two inspectors (one in team A)."""
    team_a = TeamFactory(name="一组")
    team_b = TeamFactory(name="二组")
    agents = []
    for index in range(6):
        user = UserFactory(username=f"a{index}", roles=["agent"])
        AgentFactory(user=user, team=team_a if index < 3 else team_b)
        agents.append(user)
    qa_a = UserFactory(username="qa_a", roles=["qa_inspector", "agent"])
    AgentFactory(user=qa_a, team=team_a)
    qa_b = UserFactory(username="qa_b", roles=["qa_inspector"])
    AgentFactory(user=qa_b, team=TeamFactory(name="质检组", kind="qa"))
    return {"agents": agents, "qa_a": qa_a, "qa_b": qa_b, "team_a": team_a}


def _contacts(agent, n, *, start=datetime.datetime(2026, 11, 3, 10, tzinfo=datetime.UTC)):
    return [
        ContactFactory(agent=agent, queued_at=start + datetime.timedelta(hours=i)) for i in range(n)
    ]


def test_building_a_month_respects_the_minimum_and_is_reproducible(centre):
    for agent in centre["agents"]:
        _contacts(agent, 12)

    result = services.sampling_build(MONTH, today=datetime.date(2026, 12, 1))

    per_agent = Counter(Sample.objects.values_list("agent_id", flat=True))
    assert all(per_agent[agent.pk] == 5 for agent in centre["agents"])
    assert result.created == 30
    before = set(Sample.objects.values_list("agent_id", "contact_id"))
    assert services.sampling_build(MONTH).created == 0  # re-running adds nothing
    Sample.objects.all().delete()
    services.sampling_build(MONTH)
    assert set(Sample.objects.values_list("agent_id", "contact_id")) == before


def test_low_scorers_get_more_samples_up_to_the_maximum(centre, qa_user):
    low, normal = centre["agents"][0], centre["agents"][1]
    previous = make_sample(low, when=datetime.datetime(2026, 10, 5, 3, tzinfo=datetime.UTC))
    evaluation = services.evaluation_start(previous, by=qa_user)
    lines = evaluation.scorecard_version.lines.order_by("position")
    services.evaluation_submit(
        evaluation,
        by=qa_user,
        points={line.pk: (line.max_points if line.is_critical else 5) for line in lines},
    )
    settings = services.quality_settings()
    settings.low_scorer_per_agent, settings.max_per_agent = 12, 9
    settings.save()
    _contacts(low, 20)
    _contacts(normal, 20)

    services.sampling_build(MONTH)

    assert Sample.objects.filter(month=MONTH, agent=low).count() == 9  # capped at the maximum
    assert Sample.objects.filter(month=MONTH, agent=normal).count() == 5


def test_complaints_are_marked_as_oversampled(centre):
    agent = centre["agents"][0]
    contacts = _contacts(agent, 5)
    TicketFactory(kind="complaint", contact=contacts[0], first_contact_agent=agent)
    services.sampling_build(MONTH)
    sample = Sample.objects.get(contact=contacts[0])
    assert (sample.reason, sample.ticket_kind) == ("complaint", "complaint")


def test_a_dissatisfied_survey_answer_recorded_on_the_ticket_is_oversampled(centre):
    """The survey score care records on the ticket (through worktickets) draws the
    contact into the sample, marked as such; with the share at 0 it is one of many."""
    agent = centre["agents"][0]
    contacts = _contacts(agent, 40)
    unhappy = TicketFactory(kind="inquiry", contact=contacts[17], first_contact_agent=agent)
    happy = TicketFactory(kind="inquiry", contact=contacts[18], first_contact_agent=agent)
    ticket_services.ticket_record_survey_score(unhappy, 2)
    ticket_services.ticket_record_survey_score(happy, 5)

    services.sampling_build(MONTH)

    sample = Sample.objects.get(agent=agent, contact=contacts[17])
    assert sample.reason == "dissatisfied"
    assert not Sample.objects.filter(reason="dissatisfied").exclude(pk=sample.pk).exists()

    # With the share at 0 the answer changes nothing: the same draw as without it.
    Sample.objects.all().delete()
    settings = services.quality_settings()
    settings.dissatisfied_share = 0
    settings.save()
    services.sampling_build(MONTH)
    with_answer = set(Sample.objects.values_list("contact_id", flat=True))
    Sample.objects.all().delete()
    Ticket.objects.filter(pk=unhappy.pk).update(survey_score=None)
    services.sampling_build(MONTH)
    assert set(Sample.objects.values_list("contact_id", flat=True)) == with_answer
    assert contacts[17].pk not in with_answer


def test_agents_with_too_few_contacts_are_listed_with_the_reason(centre):
    quiet, silent = centre["agents"][0], centre["agents"][1]
    _contacts(quiet, 2)

    services.sampling_build(MONTH)

    shortfalls = {s.agent_id: s for s in SamplingShortfall.objects.filter(month=MONTH)}
    assert shortfalls[quiet.pk].found == 2 and shortfalls[quiet.pk].target == 5
    assert "2" in shortfalls[quiet.pk].reason
    assert shortfalls[silent.pk].found == 0
    # Contacts arrive; the weekly top-up fills the sample and clears the shortfall.
    _contacts(quiet, 5, start=datetime.datetime(2026, 11, 20, 2, tzinfo=datetime.UTC))
    services.sampling_build(MONTH)
    assert Sample.objects.filter(agent=quiet).count() == 5
    assert not SamplingShortfall.objects.filter(agent=quiet).exists()


def test_samples_spread_by_load_never_to_the_agent_or_their_own_team(centre):
    for agent in [*centre["agents"], centre["qa_a"]]:
        _contacts(agent, 6)

    services.sampling_build(MONTH)

    for sample in Sample.objects.select_related("agent__agent"):
        assert sample.inspector_id != sample.agent_id
        if sample.agent.agent.team_id == centre["team_a"].pk:
            assert sample.inspector == centre["qa_b"]  # qa_a works in team A
    load = Counter(Sample.objects.values_list("inspector__username", flat=True))
    # Team B's 15 can go to either; team A's 15 (and qa_a's own 5) only to qa_b.
    assert load["qa_a"] == 15 and load["qa_b"] == 20


def test_inspectors_may_take_their_own_team_when_the_centre_allows(centre):
    settings = services.quality_settings()
    settings.exclude_own_team = False
    settings.save()
    for agent in centre["agents"][:3]:
        _contacts(agent, 6)
    services.sampling_build(MONTH)
    load = Counter(Sample.objects.values_list("inspector__username", flat=True))
    assert load == {"qa_a": 8, "qa_b": 7}


def test_sampling_runs_on_the_first_and_weekly(db):
    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {
        "quality.tasks.build_monthly_samples",
        "quality.tasks.top_up_samples",
        "quality.tasks.close_due_evaluations",
    } <= names
    monthly = PeriodicTask.objects.get(task="quality.tasks.build_monthly_samples")
    assert monthly.crontab.day_of_month == "1"

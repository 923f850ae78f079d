"""A team's agents on shift kept per process (staffing.on_shift): what the rule finds,
kept while nothing changes, read again when a shift or a leave starts or ends, and
when a presence, a shift, a leave, a roster or a skill of the team changes (that team
only)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from csc.lib.reference import forget_reference_data
from staffing import on_shift
from staffing.models import (
    Agent,
    LeaveRequest,
    Roster,
    RosterEntry,
    ShiftPattern,
    ShiftTemplate,
    Skill,
)
from staffing.selectors import on_shift_agents
from staffing.services import agent_set_status
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
NOW = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=TZ)
SHIFT_ENDS = NOW + datetime.timedelta(hours=7)


@pytest.fixture(autouse=True)
def kept(settings):
    settings.REFERENCE_CACHE_ENABLED = True


def rostered_agent(team, name: str, *, ends=SHIFT_ENDS, **fields) -> Agent:
    fields.setdefault("status", Agent.Status.AVAILABLE)
    member = AgentFactory(team=team, user=UserFactory(username=name), **fields)
    roster, _ = Roster.objects.get_or_create(
        team=team,
        month=NOW.date().replace(day=1),
        defaults={"pattern": ShiftPattern.objects.get(code="A"), "status": "published"},
    )
    RosterEntry.objects.create(
        roster=roster,
        agent=member,
        day=NOW.date(),
        template=ShiftTemplate.objects.get(pattern__code="A", code="day"),
        starts_at=NOW - datetime.timedelta(hours=2),
        ends_at=ends,
    )
    return member


def ids(team, at=NOW) -> list[int]:
    return [agent.agent_id for agent in on_shift.team_on_shift(team.pk, at).agents]


def reads(team, at=NOW) -> int:
    with CaptureQueriesContext(connection) as queries:
        on_shift.team_on_shift(team.pk, at)
    return len(queries)


def test_it_keeps_what_the_rule_finds_with_each_agents_job_type_and_skills(hotline_team):
    broadband = Skill.objects.create(code="broadband", name="宽带业务")
    seat = rostered_agent(hotline_team, "seat", job_type=Agent.JobType.VIP_SEAT)
    seat.skills.add(broadband)
    rostered_agent(hotline_team, "signed-out", status=Agent.Status.OFFLINE)
    AgentFactory(team=hotline_team, status=Agent.Status.AVAILABLE)  # not rostered

    kept = on_shift.team_on_shift(hotline_team.pk, NOW)

    assert [agent.agent_id for agent in kept.agents] == list(
        on_shift_agents(hotline_team.pk, NOW).order_by("pk").values_list("pk", flat=True)
    )
    (found,) = kept.agents
    assert (found.user_id, found.username) == (seat.user_id, "seat")
    assert found.skill_ids == {broadband.pk}
    assert found.qualifies(job_type=Agent.JobType.VIP_SEAT, skill_ids=[broadband.pk])
    assert not found.qualifies(job_type=Agent.JobType.AGENT, skill_ids=[])
    assert kept.until == SHIFT_ENDS


def test_kept_while_nothing_changes_and_read_again_when_a_shift_ends(hotline_team):
    worker = rostered_agent(hotline_team, "worker")
    assert ids(hotline_team) == [worker.pk]

    last_moment = SHIFT_ENDS - datetime.timedelta(microseconds=1)
    assert reads(hotline_team, last_moment) == 0
    assert ids(hotline_team, SHIFT_ENDS) == []


def test_a_presence_change_is_read_again_for_that_team_only(hotline_team, other_team):
    worker = rostered_agent(hotline_team, "worker")
    colleague = rostered_agent(other_team, "colleague")
    assert ids(hotline_team) == [worker.pk] and ids(other_team) == [colleague.pk]

    agent_set_status(worker, Agent.Status.OFFLINE, changed_by=worker.user)

    assert reads(other_team) == 0
    assert ids(hotline_team) == []


def test_a_shift_a_leave_or_a_roster_of_one_team_leaves_the_other_teams_alone(
    hotline_team, other_team
):
    worker = rostered_agent(hotline_team, "worker")
    colleague = rostered_agent(other_team, "colleague")
    assert ids(hotline_team) == [worker.pk] and ids(other_team) == [colleague.pk]

    shift = RosterEntry.objects.get(agent=worker)
    shift.ends_at = NOW - datetime.timedelta(minutes=1)
    shift.save()
    assert reads(other_team) == 0
    assert ids(hotline_team) == []

    LeaveRequest.objects.create(
        agent=worker,
        kind=LeaveRequest.Kind.ORDINARY,
        starts_at=NOW + datetime.timedelta(days=1),
        ends_at=NOW + datetime.timedelta(days=2),
        status=LeaveRequest.Status.APPROVED,
        reason="家中有事",
        requested_by=worker.user,
    )
    Roster.objects.get(team=hotline_team).save()
    worker.user.save(update_fields=["last_login"])  # a sign-in: nobody's copy goes
    assert reads(other_team) == 0


def test_an_approved_leave_or_a_lost_skill_is_read_again(hotline_team):
    worker = rostered_agent(hotline_team, "worker")
    broadband = Skill.objects.create(code="broadband", name="宽带业务")
    worker.skills.add(broadband)
    assert on_shift.team_on_shift(hotline_team.pk, NOW).agents[0].skill_ids == {broadband.pk}

    worker.skills.remove(broadband)
    assert on_shift.team_on_shift(hotline_team.pk, NOW).agents[0].skill_ids == set()

    LeaveRequest.objects.create(
        agent=worker,
        kind=LeaveRequest.Kind.ORDINARY,
        starts_at=NOW - datetime.timedelta(hours=1),
        ends_at=NOW + datetime.timedelta(hours=1),
        status=LeaveRequest.Status.APPROVED,
        reason="家中有事",
        requested_by=worker.user,
    )
    assert ids(hotline_team) == []
    # Back from leave an hour later, by the kept copy's own bound.
    assert reads(hotline_team, NOW + datetime.timedelta(minutes=59)) == 0
    assert ids(hotline_team, NOW + datetime.timedelta(hours=1)) == [worker.pk]


def test_a_draft_roster_published_is_read_again(hotline_team):
    worker = rostered_agent(hotline_team, "worker")
    Roster.objects.filter(team=hotline_team).update(status=Roster.Status.DRAFT)
    forget_reference_data()  # update() sends no signal
    assert ids(hotline_team) == []

    roster = Roster.objects.get(team=hotline_team)
    roster.status = Roster.Status.PUBLISHED
    roster.save()

    assert ids(hotline_team) == [worker.pk]


def test_without_the_shared_cache_it_is_read_at_every_use(hotline_team, settings):
    settings.REFERENCE_CACHE_ENABLED = False
    rostered_agent(hotline_team, "worker")
    ids(hotline_team)

    assert reads(hotline_team) > 0

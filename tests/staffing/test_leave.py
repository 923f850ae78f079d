"""Leave (P-12, ST-32 to ST-40): advance notice at its edges, approval level by level."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from csc.lib.errors import DomainError, NotAllowed
from staffing import calendar_port, leave, rosters
from staffing.models import Agent, LeaveRequest
from tests.factories import AgentFactory, UserFactory

TZ = timezone.get_default_timezone()
JUNE = datetime.date(2026, 6, 1)
TUESDAY = datetime.date(2026, 6, 16)
DRAGON_BOAT = datetime.date(2026, 6, 19)  # a public holiday in the sla calendar


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


@pytest.fixture
def agent(agent_user):
    return Agent.objects.get(user=agent_user)


@pytest.fixture
def june(hotline_team, lead_user, agent, pattern_a, day_a, night_a):
    roster = rosters.roster_create(
        team=hotline_team, month=JUNE, pattern=pattern_a, created_by=lead_user
    )
    for day in (TUESDAY, DRAGON_BOAT):
        rosters.roster_assign(roster, agent=agent, day=day, template=day_a, assigned_by=lead_user)
    rosters.roster_assign(
        roster,
        agent=agent,
        day=datetime.date(2026, 6, 17),
        template=night_a,
        assigned_by=lead_user,
    )
    rosters.roster_publish(roster, published_by=lead_user)
    return roster


def ask(agent, kind, start, end, at_moment):
    with time_machine.travel(at_moment, tick=False):
        return leave.leave_request(
            agent,
            kind=kind,
            starts_at=start,
            ends_at=end,
            reason="家中有事",
            requested_by=agent.user,
        )


def test_the_sla_calendar_names_the_public_holiday():
    assert calendar_port.is_public_holiday(DRAGON_BOAT)
    assert not calendar_port.is_public_holiday(TUESDAY)


@pytest.mark.parametrize(
    ("asked", "late"),
    [
        (at(TUESDAY - datetime.timedelta(days=1), 8, 0), False),
        (at(TUESDAY - datetime.timedelta(days=1), 8, 1), True),
    ],
)
def test_ordinary_leave_is_asked_24_hours_ahead(agent, june, asked, late):
    request = ask(agent, "ordinary", at(TUESDAY, 8), at(TUESDAY, 17), asked)
    assert request.is_late is late
    assert ("ST-33" in request.late_rule) is late


@pytest.mark.parametrize(("asked", "late"), [(at(TUESDAY, 7, 0), False), (at(TUESDAY, 7, 1), True)])
def test_special_leave_is_asked_an_hour_before_the_shift(agent, june, asked, late):
    request = ask(agent, "special", at(TUESDAY, 10), at(TUESDAY, 12), asked)
    assert request.is_late is late


@pytest.mark.parametrize(
    ("asked", "late"),
    [
        (at(datetime.date(2026, 6, 17), 11, 59), False),
        (at(datetime.date(2026, 6, 17), 12, 0), True),
    ],
)
def test_night_shift_leave_is_asked_before_noon_that_day(agent, june, asked, late):
    night = datetime.date(2026, 6, 17)
    request = ask(agent, "special", at(night, 17), at(night, 23), asked)
    assert ("ST-37" in request.late_rule) is late


@pytest.mark.parametrize(
    ("asked", "late"),
    [(at(datetime.date(2026, 6, 17), 23, 59), False), (at(datetime.date(2026, 6, 18), 0, 0), True)],
)
def test_holiday_leave_is_asked_two_days_ahead(agent, june, asked, late):
    request = ask(agent, "holiday", at(DRAGON_BOAT, 8), at(DRAGON_BOAT, 17), asked)
    assert ("ST-38" in request.late_rule) is late
    assert request.is_late is late


def test_holiday_leave_must_fall_on_a_holiday(agent, june):
    with pytest.raises(DomainError) as refused:
        ask(agent, "holiday", at(TUESDAY, 8), at(TUESDAY, 17), at(JUNE, 9))
    assert refused.value.code == "not_a_holiday"


def test_sick_leave_of_a_full_day_wants_a_certificate_the_next_working_day(agent, june, lead_user):
    # Sick on Thursday 18 June: Friday is the Dragon Boat holiday, then the weekend.
    with time_machine.travel(at(datetime.date(2026, 6, 18), 7), tick=False):
        request = leave.leave_request(
            agent,
            kind="sick",
            starts_at=at(datetime.date(2026, 6, 18), 0),
            ends_at=at(datetime.date(2026, 6, 19), 0),
            reason="发烧",
            requested_by=lead_user,  # phoned in: the lead records it (ST-35, ST-36)
        )
    assert not request.is_late
    assert request.certificate_due_on == datetime.date(2026, 6, 22)
    leave.leave_certificate_received(request, received_by=lead_user)
    assert request.certificate_received_at is not None


def test_personal_leave_is_asked_in_person(agent, june, lead_user):
    with pytest.raises(NotAllowed) as refused:
        leave.leave_request(
            agent,
            kind="ordinary",
            starts_at=at(TUESDAY, 8),
            ends_at=at(TUESDAY, 17),
            reason="x",
            requested_by=lead_user,
        )
    assert "ST-35" in refused.value.message


def test_bad_periods_and_missing_reasons_are_refused(agent):
    with pytest.raises(DomainError):
        leave.leave_request(
            agent,
            kind="ordinary",
            starts_at=at(TUESDAY, 8),
            ends_at=at(TUESDAY, 8),
            reason="x",
            requested_by=agent.user,
        )
    with pytest.raises(DomainError):
        leave.leave_request(
            agent,
            kind="ordinary",
            starts_at=at(TUESDAY, 8),
            ends_at=at(TUESDAY, 9),
            reason=" ",
            requested_by=agent.user,
        )


@pytest.fixture
def manager(manager_user):
    return manager_user


def test_a_day_or_less_is_decided_by_the_cs_manager(agent, june, manager, lead_user, director_user):
    request = ask(agent, "ordinary", at(TUESDAY, 8), at(TUESDAY, 17), at(JUNE, 9))
    assert not request.needs_director
    with pytest.raises(NotAllowed):
        leave.leave_decide(request, decided_by=lead_user, approve=True)  # a lead is no manager
    with pytest.raises(NotAllowed) as skipped:
        leave.leave_decide(request, decided_by=director_user, approve=True)
    assert "ST-34" in skipped.value.message
    decided = leave.leave_decide(request, decided_by=manager, approve=True)
    assert decided.status == LeaveRequest.Status.APPROVED


def test_longer_leave_goes_on_to_the_centre_director(agent, june, manager, director_user):
    request = ask(
        agent, "ordinary", at(TUESDAY, 8), at(TUESDAY, 8) + datetime.timedelta(days=2), at(JUNE, 9)
    )
    assert request.needs_director
    request = leave.leave_decide(request, decided_by=manager, approve=True)
    assert request.status == LeaveRequest.Status.AWAITING_DIRECTOR
    with pytest.raises(NotAllowed):
        leave.leave_decide(request, decided_by=manager, approve=True)
    request = leave.leave_decide(request, decided_by=director_user, approve=True)
    assert request.status == LeaveRequest.Status.APPROVED


def test_official_business_needs_the_director_even_for_an_hour(agent, june, manager):
    request = ask(agent, "official", at(TUESDAY, 9), at(TUESDAY, 10), at(JUNE, 9))
    assert leave.leave_decide(request, decided_by=manager, approve=True).status == (
        LeaveRequest.Status.AWAITING_DIRECTOR
    )


def test_a_refusal_needs_a_reason_and_a_decided_request_stays_decided(agent, june, manager):
    request = ask(agent, "ordinary", at(TUESDAY, 8), at(TUESDAY, 17), at(JUNE, 9))
    with pytest.raises(DomainError):
        leave.leave_decide(request, decided_by=manager, approve=False)
    leave.leave_decide(request, decided_by=manager, approve=False, note="人手不足")
    with pytest.raises(DomainError):
        leave.leave_withdraw(request, withdrawn_by=agent.user)


def test_the_approver_sees_the_gap_the_leave_opens(agent, june, manager):
    request = ask(agent, "ordinary", at(TUESDAY, 8), at(TUESDAY, 17), at(JUNE, 9))
    impact = leave.leave_impact(request)
    assert [shift.day for shift in impact.shifts] == [TUESDAY]
    assert impact.gaps_now == []
    assert [(g.starts_at, g.ends_at, g.rostered) for g in impact.gaps_if_approved] == [
        (at(TUESDAY, 8), at(TUESDAY, 17), 0)
    ]
    leave.leave_decide(request, decided_by=manager, approve=True)
    assert rosters.roster_coverage(june, start=at(TUESDAY, 8), end=at(TUESDAY, 17))


def test_the_inbox_shows_each_level_its_own_requests(agent, june, manager, director_user):
    short = ask(agent, "ordinary", at(TUESDAY, 8), at(TUESDAY, 17), at(JUNE, 9))
    assert list(leave.leave_awaiting(manager)) == [short]
    assert list(leave.leave_awaiting(director_user)) == []
    other = AgentFactory(team=agent.team, user=UserFactory(username="other", roles=["agent"]))
    assert list(leave.leave_awaiting(other.user)) == []

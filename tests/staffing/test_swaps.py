"""Shift swaps (P-12, ST-41 to ST-49, S-52): refusals name the rule; both leads approve."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from csc.lib.errors import IllegalTransition, NotAllowed
from staffing import leave, rosters, swaps
from staffing.models import Agent, RosterChange, RosterEntry, SwapRequest
from tests.factories import AgentFactory, UserFactory

TZ = timezone.get_default_timezone()
JUNE = datetime.date(2026, 6, 1)
NOW = datetime.datetime(2026, 6, 1, 9, tzinfo=TZ)


def day(n):
    return datetime.date(2026, 6, n)


@pytest.fixture(autouse=True)
def _early_june():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def me(agent_user):
    return Agent.objects.get(user=agent_user)


@pytest.fixture
def mate(hotline_team):
    return AgentFactory(team=hotline_team, user=UserFactory(username="mate", roles=["agent"]))


@pytest.fixture
def june(hotline_team, lead_user, pattern_a):
    roster = rosters.roster_create(
        team=hotline_team, month=JUNE, pattern=pattern_a, created_by=lead_user
    )
    return rosters.roster_publish(roster, published_by=lead_user)


@pytest.fixture
def put(june, lead_user, day_a, night_a):
    def put(agent, n, template=day_a, roster=june, lead=lead_user):
        return rosters.roster_assign(
            roster, agent=agent, day=day(n), template=template, assigned_by=lead, reason="排班"
        )

    return put


def ask(give, take, reason="家中有事"):
    return swaps.swap_request(give=give, take=take, reason=reason, requested_by=give.agent.user)


def refusal(give, take):
    with pytest.raises(swaps.SwapRefused) as refused:
        ask(give, take)
    return refused.value


def test_a_swap_accepted_and_approved_changes_the_roster(me, mate, put, lead_user):
    give, take = put(me, 10), put(mate, 12)
    swap = ask(give, take)
    swap = swaps.swap_answer(swap, answered_by=mate.user, accept=True)
    assert swap.status == SwapRequest.Status.AWAITING_LEADS
    assert list(swaps.swaps_awaiting_lead(lead_user)) == [swap]
    swap = swaps.swap_decide(swap, decided_by=lead_user, approve=True)  # leads both sides
    assert swap.status == SwapRequest.Status.APPROVED
    give.refresh_from_db()
    take.refresh_from_db()
    assert (give.agent, take.agent) == (mate, me) and give.swapped and take.swapped
    assert RosterChange.objects.filter(action="swapped", changed_by=lead_user).count() == 2


def test_across_teams_both_leads_approve(me, put, other_team, pattern_a, day_a):
    other_lead = UserFactory(username="lead2", roles=["team_lead"])
    AgentFactory(user=other_lead, team=other_team)
    other_team.lead = other_lead
    other_team.save()
    their_roster = rosters.roster_create(
        team=other_team, month=JUNE, pattern=pattern_a, created_by=other_lead
    )
    their_roster = rosters.roster_publish(their_roster, published_by=other_lead)
    mate = AgentFactory(team=other_team, user=UserFactory(username="far", roles=["agent"]))
    swap = ask(put(me, 10), put(mate, 12, roster=their_roster, lead=other_lead))
    swaps.swap_answer(swap, answered_by=mate.user, accept=True)
    swap = swaps.swap_decide(swap, decided_by=me.team.lead, approve=True)
    assert swap.status == SwapRequest.Status.AWAITING_LEADS  # one lead is not enough (ST-42)
    assert swaps.swap_decide(swap, decided_by=other_lead, approve=True).status == "approved"


def test_only_the_colleague_answers_and_only_a_lead_of_the_two_decides(
    me, mate, put, outsider_user
):
    swap = ask(put(me, 10), put(mate, 12))
    with pytest.raises(NotAllowed):
        swaps.swap_answer(swap, answered_by=me.user, accept=True)
    swaps.swap_answer(swap, answered_by=mate.user, accept=True)
    with pytest.raises(NotAllowed):
        swaps.swap_decide(swap, decided_by=outsider_user, approve=True)
    with pytest.raises(IllegalTransition):
        swaps.swap_answer(swap, answered_by=mate.user, accept=True)


def test_refused_for_a_different_skill_level(me, mate, put):
    mate.skill_level = 2
    mate.save()
    assert "ST-44" in refusal(put(me, 10), put(mate, 12)).message


def test_refused_on_holiday_duty(me, mate, put):
    assert "ST-49" in refusal(put(me, 19), put(mate, 12)).message  # Dragon Boat Festival


def test_refused_with_leave_on_the_pay_back_shift(me, mate, put):
    give, take = put(me, 10), put(mate, 12)
    leave.leave_request(
        me,
        kind="ordinary",
        starts_at=take.starts_at,
        ends_at=take.ends_at,
        reason="看病",
        requested_by=me.user,
    )
    assert refusal(give, take).code == "leave_on_shift"


def test_refused_beyond_two_swaps_a_month(me, mate, put):
    for give_day, take_day in ((2, 4), (24, 26)):
        swap = ask(put(me, give_day), put(mate, take_day))
        swap.status = SwapRequest.Status.APPROVED
        swap.save()
    assert "S-52" in refusal(put(me, 10), put(mate, 12)).message


def test_refused_as_a_consecutive_swap(me, mate, put):
    ask(put(me, 9), put(mate, 15))
    assert refusal(put(me, 10), put(mate, 12)).code == "consecutive"


def test_refused_when_it_makes_back_to_back_shifts(me, mate, put, night_a):
    put(me, 11, template=night_a)  # 11 June 17:00 to 12 June 01:00
    error = refusal(put(me, 5), put(mate, 12))  # would take 12 June 08:00: 7 h rest
    assert error.code == "back_to_back" and "ST-43" in error.message


def test_rules_are_checked_again_when_the_last_lead_approves(me, mate, put, lead_user):
    give, take = put(me, 10), put(mate, 12)
    swap = ask(give, take)
    swaps.swap_answer(swap, answered_by=mate.user, accept=True)
    leave.leave_request(
        mate,
        kind="ordinary",
        starts_at=give.starts_at,
        ends_at=give.ends_at,
        reason="看病",
        requested_by=mate.user,
    )
    swap = swaps.swap_decide(swap, decided_by=lead_user, approve=True)
    assert swap.status == SwapRequest.Status.REFUSED and "ST-46" in swap.refusal
    assert RosterEntry.objects.get(pk=give.pk).agent == me


def test_a_lead_refusing_says_why(me, mate, put, lead_user):
    swap = ask(put(me, 10), put(mate, 12))
    swaps.swap_answer(swap, answered_by=mate.user, accept=True)
    swap = swaps.swap_decide(swap, decided_by=lead_user, approve=False, note="当天人手紧")
    assert swap.status == "refused" and swap.refusal == "当天人手紧"

"""Shift templates as data, rosters, publication and the coverage check (P-11, K-6, K-7)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from csc.lib.errors import DomainError, NotAllowed
from sla.choices import CalendarKind
from sla.models import BusinessCalendar
from staffing import rosters
from staffing.models import Roster, RosterChange, ShiftTemplate
from tests.staffing.conftest import MAY

TZ = timezone.get_default_timezone()


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


def test_both_seed_patterns_ship_as_data_with_minimum_headcounts(db):
    rows = {(t.pattern.code, t.code): t for t in ShiftTemplate.objects.select_related("pattern")}
    day_a, night_a = rows[("A", "day")], rows[("A", "night")]
    day_b, night_b = rows[("B", "day")], rows[("B", "night")]
    assert (day_a.starts, day_a.ends, day_a.min_headcount) == (
        datetime.time(8),
        datetime.time(17),
        1,
    )
    assert (night_a.starts, night_a.ends, night_a.min_headcount) == (
        datetime.time(17),
        datetime.time(1),
        2,
    )
    assert day_b.weekdays == night_b.weekdays == "12345"
    assert (night_b.starts, night_b.ends) == (datetime.time(19), datetime.time(3))
    assert night_b.crosses_midnight and not day_b.crosses_midnight
    assert day_a.break_minutes > 0 and night_a.source


def test_a_night_shift_ends_the_next_day(night_a):
    start, end = night_a.window(datetime.date(2026, 6, 10))
    assert start == at(datetime.date(2026, 6, 10), 17)
    assert end == at(datetime.date(2026, 6, 11), 1)


def test_the_lead_drafts_and_publishes_and_later_changes_need_a_reason(
    hotline_team, lead_user, team_agents, pattern_a, day_a
):
    roster = rosters.roster_create(
        team=hotline_team, month=MAY, pattern=pattern_a, created_by=lead_user
    )
    assert roster.status == Roster.Status.DRAFT
    entry = rosters.roster_assign(
        roster, agent=team_agents[0], day=MAY, template=day_a, assigned_by=lead_user
    )
    assert not RosterChange.objects.exists()  # drafts change freely
    rosters.roster_publish(roster, published_by=lead_user)
    roster.refresh_from_db()
    assert roster.is_published and roster.published_by == lead_user
    with pytest.raises(DomainError) as refused:
        rosters.roster_unassign(entry, removed_by=lead_user)
    assert refused.value.code == "reason_required"
    rosters.roster_unassign(entry, removed_by=lead_user, reason="病假顶班调整")
    change = RosterChange.objects.get()
    assert change.changed_by == lead_user and change.reason == "病假顶班调整"
    assert change.action == RosterChange.Action.REMOVED


def test_only_the_teams_lead_or_a_manager_edits_the_roster(
    hotline_team, agent_user, lead_user, pattern_a, other_team
):
    with pytest.raises(NotAllowed):
        rosters.roster_create(
            team=hotline_team, month=MAY, pattern=pattern_a, created_by=agent_user
        )
    with pytest.raises(NotAllowed):  # a lead of another team
        rosters.roster_create(team=other_team, month=MAY, pattern=pattern_a, created_by=lead_user)


def test_an_agent_cannot_work_two_overlapping_shifts(
    hotline_team, lead_user, team_agents, pattern_a, day_a, night_a
):
    roster = rosters.roster_create(
        team=hotline_team, month=MAY, pattern=pattern_a, created_by=lead_user
    )
    rosters.roster_assign(
        roster, agent=team_agents[0], day=MAY, template=day_a, assigned_by=lead_user
    )
    rosters.roster_assign(
        roster, agent=team_agents[0], day=MAY, template=night_a, assigned_by=lead_user
    )  # 08–17 then 17–01 touch but do not overlap
    with pytest.raises(DomainError) as refused:
        rosters.roster_assign(
            roster, agent=team_agents[0], day=MAY, template=day_a, assigned_by=lead_user
        )
    assert refused.value.code == "overlapping_shift"


def test_template_b_shifts_are_not_worked_at_weekends(
    hotline_team, lead_user, team_agents, pattern_b
):
    roster = rosters.roster_create(
        team=hotline_team, month=MAY, pattern=pattern_b, created_by=lead_user
    )
    day_b = ShiftTemplate.objects.get(pattern=pattern_b, code="day")
    with pytest.raises(DomainError) as refused:  # 2 May 2026 is a Saturday
        rosters.roster_assign(
            roster,
            agent=team_agents[0],
            day=datetime.date(2026, 5, 2),
            template=day_b,
            assigned_by=lead_user,
        )
    assert refused.value.code == "not_worked_that_day"


def _fill_day(roster, day, agents, day_a, night_a, lead, nights=2):
    rosters.roster_assign(roster, agent=agents[0], day=day, template=day_a, assigned_by=lead)
    for agent in agents[1 : 1 + nights]:
        rosters.roster_assign(roster, agent=agent, day=day, template=night_a, assigned_by=lead)


def test_coverage_on_a_7x24_channel_flags_the_nights_template_a_leaves_open_across_a_holiday(
    hotline_team, lead_user, team_agents, pattern_a, day_a, night_a
):
    roster = rosters.roster_create(
        team=hotline_team, month=MAY, pattern=pattern_a, created_by=lead_user
    )
    labour_day = datetime.date(2026, 5, 1)
    _fill_day(roster, labour_day, team_agents, day_a, night_a, lead_user)
    gaps = rosters.roster_coverage(
        roster, start=at(labour_day, 0), end=at(labour_day, 0) + datetime.timedelta(days=1)
    )
    # 30 April's night shift (to 01:00, minimum 2) is not rostered, and template A
    # leaves 01:00–08:00 to nobody (K-6): open hours on a 7×24 channel, holiday or not.
    assert [(g.starts_at, g.ends_at, g.required, g.rostered) for g in gaps] == [
        (at(labour_day, 0), at(labour_day, 1), 2, 0),
        (at(labour_day, 1), at(labour_day, 8), 1, 0),
    ]


def test_coverage_flags_a_night_short_of_its_minimum_of_two(
    hotline_team, lead_user, team_agents, pattern_a, day_a, night_a
):
    roster = rosters.roster_create(
        team=hotline_team, month=MAY, pattern=pattern_a, created_by=lead_user
    )
    day = datetime.date(2026, 5, 12)
    _fill_day(roster, day, team_agents, day_a, night_a, lead_user, nights=1)
    gaps = rosters.roster_coverage(roster, start=at(day, 8), end=at(day, 23))
    assert [(g.starts_at, g.ends_at, g.required, g.rostered) for g in gaps] == [
        (at(day, 17), at(day, 23), 2, 1)
    ]


def test_coverage_counts_only_the_hours_the_service_calendar_is_open(
    hotline_team, lead_user, team_agents, pattern_b
):
    hotline_team.service_calendar = BusinessCalendar.objects.create(
        name="Hall hours", kind=CalendarKind.WORKING_TIME
    )  # 09:00–18:00 on working days, closed on public holidays
    hotline_team.save()
    roster = rosters.roster_create(
        team=hotline_team, month=MAY, pattern=pattern_b, created_by=lead_user
    )
    labour_day, tuesday = datetime.date(2026, 5, 1), datetime.date(2026, 5, 12)
    assert rosters.roster_coverage(roster, start=at(labour_day, 0), end=at(labour_day, 23)) == []
    gaps = rosters.roster_coverage(roster, start=at(tuesday, 0), end=at(tuesday, 23))
    assert [(g.starts_at, g.ends_at) for g in gaps] == [(at(tuesday, 9), at(tuesday, 18))]


@time_machine.travel(datetime.datetime(2026, 5, 10, 9, tzinfo=TZ), tick=False)
def test_the_calendar_feed_address_is_secret_and_renewable(team_agents):
    first = rosters.calendar_feed_renew(team_agents[0])
    old = first.token
    renewed = rosters.calendar_feed_renew(team_agents[0])
    assert len(old) >= 40 and renewed.token != old

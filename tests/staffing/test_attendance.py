"""Attendance against the roster (ST-39, S-51): late or away 20 minutes or more, or
absent, found after the shift; the lead confirms or excuses."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from csc.lib.errors import DomainError, NotAllowed
from staffing import attendance, leave, rosters
from staffing.models import Agent, AttendanceException
from staffing.services import agent_set_status

TZ = timezone.get_default_timezone()
DAY = datetime.date(2026, 6, 10)


def at(hour, minute=0):
    return datetime.datetime.combine(DAY, datetime.time(hour, minute), tzinfo=TZ)


@pytest.fixture
def agent(agent_user):
    return Agent.objects.get(user=agent_user)


@pytest.fixture
def shift(hotline_team, lead_user, agent, pattern_a, day_a):
    with time_machine.travel(at(6), tick=False):
        roster = rosters.roster_create(
            team=hotline_team, month=DAY.replace(day=1), pattern=pattern_a, created_by=lead_user
        )
        entry = rosters.roster_assign(
            roster, agent=agent, day=DAY, template=day_a, assigned_by=lead_user
        )
        rosters.roster_publish(roster, published_by=lead_user)
    return entry


def status(agent, value, moment):
    with time_machine.travel(moment, tick=False):
        agent_set_status(agent, value, changed_by=agent.user)


def check(shift):
    with time_machine.travel(at(17, 5), tick=False):
        attendance.attendance_check_due()
    return [(e.kind, e.since, e.minutes) for e in AttendanceException.objects.order_by("since")]


@pytest.mark.parametrize(("arrived", "late"), [(at(8, 19), False), (at(8, 20), True)])
def test_late_by_twenty_minutes_or_more(agent, shift, arrived, late):
    status(agent, "available", arrived)
    found = check(shift)
    assert found == ([("late", at(8), 20)] if late else [])


@pytest.mark.parametrize(("back", "away"), [(at(12, 19), False), (at(12, 20), True)])
def test_away_from_the_post_twenty_minutes_or_more(agent, shift, back, away):
    status(agent, "available", at(7, 50))
    status(agent, "offline", at(12))
    status(agent, "available", back)
    assert check(shift) == ([("away", at(12), 20)] if away else [])


def test_a_break_is_not_away(agent, shift):
    status(agent, "available", at(7, 50))
    status(agent, "break", at(12))
    status(agent, "available", at(13))
    assert check(shift) == []


def test_never_there_is_absent_and_approved_leave_is_not_checked(
    agent, shift, manager_user, hotline_team, lead_user, day_a
):
    assert check(shift) == [("absent", at(8), 540)]
    AttendanceException.objects.all().delete()
    second = rosters.roster_assign(
        shift.roster,
        agent=agent,
        day=DAY + datetime.timedelta(days=1),
        template=day_a,
        assigned_by=lead_user,
        reason="补班",
    )
    with time_machine.travel(at(6), tick=False):
        request = leave.leave_request(
            agent,
            kind="ordinary",
            starts_at=second.starts_at,
            ends_at=second.ends_at,
            reason="看病",
            requested_by=agent.user,
        )
    leave.leave_decide(request, decided_by=manager_user, approve=True)
    with time_machine.travel(second.ends_at + datetime.timedelta(minutes=5), tick=False):
        assert attendance.attendance_check_due() == 0


def test_each_shift_is_checked_once(agent, shift):
    check(shift)
    assert check(shift) == [("absent", at(8), 540)]


def test_the_lead_confirms_or_excuses(agent, shift, lead_user, outsider_user):
    check(shift)
    exception = AttendanceException.objects.get()
    with pytest.raises(NotAllowed):
        attendance.attendance_decide(exception, decided_by=outsider_user, confirm=True)
    with pytest.raises(DomainError):
        attendance.attendance_decide(exception, decided_by=lead_user, confirm=False)
    decided = attendance.attendance_decide(
        exception, decided_by=lead_user, confirm=False, note="地铁故障，有证明"
    )
    assert decided.status == "excused" and decided.decided_by == lead_user


def test_the_attendance_page_lists_and_decides(
    client, agent, shift, lead_user, django_assert_max_num_queries
):
    check(shift)
    client.force_login(lead_user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("staffing:attendance"))
    assert page.status_code == 200 and agent.user.display_name in page.content.decode()
    exception = AttendanceException.objects.get()
    client.post(reverse("staffing:attendance_decide", args=[exception.pk]), {"decision": "approve"})
    exception.refresh_from_db()
    assert exception.status == "confirmed"

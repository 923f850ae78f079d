"""Handover and duty log (ST-21 to ST-26): open work listed by itself; the incoming lead
acknowledges."""

import datetime

import pytest
from django.utils import timezone

from csc.lib.errors import DomainError, IllegalTransition, NotAllowed
from staffing import handovers
from tests.factories import AgentFactory, UserFactory, make_ticket


@pytest.fixture
def incoming_lead(hotline_team):
    user = UserFactory(username="lead-night", roles=["team_lead"])
    AgentFactory(user=user, team=hotline_team)
    return user


def test_the_handover_lists_the_teams_open_tickets_by_itself(
    hotline_team, lead_user, agent_user, other_team
):
    mine = make_ticket(created_by=agent_user, team=hotline_team, subject="宽带断线")
    make_ticket(created_by=agent_user, team=other_team, subject="别组的")
    handover = handovers.handover_write(
        team=hotline_team,
        shift_ends_at=timezone.now(),
        written_by=lead_user,
        equipment_status="2号席位耳机故障",
        difficult_issues="一位客户多次来电",
    )
    sections = {section["key"]: section["items"] for section in handover.open_work}
    assert [item["label"] for item in sections["tickets"]] == [f"{mine.number} 宽带断线"]
    assert {"tickets", "clocks", "notices"} <= set(sections)


def test_the_incoming_lead_acknowledges_once(hotline_team, lead_user, incoming_lead, agent_user):
    handover = handovers.handover_write(
        team=hotline_team, shift_ends_at=timezone.now(), written_by=lead_user, notices="新套餐上线"
    )
    with pytest.raises(DomainError):
        handovers.handover_acknowledge(handover, acknowledged_by=lead_user)
    with pytest.raises(NotAllowed):
        handovers.handover_acknowledge(handover, acknowledged_by=agent_user)
    handover = handovers.handover_acknowledge(handover, acknowledged_by=incoming_lead)
    assert handover.acknowledged_by == incoming_lead
    with pytest.raises(IllegalTransition):
        handovers.handover_acknowledge(handover, acknowledged_by=incoming_lead)


def test_agents_do_not_write_handovers_or_the_duty_log(hotline_team, agent_user):
    with pytest.raises(NotAllowed):
        handovers.handover_write(
            team=hotline_team, shift_ends_at=timezone.now(), written_by=agent_user
        )
    with pytest.raises(NotAllowed):
        handovers.duty_log_write(team=hotline_team, kind="other", text="x", written_by=agent_user)


def test_the_duty_log_and_handovers_are_searchable(hotline_team, lead_user):
    handovers.duty_log_write(
        team=hotline_team, kind="complaint", text="处理一起漫游投诉", written_by=lead_user
    )
    handovers.duty_log_write(
        team=hotline_team, kind="training", text="新业务培训", written_by=lead_user
    )
    handovers.handover_write(
        team=hotline_team,
        shift_ends_at=timezone.now(),
        written_by=lead_user,
        equipment_status="录音系统正常",
    )
    assert [e.text for e in handovers.duty_log(team=hotline_team, q="漫游")] == ["处理一起漫游投诉"]
    assert handovers.handovers(q="录音").count() == 1
    with pytest.raises(DomainError):
        handovers.duty_log_write(team=hotline_team, kind="other", text=" ", written_by=lead_user)
    month = timezone.localdate().replace(day=1)
    assert handovers.month_summary(hotline_team, month) == {
        "handovers": 1,
        "unacknowledged": 1,
        "duty_events": 2,
    }


def test_the_lead_sees_handovers_waiting_for_them(hotline_team, lead_user, incoming_lead):
    written = handovers.handover_write(
        team=hotline_team,
        shift_ends_at=timezone.now() - datetime.timedelta(minutes=5),
        written_by=incoming_lead,
    )
    assert list(handovers.awaiting_acknowledgement(lead_user)) == [written]
    assert list(handovers.awaiting_acknowledgement(incoming_lead)) == []


def test_the_handover_lists_at_risk_clocks_and_latest_notices(hotline_team, lead_user, agent_user):
    from sla.models import Clock
    from tests.factories import make_article

    ticket = make_ticket(created_by=agent_user, team=hotline_team, subject="话费异常")
    Clock.objects.filter(ticket=ticket).update(at_risk=True)
    make_article("国际漫游日套餐降价", kind="notice")
    handover = handovers.handover_write(
        team=hotline_team, shift_ends_at=timezone.now(), written_by=lead_user
    )
    sections = {section["key"]: section["items"] for section in handover.open_work}
    assert sections["clocks"] and all(ticket.number in item["label"] for item in sections["clocks"])
    assert any(item["label"] == "国际漫游日套餐降价" for item in sections["notices"])

"""Demo rosters, leave, swaps and handovers (`manage.py seed_demo`): a published
roster for this month and a draft for next month for 热线一班 on shift pattern A,
leave and swap requests in every state, handovers (one waiting for the demo lead)
and duty-log entries; 热线一班 assigns new tickets automatically. Idempotent: nothing
is added once this month's roster exists.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from staffing import handovers, rosters
from staffing.models import (
    Agent,
    DutyLogEntry,
    LeaveRequest,
    Roster,
    RosterEntry,
    ShiftPattern,
    ShiftTemplate,
    SwapRequest,
    Team,
    User,
)

TEAM = "热线一班"
CREW = ("agent", "agent02", "agent03", "agent04")
CHANNELS = {"hotline": ["hotline"], "online": ["online_chat", "app", "web"], "walk_in": ["walk_in"]}


def _fill(roster: Roster, crew: list[Agent], lead: User) -> None:
    day_shift = ShiftTemplate.objects.get(pattern=roster.pattern, code="day")
    night_shift = ShiftTemplate.objects.get(pattern=roster.pattern, code="night")
    for n, day in enumerate(rosters.month_days(roster.month)):
        # A four-person rotation: one on days, two on nights (K-7), one off.
        rosters.roster_assign(
            roster, agent=crew[n % 4], day=day, template=day_shift, assigned_by=lead
        )
        for k in (2, 3):
            rosters.roster_assign(
                roster, agent=crew[(n + k) % 4], day=day, template=night_shift, assigned_by=lead
            )


def seed_staffing(users: dict[str, User]) -> int:
    """Returns how many rostered shifts it created."""
    for team in Team.objects.filter(channels=[]):
        if team.kind in CHANNELS:
            team.channels = CHANNELS[team.kind]
            team.save(update_fields=["channels"])
    team = Team.objects.get(name=TEAM)
    if not team.auto_assign:
        # The demo lead sees new tickets go to the agents on shift (worktickets.assignment).
        team.auto_assign = True
        team.save(update_fields=["auto_assign"])
    this_month = timezone.localdate().replace(day=1)
    if Roster.objects.filter(team=team, month=this_month).exists():
        return 0
    lead, manager, director = users["lead"], users["manager"], users["director"]
    crew = list(Agent.objects.filter(user__username__in=CREW).select_related("user"))
    crew.sort(key=lambda agent: CREW.index(agent.user.username))
    pattern = ShiftPattern.objects.get(code="A")
    current = rosters.roster_create(team=team, month=this_month, pattern=pattern, created_by=lead)
    _fill(current, crew, lead)
    current = rosters.roster_publish(current, published_by=lead)
    upcoming = rosters.roster_create(
        team=team, month=rosters.next_month(this_month), pattern=pattern, created_by=lead
    )
    _fill(upcoming, crew, lead)
    _leave(crew, lead, manager, director)
    _swaps(current, crew, lead)
    _handovers(team, users)
    return RosterEntry.objects.filter(roster__team=team).count()


def _leave(crew: list[Agent], lead: User, manager: User, director: User) -> None:
    now = timezone.now()
    start = (now + datetime.timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    day = datetime.timedelta(days=1)
    rows = [
        (crew[0], "ordinary", start, start + datetime.timedelta(hours=9), "家中有事", {}),
        (
            crew[1],
            "special",
            start + day,
            start + day + datetime.timedelta(hours=4),
            "孩子学校家长会",
            {"is_late": True, "late_rule": "特殊事假须在上班前 1 小时提出（ST-33）。"},
        ),
        (
            crew[2],
            "ordinary",
            start + 5 * day,
            start + 8 * day,
            "回老家探亲",
            {
                "status": "awaiting_director",
                "needs_director": True,
                "manager_decided_by": manager,
                "manager_decided_at": now,
            },
        ),
        (
            crew[3],
            "official",
            start + 2 * day,
            start + 2 * day + datetime.timedelta(hours=8),
            "参加省公司业务培训",
            {
                "status": "approved",
                "needs_director": True,
                "manager_decided_by": manager,
                "manager_decided_at": now,
                "director_decided_by": director,
                "director_decided_at": now,
            },
        ),
        (
            crew[0],
            "ordinary",
            start + 9 * day,
            start + 9 * day + datetime.timedelta(hours=9),
            "办理私事",
            {
                "status": "refused",
                "manager_decided_by": manager,
                "manager_decided_at": now,
                "decision_note": "当天已有两人请假，人手不足",
            },
        ),
        (
            crew[1],
            "ordinary",
            start + 10 * day,
            start + 10 * day + datetime.timedelta(hours=9),
            "计划有变",
            {"status": "withdrawn"},
        ),
        (
            crew[2],
            "sick",
            start - 5 * day,
            start - 4 * day,
            "发烧就医",
            {
                "status": "approved",
                "manager_decided_by": manager,
                "manager_decided_at": now,
                "certificate_due_on": (start - 3 * day).date(),
                "requested_by": lead,
            },
        ),
    ]
    for agent, kind, starts_at, ends_at, reason, fields in rows:
        fields = {"requested_by": agent.user, **fields}
        LeaveRequest.objects.create(
            agent=agent, kind=kind, starts_at=starts_at, ends_at=ends_at, reason=reason, **fields
        )


def _swaps(roster: Roster, crew: list[Agent], lead: User) -> None:
    shifts = list(
        RosterEntry.objects.filter(roster=roster, template__code="day").order_by("starts_at")
    )
    by_agent: dict[int, list[RosterEntry]] = {}
    for shift in shifts:
        by_agent.setdefault(shift.agent_id, []).append(shift)
    now = timezone.now()
    states = [
        ("awaiting_colleague", {}),
        ("awaiting_leads", {"accepted_at": now}),
        ("declined", {}),
        (
            "refused",
            {"accepted_at": now, "refusal": "当天人手紧，请改换其他日期", "decided_at": now},
        ),
        ("withdrawn", {}),
    ]
    for n, (status, fields) in enumerate(states):
        requester, colleague = crew[n % 4], crew[(n + 1) % 4]
        mine, theirs = by_agent.get(requester.pk, []), by_agent.get(colleague.pk, [])
        if len(mine) <= n or len(theirs) <= n:
            continue
        SwapRequest.objects.create(
            requester=requester,
            requester_shift=mine[-1 - n],
            colleague=colleague,
            colleague_shift=theirs[-1 - n],
            reason="需要处理个人事务",
            status=status,
            **fields,
        )


def _handovers(team: Team, users: dict[str, User]) -> None:
    lead, lead2 = users["lead"], users["lead2"]
    now = timezone.now()
    earlier = handovers.handover_write(
        team=team,
        shift_ends_at=now - datetime.timedelta(hours=16),
        written_by=lead2,
        equipment_status="2 号席位耳机有杂音，已报信息部更换。",
        difficult_issues="一位客户连续三天来电反映宽带掉线，已升级技术支持组。",
        staff_changes="孙丽今晚与徐磊换班。",
        notices="本周起国际漫游日套餐降价，请按新口径解释。",
    )
    handovers.handover_acknowledge(earlier, acknowledged_by=lead)
    handovers.handover_write(
        team=team,
        shift_ends_at=now - datetime.timedelta(hours=1),
        written_by=lead2,
        equipment_status="录音系统正常，排队看板 15:20 曾短暂无数据，已恢复。",
        difficult_issues="一位 VIP 客户投诉话费异常，已转投诉处理组，今天 18:00 前回复。",
        staff_changes="无",
        notices="明天上午 9 点系统升级，期间业务查询可能变慢。",
    )
    for kind, text, hours in (
        ("consultation", "解答 5G 套餐资费咨询 37 起，新套餐询问较多。", 6),
        ("complaint", "处理宽带装机延误投诉 2 起，均已转装维并告知客户时限。", 4),
        ("training", "班前会学习新版国际漫游答复口径。", 9),
        ("equipment", "3 号席位电脑蓝屏，重启后正常，已登记。", 2),
    ):
        DutyLogEntry.objects.create(
            team=team,
            kind=kind,
            text=text,
            written_by=lead,
            occurred_at=now - datetime.timedelta(hours=hours),
        )

"""A team's agents on shift, kept in each process: auto-assignment reads them at every
ticket's creation (worktickets.assignment), then reads only their loads.

`staffing.selectors.on_shift_agents` stays the one rule for who is on shift. What it
finds for a team is kept (csc.lib.reference.ReferenceCachePerKey) until the next
moment a published shift or an approved leave of the team's agents starts or ends,
and read again, in every process within `GENERATION_TRUST_SECONDS`, when what it
read changes, for the team concerned only (the telephony system sets a presence on
every call, and a lead edits a roster shift by shift: other teams keep theirs):
- an agent's presence, skills, user (but for a sign-in), shift or leave: the
  agent's team;
- a roster: its team;
- any other save of an agent (which may move them to another team), or a skill
  deleted or given from the skill's side: every team.
A copy is read again after `MAX_AGE_SECONDS` whatever happens (a change made with
`QuerySet.update()`, or while Redis was unreachable). Without the shared cache
(`REFERENCE_CACHE_ENABLED=0`) it is read at every use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Min, Q

from csc.lib.reference import ReferenceCachePerKey
from staffing.models import Agent, LeaveRequest, Roster, RosterEntry, Skill, User
from staffing.selectors import on_shift_agents

# An agent's save that changes nothing but these leaves the other teams' copies alone.
PRESENCE_FIELDS = frozenset({"status"})


@dataclass(frozen=True)
class AgentOnShift:
    agent_id: int
    user_id: int
    username: str
    first_name: str
    last_name: str
    job_type: str
    skill_ids: frozenset[int]

    def qualifies(self, *, job_type: str | None, skill_ids: Iterable[int]) -> bool:
        """on_shift_agents' `job_type` and `skill_ids` conditions, on a kept agent."""
        return (job_type is None or self.job_type == job_type) and self.skill_ids.issuperset(
            skill_ids
        )


@dataclass(frozen=True)
class TeamOnShift:
    """The team's agents on shift from `read_at` until `until` (None: no shift or leave
    of theirs starts or ends later), in id order."""

    read_at: datetime
    until: datetime | None
    agents: tuple[AgentOnShift, ...]

    def holds_at(self, at: datetime) -> bool:
        return self.read_at <= at and (self.until is None or at < self.until)


def _presence_or_every_team(agent: models.Model, fields: frozenset[str] | None) -> list | None:
    # Any other save may move the agent to another team: every team's copy goes.
    if fields and fields <= PRESENCE_FIELDS:
        return [agent.team_id]  # type: ignore[attr-defined]
    return None


def _agent_team(agent: models.Model, fields: frozenset[str] | None) -> list:
    return [agent.team_id]  # type: ignore[attr-defined]


def _roster_team(roster: models.Model, fields: frozenset[str] | None) -> list:
    return [roster.team_id]  # type: ignore[attr-defined]


def _team_of_the_agent(row: models.Model, fields: frozenset[str] | None) -> list:
    """A shift's or a leave's agent's team (a write of one costs this read)."""
    return list(Agent.objects.filter(pk=row.agent_id).values_list("team_id", flat=True))  # type: ignore[attr-defined]


def _team_of_the_user(user: models.Model, fields: frozenset[str] | None) -> list:
    if fields and fields <= {"last_login"}:
        return []  # a sign-in
    return list(Agent.objects.filter(user_id=user.pk).values_list("team_id", flat=True))


def _every_team(instance: models.Model, fields: frozenset[str] | None) -> None:
    return None


_kept: ReferenceCachePerKey[TeamOnShift] = ReferenceCachePerKey(
    "on-shift",
    sources={
        Agent: _presence_or_every_team,
        User: _team_of_the_user,
        Agent.skills.through: _agent_team,
        Skill: _every_team,
        Roster: _roster_team,
        RosterEntry: _team_of_the_agent,
        LeaveRequest: _team_of_the_agent,
    },
)


def team_on_shift(team_id: int, at: datetime) -> TeamOnShift:
    """The team's agents on shift at `at`, as kept in this process when that still holds."""
    return _kept.get(team_id, lambda: _read(team_id, at), lambda kept: kept.holds_at(at))


def _read(team_id: int, at: datetime) -> TeamOnShift:
    rows = list(
        on_shift_agents(team_id, at)
        .order_by("pk")
        .values_list(
            "pk", "user_id", "user__username", "user__first_name", "user__last_name", "job_type"
        )
    )
    skills: dict[int, set[int]] = defaultdict(set)
    held = Agent.skills.through.objects.filter(agent_id__in=[row[0] for row in rows])
    for agent_id, skill_id in held.values_list("agent_id", "skill_id"):
        skills[agent_id].add(skill_id)
    agents = tuple(AgentOnShift(*row, skill_ids=frozenset(skills[row[0]])) for row in rows)
    return TeamOnShift(read_at=at, until=_next_change(team_id, at), agents=agents)


def _next_change(team_id: int, at: datetime) -> datetime | None:
    """The next moment after `at` a published shift or an approved leave of the team's
    agents starts or ends: who is on shift changes only then."""
    later = {
        "starts": Min("starts_at", filter=Q(starts_at__gt=at)),
        "ends": Min("ends_at", filter=Q(ends_at__gt=at)),
    }
    shifts = RosterEntry.objects.filter(
        agent__team_id=team_id, roster__status=Roster.Status.PUBLISHED
    ).aggregate(**later)
    leave = LeaveRequest.objects.filter(
        agent__team_id=team_id, status=LeaveRequest.Status.APPROVED
    ).aggregate(**later)
    moments = [moment for found in (shifts, leave) for moment in found.values() if moment]
    return min(moments, default=None)

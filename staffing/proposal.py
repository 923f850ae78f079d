"""The roster proposal (DOMAIN.md P-11, P-12, ST-13 to ST-20): a month of shifts for a
team, computed by OR-Tools CP-SAT and written as the team's draft roster for the lead
to edit and publish.

The model, one yes/no variable per agent and shift of the month:

hard  an agent on approved leave during a shift does not work it;
      no back-to-back shifts: two shifts of one agent are at least MIN_REST apart
      (the swap rule ST-43 uses the same figure), which also means one shift a day;
      no day shift the day after a night shift;
      at most ROSTER_MAX_SHIFTS_IN_7_DAYS shifts in any 7 days (shifts already in
      the previous month's roster count).
soft  (weights from high to low) every shift has its minimum headcount (K-7: day 1,
      night 2); every open 30-minute interval of the team's channels has as many
      people as required (the Erlang C requirement registered by csc, never fewer
      than the shifts' minimum; the minimum alone when there is no forecast);
      night shifts and public-holiday shifts spread evenly over the agents
      (max − min); each agent works close to a full month (5 in 7 of the days
      without leave).

Staffing may not import the requirement code (it reads intake, above staffing):
csc registers it with `register_requirement` from its AppConfig.ready.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ortools.sat.python import cp_model
from simple_history.utils import bulk_create_with_history

from csc.lib.errors import DomainError, NotAllowed
from staffing import calendar_port, rosters
from staffing.coverage import intervals, required_at
from staffing.models import (
    Agent,
    LeaveRequest,
    Roster,
    RosterEntry,
    RosterProposal,
    ShiftPattern,
    ShiftTemplate,
    Team,
    User,
)
from staffing.swaps import MIN_REST

# (team, first day, number of days) → agents required per 30-minute interval start,
# or None when there is no forecast to go by.
RequirementLookup = Callable[
    [Team, datetime.date, int], "list[tuple[datetime.datetime, int]] | None"
]

_requirement: RequirementLookup | None = None

# A running proposal older than its time limit and this much is taken for lost (its
# worker died): a new request starts afresh.
LOST_AFTER = datetime.timedelta(minutes=5)

# Objective weights, from the rule that matters most.
W_BELOW_MINIMUM = 10_000
W_UNDER_STAFFED = 100
W_PEOPLE_MISSING = 5
W_SPREAD = 20
W_ABOVE_SHARE = 10
W_SHORT_MONTH = 1


def register_requirement(lookup: RequirementLookup | None) -> None:
    global _requirement
    _requirement = lookup


# --- the model (no database) -------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One shift of the month: a template worked on a day."""

    index: int
    day: datetime.date
    template_id: int
    is_night: bool
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    min_headcount: int
    is_holiday: bool


@dataclass(frozen=True)
class Fixed:
    """A shift already in another roster (the month before or after)."""

    agent_id: int
    day: datetime.date
    is_night: bool
    starts_at: datetime.datetime
    ends_at: datetime.datetime


@dataclass
class Problem:
    days: list[datetime.date]
    agents: list[int]
    slots: list[Slot]
    # Open intervals and the people each needs.
    targets: list[tuple[datetime.datetime, int]]
    leave: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = field(
        default_factory=dict
    )
    fixed: list[Fixed] = field(default_factory=list)
    max_in_7_days: int = 5


@dataclass
class Solution:
    status: str
    seconds: float
    assigned: list[tuple[int, Slot]]
    intervals: int
    under_staffed_intervals: int
    shifts_below_minimum: int
    per_agent: dict[int, dict[str, int]]


def _too_close(first: tuple, second: tuple) -> bool:
    """Two shifts (day, is_night, starts_at, ends_at) one agent may not both work."""
    day_a, night_a, start_a, end_a = first
    day_b, night_b, start_b, end_b = second
    if start_a < end_b + MIN_REST and start_b < end_a + MIN_REST:
        return True  # overlapping or back-to-back
    one_day = datetime.timedelta(days=1)
    if night_a and not night_b and day_b == day_a + one_day:
        return True
    return night_b and not night_a and day_a == day_b + one_day


def _on_leave(problem: Problem, agent: int, slot: Slot) -> bool:
    return any(
        start < slot.ends_at and end > slot.starts_at for start, end in problem.leave.get(agent, [])
    )


def _key(item: Slot | Fixed) -> tuple:
    return (item.day, item.is_night, item.starts_at, item.ends_at)


def evaluate(problem: Problem, assigned: list[tuple[int, Slot]]) -> dict:
    """The figures of a roster: under-staffed intervals, shifts below their minimum,
    and per agent the shifts, nights and public-holiday shifts."""
    windows = [(f.starts_at, f.ends_at) for f in problem.fixed if not _fixed_on_leave(problem, f)]
    windows += [(slot.starts_at, slot.ends_at) for _agent, slot in assigned]
    under = 0
    for moment, target in problem.targets:
        if sum(1 for start, end in windows if start <= moment < end) < target:
            under += 1
    per_slot: dict[int, int] = defaultdict(int)
    per_agent = {agent: {"shifts": 0, "nights": 0, "holidays": 0} for agent in problem.agents}
    for agent, slot in assigned:
        per_slot[slot.index] += 1
        figures = per_agent[agent]
        figures["shifts"] += 1
        figures["nights"] += slot.is_night
        figures["holidays"] += slot.is_holiday
    below = sum(1 for slot in problem.slots if per_slot[slot.index] < slot.min_headcount)
    return {"under": under, "below": below, "per_agent": per_agent}


def _fixed_on_leave(problem: Problem, fixed: Fixed) -> bool:
    return any(
        start < fixed.ends_at and end > fixed.starts_at
        for start, end in problem.leave.get(fixed.agent_id, [])
    )


def _peak_need(problem: Problem) -> dict[int, int]:
    """People each shift needs at least: its minimum headcount or the most any interval
    it covers requires."""
    need = {slot.index: slot.min_headcount for slot in problem.slots}
    for moment, target in problem.targets:
        for slot in problem.slots:
            if slot.starts_at <= moment < slot.ends_at and target > need[slot.index]:
                need[slot.index] = target
    return need


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self) -> None:
        super().__init__()
        self.solutions = 0

    def on_solution_callback(self) -> None:
        self.solutions += 1


def solve(
    problem: Problem,
    *,
    seconds: float,
    workers: int = 2,
    on_progress: Callable[[float], None] | None = None,
) -> Solution:
    """Build and solve the CP-SAT model; `on_progress` gets the share of the time limit
    spent, about once a second, from the calling thread."""
    model = cp_model.CpModel()
    one_day = datetime.timedelta(days=1)
    first_day = problem.days[0]
    works: dict[tuple[int, int], cp_model.IntVar] = {}
    for agent in problem.agents:
        blocked = [f for f in problem.fixed if f.agent_id == agent]
        for slot in problem.slots:
            if _on_leave(problem, agent, slot):
                continue
            if any(_too_close(_key(slot), _key(f)) for f in blocked):
                continue
            works[agent, slot.index] = model.new_bool_var(f"w{agent}_{slot.index}")

    # Pairs of shifts nobody may both work.
    clashes = [
        (a.index, b.index)
        for n, a in enumerate(problem.slots)
        for b in problem.slots[n + 1 :]
        if abs((a.day - b.day).days) <= 1 and _too_close(_key(a), _key(b))
    ]
    for agent in problem.agents:
        for a, b in clashes:
            if (agent, a) in works and (agent, b) in works:
                model.add_bool_or([works[agent, a].Not(), works[agent, b].Not()])

    # At most N shifts in any 7 days, the previous month's shifts included.
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for slot in problem.slots:
        by_day[slot.day].append(slot.index)
    fixed_days: dict[int, set[datetime.date]] = defaultdict(set)
    for f in problem.fixed:
        fixed_days[f.agent_id].add(f.day)
    for agent in problem.agents:
        for offset in range(-6, len(problem.days) - 6):
            window = [first_day + one_day * (offset + k) for k in range(7)]
            chosen = [
                works[agent, index]
                for day in window
                for index in by_day.get(day, [])
                if (agent, index) in works
            ]
            if not chosen:
                continue
            already = sum(1 for day in window if day in fixed_days[agent] and day < first_day)
            model.add(sum(chosen) <= max(0, problem.max_in_7_days - already))

    # Minimum headcount per shift (soft, heavily weighted).
    below = []
    for slot in problem.slots:
        staff = [works[a, slot.index] for a in problem.agents if (a, slot.index) in works]
        short = model.new_int_var(0, slot.min_headcount, f"short{slot.index}")
        model.add(sum(staff) + short >= slot.min_headcount)
        below.append(short)

    # Under-staffed intervals: intervals covered by the same shifts share one sum.
    fixed_windows = [
        (f.starts_at, f.ends_at) for f in problem.fixed if not _fixed_on_leave(problem, f)
    ]
    # Intervals no shift covers, or needing more people than could come, stay short
    # whatever the roster: they are counted in the figures (`evaluate`), not here.
    groups: dict[tuple[frozenset[int], int], list[int]] = defaultdict(list)
    for moment, target in problem.targets:
        covering = frozenset(s.index for s in problem.slots if s.starts_at <= moment < s.ends_at)
        already = sum(1 for start, end in fixed_windows if start <= moment < end)
        needed = target - already
        if needed <= 0:
            continue
        if not covering:
            continue
        groups[covering, already].append(needed)
    under_terms = []
    missing_terms = []
    for (covering, _already), needs in groups.items():
        people = [works[a, i] for i in covering for a in problem.agents if (a, i) in works]
        reachable = len(people)
        for needed in sorted(set(needs)):
            count = needs.count(needed)
            if needed > reachable:
                continue
            met = model.new_bool_var("")
            model.add(sum(people) >= needed).only_enforce_if(met)
            under_terms.append(count * (1 - met))
            # People missing, too: it tells the search which way is better.
            missing = model.new_int_var(0, needed, "")
            model.add(sum(people) + missing >= needed)
            missing_terms.append(count * missing)

    # Fair spread of nights and public-holiday shifts: the spread (max − min), and each
    # agent's shifts above their fair share of what those shifts need (the share
    # follows the shifts they are free for), which guides the search.
    spreads = []
    above_share = []
    short_month = []
    nights = [s.index for s in problem.slots if s.is_night]
    holidays = [s.index for s in problem.slots if s.is_holiday]
    peak = _peak_need(problem)
    # The fewest is taken over agents without leave (leave lowers anyone's count),
    # or over everyone when all have some.
    steady = {agent for agent in problem.agents if not problem.leave.get(agent)}
    steady = steady or set(problem.agents)
    for indexes, name in ((nights, "nights"), (holidays, "holidays")):
        if not indexes:
            continue
        most = model.new_int_var(0, len(indexes), f"most_{name}")
        least = model.new_int_var(0, len(indexes), f"least_{name}")
        free = {
            agent: [works[agent, i] for i in indexes if (agent, i) in works]
            for agent in problem.agents
        }
        all_free = sum(len(chosen) for chosen in free.values()) or 1
        need = sum(peak[i] for i in indexes)
        for agent, chosen in free.items():
            total = sum(chosen)
            model.add(most >= total)
            if agent in steady:
                model.add(least <= total)
            share = -(-need * len(chosen) // all_free)
            excess = model.new_int_var(0, len(indexes), f"excess_{name}{agent}")
            model.add(excess >= total - share)
            above_share.append(excess)
        spreads.append(most - least)
    for agent in problem.agents:
        free_days = {slot.day for slot in problem.slots if (agent, slot.index) in works}
        target = len(free_days) * problem.max_in_7_days // 7
        total = sum(works[agent, s.index] for s in problem.slots if (agent, s.index) in works)
        missing = model.new_int_var(0, max(target, 0), f"missing{agent}")
        model.add(total + missing >= target)
        short_month.append(missing)

    model.minimize(
        W_BELOW_MINIMUM * sum(below)
        + W_UNDER_STAFFED * sum(under_terms)
        + W_PEOPLE_MISSING * sum(missing_terms)
        + W_SPREAD * sum(spreads)
        + W_ABOVE_SHARE * sum(above_share)
        + W_SHORT_MONTH * sum(short_month)
    )

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = 1
    callback = _Progress()
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(solver.solve(model, callback))
        except BaseException as error:  # raised again in the calling thread
            outcome.append(error)

    started = time.perf_counter()
    thread = threading.Thread(target=run, name="roster-proposal-solver")
    thread.start()
    while thread.is_alive():
        thread.join(timeout=1.0)
        if on_progress is not None and thread.is_alive():
            on_progress(min(1.0, (time.perf_counter() - started) / max(seconds, 0.001)))
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    status: Any = outcome[0]
    elapsed = time.perf_counter() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solution(solver.status_name(status), elapsed, [], len(problem.targets), 0, 0, {})
    slots = {slot.index: slot for slot in problem.slots}
    assigned = [
        (agent, slots[index]) for (agent, index), var in works.items() if solver.boolean_value(var)
    ]
    assigned.sort(key=lambda pair: (pair[1].starts_at, pair[0]))
    figures = evaluate(problem, assigned)
    return Solution(
        status=solver.status_name(status),
        seconds=elapsed,
        assigned=assigned,
        intervals=len(problem.targets),
        under_staffed_intervals=figures["under"],
        shifts_below_minimum=figures["below"],
        per_agent=figures["per_agent"],
    )


# --- services ----------------------------------------------------------------------------


def proposable_agents(team: Team) -> list[Agent]:
    """The people a proposal rosters: the team's active users, team leads left out (they
    supervise and put themselves on the roster by hand)."""
    agents = Agent.objects.filter(team=team, user__is_active=True).exclude(
        job_type=Agent.JobType.TEAM_LEAD
    )
    if team.lead_id is not None:
        agents = agents.exclude(user_id=team.lead_id)
    return list(agents.select_related("user").order_by("employee_number"))


@transaction.atomic
def roster_proposal_request(
    *,
    team: Team,
    requested_by: User,
    month: datetime.date | None = None,
    pattern: ShiftPattern | None = None,
    in_background: bool = True,
) -> RosterProposal:
    """Ask for a proposed roster of `month` (next month by default): the team's draft
    for that month (made now if there is none) is filled once the solver is done. A
    published roster is never proposed over."""
    from staffing.tasks import propose_roster

    if not rosters.may_edit_roster(requested_by, team):
        raise NotAllowed(_("Only the team's lead or a manager may change its roster."))
    month = rosters.month_start(month or rosters.next_month(timezone.localdate()))
    roster = Roster.objects.select_for_update().filter(team=team, month=month).first()
    if roster is not None and roster.is_published:
        raise DomainError(
            _(
                "The roster of %(month)s is already published: a proposal never changes a "
                "published roster."
            )
            % {"month": f"{month:%Y-%m}"},
            code="roster_published",
        )
    if roster is None:
        if pattern is None:
            raise DomainError(_("Choose the shift pattern of the roster."), code="no_pattern")
        roster = rosters.roster_create(
            team=team, month=month, pattern=pattern, created_by=requested_by
        )
    running = roster.proposals.filter(
        status__in=[RosterProposal.Status.QUEUED, RosterProposal.Status.RUNNING]
    ).first()
    if running is not None and timezone.now() - running.requested_at < LOST_AFTER + (
        datetime.timedelta(seconds=running.time_limit_seconds)
    ):
        return running
    proposal = RosterProposal(
        roster=roster,
        requested_by=requested_by,
        time_limit_seconds=settings.ROSTER_PROPOSAL_SECONDS,
    )
    proposal._history_user = requested_by  # type: ignore[attr-defined]
    proposal.save()
    if in_background:
        transaction.on_commit(lambda: propose_roster.delay(proposal.pk))
    return proposal


def build_problem(roster: Roster) -> tuple[Problem, str]:
    """What the solver needs about the roster's month, and whether it covers the
    forecast requirement or the shifts' minimum headcount."""
    team = roster.team
    days = rosters.month_days(roster.month)
    start, end = rosters.month_bounds(roster.month)
    templates = list(ShiftTemplate.objects.filter(pattern_id=roster.pattern_id))
    slots: list[Slot] = []
    for day in days:
        for template in templates:
            if not template.works_on(day):
                continue
            starts_at, ends_at = template.window(day)
            slots.append(
                Slot(
                    index=len(slots),
                    day=day,
                    template_id=template.pk,
                    is_night=template.kind == ShiftTemplate.Kind.NIGHT,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    min_headcount=template.min_headcount,
                    is_holiday=calendar_port.is_public_holiday(day),
                )
            )
    agents = proposable_agents(team)
    agent_ids = [agent.pk for agent in agents]
    reach_back = start - datetime.timedelta(days=7)
    reach_on = end + datetime.timedelta(days=1)
    leave: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = defaultdict(list)
    for agent_id, starts_at, ends_at in LeaveRequest.objects.filter(
        agent__team=team,
        status=LeaveRequest.Status.APPROVED,
        starts_at__lt=reach_on,
        ends_at__gt=reach_back,
    ).values_list("agent_id", "starts_at", "ends_at"):
        leave[agent_id].append((starts_at, ends_at))
    fixed = [
        Fixed(agent_id, day, kind == ShiftTemplate.Kind.NIGHT, starts_at, ends_at)
        for agent_id, day, kind, starts_at, ends_at in RosterEntry.objects.filter(
            roster__team=team, starts_at__lt=reach_on, ends_at__gt=reach_back
        )
        .exclude(roster=roster)
        .values_list("agent_id", "day", "template__kind", "starts_at", "ends_at")
    ]
    rules = rosters.template_rules(templates)
    is_open = calendar_port.opening_hours(team)
    required = _requirement(team, roster.month, len(days)) if _requirement else None
    by_moment = dict(required or [])
    targets = []
    for moment in intervals(timezone.localtime(start), timezone.localtime(end)):
        if not is_open(moment):
            continue
        minimum = required_at(moment, rules)
        targets.append((moment, max(minimum, by_moment.get(moment, 0))))
    basis = RosterProposal.Basis.REQUIREMENT if required else RosterProposal.Basis.MINIMUM
    problem = Problem(
        days=days,
        agents=agent_ids,
        slots=slots,
        targets=targets,
        leave=dict(leave),
        fixed=fixed,
        max_in_7_days=settings.ROSTER_MAX_SHIFTS_IN_7_DAYS,
    )
    return problem, basis


def _fail(proposal: RosterProposal, failure: str) -> RosterProposal:
    proposal.status, proposal.failure = RosterProposal.Status.FAILED, failure
    proposal.finished_at = timezone.now()
    proposal._history_user = proposal.requested_by  # type: ignore[attr-defined]
    proposal.save()
    return proposal


def roster_propose(proposal_id: int) -> RosterProposal:
    """Compute the requested proposal and write it as the draft's shifts (in place of
    the draft's shifts so far), with the figures of its quality. The progress is saved
    about once a second while the solver searches."""
    proposal = RosterProposal.objects.select_related("roster__team", "requested_by").get(
        pk=proposal_id
    )
    if proposal.status in (RosterProposal.Status.DONE, RosterProposal.Status.FAILED):
        return proposal
    proposal.status, proposal.progress = RosterProposal.Status.RUNNING, 5
    proposal._history_user = proposal.requested_by  # type: ignore[attr-defined]
    proposal.save()
    roster = proposal.roster
    try:
        if roster.is_published:
            return _fail(proposal, "roster_published")
        problem, basis = build_problem(roster)
        if not problem.agents:
            return _fail(proposal, "no_agents")
        RosterProposal.objects.filter(pk=proposal.pk).update(progress=10)

        def progress(share: float) -> None:
            RosterProposal.objects.filter(pk=proposal.pk).update(progress=10 + round(85 * share))

        solution = solve(
            problem,
            seconds=proposal.time_limit_seconds,
            workers=settings.ROSTER_PROPOSAL_WORKERS,
            on_progress=progress,
        )
    except Exception:
        _fail(proposal, "error")
        raise
    proposal.basis = basis
    proposal.solver_status = solution.status
    proposal.solve_seconds = round(solution.seconds, 2)
    if not solution.assigned and solution.status not in ("OPTIMAL", "FEASIBLE"):
        return _fail(proposal, "no_solution")
    return _write(proposal, problem, solution)


@transaction.atomic
def _write(proposal: RosterProposal, problem: Problem, solution: Solution) -> RosterProposal:
    roster = Roster.objects.select_for_update().get(pk=proposal.roster_id)
    if roster.is_published:
        return _fail(proposal, "roster_published")
    by = proposal.requested_by
    for entry in roster.entries.all():
        entry._history_user = by
        entry.delete()
    agents = {agent.pk: agent for agent in Agent.objects.filter(pk__in=problem.agents)}
    templates = {t.pk: t for t in ShiftTemplate.objects.filter(pattern_id=roster.pattern_id)}
    entries = [
        RosterEntry(
            roster=roster,
            agent=agents[agent_id],
            day=slot.day,
            template=templates[slot.template_id],
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
        )
        for agent_id, slot in solution.assigned
    ]
    bulk_create_with_history(entries, RosterEntry, default_user=by, batch_size=1000)
    names = {
        agent.pk: agent.user.display_name
        for agent in Agent.objects.filter(pk__in=problem.agents).select_related("user")
    }
    proposal.status, proposal.progress = RosterProposal.Status.DONE, 100
    proposal.finished_at = timezone.now()
    proposal.intervals = solution.intervals
    proposal.under_staffed_intervals = solution.under_staffed_intervals
    proposal.shifts_below_minimum = solution.shifts_below_minimum
    proposal.shifts = len(entries)
    proposal.per_agent = [
        {"agent": agent_id, "name": names[agent_id], **figures}
        for agent_id, figures in solution.per_agent.items()
    ]
    proposal._history_user = by  # type: ignore[attr-defined]
    proposal.save()
    return proposal


def latest_proposal(roster: Roster) -> RosterProposal | None:
    return roster.proposals.first()
